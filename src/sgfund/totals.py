"""Totals of a scope, computed in one pass over its awards: exact to the penny."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from attrs import field, frozen

from sgfund.applications import Application
from sgfund.dates import financial_year
from sgfund.decisions import Award
from sgfund.errors import ReconciliationError
from sgfund.funds import Round
from sgfund.money import apportion
from sgfund.scope import Scope

__all__ = ["NO_THEME", "UNKNOWN", "Bucket", "Totals", "compute_totals"]


@frozen
class Bucket:
    """A count of projects and the money they were awarded."""

    count: int = 0
    total: Decimal = Decimal("0.00")


@frozen(kw_only=True)
class Totals:
    """Everything a committee paper or open-data file says about a scope's money.

    ``by_theme_touching`` counts a project, with its full amount, under every theme it serves,
    so its counts can add up to more than ``awards.count``. ``by_theme_apportioned`` splits each
    award across its themes by largest remainder, so its amounts add up to ``awards.total``
    exactly (projects without a theme fall under ``"(none)"``).
    """

    scope_id: str
    round_ids: tuple[str, ...]
    applications: Bucket = field(factory=Bucket)  # count and money requested, every application
    awards: Bucket = field(factory=Bucket)  # count and money awarded
    requested_by_awarded: Decimal = Decimal("0.00")  # what the funded projects had asked for
    advertised_pot: Decimal | None = None
    by_round: Mapping[str, Bucket] = field(factory=dict)
    by_theme_touching: Mapping[str, Bucket] = field(factory=dict)
    by_theme_apportioned: Mapping[str, Decimal] = field(factory=dict)
    by_district: Mapping[str, Bucket] = field(factory=dict)
    by_org_type: Mapping[str, Bucket] = field(factory=dict)
    by_financial_year: Mapping[str, Bucket] = field(factory=dict)


NO_THEME = "(none)"
UNKNOWN = "(unknown)"


class _Tally:
    """A mutable running count and sum, frozen into a `Bucket` at the end."""

    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total = Decimal("0.00")

    def add(self, amount: Decimal) -> None:
        self.count += 1
        self.total += amount

    def freeze(self) -> Bucket:
        return Bucket(self.count, self.total)


def _freeze(tallies: dict[str, _Tally]) -> dict[str, Bucket]:
    return {key: tallies[key].freeze() for key in sorted(tallies)}


def compute_totals(
    scope: Scope | Round,
    applications: Iterable[Application],
    awards: Iterable[Award],
) -> Totals:
    """Compute a scope's totals in one pass over its awards.

    Only applications and awards of the scope's rounds count. An award whose application is
    not given raises `ReconciliationError`: totals never silently skip money.
    """
    round_ids: tuple[str, ...]
    if isinstance(scope, Round):
        scope_id, round_ids, pot = scope.id, (scope.id,), scope.advertised_pot
    else:
        scope_id, round_ids, pot = scope.id, tuple(r.id for r in scope.rounds), scope.advertised_pot
    in_scope = frozenset(round_ids)

    by_id: dict[str, Application] = {}
    requested = _Tally()
    for app in applications:
        if app.round_id in in_scope:
            by_id[app.id] = app
            requested.add(app.amount_requested)

    awarded = _Tally()
    requested_by_awarded = Decimal("0.00")
    by_round: dict[str, _Tally] = {r: _Tally() for r in round_ids}
    touching: dict[str, _Tally] = defaultdict(_Tally)
    apportioned: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    by_district: dict[str, _Tally] = defaultdict(_Tally)
    by_org_type: dict[str, _Tally] = defaultdict(_Tally)
    by_year: dict[str, _Tally] = defaultdict(_Tally)
    missing: list[str] = []
    for award in awards:
        if award.round_id not in in_scope:
            continue
        funded = by_id.get(award.application_id)
        if funded is None:
            missing.append(award.id)
            continue
        amount = award.amount
        awarded.add(amount)
        requested_by_awarded += funded.amount_requested
        by_round[award.round_id].add(amount)
        themes = sorted(award.themes) or [NO_THEME]
        for theme in themes:
            touching[theme].add(amount)
        shares = apportion(amount, [1] * len(themes)) if len(themes) > 1 else [amount]
        for theme, share in zip(themes, shares, strict=True):
            apportioned[theme] += share
        by_district[funded.organisation.district or UNKNOWN].add(amount)
        by_org_type[str(funded.organisation.type)].add(amount)
        by_year[financial_year(award.awarded_on).label].add(amount)
    if missing:
        raise ReconciliationError(
            f"{len(missing)} award(s) have no application in scope {scope_id}: "
            + ", ".join(sorted(missing)[:10]),
            expected="an application for every award",
            actual=sorted(missing),
        )
    return Totals(
        scope_id=scope_id,
        round_ids=round_ids,
        applications=requested.freeze(),
        awards=awarded.freeze(),
        requested_by_awarded=requested_by_awarded,
        advertised_pot=pot,
        by_round={key: by_round[key].freeze() for key in round_ids},
        by_theme_touching=_freeze(touching),
        by_theme_apportioned={key: apportioned[key] for key in sorted(apportioned)},
        by_district=_freeze(by_district),
        by_org_type=_freeze(by_org_type),
        by_financial_year=_freeze(by_year),
    )
