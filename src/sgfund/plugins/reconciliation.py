"""Built-in reconciliation checks: declared figures, breakdown consistency, the advertised pot."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from sgfund.hookspecs import hookimpl
from sgfund.money import format_money, sum_money
from sgfund.reconcile import compare_figure
from sgfund.scope import Figure, Scope
from sgfund.totals import Totals
from sgfund.types import Discrepancy, ReconciliationCheck, Severity

__all__ = ["sgfund_reconciliation_checks"]


def declared_figures(scope: Scope, totals: Totals) -> Iterator[Discrepancy]:
    """Every published figure that the computed totals do not match, as an error."""
    for figure in scope.declared:
        result = compare_figure(figure, totals)
        if result.matched:
            continue
        money = figure.figure is Figure.TOTAL_AWARDED
        yield Discrepancy(
            check_id="declared-figures",
            severity=Severity.ERROR,
            message=result.explanation,
            expected=figure.published_text,
            actual=format_money(result.computed) if money else str(result.computed),
            difference=str(result.difference),
        )


def _breakdown(
    name: str, total: Decimal, count: int | None, parts: Sequence[tuple[int, Decimal]]
) -> Iterator[Discrepancy]:
    counts = [c for c, _ in parts]
    summed = sum_money(a for _, a in parts)
    if summed != total:
        yield Discrepancy(
            check_id="breakdowns",
            severity=Severity.ERROR,
            message=f"the {name} amounts add up to {format_money(summed)}, "
            f"not the total {format_money(total)}",
            expected=str(total),
            actual=str(summed),
            difference=str(summed - total),
        )
    if count is not None and sum(counts) != count:
        yield Discrepancy(
            check_id="breakdowns",
            severity=Severity.ERROR,
            message=f"the {name} counts add up to {sum(counts)}, not {count} awards",
            expected=str(count),
            actual=str(sum(counts)),
            difference=str(sum(counts) - count),
        )


def breakdowns(_scope: Scope, totals: Totals) -> Iterator[Discrepancy]:
    """Per-round, per-district, per-type and per-year totals add up; themes are consistent."""
    total, count = totals.awards.total, totals.awards.count
    for name, table in (
        ("per-round", totals.by_round),
        ("per-district", totals.by_district),
        ("per-organisation-type", totals.by_org_type),
        ("per-financial-year", totals.by_financial_year),
    ):
        yield from _breakdown(name, total, count, [(b.count, b.total) for b in table.values()])
    yield from _breakdown(
        "apportioned per-theme",
        total,
        None,
        [(0, amount) for amount in totals.by_theme_apportioned.values()],
    )
    touching = sum(b.count for b in totals.by_theme_touching.values())
    if touching < count:
        yield Discrepancy(
            check_id="breakdowns",
            severity=Severity.ERROR,
            message=f"only {touching} project-theme pairs for {count} awards: "
            "every award should count under at least one theme (or none)",
            expected=f">= {count}",
            actual=str(touching),
        )


def advertised_pot(_scope: Scope, totals: Totals) -> Iterator[Discrepancy]:
    """Awards against the advertised pot: over it is a warning, under it is for information."""
    pot = totals.advertised_pot
    if pot is None:
        return
    total = totals.awards.total
    if total > pot:
        yield Discrepancy(
            check_id="advertised-pot",
            severity=Severity.WARNING,
            message=f"awarded {format_money(total)} against an advertised pot of "
            f"{format_money(pot)}: {format_money(total - pot)} over",
            expected=f"<= {pot}",
            actual=str(total),
            difference=str(total - pot),
        )
    elif total < pot:
        yield Discrepancy(
            check_id="advertised-pot",
            severity=Severity.INFO,
            message=f"awarded {format_money(total)} of an advertised pot of "
            f"{format_money(pot)}: {format_money(pot - total)} not awarded",
            expected=str(pot),
            actual=str(total),
            difference=str(total - pot),
        )


@hookimpl
def sgfund_reconciliation_checks(scope: Scope) -> Iterator[ReconciliationCheck]:
    """The built-in checks, for every scope."""
    yield ReconciliationCheck(
        id="declared-figures",
        version="1",
        description="The number of projects and the total awarded match every figure published "
        "for the scope, at the precision it was published with (exact, rounded, a bound).",
        check=declared_figures,
    )
    yield ReconciliationCheck(
        id="breakdowns",
        version="1",
        description="Totals per round, district, organisation type and financial year add up "
        "to the scope's total and count; apportioned theme totals add up to the penny.",
        check=breakdowns,
    )
    yield ReconciliationCheck(
        id="advertised-pot",
        version="1",
        description="Money awarded against the advertised pot: over the pot is a warning "
        "(rounds often award more than advertised), under it is noted.",
        check=advertised_pot,
    )
