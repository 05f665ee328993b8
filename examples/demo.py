"""The main job, end to end: two rounds from officers' spreadsheets to closed, reconciled open data.

    python examples/demo.py [WORKDIR] [--all-plugins]

Makes WORKDIR (default ``sgfund-demo``) with a ledger ``sgfund.db`` and the 360Giving files.
It imports the Mayor's Grant Rounds 1 and 2 from ``examples/data/gr1.csv`` and ``gr2.csv``,
assesses every application, records the awards with their final themes, closes both rounds in
the ledger, reconciles "Mayor's SCF 2022" against what was published ("100 projects",
"£534,286") and writes the awards as 360Giving data. The records are made up; their totals
are the published ones.

The demo uses a declared set of plugins: sgfund's built-ins and the West Yorkshire plugin
(``sgfund.examples_scf.ENTRY_POINTS``), so other installed plugins do not change its figures.
``--all-plugins`` uses every installed sgfund plugin instead.
"""

import sys
from datetime import UTC, date, datetime
from pathlib import Path

from sgfund import (
    Award,
    ClosureRefused,
    Ledger,
    Outcome,
    Publisher,
    Scope,
    assess,
    compute_totals,
    format_money,
    import_applications,
    london,
    make_plugin_manager,
    reconcile,
    report_text,
    round_vocabularies,
    write_360giving_csv,
    write_360giving_json,
)
from sgfund.examples_scf import ENTRY_POINTS, GR1, GR2, SCF
from sgfund.io.declared import read_declared_figures

DATA = Path(__file__).parent / "data"
args = [a for a in sys.argv[1:] if not a.startswith("--")]
work = Path(args[0] if args else "sgfund-demo")
work.mkdir(exist_ok=True)
db = work / "sgfund.db"
for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
    leftover.unlink(missing_ok=True)

published = read_declared_figures(DATA / "declared-figures.csv").by_scope
every = "--all-plugins" in sys.argv
pm = make_plugin_manager(entry_points=True if every else ENTRY_POINTS)
plugins = sorted(name for name, _ in pm.list_name_plugin())
print(f"plugins ({'every installed' if every else 'declared'}): {', '.join(plugins)}")

# The library never reads the clock: each step says when it happened.
decided_at = {GR1.id: london(2022, 3, 1, 10), GR2.id: london(2022, 10, 6, 10)}

with Ledger.open(db) as ledger:
    ledger.add_fund(SCF, actor="fund-admin", at=datetime(2021, 11, 1, tzinfo=UTC))
    for rnd, sheet in ((GR1, "gr1.csv"), (GR2, "gr2.csv")):
        at = decided_at[rnd.id]
        ledger.add_round(rnd, actor="fund-admin", at=rnd.opens_at)
        ledger.set_round_state(rnd.id, "open", actor="fund-admin", at=rnd.opens_at)
        imported = import_applications(
            ledger, DATA / sheet, actor="grants-officer", at=rnd.closes_at, pm=pm
        )
        ledger.set_round_state(
            rnd.id, "closed_to_applications", actor="grants-officer", at=rnd.closes_at
        )

        assessed = assess(rnd, imported.applications, pm=pm, as_of=rnd.closes_at.date())
        ledger.record_assessments(assessed, actor="grants-officer", at=rnd.closes_at)
        ledger.set_round_state(rnd.id, "assessed", actor="grants-officer", at=rnd.closes_at)
        counts = {str(k): v for k, v in assessed.counts().items()}
        print(f"{rnd.id}: {len(imported.applications)} applications from {sheet}; {counts}")

        # Each award carries the project's final themes: an officer's override, else the
        # classifiers' matches, else the declared themes (sgfund.themes.final_themes).
        records = ledger.round_records(rnd.id)
        apps = {a.id: a for a in records.applications}
        themes = records.final_themes()
        awards = [
            Award.from_decision(
                d,
                apps[d.application_id],
                themes=themes[d.application_id],
                award_id=f"{d.application_id}-A",
            )
            for d in imported.decisions
            if d.outcome is Outcome.APPROVED
        ]
        ledger.record_awards(awards, actor="panel-secretary", at=at)
        ledger.set_round_state(rnd.id, "decided", actor="panel-secretary", at=at)
        try:
            closure = ledger.close_round(
                rnd.id, actor="fund-manager", at=at, pm=pm, declared=published.get(rnd.id, ())
            )
        except ClosureRefused as refused:  # every reason, named by rule, version and plugin
            sys.exit(f"{refused}")
        total = closure.totals.awards
        print(f"{rnd.id}: closed; {total.count} awards, {format_money(total.total)}")

    print(ledger.verify())
    records = [ledger.round_records(r.id) for r in (GR1, GR2)]

scope = Scope(
    id="mayor-scf-2022",
    label="Mayor's Safer Communities Fund 2022 (GR1 + GR2)",
    rounds=(GR1, GR2),
    declared=published["mayor-gr1+mayor-gr2"],
)
applications = [a for r in records for a in r.applications]
awards = [a for r in records for a in r.awards]
rec = reconcile(scope, compute_totals(scope, applications, awards), pm=pm)
print()
print(report_text(rec, theme_labels=round_vocabularies(pm, GR2).labels))

publisher = Publisher(prefix="360G-sgfund-demo", name="Safer Communities Fund (demo records)")
as_of = date(2023, 4, 1)
for write, name in ((write_360giving_json, "scf-2022.json"), (write_360giving_csv, "scf-2022.csv")):
    write(work / name, scope, applications, awards, publisher=publisher, as_of=as_of, pm=pm)
print(f"360Giving data: {work / 'scf-2022.json'}, {work / 'scf-2022.csv'}")
print(f"ledger: {db}")
sys.exit(0 if rec.ok else 1)
