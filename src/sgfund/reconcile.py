"""Reconciliation: computed totals against the figures that were published.

Every declared figure is reported as matched or as a discrepancy with the computed figure and
the difference; checks from plugins add their own discrepancies. Nothing here raises on
inconsistent sources: two sources that disagree are both reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from attrs import frozen

from sgfund.money import format_money
from sgfund.scope import DeclaredFigure, Figure, Precision
from sgfund.totals import Totals

__all__ = ["FigureResult", "compare_figure", "compare_figures"]


@frozen(kw_only=True)
class FigureResult:
    """One declared figure beside the computed one.

    ``difference`` is computed minus declared. A rounded figure matches when the computed
    figure rounds (half up) to it at its unit, so "£534,286" matches £534,285.50 to £534,286.49.
    """

    figure: DeclaredFigure
    computed: Decimal
    matched: bool
    difference: Decimal
    explanation: str


def _show(figure: Figure, value: Decimal) -> str:
    if figure is Figure.TOTAL_AWARDED:
        return format_money(value)
    return f"{value:,}"


def compare_figure(figure: DeclaredFigure, totals: Totals) -> FigureResult:
    """Compare one declared figure with the totals, according to its precision."""
    if figure.figure is Figure.PROJECTS:
        computed = Decimal(totals.awards.count)
    else:
        computed = totals.awards.total
    declared = figure.value
    difference = computed - declared
    shown = _show(figure.figure, computed)
    if figure.precision is Precision.EXACT:
        matched = computed == declared
        rule = "exactly"
    elif figure.precision is Precision.ROUNDED:
        unit = figure.unit or Decimal(1)
        rounded = (computed / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit
        matched = rounded == declared
        rule = f"rounded to {_show(figure.figure, unit)} ({_show(figure.figure, rounded)})"
    elif figure.precision is Precision.LOWER_BOUND:
        matched = computed >= declared if figure.lower_bound_inclusive else computed > declared
        rule = "as a lower bound"
    else:
        matched = computed <= declared
        rule = "as an upper bound"
    verdict = "matches" if matched else "does not match"
    explanation = f"computed {shown} {verdict} {figure.published_text!r} {rule}" + (
        "" if matched else f"; difference {_signed(figure.figure, difference)}"
    )
    return FigureResult(
        figure=figure,
        computed=computed,
        matched=matched,
        difference=difference,
        explanation=explanation,
    )


def _signed(figure: Figure, value: Decimal) -> str:
    sign = "+" if value > 0 else ""
    return sign + _show(figure, value)


def compare_figures(figures: Iterable[DeclaredFigure], totals: Totals) -> list[FigureResult]:
    """Compare every declared figure, in the order given."""
    return [compare_figure(f, totals) for f in figures]


def figure_result_dict(result: FigureResult) -> Mapping[str, Any]:
    """Plain data with stable keys for JSON reports."""
    f = result.figure
    return {
        "figure": str(f.figure),
        "published_text": f.published_text,
        "declared": str(f.value),
        "precision": str(f.precision),
        "unit": None if f.unit is None else str(f.unit),
        "source": f.source,
        "computed": str(result.computed),
        "difference": str(result.difference),
        "matched": result.matched,
        "explanation": result.explanation,
    }


def dumps_figures(results: Iterable[FigureResult]) -> str:
    """JSON text of figure results (used by the reconciliation report)."""
    return json.dumps([figure_result_dict(r) for r in results], indent=2, sort_keys=True)
