"""Read published figures (with their precision) from a CSV, for reconciliation.

Columns: ``scope, figure, published_text, value, precision`` and optionally ``published``,
``source_ids`` and ``note``. ``precision`` is one of ``exact``, ``lower bound``,
``upper bound``, ``rounded to the pound``, ``rounded to £0.1m``, ``rounded to £1m`` (any
``rounded to £<n>[k|m]``). Rows whose figure sgfund does not compute (a completion date, one
award) are returned as skipped, with the reason, rather than dropped silently.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

from attrs import frozen

from sgfund.errors import DataError, Problem
from sgfund.scope import DeclaredFigure, Figure, Precision

__all__ = ["DeclaredFigures", "read_declared_figures"]

_UNITS = {"": Decimal(1), "k": Decimal(1000), "m": Decimal(1000000)}


@frozen
class DeclaredFigures:
    """Figures by scope key (as written in the file), and rows that were not figures."""

    by_scope: dict[str, list[DeclaredFigure]]
    skipped: list[tuple[int, str]]


def _precision(text: str) -> tuple[Precision, Decimal | None] | None:
    text = text.strip().lower()
    if text == "exact":
        return Precision.EXACT, None
    if text == "lower bound":
        return Precision.LOWER_BOUND, None
    if text == "upper bound":
        return Precision.UPPER_BOUND, None
    if text == "rounded to the pound":
        return Precision.ROUNDED, Decimal(1)
    match = re.fullmatch(r"rounded to £([\d.]+)([km]?)", text)
    if match:
        return Precision.ROUNDED, Decimal(match[1]) * _UNITS[match[2]]
    return None


def read_declared_figures(path: str | Path) -> DeclaredFigures:
    """Read every figure in the file; any malformed row raises `DataError` listing all of them."""
    by_scope: dict[str, list[DeclaredFigure]] = defaultdict(list)
    skipped: list[tuple[int, str]] = []
    problems: list[Problem] = []
    name = str(path)
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            figure = (row.get("figure") or "").strip()
            if figure not in {f.value for f in Figure}:
                skipped.append((row_number, f"{figure!r} is not a figure sgfund computes"))
                continue
            precision = _precision(row.get("precision") or "")
            if precision is None:
                problems.append(
                    Problem(
                        "unknown precision",
                        file=name,
                        row=row_number,
                        column="precision",
                        value=row.get("precision"),
                        expected="exact, lower bound, upper bound or rounded to £<unit>",
                    )
                )
                continue
            try:
                value = Decimal((row.get("value") or "").strip())
            except InvalidOperation:
                problems.append(
                    Problem(
                        "not a number",
                        file=name,
                        row=row_number,
                        column="value",
                        value=row.get("value"),
                        expected="a number such as 534286 or 326032.84",
                    )
                )
                continue
            note = (row.get("note") or "").strip()
            by_scope[(row.get("scope") or "").strip()].append(
                DeclaredFigure(
                    figure=figure,
                    value=value,
                    precision=precision[0],
                    unit=precision[1],
                    published_text=(row.get("published_text") or "").strip() or str(value),
                    source="; ".join(x for x in ((row.get("source_ids") or "").strip(), note) if x),
                    published=(row.get("published") or "").strip(),
                )
            )
    if problems:
        raise DataError(problems, f"{name}: {len(problems)} bad row(s)", file=name)
    return DeclaredFigures(by_scope=dict(by_scope), skipped=skipped)
