"""Every finding of `Ledger.verify` about rounds and closures, one tampering each.

Each test changes the file behind the ledger's back in one way and checks the report names
the round and says what is wrong, in words an auditor can act on.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sgfund.examples_scf import SCF
from sgfund.ledger import Ledger

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A ledger with one closed round (gr-a) and one still open (gr-c)."""
    db = tmp_path_factory.mktemp("verify") / "l.db"
    with Ledger.open(db) as ledger:
        ledger.add_fund(SCF, actor="admin", at=worker.AT)
        worker.prepare_round(ledger, "gr-a", 4)
        ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=worker.AT)
        worker.prepare_round(ledger, "gr-c", 2)
        assert ledger.verify().ok
    return db.read_bytes()


@pytest.fixture
def path(pristine, tmp_path):
    db = tmp_path / "l.db"
    db.write_bytes(pristine)
    return db


def problems(path):
    with Ledger.open(path) as ledger:
        report = ledger.verify()
    assert not report.ok
    return [(p.kind, p.entity, p.message) for p in report.problems]


def closing_event(path) -> int:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT event_id FROM closures WHERE round_id = 'gr-a'").fetchone()[0]


def test_a_stored_record_that_cannot_be_read_back(path):
    worker.with_guards_lifted(
        path,
        "UPDATE awards SET data = json_set(data, '$.amount', 'lots') "
        "WHERE id = (SELECT min(id) FROM awards WHERE round_id = 'gr-a')",
    )
    found = problems(path)
    assert any(
        kind == "records" and entity.startswith("award ") and "cannot be read back" in message
        for kind, entity, message in found
    ), found
    assert (
        "closure",
        "round gr-a",
        "its records cannot all be read, so its digest cannot be recomputed",
    ) in found


def test_a_closure_for_a_round_not_in_the_ledger(path):
    worker.with_guards_lifted(
        path,
        "PRAGMA foreign_keys = OFF",
        "UPDATE closures SET round_id = 'gr-z' WHERE round_id = 'gr-a'",
    )
    found = problems(path)
    assert ("state", "round gr-z", "has a closure record but is not in the ledger") in found
    assert ("state", "round gr-a", "is marked closed but has no closure record") in found


def test_a_missing_closing_event(path):
    event_id = closing_event(path)
    worker.with_guards_lifted(
        path,
        "PRAGMA foreign_keys = OFF",
        f"DELETE FROM events WHERE id = {event_id}",  # noqa: S608
    )
    found = problems(path)
    assert ("closure", "round gr-a", f"its closing event {event_id} is missing") in found


def test_a_closure_digest_that_differs_from_its_closing_event(path):
    def rewrite(conn):
        (text,) = conn.execute("SELECT record FROM closures WHERE round_id='gr-a'").fetchone()
        record = json.loads(text)
        record["digest"] = "f" * 64
        conn.execute(
            "UPDATE closures SET digest = ?, record = ? WHERE round_id = 'gr-a'",
            ("f" * 64, json.dumps(record)),
        )

    event_id = closing_event(path)
    worker.with_guards_lifted(path, rewrite)
    found = {message for kind, entity, message in problems(path) if entity == "round gr-a"}
    assert f"its closure digest differs from its closing event {event_id}'s" in found
    assert any(
        m.startswith("its records no longer match the digest it was closed with") for m in found
    )
    assert (
        f"its closure record is not the one its closing event {event_id} pinned "
        "(a field of it was changed)"
    ) in found


def test_closure_columns_that_differ_from_the_closure_record(path):
    worker.with_guards_lifted(
        path, "UPDATE closures SET closed_by = 'someone' WHERE round_id = 'gr-a'"
    )
    event_id = closing_event(path)
    found = {message for _, entity, message in problems(path) if entity == "round gr-a"}
    assert "its closure record differs from its closure columns" in found
    assert (
        f"its closure record says closed_by 'someone', but its closing event {event_id} "
        "was by 'manager'"
    ) in found


def test_a_closure_record_on_a_round_that_is_not_closed(path):
    worker.with_guards_lifted(
        path,
        "PRAGMA foreign_keys = OFF",
        "UPDATE closures SET round_id = 'gr-c' WHERE round_id = 'gr-a'",
    )
    found = problems(path)
    assert ("state", "round gr-c", "has a closure record but its state is decided") in found
