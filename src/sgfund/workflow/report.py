"""The committee report as an officer's step: a reconciled scope, from the ledger, to a page.

The reconciliation is `reconcile_scope`'s (the same the ``reconcile`` command prints); the
report adds the rounds' records and closures (with their anchors) and the plugins' labels,
and `sgfund.report` lays it out. Rendering needs the ``report`` extra (jinja2).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import attrs

from sgfund.collect import SgfundPluginManager
from sgfund.ledger import Ledger
from sgfund.lifecycle import RoundState
from sgfund.postaward import post_award_totals
from sgfund.reconcile import Reconciliation
from sgfund.report import (
    PostAwardLine,
    ReportData,
    build_report_data,
    report_labels,
    write_report,
)
from sgfund.scope import DeclaredFigure, Scope
from sgfund.workflow.steps import reconcile_scope

__all__ = ["scope_report", "write_scope_report"]


def scope_report(
    ledger: Ledger,
    reconciliation: Reconciliation,
    *,
    pm: SgfundPluginManager,
    title: str | None = None,
    post_award_as_of: date | None = None,
) -> ReportData:
    """The report on a reconciled scope: its rounds' records and closures from ``ledger``.

    Every figure is the reconciliation's; a round's records or closure that disagree with it
    raise `ReconciliationError`. Rounds not yet closed are reported as such. With
    ``post_award_as_of``, the report adds each closed round after the award as of that day
    (awarded as varied, paid, outstanding, recovered, returns due and overdue), as
    `sgfund.postaward.post_award_totals` gives them.
    """
    round_ids = reconciliation.totals.round_ids
    records = [ledger.round_records(rid) for rid in round_ids]
    closures = [c for c in (ledger.closure(rid) for rid in round_ids) if c is not None]
    scope = Scope(
        id=reconciliation.scope_id, label=reconciliation.label, rounds=[r.round for r in records]
    )
    data = build_report_data(
        reconciliation,
        records,
        labels=report_labels(pm, scope),
        closures=closures,
        title=title,
    )
    if post_award_as_of is None:
        return data
    lines = [
        _post_award_line(ledger, r.round.id, r.round.name, post_award_as_of)
        for r in records
        if ledger.round_state(r.round.id) is RoundState.CLOSED
    ]
    return attrs.evolve(data, post_award=lines, post_award_as_of=post_award_as_of)


def _post_award_line(ledger: Ledger, round_id: str, name: str, as_of: date) -> PostAwardLine:
    t = post_award_totals(ledger.post_award(round_id, as_of=as_of).values(), as_of=as_of)
    return PostAwardLine(
        round_id=round_id,
        name=name,
        awards=t.awards,
        accepted=t.accepted,
        completed=t.completed,
        awarded=t.awarded,
        paid=t.paid,
        outstanding=t.outstanding,
        recovered=t.recovered,
        returns_due=t.returns_due,
        returns_overdue=t.returns_overdue,
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
    post_award_as_of: date | None = None,
) -> tuple[ReportData, tuple[Path, ...]]:
    """Reconcile the rounds against ``declared`` and write the report to each of ``paths``.

    A ``.md`` path gets Markdown, an ``.html`` one the self-contained HTML page; any other
    suffix is refused before anything is computed (`sgfund.report.render.check_report_path`).
    Each file is written whole or not at all. Returns the report's data and the paths written.
    """
    from sgfund.report.render import check_report_path

    paths = [check_report_path(p) for p in paths]
    rec = reconcile_scope(
        ledger, round_ids, pm=pm, scope_id=scope_id, label=label, declared=declared
    )
    data = scope_report(ledger, rec, pm=pm, title=title, post_award_as_of=post_award_as_of)
    return data, tuple(write_report(data, path) for path in paths)
