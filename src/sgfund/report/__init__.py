"""The committee report: one self-contained HTML page (or Markdown) on what a scope funded.

Three steps, each usable alone::

    labels = report_labels(pm, scope)                    # what the plugins say (themes, districts)
    data = build_report_data(rec, records, labels=labels, closures=closures)   # pure, exact
    write_report(data, "report.html")                    # or "report.md"

`report_from_ledger` does all three from a ledger. Rendering needs jinja2 (the ``report``
extra); building the data does not. See docs/report.md.
"""

from __future__ import annotations

from sgfund.collect import SgfundPluginManager
from sgfund.ledger import Ledger
from sgfund.reconcile import reconcile
from sgfund.report.data import (
    AwardLine,
    Breakdown,
    DecidedBy,
    DiscrepancyLine,
    FigureLine,
    ReportData,
    RoundLine,
    Row,
    build_report_data,
    headline,
)
from sgfund.report.labels import ReportLabels, report_labels
from sgfund.report.render import render_html, render_markdown, write_report
from sgfund.scope import Scope
from sgfund.totals import compute_totals

__all__ = [
    "AwardLine",
    "Breakdown",
    "DecidedBy",
    "DiscrepancyLine",
    "FigureLine",
    "ReportData",
    "ReportLabels",
    "RoundLine",
    "Row",
    "build_report_data",
    "headline",
    "render_html",
    "render_markdown",
    "report_from_ledger",
    "report_labels",
    "write_report",
]


def report_from_ledger(
    ledger: Ledger, scope: Scope, *, pm: SgfundPluginManager, title: str | None = None
) -> ReportData:
    """The report on ``scope`` from the records and closures in ``ledger``.

    The scope's totals are computed from the stored records and reconciled against its
    declared figures with ``pm``'s checks, exactly as `sgfund.reconcile.reconcile` does; each
    closed round's closure (with its anchor) adds the figures and discrepancies found when it
    closed. Rounds that are not closed are reported as such.
    """
    records = [ledger.round_records(r.id) for r in scope.rounds]
    closures = [c for c in (ledger.closure(r.id) for r in scope.rounds) if c is not None]
    applications = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    rec = reconcile(scope, compute_totals(scope, applications, awards), pm=pm)
    return build_report_data(
        rec, records, labels=report_labels(pm, scope), closures=closures, title=title
    )
