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

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.checks import reconciliation_checks, run_checks
from sgfund.collect import SgfundPluginManager
from sgfund.money import format_money
from sgfund.organisations import OrgType
from sgfund.scope import DeclaredFigure, Figure, Precision, Scope
from sgfund.totals import Bucket, Totals
from sgfund.types import Discrepancy, Severity

__all__ = [
    "FigureResult",
    "Reconciliation",
    "compare_figure",
    "compare_figures",
    "reconcile",
    "report_dict",
    "report_json",
    "report_text",
]


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


def _show(figure: Figure, value: Decimal, *, whole: bool = False) -> str:
    if figure is Figure.TOTAL_AWARDED:
        return format_money(value, pence=not whole)
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
        whole = unit >= 1
        # Say whose figure the bracket holds: read bare, it looks like the published one.
        rule = (
            f"rounded to {_show(figure.figure, unit, whole=whole)} "
            f"(the computed figure rounds to {_show(figure.figure, rounded, whole=whole)})"
        )
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


@frozen(kw_only=True)
class Reconciliation:
    """A scope's totals, every declared figure beside them, and every check's discrepancies."""

    scope_id: str
    label: str
    totals: Totals
    figures: tuple[FigureResult, ...] = field(default=(), converter=v.as_tuple)
    discrepancies: tuple[Discrepancy, ...] = field(default=(), converter=v.as_tuple)
    check_versions: Mapping[str, str] = field(factory=dict)
    check_plugins: Mapping[str, str] = field(factory=dict)

    def source_of(self, discrepancy: Discrepancy) -> str:
        """``"<check id> v<version> (plugin <name>)"``: which check, at which version, said it."""
        check = discrepancy.check_id
        version = self.check_versions.get(check)
        plugin = self.check_plugins.get(check)
        return (
            check + (f" v{version}" if version else "") + (f" (plugin {plugin})" if plugin else "")
        )

    @property
    def errors(self) -> tuple[Discrepancy, ...]:
        """Discrepancies that block closing a round (unless an officer overrides)."""
        return tuple(d for d in self.discrepancies if d.severity is Severity.ERROR)

    @property
    def ok(self) -> bool:
        """True when no check reported an error."""
        return not self.errors


def reconcile(scope: Scope, totals: Totals, *, pm: SgfundPluginManager) -> Reconciliation:
    """Compare ``totals`` with the scope's declared figures and run every plugin check.

    The ``sgfund_reconciliation_checks`` hook is called once for the scope, on the plugins of
    ``pm`` (the built-in checks are plugins too). Never raises on inconsistent sources: every
    disagreement is a `FigureResult` or a `Discrepancy` in the result.
    """
    checks = reconciliation_checks(pm, scope)
    return Reconciliation(
        scope_id=scope.id,
        label=scope.label,
        totals=totals,
        figures=compare_figures(scope.declared, totals),
        discrepancies=run_checks(checks, scope, totals),
        check_versions={c.item.id: c.item.version for c in checks},
        check_plugins={c.item.id: c.plugin for c in checks},
    )


def _bucket(bucket: Bucket) -> dict[str, Any]:
    return {"count": bucket.count, "total": str(bucket.total)}


def report_dict(rec: Reconciliation) -> dict[str, Any]:
    """The reconciliation as plain data with stable keys, for JSON and other tools."""
    t = rec.totals
    return {
        "scope": {"id": rec.scope_id, "label": rec.label, "rounds": list(t.round_ids)},
        "totals": {
            "awards": _bucket(t.awards),
            "applications": _bucket(t.applications),
            "requested_by_awarded": str(t.requested_by_awarded),
            "advertised_pot": None if t.advertised_pot is None else str(t.advertised_pot),
            "by_round": {k: _bucket(b) for k, b in t.by_round.items()},
            "by_district": {k: _bucket(b) for k, b in t.by_district.items()},
            "by_org_type": {k: _bucket(b) for k, b in t.by_org_type.items()},
            "by_financial_year": {k: _bucket(b) for k, b in t.by_financial_year.items()},
            "by_theme_touching": {k: _bucket(b) for k, b in t.by_theme_touching.items()},
            "by_theme_apportioned": {k: str(v) for k, v in t.by_theme_apportioned.items()},
        },
        "figures": [figure_result_dict(f) for f in rec.figures],
        "discrepancies": [
            {
                "check_id": d.check_id,
                "severity": str(d.severity),
                "message": d.message,
                "expected": d.expected,
                "actual": d.actual,
                "difference": d.difference,
            }
            for d in rec.discrepancies
        ],
        "check_versions": dict(sorted(rec.check_versions.items())),
        "ok": rec.ok,
    }


def report_json(rec: Reconciliation) -> str:
    """The reconciliation as JSON text with sorted, stable keys."""
    return json.dumps(report_dict(rec), indent=2, sort_keys=True, ensure_ascii=False)


def _table(title: str, rows: Mapping[str, Bucket], labels: Mapping[str, str]) -> list[str]:
    if not rows:
        return []
    width = max(len(labels.get(k, k)) for k in rows)
    lines = [title]
    for key, bucket in rows.items():
        lines.append(
            f"  {labels.get(key, key):<{width}}  {bucket.count:>5}"
            f"  {format_money(bucket.total):>16}"
        )
    return lines


def _in_label_order(rows: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """Rows in the order of ``labels`` (a vocabulary's order), then any others by key."""
    order = {key: i for i, key in enumerate(labels)}
    return {k: rows[k] for k in sorted(rows, key=lambda k: (order.get(k, len(order)), k))}


def report_text(rec: Reconciliation, *, theme_labels: Mapping[str, str] | None = None) -> str:
    """The reconciliation as plain text for committee papers.

    ``theme_labels`` maps theme slugs to labels; themes are listed in its order.
    """
    t = rec.totals
    labels = dict(theme_labels or {})
    lines = [
        f"Reconciliation: {rec.label} ({', '.join(t.round_ids)})",
        "",
        f"Projects funded              {t.awards.count:>16}",
        f"Total awarded                {format_money(t.awards.total):>16}",
        f"Requested by funded projects {format_money(t.requested_by_awarded):>16}",
        f"Applications                 {t.applications.count:>16}",
        f"Requested by all             {format_money(t.applications.total):>16}",
    ]
    if t.advertised_pot is not None:
        lines.append(f"Advertised pot               {format_money(t.advertised_pot):>16}")
    lines.append("")
    lines += _table("By round", t.by_round, {})
    lines += _table("By district", t.by_district, {})
    type_labels = {str(k): k.label for k in OrgType}
    lines += _table("By organisation type", t.by_org_type, type_labels)
    lines += _table("By financial year of award", t.by_financial_year, {})
    lines += _table(
        "By theme (a project counts under every theme it serves)",
        _in_label_order(t.by_theme_touching, labels),
        labels,
    )
    if t.by_theme_apportioned:
        width = max(len(labels.get(k, k)) for k in t.by_theme_apportioned)
        lines.append("By theme (each award split across its themes; adds up to the total)")
        for key, amount in _in_label_order(t.by_theme_apportioned, labels).items():
            lines.append(f"  {labels.get(key, key):<{width}}  {format_money(amount):>16}")
    lines.append("")
    lines.append("Published figures")
    if not rec.figures:
        lines.append("  (none declared)")
    for f in rec.figures:
        mark = "matched    " if f.matched else "DISCREPANCY"
        lines.append(f"  {mark}  {f.explanation}")
    lines.append("")
    lines.append("Checks")
    if not rec.discrepancies:
        lines.append("  no discrepancies")
    for d in rec.discrepancies:
        lines.append(f"  {d.severity.upper():<7}  [{d.check_id}] {d.message}")
    lines.append("")
    lines.append("Result: " + ("reconciled" if rec.ok else f"{len(rec.errors)} error(s)"))
    return "\n".join(lines) + "\n"
