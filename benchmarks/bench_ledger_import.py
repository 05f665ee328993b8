"""Importing applications through the ledger against raw sqlite3 ``executemany``.

    python benchmarks/bench_ledger_import.py [N]        (N defaults to 1,000,000)

Not a test: it prints timings and ratios. Three ways to store the same N applications:

- ``ledger``: `Ledger.add_applications` (validation, JSON through sgfund.convert, organisations,
  foreign keys, the guarding triggers, the index by round, the digest of every row written and
  the hash-chained event);
- ``raw``: one ``executemany`` of rows prepared beforehand (the same columns and JSON) into a
  plain table with the same primary key, in one transaction;
- ``raw+json``: the same, but the timing includes turning the applications into those rows,
  which any importer has to do.

The goal is ledger / raw+json at most 2x. Both files use WAL and ``synchronous=FULL``.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import attrs

from sgfund.applications import Application
from sgfund.examples_scf import GR2, SCF, sample_records
from sgfund.ledger import Ledger
from sgfund.ledger.kinds import APPLICATIONS

AT = datetime(2023, 1, 1, tzinfo=UTC)


def make_applications(n: int) -> list[Application]:
    """N applications to GR2, varied from the sample records (organisations shared)."""
    template = sample_records(GR2).applications
    out = []
    for i in range(n):
        base = template[i % len(template)]
        out.append(attrs.evolve(base, id=f"GR2-{i:07d}"))
    return out


def raw_table(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(
        "CREATE TABLE applications (id TEXT PRIMARY KEY, round_id TEXT NOT NULL, "
        "organisation_key TEXT NOT NULL, amount_requested_pence INTEGER NOT NULL, "
        "data TEXT NOT NULL) STRICT"
    )


def time_raw(path: Path, rows: list[tuple[object, ...]]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    raw_table(conn)
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO applications VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    took = time.perf_counter() - start
    conn.close()
    return took


def time_raw_with_json(path: Path, apps: list[Application]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    raw_table(conn)
    start = time.perf_counter()
    rows = [APPLICATIONS.row(a, "bench") for a in apps]
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO applications VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    took = time.perf_counter() - start
    conn.close()
    return took


def time_ledger(path: Path, apps: list[Application]) -> tuple[float, float]:
    """Seconds to add the applications, and to verify the whole ledger afterwards."""
    with Ledger.open(path) as ledger:
        ledger.add_fund(SCF, actor="bench", at=AT)
        ledger.add_round(GR2, actor="bench", at=AT)
        start = time.perf_counter()
        count = ledger.add_applications(apps, actor="bench", at=AT)
        took = time.perf_counter() - start
        start = time.perf_counter()
        report = ledger.verify()
        checked = time.perf_counter() - start
        if count != len(apps) or not report.ok:
            raise SystemExit("the ledger did not store every application")
    return took, checked


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"preparing {n:,} applications ...", flush=True)
    apps = make_applications(n)
    rows = [APPLICATIONS.row(a, "bench") for a in apps]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        raw = time_raw(folder / "raw.db", rows)
        raw_json = time_raw_with_json(folder / "raw_json.db", apps)
        ledger, verify = time_ledger(folder / "ledger.db", apps)
    print(f"raw executemany of prepared rows: {raw:8.2f} s  ({n / raw:,.0f} rows/s)")
    print(f"raw, making the rows included:    {raw_json:8.2f} s  ({n / raw_json:,.0f} rows/s)")
    print(f"ledger add_applications:          {ledger:8.2f} s  ({n / ledger:,.0f} rows/s)")
    print(f"ledger / raw+json: {ledger / raw_json:.2f}x (goal: at most 2x)")
    print(f"ledger / raw:      {ledger / raw:.2f}x")
    print(f"ledger verify (every record decoded and digested): {verify:8.2f} s")


if __name__ == "__main__":
    main()
