"""Tamper evidence: changes made behind the ledger's back, triggers dropped, are found."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgfund.examples_scf import SCF
from sgfund.ledger import Ledger
from sgfund.ledger.events import GENESIS, event_hash

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT


@pytest.fixture
def path(ledger_at):
    """A ledger with two closed rounds and one still open."""
    db = ledger_at("l.db")
    with Ledger.open(db) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        for round_id in ("gr-a", "gr-b"):
            worker.prepare_round(ledger, round_id, 6)
            ledger.close_round(round_id, pm=worker.PM, actor="manager", at=AT)
        worker.prepare_round(ledger, "gr-c", 3)
        assert ledger.verify().ok
    return db


_tamper = worker.with_guards_lifted


def _verify(path, **kwargs):
    with Ledger.open(path) as ledger:
        return ledger.verify(**kwargs)


def test_a_clean_ledger_verifies(path):
    report = _verify(path)
    assert report.ok
    assert (report.rounds_checked, report.closed_rounds) == (3, 2)
    assert report.events_checked > 20
    assert report.records_checked > 20
    assert "the chain is whole" in str(report)


def test_editing_an_event_is_found_at_that_event(path):
    _tamper(path, "UPDATE events SET actor = 'someone else' WHERE id = 7")
    report = _verify(path)
    assert not report.ok
    assert report.first_broken_event == 7
    (problem,) = report.problems
    assert problem.kind == "chain"
    assert "event 7" in str(problem)
    assert "altered" in problem.message


def test_rehashing_an_edited_event_breaks_the_next_link(path):
    conn = worker.RawSQL().connect(path)
    row = conn.execute("SELECT * FROM events WHERE id = 5").fetchone()
    conn.close()
    fields = dict(
        zip(
            ["id", "at", "actor", "action", "entity", "round_id", "rule_versions", "detail"],
            row[:8],
            strict=True,
        )
    )
    fields.update(digest=row[8], prev_hash=row[9], actor="forger")
    forged = event_hash(**fields)
    _tamper(path, f"UPDATE events SET actor = 'forger', hash = '{forged}' WHERE id = 5")  # noqa: S608
    report = _verify(path)
    assert report.first_broken_event == 6
    assert "event 6: does not follow on" in str(report.problems[0])


def test_deleting_an_event_is_found(path):
    _tamper(path, "DELETE FROM events WHERE id = 4")
    report = _verify(path)
    assert report.first_broken_event == 5
    assert "event(s) 4 to 4 are missing" in report.problems[0].message
    # Event 4 opened gr-a: its state no longer follows from its events.
    assert any(p.kind == "state" and p.round_id == "gr-a" for p in report.problems)


def test_deleting_an_event_leaves_its_records_pointing_nowhere(path):
    with Ledger.open(path) as ledger:
        added = next(e for e in ledger.events() if e.action == "applications.added")
    _tamper(path, f"DELETE FROM events WHERE id = {added.id}")  # noqa: S608
    report = _verify(path)
    assert any(
        p.kind == "records" and p.event_id == added.id and "not in the chain" in p.message
        for p in report.problems
    ), str(report)


def test_editing_a_closed_rounds_award_is_found(path):
    # Change the amount in the JSON and the pence column together, so they agree.
    def edit(conn):
        key, pence, data = conn.execute(
            "SELECT id, amount_pence, data FROM awards WHERE round_id = 'gr-a' ORDER BY id"
        ).fetchone()
        record = json.loads(data)
        record["amount"] = str(Decimal(pence + 100).scaleb(-2))
        conn.execute(
            "UPDATE awards SET amount_pence = ?, data = ? WHERE id = ?",
            (pence + 100, json.dumps(record), key),
        )

    _tamper(path, edit)
    report = _verify(path)
    assert not report.ok
    assert {p.round_id for p in report.problems} == {"gr-a"}
    messages = " / ".join(p.message for p in report.problems)
    assert "no longer match the digest" in messages
    assert "its totals are now" in messages
    # The event that wrote the award no longer matches it either.
    assert {p.kind for p in report.problems} == {"closure", "records"}


def test_editing_only_a_money_column_is_found(path):
    _tamper(path, "UPDATE awards SET amount_pence = 1 WHERE round_id = 'gr-b'")
    report = _verify(path)
    assert {p.round_id for p in report.problems} == {"gr-b"}
    assert any("amount_pence differ" in p.message for p in report.problems)


def test_deleting_a_closed_rounds_decision_is_found(path):
    _tamper(
        path,
        "DELETE FROM decisions WHERE application_id = "
        "(SELECT min(id) FROM applications WHERE round_id = 'gr-b')",
    )
    report = _verify(path)
    assert {p.round_id for p in report.problems} == {"gr-b"}


def test_reopening_a_round_by_hand_is_found(path):
    _tamper(path, "UPDATE rounds SET state = 'decided' WHERE id = 'gr-a'")
    report = _verify(path)
    assert {(p.kind, p.round_id) for p in report.problems} == {("state", "gr-a")}
    assert any("its events leave it closed" in p.message for p in report.problems)


def test_rewriting_a_closure_digest_to_match_is_still_found(path):
    # Someone rewrites the closure record's digest: the hash-chained closing event still
    # holds the original, so the two disagree.
    def rewrite(conn):
        record = json.loads(
            conn.execute("SELECT record FROM closures WHERE round_id='gr-a'").fetchone()[0]
        )
        record["digest"] = "f" * 64
        conn.execute(
            "UPDATE closures SET digest = ?, record = ? WHERE round_id = 'gr-a'",
            ("f" * 64, json.dumps(record)),
        )

    _tamper(path, rewrite)
    report = _verify(path)
    assert any("closing event" in p.message for p in report.problems)


def test_an_open_rounds_records_may_change_through_the_api(path):
    with Ledger.open(path) as ledger:
        records = worker.records_for("gr-c", 3)
        ledger.record_decisions(records.decisions, actor="clerk", at=AT)
        assert ledger.verify().ok


def test_an_anchor_catches_a_chain_cut_short(path):
    with Ledger.open(path) as ledger:
        head = ledger.head()
    assert head is not None
    assert _verify(path, anchor=head).ok
    _tamper(path, f"DELETE FROM events WHERE id = {head[0]}")  # noqa: S608
    report = _verify(path, anchor=head)
    assert "anchor" in {p.kind for p in report.problems}
    assert "cut short" in str(report)


def test_the_first_event_links_to_genesis(path):
    with Ledger.open(path) as ledger:
        first = ledger.events()[0]
    assert first.prev_hash == GENESIS
    assert first.id == 1


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    db = tmp_path_factory.mktemp("pristine") / "l.db"
    with Ledger.open(db) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        worker.prepare_round(ledger, "gr-a", 3)
        ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
        count = len(ledger.events())
    return db, count


_COLUMNS = ("at", "actor", "action", "entity", "round_id", "rule_versions", "detail", "digest")


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_edit_of_any_event_is_pinned_to_that_event(pristine, tmp_path_factory, data):
    source, count = pristine
    event_id = data.draw(st.integers(1, count), label="event")
    column = data.draw(st.sampled_from(_COLUMNS), label="column")
    copy = tmp_path_factory.mktemp("edit") / "l.db"
    shutil.copy(source, copy)
    conn = sqlite3.connect(copy)
    (old,) = conn.execute(f"SELECT {column} FROM events WHERE id = ?", (event_id,)).fetchone()  # noqa: S608
    conn.close()
    new = data.draw(st.text(min_size=1, max_size=20).filter(lambda t: t != old), label="value")
    _tamper(
        copy,
        lambda conn: conn.execute(f"UPDATE events SET {column} = ? WHERE id = ?", (new, event_id)),  # noqa: S608
    )
    report = _verify(copy)
    assert report.first_broken_event == event_id
