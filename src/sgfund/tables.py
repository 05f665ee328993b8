"""Helpers for rules' columnar forms (``check_columns``): the table library and money in it.

A columnar table (from `sgfund.io.columnar`, the ``columnar`` extra) holds money as whole
pence (Int64). A rule's ``check_columns`` picks the rows it may not pass with whole-column
expressions, then gives each of those rows the same `Result` its one-by-one ``check``
would, from the row's values, so both forms agree exactly.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sgfund.errors import MissingExtraError

__all__ = ["as_pence", "pence", "polars"]


def polars() -> Any:
    """The polars module, or `MissingExtraError` naming the ``columnar`` extra."""
    try:
        import polars as pl
    except ImportError as err:
        raise MissingExtraError(
            "polars", extra="columnar", purpose="columnar tables (sgfund.io.columnar)"
        ) from err
    return pl


def pence(amount: int) -> Decimal:
    """Whole pence from a table's money column as the two-place `Decimal` the models hold."""
    return Decimal(amount).scaleb(-2)


def as_pence(amount: Decimal) -> int:
    """Two-place money as whole pence, to compare with a table's money column."""
    return int(amount.scaleb(2))
