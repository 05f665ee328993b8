"""Timed work on application sheets: closing a round (B1, B2), the ledger (B3), rules (B6).

Each ``prepare_*`` function does its untimed setup and returns a `Job`: ``run`` is the timed
work, ``check`` (untimed) turns its result into figures every variant of a case must agree on.
Money is compared in pence, so no variant's figures pass through a float.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

AS_OF = date(2022, 6, 30)
PANEL = "Grants panel"


@dataclass
class Job:
    """Untimed setup done; ``run`` is what is timed, ``check`` reads its result afterwards."""

    run: Callable[[], Any]
    check: Callable[[Any], dict[str, Any]] = field(default=lambda _result: {})
    keep: list[Any] = field(default_factory=list)  # objects that must outlive the run


def _pence(text: str) -> int:
    return int(text.replace("£", "").replace(",", "").replace(".", "")) if text else 0


def _figures(count: int, pence: int) -> dict[str, Any]:
    return {"awards": count, "total_awarded": str(Decimal(pence) / 100)}


def plugin_manager() -> Any:
    """The built-in plugins and West Yorkshire's: named, not discovered.

    The example rounds name West Yorkshire's theme vocabulary, so its plugin is needed.
    """
    import sgfund_westyorkshire

    from sgfund import make_plugin_manager

    return make_plugin_manager(entry_points=False, plugins=[sgfund_westyorkshire])


# --- B1/B2: close a round from its sheet ----------------------------------------------------


def _declared(path: str) -> list[Any]:
    from sgfund import format_money
    from sgfund.scope import DeclaredFigure

    figures = json.loads(Path(path).read_text(encoding="utf-8"))
    total, projects = Decimal(figures["total_awarded"]), figures["projects"]
    return [
        DeclaredFigure(
            figure="total_awarded",
            value=total,
            precision="exact",
            published_text=format_money(total),
        ),
        DeclaredFigure(
            figure="projects",
            value=projects,
            precision="exact",
            published_text=f"{projects} projects",
        ),
    ]


def close_from_sheet(path: str, declared: list[Any], pm: Any, *, columnar: bool = False) -> Any:
    """Read, validate, assess, resolve referrals as the panel decided, award, close.

    With ``columnar`` the sheet is read and assessed through `sgfund.io.columnar`.
    """
    import attrs

    from sgfund import Award, Outcome, assess, final_themes, london, read_applications
    from sgfund.assessment import Status
    from sgfund.closure import RoundRecords, close_round
    from sgfund.examples_scf import GR2
    from sgfund.review import Resolution

    if columnar:
        from sgfund.io.columnar import assess_table, read_table

        table = read_table(path, pm=pm, rounds=[GR2])
        read = table.result
        assessed = assess_table(GR2, table, pm=pm, as_of=AS_OF)
    else:
        read = read_applications(path, pm=pm, rounds=[GR2])
        assessed = assess(GR2, read.applications, pm=pm, as_of=AS_OF)
    decided = {d.application_id: d for d in read.decisions}
    resolutions = [
        Resolution(
            application_id=a.application_id,
            eligible=decided[a.application_id].outcome is Outcome.APPROVED,
            reason="the panel's decision",
            resolved_by=PANEL,
            resolved_on=AS_OF,
        )
        for a in assessed.with_status(Status.REFER)
    ]
    apps = {a.id: a for a in read.applications}
    # Each award carries its project's final themes: the assessment's matches, else declared.
    awards = [
        Award.from_decision(
            d,
            apps[d.application_id],
            themes=final_themes(apps[d.application_id], assessed[d.application_id].themes),
            award_id=f"{d.application_id}-A",
        )
        for d in read.decisions
        if d.outcome is Outcome.APPROVED
    ]
    records = RoundRecords(
        round=GR2,
        applications=read.applications,
        decisions=read.decisions,
        awards=awards,
        resolutions=resolutions,
    )
    return close_round(
        attrs.evolve(records, assessments=tuple(assessed)),
        actor="Finance officer",
        at=london(2022, 10, 7, 9),
        pm=pm,
        declared=declared,
    )


def prepare_close_sgfund(path: str, declared: str) -> Job:
    """B1: sgfund closes the round of the whole sheet (pure-Python path)."""
    pm = plugin_manager()
    figures = _declared(declared)

    def check(closure: Any) -> dict[str, Any]:
        awards = closure.totals.awards
        pence = int(awards.total * 100)
        return {**_figures(awards.count, pence), "applications": closure.totals.applications.count}

    return Job(run=lambda: close_from_sheet(path, figures, pm), check=check)


def prepare_close_sgfund_columnar(path: str, declared: str) -> Job:
    """B1: sgfund closes the round through the columnar path (extra ``columnar``)."""
    job = prepare_close_sgfund(path, declared)
    pm = plugin_manager()
    figures = _declared(declared)
    return Job(run=lambda: close_from_sheet(path, figures, pm, columnar=True), check=job.check)


def prepare_csv_reader(path: str, declared: str) -> Job:
    """The unit: a bare ``csv.reader`` pass over every row."""

    def run() -> int:
        rows = 0
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            for _ in reader:
                rows += 1
        return rows

    return Job(run=run, check=lambda rows: {"applications": rows})


AWARDED, OUTCOME, THEMES = "Amount awarded", "Outcome", "Themes"


def prepare_pandas(path: str, declared: str) -> Job:
    """pandas: read_csv, money to pence, explode the themes, group-by totals."""
    import pandas as pd

    def run() -> tuple[int, int, int, Any]:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        approved = frame[frame[OUTCOME] == "Approved"].copy()
        approved["pence"] = approved[AWARDED].str.replace(r"[£,.]", "", regex=True).astype("int64")
        approved["theme"] = approved[THEMES].str.split("; ")
        by_theme = approved.explode("theme").groupby("theme")["pence"].agg(["sum", "count"])
        return len(frame), len(approved), int(approved["pence"].sum()), by_theme

    return Job(run=run, check=lambda r: {**_figures(r[1], r[2]), "applications": r[0]})


def prepare_polars(path: str, declared: str) -> Job:
    """polars: read_csv, money to pence, explode the themes, group-by totals."""
    import polars as pl

    def run() -> tuple[int, int, int, Any]:
        frame = pl.read_csv(path, infer_schema=False)
        approved = frame.filter(pl.col(OUTCOME) == "Approved").with_columns(
            pl.col(AWARDED).str.replace_all(r"[£,.]", "").cast(pl.Int64).alias("pence"),
            pl.col(THEMES).str.split("; ").alias("theme"),
        )
        by_theme = (
            approved.explode("theme")
            .group_by("theme")
            .agg(pl.col("pence").sum().alias("sum"), pl.len().alias("count"))
        )
        return frame.height, approved.height, int(approved["pence"].sum()), by_theme

    return Job(run=run, check=lambda r: {**_figures(r[1], r[2]), "applications": r[0]})


# --- B3: the ledger --------------------------------------------------------------------------


def _source_digest() -> str:
    import hashlib

    import sgfund

    digest = hashlib.sha256()
    for module in sorted(Path(sgfund.__file__).parent.rglob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:12]


def read_applications_cached(path: str) -> tuple[Any, ...]:
    """The sheet's applications, read by sgfund once and then kept as a pickle beside it.

    Setup for cases that time what happens after reading; keyed by the sheet and by sgfund's
    source, so a change to the models never loads stale objects.
    """
    import pickle

    from sgfund import read_applications
    from sgfund.examples_scf import GR2

    cache = Path(f"{path}.{_source_digest()}.pickle")
    if cache.exists():
        with cache.open("rb") as handle:
            apps: tuple[Any, ...] = pickle.load(handle)  # noqa: S301 - our own file
            return apps
    apps = read_applications(path, pm=plugin_manager(), rounds=[GR2]).applications
    partial = cache.with_suffix(".partial")
    with partial.open("wb") as handle:
        pickle.dump(apps, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(cache)
    return apps


def _fresh_ledger(folder: str) -> Path:
    from sgfund import Ledger, london
    from sgfund.examples_scf import GR2, SCF

    location = Path(folder) / "ledger.db"
    with Ledger.open(location) as ledger:
        ledger.add_fund(SCF, actor="bench", at=london(2022, 1, 1, 9))
        ledger.add_round(GR2, actor="bench", at=london(2022, 1, 1, 9))
        ledger.set_round_state(GR2.id, "open", actor="bench", at=GR2.opens_at)
    return location


def _stored(location: Path) -> int:
    with sqlite3.connect(location) as conn:
        return int(conn.execute("SELECT count(*) FROM applications").fetchone()[0])


def prepare_ledger_add(path: str, declared: str) -> Job:
    """B3: `Ledger.add_applications` of the sheet's applications, read beforehand."""
    from sgfund import Ledger, london

    apps = read_applications_cached(path)
    folder = tempfile.TemporaryDirectory()
    location = _fresh_ledger(folder.name)

    def run() -> int:
        with Ledger.open(location) as ledger:
            return ledger.add_applications(apps, actor="bench", at=london(2022, 6, 11, 9))

    return Job(
        run=run, check=lambda n: {"applications": n, "stored": _stored(location)}, keep=[folder]
    )


def prepare_ledger_import(path: str, declared: str) -> Job:
    """B3: `import_applications`: read, validate and store the sheet (with its decisions)."""
    from sgfund import Ledger, import_applications, london

    pm = plugin_manager()
    folder = tempfile.TemporaryDirectory()
    location = _fresh_ledger(folder.name)

    def run() -> int:
        with Ledger.open(location) as ledger:
            at = london(2022, 6, 11, 9)
            result = import_applications(ledger, path, actor="bench", at=at, pm=pm)
        return len(result.applications)

    return Job(
        run=run, check=lambda n: {"applications": n, "stored": _stored(location)}, keep=[folder]
    )


def _raw_tables(folder: str) -> Path:
    """A plain file with the ledger's organisations and applications tables, unguarded.

    Columns, types, checks, keys, foreign keys and indexes come from the ledger's own kinds;
    what is left out is the ledger's work: its triggers, its events and their digests.
    """
    from sgfund.examples_scf import GR2
    from sgfund.ledger.kinds import APPLICATIONS, ORGANISATIONS

    location = Path(folder) / "raw.db"
    conn = sqlite3.connect(location, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY) STRICT")
    conn.execute("CREATE TABLE rounds (id TEXT PRIMARY KEY) STRICT")
    for kind in (ORGANISATIONS, APPLICATIONS):
        lines = []
        for column in kind.columns:
            line = f"{column.name} {column.type} NOT NULL"
            line += f" CHECK ({column.check})" if column.check else ""
            line += f" REFERENCES {column.references}" if column.references else ""
            lines.append(line)
        lines += ["event_id INTEGER NOT NULL REFERENCES events (id)", f"PRIMARY KEY ({kind.key})"]
        lines += [f"CHECK ({check})" for check in kind.checks]
        conn.execute(f"CREATE TABLE {kind.table} ({', '.join(lines)}) STRICT, WITHOUT ROWID")
        for index in kind.indexes:
            columns = ", ".join(index.columns)
            conn.execute(f"CREATE INDEX {index.name} ON {kind.table} ({columns})")
    conn.execute("INSERT INTO events VALUES (1)")
    conn.execute("INSERT INTO rounds VALUES (?)", (GR2.id,))
    conn.close()
    return location


def _ledger_rows(apps: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    from sgfund.ledger.kinds import APPLICATIONS, ORGANISATIONS

    orgs = {a.organisation.key: a.organisation for a in apps}
    org_rows = [(*ORGANISATIONS.row(o, "bench"), 1) for o in orgs.values()]
    app_rows = [(*APPLICATIONS.row(a, "bench"), 1) for a in apps]
    return org_rows, app_rows


def _insert(location: Path, org_rows: Any, app_rows: Any) -> int:
    conn = sqlite3.connect(location, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO organisations VALUES (?, ?, ?, ?, ?)", org_rows)
    conn.executemany("INSERT INTO applications VALUES (?, ?, ?, ?, ?, ?)", app_rows)
    conn.execute("COMMIT")
    conn.close()
    return len(app_rows)


def prepare_raw_sqlite(path: str, declared: str) -> Job:
    """B3 baseline: one ``executemany`` of the ledger's own rows into the same tables, unguarded."""
    apps = read_applications_cached(path)
    org_rows, app_rows = _ledger_rows(apps)
    del apps
    folder = tempfile.TemporaryDirectory()
    location = _raw_tables(folder.name)
    return Job(
        run=lambda: _insert(location, org_rows, app_rows),
        check=lambda n: {"applications": n, "stored": _stored(location)},
        keep=[folder],
    )


def prepare_raw_sqlite_rows(path: str, declared: str) -> Job:
    """B3: the same, with making the rows from the applications (JSON included) timed too."""
    apps = read_applications_cached(path)
    folder = tempfile.TemporaryDirectory()
    location = _raw_tables(folder.name)
    return Job(
        run=lambda: _insert(location, *_ledger_rows(apps)),
        check=lambda n: {"applications": n, "stored": _stored(location)},
        keep=[folder],
    )


def prepare_ledger_verify(path: str, declared: str) -> Job:
    """B3: `Ledger.verify` of a ledger holding the sheet's applications (added beforehand)."""
    from sgfund import Ledger, london

    apps = read_applications_cached(path)
    folder = tempfile.TemporaryDirectory()
    location = _fresh_ledger(folder.name)
    with Ledger.open(location) as ledger:
        ledger.add_applications(apps, actor="bench", at=london(2022, 6, 11, 9))
    count = len(apps)
    del apps

    def run() -> bool:
        with Ledger.open(location) as ledger:
            return bool(ledger.verify().ok)

    return Job(
        run=run,
        check=lambda ok: {"verified": ok, "stored": _stored(location), "applications": count},
        keep=[folder],
    )


# --- B6: rules and classifiers -----------------------------------------------------------------


def _rules_setup(path: str) -> tuple[Any, Any, Any, tuple[Any, ...]]:
    from sgfund.eligibility import eligibility_rules
    from sgfund.examples_scf import GR2
    from sgfund.themes import round_vocabularies, theme_classifiers

    pm = plugin_manager()
    apps = read_applications_cached(path)
    vocabularies = round_vocabularies(pm, GR2)
    rules = eligibility_rules(pm, GR2, vocabularies)
    return pm, rules, theme_classifiers(pm, GR2, vocabularies), apps


def _rule_figures(findings: dict[str, list[Any]], themes: dict[str, Any]) -> dict[str, Any]:
    return {
        "findings": sum(len(f) for f in findings.values()),
        "applications_with_findings": len(findings),
        "theme_matches": sum(len(m) for m in themes.values()),
    }


def prepare_rules_hooks(path: str, declared: str) -> Job:
    """B6: every rule and classifier of the round, run by sgfund's engines (hooks once)."""
    from sgfund.eligibility import eligibility_rules, run_rules
    from sgfund.examples_scf import GR2
    from sgfund.themes import classify, round_vocabularies, theme_classifiers

    pm, _, _, apps = _rules_setup(path)

    def run() -> tuple[dict[str, list[Any]], dict[str, Any]]:
        vocabularies = round_vocabularies(pm, GR2)
        findings = run_rules(eligibility_rules(pm, GR2, vocabularies), GR2, apps, AS_OF)
        themes = classify(theme_classifiers(pm, GR2, vocabularies), vocabularies, GR2, apps)
        return findings, themes

    return Job(run=run, check=lambda r: {**_rule_figures(*r), "rules": len(pm_rules(pm))})


def pm_rules(pm: Any) -> tuple[Any, ...]:
    """The round's rules, as the hooks give them."""
    from sgfund.eligibility import eligibility_rules
    from sgfund.examples_scf import GR2
    from sgfund.themes import round_vocabularies

    return eligibility_rules(pm, GR2, round_vocabularies(pm, GR2))


def prepare_rules_plain(path: str, declared: str) -> Job:
    """B6 baseline: the same check functions called in a plain loop, no engine."""
    from sgfund.examples_scf import GR2
    from sgfund.types import Verdict

    _, rules, classifiers, apps = _rules_setup(path)
    checks = [r.item for r in rules]
    sorters = [c.item for c in classifiers]

    def run() -> tuple[dict[str, list[Any]], dict[str, Any]]:
        findings: dict[str, list[Any]] = {}
        for rule in checks:
            if rule.check_batch is not None:
                for app_id, result in rule.check_batch(GR2, apps, AS_OF):
                    if result.verdict is not Verdict.PASS:
                        findings.setdefault(app_id, []).append(result)
                continue
            check = rule.check
            for app in apps:
                result = check(app, GR2, AS_OF)
                if result is not None and result.verdict is not Verdict.PASS:
                    findings.setdefault(app.id, []).append(result)
        themes: dict[str, list[Any]] = {}
        for classifier in sorters:
            if classifier.classify_batch is not None:
                for app_id, found in classifier.classify_batch(GR2, apps):
                    themes.setdefault(app_id, []).append(found)
                continue
            classify = classifier.classify
            for app in apps:
                for found in classify(app, GR2) or ():
                    themes.setdefault(app.id, []).append(found)
        return findings, themes

    return Job(run=run, check=lambda r: {**_rule_figures(*r), "rules": len(checks)})
