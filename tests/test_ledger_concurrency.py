"""Processes racing to close the same round: exactly one wins, the others are told who did."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sgfund.examples_scf import SCF
from sgfund.ledger import Ledger
from sgfund.lifecycle import RoundState

WORKER = Path(__file__).with_name("ledger_worker.py")
_spec = importlib.util.spec_from_file_location("ledger_worker", WORKER)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)


def _race(tmp_path, db, processes, rounds):
    round_ids = [f"race-{i}" for i in range(rounds)]
    with Ledger.open(db) as ledger:
        ledger.add_fund(SCF, actor="admin", at=worker.AT)
        for round_id in round_ids:
            worker.prepare_round(ledger, round_id, 4)
    ready = tmp_path / "ready"
    ready.mkdir()
    names = [f"closer-{i}" for i in range(processes)]
    procs = [
        subprocess.Popen(
            [sys.executable, WORKER, "race", db, name, str(processes), ready, *round_ids],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    results: dict[str, list[dict]] = {r: [] for r in round_ids}
    for name, proc in zip(names, procs, strict=True):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        for line in out.splitlines():
            result = json.loads(line)
            results[result["round"]].append({**result, "name": name})
    with Ledger.open(db) as ledger:
        assert ledger.verify().ok
        for round_id, outcomes in results.items():
            assert len(outcomes) == processes
            winners = [o["name"] for o in outcomes if o["result"] == "won"]
            assert len(winners) == 1, outcomes
            losers = [o for o in outcomes if o["result"] != "won"]
            for lost in losers:
                assert lost["result"] == "closed", lost
                assert lost["closed_by"] == winners[0]
                assert f"by {winners[0]}" in lost["message"]
            assert ledger.round_state(round_id) is RoundState.CLOSED
            assert ledger.closure(round_id).closed_by == winners[0]
            closing = [e for e in ledger.events(round_id=round_id) if e.action == "round.closed"]
            assert [e.actor for e in closing] == winners


def test_racing_closers_one_winner_each_time(tmp_path, ledger_at):
    _race(tmp_path, ledger_at("race.db"), processes=5, rounds=20)


@pytest.mark.slow
def test_racing_closers_many_times(tmp_path, ledger_at):
    _race(tmp_path, ledger_at("race.db"), processes=8, rounds=200)


def test_officers_import_at_once_then_race_to_close_every_round(tmp_path, ledger_at):
    db = ledger_at("officers.db")
    with Ledger.open(db) as ledger:
        ledger.add_fund(SCF, actor="admin", at=worker.AT)
    officers = [f"officer-{i}" for i in range(4)]
    own = {name: [f"{name}-r{j}" for j in range(2)] for name in officers}
    every = [r for rounds in own.values() for r in rounds]
    ready = tmp_path / "imported"
    ready.mkdir()
    procs = {
        name: subprocess.Popen(
            [sys.executable, WORKER, "officer", db, name, "4", ready, *own[name], "--", *every],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in officers
    }
    outcomes: dict[str, list[dict]] = {r: [] for r in every}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        for line in out.splitlines():
            result = json.loads(line)
            outcomes[result["round"]].append({**result, "name": name})
    with Ledger.open(db) as ledger:
        report = ledger.verify()
        assert report.ok, report
        assert report.closed_rounds == len(every)
        for round_id, tries in outcomes.items():
            assert [t["result"] for t in tries if t["result"] == "error"] == [], tries
            winners = [t["name"] for t in tries if t["result"] == "won"]
            assert len(winners) == 1, tries
            assert all(t["closed_by"] == winners[0] for t in tries if t["result"] == "closed")
            assert ledger.closure(round_id).closed_by == winners[0]
            # Every application each officer imported is there, once.
            assert len(ledger.round_records(round_id).applications) == 12
        ids = [e.id for e in ledger.events()]
        assert ids == list(range(1, len(ids) + 1))
