"""The committee report on the Mayor's GR1 and GR2, built the way a fund would build it.

Shared by the report's unit tests and its browser test. Records are the example records whose
totals are the published ones (`sgfund.examples_scf.sample_records`); rounds are closed in a
real ledger so closures carry anchors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import attrs

from sgfund import Ledger, Scope, make_plugin_manager
from sgfund.examples_scf import ENTRY_POINTS, GR1, GR2, SCF, sample_records
from sgfund.io.declared import read_declared_figures
from sgfund.report import ReportData
from sgfund.workflow import reconcile_scope, scope_report

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = read_declared_figures(ROOT / "examples" / "data" / "declared-figures.csv").by_scope
AT = datetime(2022, 10, 6, 12, tzinfo=UTC)
STEPS = ("closed_to_applications", "assessed", "decided")


def plugin_manager():
    return make_plugin_manager(entry_points=ENTRY_POINTS)


def scope(declared=None) -> Scope:
    return Scope(
        id="mayor-scf-2022",
        label="Mayor's SCF 2022",
        rounds=(GR1, GR2),
        declared=PUBLISHED["mayor-gr1+mayor-gr2"] if declared is None else declared,
    )


def fill_ledger(path: Path, *, rename: dict[str, str] | None = None, pm=None) -> None:
    """GR1 and GR2 in a ledger at ``path``, closed against their declared figures.

    ``rename`` maps application ids to other organisation names (hostile ones, say).
    """
    pm = pm or plugin_manager()
    with Ledger.open(path) as ledger:
        ledger.add_fund(SCF, actor="fund-admin", at=AT)
        for rnd in (GR1, GR2):
            records = sample_records(rnd)
            apps = [
                attrs.evolve(a, organisation=attrs.evolve(a.organisation, name=rename[a.id]))
                if rename and a.id in rename
                else a
                for a in records.applications
            ]
            ledger.add_round(rnd, actor="fund-admin", at=AT)
            ledger.set_round_state(rnd.id, "open", actor="fund-admin", at=AT)
            ledger.add_applications(apps, actor="grants-officer", at=AT)
            ledger.record_decisions(records.decisions, actor="panel-secretary", at=AT)
            ledger.record_awards(records.awards, actor="panel-secretary", at=AT)
            for step in STEPS:
                ledger.set_round_state(rnd.id, step, actor="fund-admin", at=AT)
            ledger.close_round(
                rnd.id, actor="fund-manager", at=AT, pm=pm, declared=PUBLISHED.get(rnd.id, ())
            )


def report_data(path: Path, *, declared=None, pm=None) -> ReportData:
    pm = pm or plugin_manager()
    chosen = scope(declared)
    with Ledger.open(path) as ledger:
        rec = reconcile_scope(
            ledger,
            [r.id for r in chosen.rounds],
            pm=pm,
            scope_id=chosen.id,
            label=chosen.label,
            declared=chosen.declared,
        )
        return scope_report(ledger, rec, pm=pm)
