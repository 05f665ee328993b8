"""Plain builders of valid objects for example-based tests (no hypothesis needed).

`ROUND` is a generic round (the ``sgfund_round`` fixture), usable at module level and inside
``@given`` tests; ``round(theme_vocabularies=("my-themes",))`` is the same round naming your
vocabulary. ``application(ROUND, id="A-1")`` is an application that every built-in rule
passes: change one field with keyword arguments to test one rule at a time. Nothing here is
regional: organisations are in a made-up district.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from sgfund.applications import Application
from sgfund.dates import LONDON, london
from sgfund.funds import Era, Fund, Round
from sgfund.organisations import Organisation, OrgType

__all__ = ["ERA", "FUND", "ROUND", "application", "organisation", "round"]

FUND = Fund(id="example-fund", name="Example Community Safety Fund")
ERA = Era(
    id="example-era",
    funder_id="XI-EXAMPLE-FUNDER",
    funder_name="Example Funder",
    start=date(2020, 4, 1),
)


def round(**changes: Any) -> Round:
    """A generic round open for June 2022, up to £6,000 for 12 months; keywords replace fields.

    It names no theme vocabulary: pass ``theme_vocabularies=("your-vocabulary",)`` for one.
    """
    base = Round(
        id="example-round",
        name="Example Community Safety Fund, Round 1",
        fund_id=FUND.id,
        era=ERA,
        opens_at=london(2022, 5, 9, 9),
        closes_at=london(2022, 6, 10, 12),
        advertised_pot=Decimal("100000.00"),
        max_grant=Decimal("6000.00"),
        max_project_months=12,
    )
    return attrs.evolve(base, **changes) if changes else base


ROUND = round()


def organisation(**changes: Any) -> Organisation:
    """A registered charity in a made-up district; keyword arguments replace fields."""
    base = Organisation(
        name="Riverside Community Safety Trust",
        type=OrgType.REGISTERED_CHARITY,
        charity_number="1012345",
        postcode="RV1 1AA",
        district="Riverside",
    )
    return attrs.evolve(base, **changes)


def application(round: Round, *, id: str = "APP-1", **changes: Any) -> Application:
    """An application to ``round`` that keeps the round's limits; keyword arguments replace fields.

    Submitted halfway through the window, for the smaller of £1,000 and the maximum grant,
    for a six-month project starting the month after the round closes.
    """
    middle: datetime = round.opens_at + (round.closes_at - round.opens_at) / 2
    closed = round.closes_at.astimezone(LONDON).date()
    start = date(closed.year, closed.month, 1) + relativedelta(months=1)
    amount = max(round.min_grant, Decimal("1000.00"))
    if round.max_grant is not None:
        amount = min(amount, round.max_grant)
    base = Application(
        id=id,
        round_id=round.id,
        organisation=organisation(),
        title="Safer streets project",
        summary="Volunteers run a weekly drop-in for residents.",
        amount_requested=amount,
        project_start=start,
        project_end=start + relativedelta(months=6) - relativedelta(days=1),
        submitted_at=middle,
    )
    return attrs.evolve(base, **changes) if changes else base
