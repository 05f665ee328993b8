"""The committee report as an officer's step: a reconciled scope, from the ledger, to a page.

The reconciliation is `reconcile_scope`'s (the same the ``reconcile`` command prints); the
report adds the rounds' records and closures (with their anchors) and the plugins' labels,
and `sgfund.report` lays it out. Rendering needs the ``report`` extra (jinja2).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from sgfund.collect import SgfundPluginManager
from sgfund.ledger import Ledger
from sgfund.reconcile import Reconciliation
from sgfund.report import ReportData, build_report_data, report_labels, write_report
from sgfund.scope import DeclaredFigure, Scope
from sgfund.workflow.steps import reconcile_scope

__all__ = ["scope_report", "write_scope_report"]


def scope_report(
    ledger: Ledger,
    reconciliation: Reconciliation,
    *,
    pm: SgfundPluginManager,
    title: str | None = None,
) -> ReportData:
    """The report on a reconciled scope: its rounds' records and closures from ``ledger``.

    Every figure is the reconciliation's; a round's records or closure that disagree with it
    raise `ReconciliationError`. Rounds not yet closed are reported as such.
    """
    round_ids = reconciliation.totals.round_ids
    records = [ledger.round_records(rid) for rid in round_ids]
    closures = [c for c in (ledger.closure(rid) for rid in round_ids) if c is not None]
    scope = Scope(
        id=reconciliation.scope_id, label=reconciliation.label, rounds=[r.round for r in records]
    )
    return build_report_data(
        reconciliation,
        records,
        labels=report_labels(pm, scope),
        closures=closures,
        title=title,
    )


def write_scope_report(
    ledger: Ledger,
    round_ids: Sequence[str],
    paths: Iterable[str | os.PathLike[str]],
    *,
    pm: SgfundPluginManager,
    scope_id: str,
    label: str,
    declared: Sequence[DeclaredFigure] = (),
    title: str | None = None,
) -> tuple[ReportData, tuple[Path, ...]]:
    """Reconcile the rounds against ``declared`` and write the report to each of ``paths``.

    A ``.md`` path gets Markdown, any other the self-contained HTML page; each file is
    written whole or not at all. Returns the report's data and the paths written.
    """
    rec = reconcile_scope(
        ledger, round_ids, pm=pm, scope_id=scope_id, label=label, declared=declared
    )
    data = scope_report(ledger, rec, pm=pm, title=title)
    return data, tuple(write_report(data, path) for path in paths)
