"""The maximum grant by round, for rounds that do not carry their own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sgfund import Application, Round, format_money
from sgfund.tables import as_pence, pence, polars
from sgfund.types import Check, ColumnCheck, Result, Rule, fail
from sgfund_westyorkshire.tables import max_grant_for

__all__ = ["max_grant_rule"]

DESCRIPTION = (
    "For a round without its own maximum grant, the amount requested is no more than the "
    "fund's schedule: £5,000 up to PCC round 15, £6,000 from round 16 to the Mayor's Grant "
    "Round 2, £8,000 for Grant Rounds 3 and 4, £10,000 from Grant Round 6."
)


def max_grant_rule(round: Round) -> Rule | None:
    """The schedule rule for ``round``.

    None when the round sets its own maximum, or when the schedule has none for it.
    """
    if round.max_grant is not None:
        return None
    limit = max_grant_for(round.id)
    if limit is None:
        return None
    return Rule(
        id="wy-max-grant-schedule",
        version="1",
        description=DESCRIPTION,
        check=_check(limit),
        check_columns=_check_columns(limit),
    )


def _over(amount: Decimal, limit: Decimal, round: Round) -> Result:
    return fail(
        f"{format_money(amount)} requested is more than the maximum grant of "
        f"{format_money(limit)} for {round.id} in the fund's schedule",
        "amount_requested",
    )


def _check(limit: Decimal) -> Check:
    def check(app: Application, round: Round, as_of: date) -> Result | None:
        if app.amount_requested <= limit:
            return None
        return _over(app.amount_requested, limit, round)

    return check


def _check_columns(limit: Decimal) -> ColumnCheck:
    def check_columns(round: Round, table: Any, as_of: date) -> Iterator[tuple[str, Result]]:
        pl = polars()
        over = table.filter(pl.col("amount_requested") > as_pence(limit))
        for app_id, amount in over.select("application_id", "amount_requested").iter_rows():
            yield app_id, _over(pence(amount), limit, round)

    return check_columns
