"""Read published figures (with their precision) from a CSV, for reconciliation.

Columns: ``scope, figure, published_text, value, precision`` and optionally ``published``,
``source_ids`` and ``note``. ``precision`` is one of ``exact``, ``lower bound``,
``upper bound``, ``rounded to the pound``, ``rounded to £0.1m``, ``rounded to £1m`` (any
``rounded to £<n>[k|m]``). Rows whose figure sgfund does not compute (a completion date, one
award) are returned as skipped, with the reason, rather than dropped silently.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from attrs import frozen

from sgfund.errors import DataError, FieldError, MoneyTypeError, Problem
from sgfund.io.files import file_problem, read_limited
from sgfund.scope import DeclaredFigure, Figure, Precision

__all__ = ["DeclaredFigures", "parse_precision", "read_declared_figures"]

_UNITS = {"": Decimal(1), "k": Decimal(1000), "m": Decimal(1000000)}


@frozen
class DeclaredFigures:
    """Figures by scope key (as written in the file), and rows that were not figures."""

    by_scope: dict[str, list[DeclaredFigure]]
    skipped: list[tuple[int, str]]


def parse_precision(text: str) -> tuple[Precision, Decimal | None] | None:
    """A precision as published (``"rounded to £0.1m"``) and its unit; None if unknown."""
    text = text.strip().lower()
    if text == "exact":
        return Precision.EXACT, None
    if text == "lower bound":
        return Precision.LOWER_BOUND, None
    if text == "upper bound":
        return Precision.UPPER_BOUND, None
    if text == "rounded to the pound":
        return Precision.ROUNDED, Decimal(1)
    match = re.fullmatch(r"rounded to £([0-9]+(?:\.[0-9]+)?)([km]?)", text)
    if match:
        return Precision.ROUNDED, Decimal(match[1]) * _UNITS[match[2]]
    return None


# A file of published figures is a few dozen rows; anything far larger is not one.
MAX_FILE_BYTES = 16 * 1024 * 1024


def _rows(path: str | Path) -> list[dict[str, str | None]]:
    data = read_limited(path, limit=MAX_FILE_BYTES, what="file of declared figures")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise file_problem(
            path,
            f"the file is not UTF-8: byte 0x{data[err.start]:02X} at byte offset {err.start}",
            "a CSV file in UTF-8",
        ) from err
    try:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise file_problem(path, f"the file is not valid CSV: {err}", "a CSV file") from err


def _figure(row: dict[str, str | None], number: int, file: str) -> DeclaredFigure | list[Problem]:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    def problem(column: str, message: str, expected: str) -> Problem:
        return Problem(
            message, file=file, row=number, column=column, value=row.get(column), expected=expected
        )

    precision = parse_precision(cell("precision"))
    # Every problem of the row at once: an unknown precision does not hide a bad value.
    found: list[Problem] = []
    if precision is None:
        found.append(
            problem(
                "precision",
                "unknown precision",
                "exact, lower bound, upper bound or rounded to £<unit>",
            )
        )
    if not cell("scope"):
        found.append(problem("scope", "no scope", "a round id or a scope id"))
    try:
        figure = DeclaredFigure(
            figure=cell("figure"),
            value=cell("value"),
            precision=precision[0] if precision else "exact",
            unit=precision[1] if precision else None,
            published_text=cell("published_text") or cell("value"),
            source="; ".join(x for x in (cell("source_ids"), cell("note")) if x),
            published=cell("published"),
        )
    except (FieldError, MoneyTypeError) as err:
        column = "value" if err.field == "value" else "precision"
        expected = getattr(err, "expected", None) or (
            "a number such as 534286 or 326032.84 (ASCII digits; no exponent, NaN, "
            "infinity or fractions of a penny)"
        )
        found.append(problem(column, f"not a figure sgfund can compare: {err}", expected))
    return found or figure


def read_declared_figures(path: str | Path) -> DeclaredFigures:
    """Read every figure in the file; any malformed row raises `DataError` listing all of them.

    Values are read as money is (`sgfund.money.parse_money`). A path that is not a readable
    file, a file that is not UTF-8 CSV, or one over 16 MiB is refused as a `DataError` too.
    """
    by_scope: dict[str, list[DeclaredFigure]] = defaultdict(list)
    skipped: list[tuple[int, str]] = []
    problems: list[Problem] = []
    name = str(path)
    for number, row in enumerate(_rows(path), start=2):
        figure = (row.get("figure") or "").strip()
        if figure not in {f.value for f in Figure}:
            skipped.append((number, f"{figure!r} is not a figure sgfund computes"))
            continue
        found = _figure(row, number, name)
        if isinstance(found, list):
            problems.extend(found)
        else:
            by_scope[(row.get("scope") or "").strip()].append(found)
    if problems:
        rows = len({p.row for p in problems})
        raise DataError(problems, f"{name}: {len(problems)} problem(s) in {rows} row(s)", file=name)
    return DeclaredFigures(by_scope=dict(by_scope), skipped=skipped)
