"""SQLite against PostgreSQL: importing applications and closing rounds with 1, 2 and 4 writers.

    python -m benchmarks.ledger_backends                       100,000 applications, 8 rounds
    python -m benchmarks.ledger_backends --size 10000 --writers 1,2
    python -m benchmarks.ledger_backends --postgres postgresql://me@db/bench

Not part of ``python -m benchmarks`` and not run by the tests: it needs a PostgreSQL server
(``--postgres``, else a throwaway cluster from `sgfund.testing.postgres`). Each run starts an
empty ledger; the writers (separate processes, each with its own share of the rounds) wait
for one another, then each imports its rounds (the round, its applications, decisions and
awards, one batch each), walks them to ``decided`` and closes them. The time is from the start
signal to the last writer done. Printed as a markdown table, with PostgreSQL / SQLite ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs

from sgfund import make_plugin_manager
from sgfund.closure import RoundRecords
from sgfund.examples_scf import ENTRY_POINTS, GR2, SCF, sample_records
from sgfund.ledger import Ledger
from sgfund.testing.postgres import throwaway_cluster

AT = GR2.closes_at
STEPS = ("closed_to_applications", "assessed", "decided")
WAIT = 3600.0  # float-ok: seconds


def round_records(round_id: str, size: int) -> RoundRecords:
    """GR2's sample records tiled to ``size`` applications in a new round."""
    base = sample_records(GR2)
    copies = math.ceil(size / len(base.applications))
    rnd = attrs.evolve(GR2, id=round_id, advertised_pot=GR2.advertised_pot * copies)
    apps, decisions, awards = [], [], []
    for copy in range(copies):

        def new(old: str, copy: int = copy) -> str:
            return f"{round_id}.{copy}.{old}"

        keep = {a.id for a in base.applications[: size - len(apps)]}
        apps += [
            attrs.evolve(a, id=new(a.id), round_id=round_id)
            for a in base.applications
            if a.id in keep
        ]
        decisions += [
            attrs.evolve(d, application_id=new(d.application_id))
            for d in base.decisions
            if d.application_id in keep
        ]
        awards += [
            attrs.evolve(w, id=new(w.id), application_id=new(w.application_id), round_id=round_id)
            for w in base.awards
            if w.application_id in keep
        ]
    return RoundRecords(round=rnd, applications=apps, decisions=decisions, awards=awards)


def writer(location: str, go: str, per_round: int, round_ids: list[str]) -> None:
    """One writer: build its records (untimed), wait for the signal, import and close."""
    pm = make_plugin_manager(entry_points=ENTRY_POINTS)
    work = [round_records(r, per_round) for r in round_ids]
    # Each writer waits while another holds the write lock for a whole batch or closure;
    # the default 30 s is too short for rounds of thousands on a loaded machine.
    with Ledger.open(location, timeout=WAIT) as ledger:
        print("ready", flush=True)
        while not Path(go).exists():
            time.sleep(0.001)
        for records in work:
            rid = records.round.id
            ledger.add_round(records.round, actor="admin", at=AT)
            ledger.set_round_state(rid, "open", actor="admin", at=AT)
            ledger.add_applications(records.applications, actor="officer", at=AT)
            ledger.record_decisions(records.decisions, actor="panel", at=AT)
            ledger.record_awards(records.awards, actor="panel", at=AT)
            for step in STEPS:
                ledger.set_round_state(rid, step, actor="officer", at=AT)
            ledger.close_round(rid, actor="manager", pm=pm, at=AT)
    print(json.dumps({"done": time.time()}), flush=True)


def run(location: str, writers: int, size: int, rounds: int) -> float:
    """Seconds from the start signal until every writer has imported and closed its rounds."""
    with Ledger.open(location) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
    round_ids = [f"bench-{i}" for i in range(rounds)]
    shares = [round_ids[i::writers] for i in range(writers)]
    with tempfile.TemporaryDirectory() as folder:
        go = Path(folder) / "go"
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.ledger_backends",
                    "--writer",
                    location,
                    str(go),
                    str(size // rounds),
                    *share,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            for share in shares
        ]
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        start = time.time()
        go.touch()
        ends = []
        for proc in procs:
            out, _ = proc.communicate()
            assert proc.returncode == 0
            ends.append(json.loads(out.strip().splitlines()[-1])["done"])
    with Ledger.open(location) as ledger:
        report = ledger.verify()
        assert report.ok, report
        assert report.closed_rounds == rounds
    return max(ends) - start


def _schema(base: str, name: str) -> str:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        conn.execute(f"CREATE SCHEMA {name}")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{name}"


def main(argv: list[str]) -> None:
    if argv[:1] == ["--writer"]:
        writer(argv[1], argv[2], int(argv[3]), argv[4:])
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ledger_backends")
    parser.add_argument("--size", type=int, default=100_000, help="applications in all")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--writers", default="1,2,4")
    parser.add_argument("--postgres", default=os.environ.get("SGFUND_BENCH_POSTGRES"))
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.writers.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        if args.postgres:
            results = _measure(folder, args.postgres, counts, args)
        else:
            with throwaway_cluster() as url:
                results = _measure(folder, url, counts, args)
    print(f"{args.size:,} applications in {args.rounds} rounds, imported, decided and closed\n")
    print("| writers | SQLite (s) | PostgreSQL (s) | PostgreSQL / SQLite |")
    print("|---|---|---|---|")
    for w in counts:
        lite, pg = results[("sqlite", w)], results[("postgresql", w)]
        print(f"| {w} | {lite:.1f} | {pg:.1f} | {pg / lite:.2f}x |")


def _measure(
    folder: str, base: str, counts: list[int], args: argparse.Namespace
) -> dict[tuple[str, int], float]:
    results = {}
    for w in counts:
        results[("sqlite", w)] = run(str(Path(folder) / f"w{w}.db"), w, args.size, args.rounds)
        url = _schema(base, f"bench_w{w}")
        results[("postgresql", w)] = run(url, w, args.size, args.rounds)
        print(
            f"{w} writer(s): {results[('sqlite', w)]:.1f} s SQLite, "
            f"{results[('postgresql', w)]:.1f} s PostgreSQL",
            file=sys.stderr,
            flush=True,
        )
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
