"""Regression tests: what an auditor who distrusts the file tried with nothing but sqlite3.

Each test opens the ledger file with the standard library's ``sqlite3`` module, as anyone with
the file could, and tries a way past the ledger's guards. Either the database refuses the
statement, or `Ledger.verify` reports what changed (naming the entity), and it never raises.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sgfund.errors import ClosureRefused, LedgerError, RoundClosedError
from sgfund.examples_scf import SCF
from sgfund.ledger import Ledger
from sgfund.lifecycle import RoundState

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT


def _two_closed_one_decided(db):
    with Ledger.open(db) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        for round_id in ("gr-a", "gr-b"):
            worker.prepare_round(ledger, round_id, 4)
            ledger.close_round(round_id, pm=worker.PM, actor="manager", at=AT)
        worker.prepare_round(ledger, "gr-c", 3)
        assert ledger.verify().ok
    return db


@pytest.fixture
def path(tmp_path):
    """Two closed rounds (gr-a, gr-b) and one decided but not closed (gr-c), in a file."""
    return _two_closed_one_decided(tmp_path / "l.db")


@pytest.fixture
def stored(ledger_at):
    """The same on each backend (for the edits plain SQL can make on either)."""
    return _two_closed_one_decided(ledger_at("l.db"))


def _connect(path, *, recursive=False):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA recursive_triggers = {'ON' if recursive else 'OFF'}")
    return conn


def _row(conn, table, where, *args):
    conn.row_factory = sqlite3.Row
    row = conn.execute(f"SELECT * FROM {table} WHERE {where}", args).fetchone()  # noqa: S608
    conn.row_factory = None
    assert row is not None, (table, where, args)
    return dict(row)


def _replace(conn, table, row, verb="INSERT OR REPLACE"):
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    conn.execute(f"{verb} INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


def _refused(conn, action):
    with pytest.raises(sqlite3.IntegrityError, match="sgfund: "):
        action()


def _verify(path, **kwargs):
    with Ledger.open(path) as ledger:
        return ledger.verify(**kwargs)


_with_guards_lifted = worker.with_guards_lifted


def _closed_award(conn, round_id="gr-a"):
    return _row(conn, "awards", "id = (SELECT min(id) FROM awards WHERE round_id = ?)", round_id)


# --- REPLACE past the guards ----------------------------------------------------------------


@pytest.mark.parametrize("recursive", [False, True])
def test_replace_cannot_move_a_closed_award_to_an_open_round(path, recursive):
    conn = _connect(path, recursive=recursive)
    award = _closed_award(conn)
    target = _row(
        conn, "applications", "id = (SELECT min(id) FROM applications WHERE round_id = ?)", "gr-c"
    )
    moved = {**award, "round_id": "gr-c", "application_id": target["id"]}
    _refused(conn, lambda: _replace(conn, "awards", moved))
    _refused(conn, lambda: _replace(conn, "awards", award))
    conn.close()
    assert _verify(path).ok


@pytest.mark.parametrize("recursive", [False, True])
def test_replace_cannot_set_a_closed_round_back(path, recursive):
    conn = _connect(path, recursive=recursive)
    rnd = _row(conn, "rounds", "id = 'gr-a'")
    _refused(conn, lambda: _replace(conn, "rounds", {**rnd, "state": "decided"}))
    _refused(conn, lambda: conn.execute("UPDATE rounds SET state = 'decided' WHERE id = 'gr-a'"))
    conn.close()
    with Ledger.open(path) as ledger:
        assert ledger.round_state("gr-a") is RoundState.CLOSED


@pytest.mark.parametrize("table", ["events", "closures", "superseded"])
@pytest.mark.parametrize("recursive", [False, True])
def test_replace_cannot_rewrite_the_trail(path, table, recursive):
    conn = _connect(path, recursive=recursive)
    if table == "events":
        row = _row(conn, "events", "id = 3")
        _refused(conn, lambda: _replace(conn, "events", {**row, "actor": "forger"}))
    elif table == "closures":
        row = _row(conn, "closures", "round_id = 'gr-a'")
        _refused(conn, lambda: _replace(conn, "closures", {**row, "closed_by": "forger"}))
    else:
        # A correction first, so there is a superseded row to attack.
        conn.close()
        with Ledger.open(path) as ledger:
            records = worker.records_for("gr-c", 3)
            ledger.record_decisions(records.decisions[:1], actor="senior", at=AT)
        conn = _connect(path, recursive=recursive)
        row = _row(conn, "superseded", "replaced_by = (SELECT min(replaced_by) FROM superseded)")
        forged = {
            k: (v.replace("approved", "rejected") if isinstance(v, str) else v)
            for k, v in row.items()
        }
        _refused(conn, lambda: _replace(conn, "superseded", forged))
    conn.close()
    assert _verify(path).ok


@pytest.mark.parametrize("recursive", [False, True])
def test_update_or_replace_cannot_delete_a_closed_row_by_collision(path, recursive):
    conn = _connect(path, recursive=recursive)
    closed = _closed_award(conn)
    open_award = _closed_award(conn, "gr-c")

    def collide_rowid():
        conn.execute(
            "UPDATE OR REPLACE awards SET rowid = (SELECT rowid FROM awards WHERE id = ?) "
            "WHERE id = ?",
            (closed["id"], open_award["id"]),
        )

    def collide_key():
        conn.execute(
            "UPDATE OR REPLACE awards SET id = ? WHERE id = ?", (closed["id"], open_award["id"])
        )

    for attempt in (collide_rowid, collide_key):
        with pytest.raises(sqlite3.Error):
            attempt()
    conn.close()
    report = _verify(path)
    assert report.ok, str(report)


# --- guards neutered without being dropped --------------------------------------------------


def test_renaming_a_table_and_copying_it_is_reported(path):
    conn = _connect(path)
    conn.execute("ALTER TABLE awards RENAME TO awards_kept")
    conn.execute("CREATE TABLE awards AS SELECT * FROM awards_kept")
    conn.close()
    report = _verify(path)
    assert not report.ok
    assert any(p.kind == "schema" for p in report.problems), str(report)


def test_editing_trigger_text_through_writable_schema_is_reported(path):
    conn = _connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_schema SET sql = replace(sql, '''closed''', '''never''') "
        "WHERE type = 'trigger'"
    )
    conn.execute("PRAGMA writable_schema = OFF")
    conn.close()
    report = _verify(path)
    assert not report.ok
    assert any(p.kind == "schema" for p in report.problems), str(report)


def test_dropping_every_trigger_is_reported(path):
    conn = _connect(path)
    for (name,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'trigger'"):
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.close()
    report = _verify(path)
    assert not report.ok
    assert "whole" not in str(report).splitlines()[0]
    assert any(p.kind == "schema" and "trigger" in p.message for p in report.problems)


# --- verify reports, never raises -----------------------------------------------------------


def test_moving_a_closed_application_out_of_its_round_is_reported(path):
    _with_guards_lifted(
        path,
        "UPDATE applications SET round_id = 'gr-c', "
        "data = json_set(data, '$.round_id', 'gr-c') "
        "WHERE id = (SELECT min(id) FROM applications WHERE round_id = 'gr-a')",
    )
    report = _verify(path)  # must not raise
    assert not report.ok
    assert "gr-a" in {p.round_id for p in report.problems}


def test_editing_who_closed_a_round_is_reported_and_not_believed(stored):
    _with_guards_lifted(
        stored, "UPDATE closures SET closed_by = 'someone else' WHERE round_id = 'gr-a'"
    )
    report = _verify(stored)
    assert any(p.round_id == "gr-a" and "closed_by" in p.message for p in report.problems), str(
        report
    )
    with Ledger.open(stored) as ledger, pytest.raises(RoundClosedError) as caught:
        ledger.set_round_state("gr-a", "open", actor="x", at=AT)
    assert caught.value.closed_by == "manager"


def test_editing_when_a_round_was_closed_is_reported(stored):
    _with_guards_lifted(
        stored,
        "UPDATE closures SET closed_at = '2020-01-01T00:00:00+00:00' WHERE round_id = 'gr-b'",
    )
    report = _verify(stored)
    assert any(p.round_id == "gr-b" and "closed_at" in p.message for p in report.problems), str(
        report
    )


def test_editing_a_field_inside_a_closure_record_is_reported(path):
    # Totals, digest and closer stay as they were: only the recorded reconciliation changes.
    _with_guards_lifted(
        path,
        "UPDATE closures SET record = json_set(record, '$.findings_summary', json('{\"x\":1}')) "
        "WHERE round_id = 'gr-a'",
    )
    report = _verify(path)
    assert any(
        p.round_id == "gr-a" and "not the one its closing event" in p.message
        for p in report.problems
    ), str(report)


def _corrected(path):
    with Ledger.open(path) as ledger:
        records = worker.records_for("gr-c", 3)
        ledger.record_decisions(records.decisions[:1], actor="senior", at=AT)


def test_rewriting_superseded_history_is_reported(stored):
    _corrected(stored)
    _with_guards_lifted(stored, "UPDATE superseded SET image = replace(image, 'clerk', 'nobody')")
    assert not _verify(stored).ok


def test_deleting_superseded_history_is_reported(stored):
    _corrected(stored)
    _with_guards_lifted(stored, "DELETE FROM superseded")
    assert not _verify(stored).ok


def test_dropping_the_superseded_table_is_reported_not_raised(stored):
    _corrected(stored)
    _with_guards_lifted(stored, "DROP TABLE superseded")
    report = _verify(stored)
    assert not report.ok


def test_editing_who_recorded_a_decision_is_reported(stored):
    _with_guards_lifted(
        stored,
        "UPDATE decisions SET recorded_by = 'someone else' WHERE application_id = "
        "(SELECT min(id) FROM applications WHERE round_id = 'gr-a')",
    )
    report = _verify(stored)
    assert not report.ok
    assert "gr-a" in {p.round_id for p in report.problems}


def test_editing_an_open_rounds_decision_is_reported(stored):
    _with_guards_lifted(
        stored,
        "UPDATE decisions SET recorded_by = 'someone else' WHERE application_id = "
        "(SELECT min(id) FROM applications WHERE round_id = 'gr-c')",
    )
    report = _verify(stored)
    assert not report.ok
    assert "gr-c" in {p.round_id for p in report.problems}


def test_editing_the_fund_policy_is_reported(stored):
    _with_guards_lifted(stored, "UPDATE funds SET separate_closer_from_decider = 1")
    assert not _verify(stored).ok


def test_an_open_rounds_forged_record_is_not_sealed_by_closing(path):
    def forge(conn):
        conn.execute(
            "UPDATE decisions SET data = json_set(data, '$.reasons', 'forged') "
            "WHERE application_id = (SELECT min(id) FROM applications WHERE round_id = 'gr-c')"
        )

    conn = _connect(path)
    try:
        forge(conn)
    except sqlite3.IntegrityError as err:
        assert "sgfund: " in str(err)
    finally:
        conn.close()
    _with_guards_lifted(path, forge)
    with Ledger.open(path) as ledger:
        with pytest.raises(ClosureRefused, match="do not match the events that wrote them"):
            ledger.close_round("gr-c", pm=worker.PM, actor="manager", at=AT)
        report = ledger.verify()
    assert not report.ok
    assert "gr-c" in {p.round_id for p in report.problems}


# --- the WAL ----------------------------------------------------------------------------------

_CLOSE_AND_DIE = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import UTC, datetime
    from sgfund import make_plugin_manager
    from sgfund.ledger import Ledger
    from sgfund_westyorkshire import DATA_PLUGINS
    pm = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
    ledger = Ledger.open(sys.argv[1])
    ledger.close_round("gr-c", pm=pm, actor="manager", at=datetime(2023, 1, 3, tzinfo=UTC))
    head = ledger.head()
    print(head[0], head[1], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_deleting_the_wal_after_a_killed_close_is_caught_by_the_anchor(path):
    # Keep the WAL from being checkpointed into the main file, as a busy reader would.
    proc = subprocess.run(
        [sys.executable, "-c", _CLOSE_AND_DIE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    event_id, digest = proc.stdout.split()
    anchor = (int(event_id), digest)
    wal = Path(f"{path}-wal")
    assert wal.exists()
    os.unlink(wal)
    Path(f"{path}-shm").unlink(missing_ok=True)
    with Ledger.open(path) as ledger:
        closed = ledger.round_state("gr-c") is RoundState.CLOSED
        report = ledger.verify(anchor=anchor)
    # Either the close reached the main file, or the anchor shows the trail was cut short.
    assert closed or any(p.kind == "anchor" for p in report.problems), str(report)


# --- states and files ---------------------------------------------------------------------------


def test_applications_are_refused_once_a_round_is_past_open(path):
    extra = worker.records_for("gr-c", 4).applications[3]
    with Ledger.open(path) as ledger, pytest.raises(LedgerError, match="decided"):
        ledger.add_applications([extra], actor="clerk", at=AT)
    conn = _connect(path)
    app = _row(
        conn, "applications", "id = (SELECT min(id) FROM applications WHERE round_id = ?)", "gr-c"
    )
    app["id"] = extra.id
    app["data"] = json.dumps({**json.loads(app["data"]), "id": extra.id})
    _refused(conn, lambda: _replace(conn, "applications", app, verb="INSERT"))
    conn.close()


def test_opening_a_file_that_is_not_sqlite_names_the_file(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(LedgerError, match=r"notes\.db") as caught:
        Ledger.open(bad)
    assert "not an sgfund ledger" in str(caught.value)


def test_opening_a_truncated_ledger_names_the_file(path):
    with Ledger.open(path) as ledger:
        ledger.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    Path(f"{path}-wal").unlink(missing_ok=True)
    Path(f"{path}-shm").unlink(missing_ok=True)
    try:
        ledger = Ledger.open(path)
    except LedgerError as err:
        assert path.name in str(err)
    else:
        with ledger:
            report = ledger.verify()  # must not raise
        assert not report.ok
