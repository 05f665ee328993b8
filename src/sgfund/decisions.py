"""Decisions on applications, and the awards that approved decisions become."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.applications import Application
from sgfund.errors import FieldError, Problem
from sgfund.funds import Round
from sgfund.money import format_money
from sgfund.themes import FinalThemes
from sgfund.types import ThemeSource

__all__ = ["Award", "AwardRoute", "Decision", "Outcome", "decision_problems"]


class Outcome(enum.StrEnum):
    """What was decided about an application."""

    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DEFERRED = "deferred"


class AwardRoute(enum.StrEnum):
    """How an award was made: through the round's competition, or directly."""

    COMPETED = "competed"
    DIRECT = "direct"


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Decision:
    """The decision on one application.

    An approved decision awards more than £0.00; any other outcome awards nothing.
    A direct award needs a ``justification``.
    """

    application_id: str = field(validator=v.identifier)
    outcome: Outcome = field(converter=Outcome)
    decided_on: date = field(validator=v.is_date)
    decided_by: str = field(converter=v.stripped, validator=v.text)
    amount_awarded: Decimal = field(
        default=Decimal("0.00"), converter=v.money, validator=v.non_negative
    )
    route: AwardRoute = field(default=AwardRoute.COMPETED, converter=AwardRoute)
    justification: str | None = field(default=None, converter=v.optional_stripped)
    reasons: str = field(default="", converter=v.stripped)

    def __attrs_post_init__(self) -> None:
        if self.outcome is Outcome.APPROVED and self.amount_awarded <= 0:
            raise FieldError("amount_awarded", self.amount_awarded, "more than £0.00 when approved")
        if self.outcome is not Outcome.APPROVED and self.amount_awarded != 0:
            raise FieldError(
                "amount_awarded", self.amount_awarded, f"£0.00 when the outcome is {self.outcome}"
            )
        if self.route is AwardRoute.DIRECT and self.justification is None:
            raise FieldError("justification", None, "a justification for a direct award")


def _conditions(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise FieldError("conditions", values, "a list of conditions, not one string")
    return tuple(values)


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Award:
    """What an approved decision becomes: money for a period, on conditions.

    ``themes`` are the project's final theme slugs and ``theme_source`` where they came from
    (see `sgfund.themes.final_themes`): totals by theme and 360Giving classifications use them.
    """

    id: str = field(validator=v.identifier)
    application_id: str = field(validator=v.identifier)
    round_id: str = field(validator=v.slug)
    amount: Decimal = field(converter=v.money, validator=v.positive)
    awarded_on: date = field(validator=v.is_date)
    start: date = field(validator=v.is_date)
    end: date = field(validator=v.is_date)
    themes: frozenset[str] = field(default=frozenset(), converter=v.theme_slugs)
    theme_source: ThemeSource = field(default=ThemeSource.DECLARED, converter=ThemeSource)
    conditions: tuple[str, ...] = field(default=(), converter=_conditions)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise FieldError("end", self.end, f"a date on or after start {self.start}")

    @classmethod
    def from_decision(
        cls,
        decision: Decision,
        application: Application,
        *,
        themes: FinalThemes,
        award_id: str | None = None,
        conditions: Iterable[str] = (),
    ) -> Award:
        """Make the award of an approved decision, for the application's project period.

        ``themes`` are the project's final themes (`sgfund.themes.final_themes`, or
        ``RoundRecords.final_themes``); the award carries them and their source.
        """
        if decision.outcome is not Outcome.APPROVED:
            raise FieldError("outcome", decision.outcome, "an approved decision")
        if decision.application_id != application.id:
            raise FieldError(
                "application_id", decision.application_id, f"the application {application.id}"
            )
        return cls(
            id=award_id or application.id,
            application_id=application.id,
            round_id=application.round_id,
            amount=decision.amount_awarded,
            awarded_on=decision.decided_on,
            start=application.project_start,
            end=application.project_end,
            themes=themes.themes,
            theme_source=themes.source,
            conditions=tuple(conditions),
        )


def decision_problems(decision: Decision, application: Application, round: Round) -> list[Problem]:
    """What a fund needs justified before a decision can stand, as located problems.

    An award above the round's maximum grant, or above the amount requested, needs a recorded
    ``justification`` (a direct award needs one anyway, which `Decision` itself enforces).
    """
    problems = []
    if decision.application_id != application.id:
        problems.append(
            Problem(
                f"decision is for {decision.application_id}, not {application.id}",
                field="application_id",
                value=decision.application_id,
                expected=application.id,
            )
        )
    if decision.outcome is not Outcome.APPROVED or decision.justification is not None:
        return problems
    if round.max_grant is not None and decision.amount_awarded > round.max_grant:
        problems.append(
            Problem(
                f"application {application.id}: award {format_money(decision.amount_awarded)} is "
                f"above the round's maximum grant {format_money(round.max_grant)} and needs a "
                "recorded justification",
                expected=f"at most {format_money(round.max_grant)}, or a justification",
                field="amount_awarded",
                value=decision.amount_awarded,
            )
        )
    if decision.amount_awarded > application.amount_requested:
        problems.append(
            Problem(
                f"application {application.id}: award {format_money(decision.amount_awarded)} is "
                f"above the {format_money(application.amount_requested)} requested and needs a "
                "recorded justification",
                expected=(
                    f"at most {format_money(application.amount_requested)}, or a justification"
                ),
                field="amount_awarded",
                value=decision.amount_awarded,
            )
        )
    return problems
