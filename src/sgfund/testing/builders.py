"""Plain builders of valid objects for example-based tests (no hypothesis needed).

``application(GR2, id="GR2-001")`` is an application that every built-in rule passes: change
one field with ``attrs.evolve`` or keyword arguments to test one rule at a time.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from sgfund.applications import Application
from sgfund.dates import LONDON
from sgfund.funds import Round
from sgfund.organisations import Organisation, OrgType

__all__ = ["application", "organisation"]


def organisation(**changes: Any) -> Organisation:
    """A registered charity in Leeds; keyword arguments replace fields."""
    base = Organisation(
        name="Leeds Community Safety Trust",
        type=OrgType.REGISTERED_CHARITY,
        charity_number="1012345",
        postcode="LS1 1AA",
        district="Leeds",
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
