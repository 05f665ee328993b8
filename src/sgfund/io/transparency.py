"""The transparency table of a scope: who got how much, for what, when and why.

What a PCC or combined authority publishes under the Specified Information Order and the Local
Government Transparency Code. Grants to individuals are shown without a name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from attrs import frozen

from sgfund.applications import Application
from sgfund.decisions import Award, Decision, Outcome
from sgfund.errors import ExportError, Problem
from sgfund.funds import Round
from sgfund.io.export import Table
from sgfund.organisations import OrgType
from sgfund.scope import Scope

__all__ = [
    "INDIVIDUAL_REASONS",
    "INDIVIDUAL_RECIPIENT",
    "TransparencyRow",
    "transparency_rows",
    "transparency_table",
]

INDIVIDUAL_RECIPIENT = "Individual recipient"
# Reasons are free text and can name the person; a grant to an individual shows this instead,
# as 360Giving's guidance for grants to individuals recommends generic text.
INDIVIDUAL_REASONS = "Grant to an individual recipient: reasons are not published"

COLUMNS = (
    "Round",
    "Funder",
    "Recipient",
    "Registered id",
    "District",
    "Amount awarded",
    "Purpose",
    "Award date",
    "Start",
    "End",
    "Reasons for the award",
)


@frozen(kw_only=True)
class TransparencyRow:
    """One award as the public sees it."""

    round_id: str
    funder: str
    recipient: str
    registered_id: str | None
    district: str | None
    amount: Decimal
    purpose: str
    awarded_on: date
    start: date
    end: date
    reasons: str


def _purpose(application: Application) -> str:
    if application.summary:
        return f"{application.title}: {application.summary}"
    return application.title


def transparency_rows(
    scope: Scope | Iterable[Round],
    applications: Iterable[Application],
    decisions: Iterable[Decision],
    awards: Iterable[Award],
) -> list[TransparencyRow]:
    """One row per award in ``scope``, by round, date and recipient.

    The reasons are the approving decision's ``reasons`` (and its ``justification`` for a
    direct or above-limit award); for a grant to an individual they are `INDIVIDUAL_REASONS`,
    never the free text, which may name the person. An award without its application or an
    approved decision is refused with `ExportError`, listing every such award.
    """
    rounds = {r.id: r for r in (scope.rounds if isinstance(scope, Scope) else scope)}
    by_application = {a.id: a for a in applications}
    approved = {d.application_id: d for d in decisions if d.outcome is Outcome.APPROVED}
    problems = []
    rows = []
    for award in awards:
        round = rounds.get(award.round_id)
        if round is None:
            continue
        application = by_application.get(award.application_id)
        decision = approved.get(award.application_id)
        if application is None or decision is None:
            missing = "application" if application is None else "approved decision"
            problems.append(
                Problem(
                    f"award {award.id}: no {missing} for {award.application_id}",
                    field="awards",
                    value=award.id,
                )
            )
            continue
        org = application.organisation
        individual = org.type is OrgType.INDIVIDUAL
        reasons = "; ".join(t for t in (decision.reasons, decision.justification) if t)
        rows.append(
            TransparencyRow(
                round_id=round.id,
                funder=round.era.funder_name,
                recipient=INDIVIDUAL_RECIPIENT if individual else org.name,
                registered_id=None if individual else org.registered_id,
                district=org.district,
                amount=award.amount,
                purpose=round.name if individual else _purpose(application),
                awarded_on=award.awarded_on,
                start=award.start,
                end=award.end,
                reasons=INDIVIDUAL_REASONS if individual else reasons,
            )
        )
    if problems:
        raise ExportError(problems, "transparency table refused")
    rows.sort(key=lambda r: (r.round_id, r.awarded_on, r.recipient))
    return rows


def transparency_table(
    scope: Scope | Iterable[Round],
    applications: Iterable[Application],
    decisions: Iterable[Decision],
    awards: Iterable[Award],
) -> Table:
    """The transparency rows as a `Table` for `sgfund.io.export.write_csv` or ``write_xlsx``."""
    rows = transparency_rows(scope, applications, decisions, awards)
    return Table(
        title="Transparency",
        columns=COLUMNS,
        rows=[
            (
                r.round_id,
                r.funder,
                r.recipient,
                r.registered_id,
                r.district,
                r.amount,
                r.purpose,
                r.awarded_on,
                r.start,
                r.end,
                r.reasons,
            )
            for r in rows
        ],
    )
