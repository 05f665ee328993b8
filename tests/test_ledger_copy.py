"""Moving a ledger between SQLite and PostgreSQL: every event, hash and anchor comes across."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from sgfund.decisions import Outcome
from sgfund.errors import LedgerError
from sgfund.examples_scf import SCF
from sgfund.ledger import Ledger, kinds, verify_file
from sgfund.ledger.copying import copy_ledger

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT


def _history(location):
    """A closed round, an open one with corrected decisions and awards; the anchors."""
    with Ledger.open(location) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        worker.prepare_round(ledger, "gr-a", 4)
        closed = ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
        records = worker.prepare_round(ledger, "gr-b", 3)
        first = records.decisions[0]
        corrected = attrs.evolve(first, outcome=Outcome.REJECTED, amount_awarded="0.00")
        ledger.record_decisions([corrected], actor="panel", at=AT)
        ledger.record_decisions([first], actor="chair", at=AT)
        ledger.record_awards(records.awards[:1], actor="chair", at=AT)
        return [closed.anchor, ledger.head()]


def _snapshot(location):
    with Ledger.open(location) as ledger:
        return (
            ledger.events(),
            {r: ledger.round_records(r) for r in ledger.rounds()},
            ledger.superseded(kinds.DECISIONS, "gr-b.GR2-001"),
            {r: ledger.closure(r) for r in ledger.rounds()},
        )


def test_a_ledger_moves_to_postgresql_and_back_with_the_same_anchors(tmp_path, pg_url):
    source = tmp_path / "source.db"
    anchors = _history(source)
    report = copy_ledger(source, pg_url)
    assert report.ok and report.anchors_checked == 1
    assert verify_file(pg_url, anchors=anchors).ok
    assert _snapshot(pg_url) == _snapshot(source)

    back = tmp_path / "back.db"
    assert copy_ledger(pg_url, back).ok
    assert verify_file(back, anchors=anchors).ok
    assert _snapshot(back) == _snapshot(source)
    # The copy carries on as a ledger: it accepts new work and stays whole.
    with Ledger.open(pg_url) as ledger:
        ledger.close_round("gr-b", pm=worker.PM, actor="manager", at=AT)
        assert ledger.verify(anchors=anchors).ok


def test_the_demo_ledger_copies_to_postgresql_with_its_published_anchors(tmp_path, pg_url):
    db = tmp_path / "gr.db"
    script = ROOT / "examples" / "ledger_gr1_gr2.py"
    subprocess.run([sys.executable, script, db], capture_output=True, text=True, check=True)
    with Ledger.open(db) as ledger:
        published = [ledger.closure_anchor(r) for r in ("mayor-gr1", "mayor-gr2")]
    assert copy_ledger(db, pg_url).ok
    report = verify_file(pg_url, anchors=published)
    assert report.ok and report.closed_rounds == 2 and report.anchors_checked == 2
    with Ledger.open(pg_url) as ledger:
        assert [ledger.closure_anchor(r) for r in ("mayor-gr1", "mayor-gr2")] == published
        awards = [ledger.closure(r).totals.awards for r in ("mayor-gr1", "mayor-gr2")]
    assert [(a.count, str(a.total)) for a in awards] == [(39, "208253.16"), (61, "326032.84")]


def test_a_copy_goes_only_into_an_empty_ledger_and_only_from_a_sound_one(tmp_path, ledger_at):
    source = tmp_path / "source.db"
    _history(source)
    taken = ledger_at("taken.db")
    with Ledger.open(taken) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
    with pytest.raises(LedgerError, match="already holds events"):
        copy_ledger(source, taken)
    worker.with_guards_lifted(source, "UPDATE awards SET amount_pence = amount_pence + 1")
    empty = ledger_at("empty.db")
    with pytest.raises(LedgerError, match="does not verify, so it is not copied"):
        copy_ledger(source, empty)
    with Ledger.open(empty) as ledger:
        assert ledger.events() == []
