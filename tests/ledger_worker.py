"""Helpers and a subprocess worker for the ledger's crash and concurrency tests.

As a script:

    python ledger_worker.py crash DB
        say "ready", then import and close rounds until killed
    python ledger_worker.py race DB NAME N DIR ROUND...
        for each round: wait until N workers are ready (files in DIR), then close it as NAME
        and print one JSON line saying what happened
    python ledger_worker.py officer DB NAME N DIR OWN_ROUND... -- ROUND...
        import and decide its own rounds while the other workers import theirs, then, when all
        N are done, try to close every round (in its own order), one JSON line for each
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import attrs
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.closure import RoundRecords
from sgfund.errors import RoundClosedError, SgfundError
from sgfund.examples_scf import GR2, SCF, sample_records
from sgfund.ledger import Ledger

AT = datetime(2023, 1, 2, 9, 30, tzinfo=UTC)
# The built-in plugins and the vocabulary the example rounds name; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
CRASH_ROUND_SIZE = 30  # applications per round in the crash worker
STEPS = ("open", "closed_to_applications", "assessed", "decided")


@cache
def _template() -> RoundRecords:
    return sample_records(GR2)


def records_for(round_id: str, size: int | None = None) -> RoundRecords:
    """GR2's sample records moved to a new round id, application ids prefixed by the round."""
    base = _template()
    apps = base.applications[:size] if size else base.applications
    keep = {a.id for a in apps}
    rnd = attrs.evolve(GR2, id=round_id)

    def new_id(old: str) -> str:
        return f"{round_id}.{old}"

    return RoundRecords(
        round=rnd,
        applications=[attrs.evolve(a, id=new_id(a.id), round_id=round_id) for a in apps],
        decisions=[
            attrs.evolve(d, application_id=new_id(d.application_id))
            for d in base.decisions
            if d.application_id in keep
        ],
        awards=[
            attrs.evolve(
                w, id=new_id(w.id), application_id=new_id(w.application_id), round_id=round_id
            )
            for w in base.awards
            if w.application_id in keep
        ],
    )


def with_guards_lifted(path: str | Path, *statements: str | Callable[[Any], object]) -> None:
    """Drop every trigger, run the statements (SQL, or functions of the connection), then put
    the triggers back exactly as they were (those whose table is still there).

    The schema then looks untouched, so only the records themselves can give the edit away.
    On PostgreSQL the same is done, as a superuser, with ``session_replication_role = replica``
    (under which no trigger fires, foreign keys' included).
    """
    if str(path).startswith("postgresql://"):
        raw = RawSQL().connect(path)
        try:
            raw.execute("SET session_replication_role = replica")
            for statement in statements:
                if callable(statement):
                    statement(raw)
                else:
                    raw.execute(statement)
        finally:
            raw.close()
        return
    conn = sqlite3.connect(path, isolation_level=None)
    triggers = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    for statement in statements:
        if callable(statement):
            statement(conn)
        else:
            conn.execute(statement)
    for _, sql in triggers:
        with contextlib.suppress(sqlite3.OperationalError):  # its table was dropped
            conn.execute(sql)
    conn.close()


class RawSQL:
    """Plain SQL on a ledger's storage, as anyone with access to it could run it."""

    def __init__(self) -> None:
        self.refused: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
        self.errors: tuple[type[Exception], ...] = (sqlite3.Error,)
        if importlib.util.find_spec("psycopg") is not None:
            import psycopg

            self.refused += (psycopg.errors.IntegrityError,)
            self.errors += (psycopg.Error,)

    def connect(self, location: Any) -> Any:
        """A connection whose ``execute(sql, params)`` takes ``?`` marks on either backend."""
        if str(location).startswith("postgresql://"):
            import psycopg

            conn = psycopg.connect(str(location), autocommit=True)
            return _PgRaw(conn)
        return sqlite3.connect(location, isolation_level=None)


class _PgRaw:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._conn.execute(sql.replace("?", "%s"), tuple(params) or None)

    def close(self) -> None:
        self._conn.close()


def ensure_fund(ledger: Ledger) -> None:
    """Add the sample fund unless it is there already."""
    with contextlib.suppress(SgfundError):
        ledger.add_fund(SCF, actor="admin", at=AT)


def prepare_round(
    ledger: Ledger, round_id: str, size: int | None = None, *, decider: str = "clerk"
) -> RoundRecords:
    """Add a round with its records and walk it to ``decided``, ready to close."""
    records = records_for(round_id, size)
    ledger.add_round(records.round, actor="admin", at=AT)
    ledger.set_round_state(round_id, "open", actor="admin", at=AT)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    ledger.record_decisions(records.decisions, actor=decider, at=AT)
    ledger.record_awards(records.awards, actor=decider, at=AT)
    for step in STEPS[1:]:
        ledger.set_round_state(round_id, step, actor="admin", at=AT)
    return records


def crash(db: str) -> None:
    """Import and close rounds, one after another, until killed."""
    with Ledger.open(db) as ledger:
        ensure_fund(ledger)
        # The parent times its kill from here, not from a start slowed by imports.
        print("ready", flush=True)
        while True:
            n = len(ledger.rounds()) + 1
            round_id = f"crash-{n}"
            prepare_round(ledger, round_id, CRASH_ROUND_SIZE)
            ledger.close_round(round_id, pm=PM, actor="manager", at=AT + timedelta(days=n))


def race(db: str, name: str, workers: int, ready_dir: str, round_ids: list[str]) -> None:
    """Close each round as soon as every worker is ready; report the outcome as JSON."""
    ready = Path(ready_dir)
    with Ledger.open(db) as ledger:
        for round_id in round_ids:
            (ready / f"{round_id}.{name}").touch()
            while len(list(ready.glob(f"{round_id}.*"))) < workers:
                time.sleep(0.0005)
            try:
                ledger.close_round(round_id, pm=PM, actor=name, at=AT)
                result = {"round": round_id, "result": "won"}
            except RoundClosedError as err:
                result = {
                    "round": round_id,
                    "result": "closed",
                    "closed_by": err.closed_by,
                    "message": str(err),
                }
            except Exception as err:
                result = {
                    "round": round_id,
                    "result": "error",
                    "type": type(err).__name__,
                    "message": str(err),
                }
            print(json.dumps(result), flush=True)


def _close(ledger: Ledger, round_id: str, name: str) -> dict[str, Any]:
    try:
        ledger.close_round(round_id, pm=PM, actor=name, at=AT)
        return {"round": round_id, "result": "won"}
    except RoundClosedError as err:
        return {"round": round_id, "result": "closed", "closed_by": err.closed_by}
    except Exception as err:
        return {"round": round_id, "result": "error", "message": f"{type(err).__name__}: {err}"}


def officer(db: str, name: str, workers: int, ready_dir: str, rounds: list[str]) -> None:
    """Import this officer's rounds alongside the others, then race them all to close."""
    split = rounds.index("--")
    own, every = rounds[:split], rounds[split + 1 :]
    ready = Path(ready_dir)
    with Ledger.open(db) as ledger:
        for round_id in own:
            prepare_round(ledger, round_id, 12)
        (ready / name).touch()
        while len(list(ready.iterdir())) < workers:
            time.sleep(0.001)
        order = sorted(every, key=lambda r: hash((name, r)))
        for round_id in order:
            print(json.dumps(_close(ledger, round_id, name)), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "crash":
        crash(sys.argv[2])
    elif sys.argv[1] == "officer":
        officer(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6:])
    elif sys.argv[1] == "race":
        race(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6:])
    else:
        raise SystemExit(f"unknown mode {sys.argv[1]!r}")
