"""The committee report: one self-contained HTML page (or Markdown) on what a scope funded.

Three steps, each usable alone::

    labels = report_labels(pm, scope)                    # what the plugins say (themes, districts)
    data = build_report_data(rec, records, labels=labels, closures=closures)   # pure, exact
    write_report(data, "report.html")                    # or "report.md"

`sgfund.workflow.write_scope_report` does all three from a ledger (the ``sgfund report``
command). Rendering needs jinja2 (the ``report`` extra); building the data does not. See
docs/report.md.
"""

from __future__ import annotations

from sgfund.report.data import (
    AwardLine,
    Breakdown,
    DecidedBy,
    DiscrepancyLine,
    FigureLine,
    PostAwardLine,
    ReportData,
    RoundLine,
    Row,
    build_report_data,
    headline,
)
from sgfund.report.labels import ReportLabels, report_labels
from sgfund.report.render import render_html, render_markdown, write_report

__all__ = [
    "AwardLine",
    "Breakdown",
    "DecidedBy",
    "DiscrepancyLine",
    "FigureLine",
    "PostAwardLine",
    "ReportData",
    "ReportLabels",
    "RoundLine",
    "Row",
    "build_report_data",
    "headline",
    "render_html",
    "render_markdown",
    "report_labels",
    "write_report",
]
