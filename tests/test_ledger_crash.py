"""Crash safety: a process importing and closing rounds is killed (SIGKILL) at random moments.

After every kill the ledger verifies clean, and every round is either fully closed (state,
closure record and closing event) or not closed at all, with each batch all there or absent.
"""

from __future__ import annotations

import importlib.util
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sgfund.ledger import Ledger
from sgfund.lifecycle import RoundState

WORKER = Path(__file__).with_name("ledger_worker.py")
_spec = importlib.util.spec_from_file_location("ledger_worker", WORKER)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

FULL = worker.records_for("x", worker.CRASH_ROUND_SIZE)
SIZES = {
    "applications": len(FULL.applications),
    "decisions": len(FULL.decisions),
    "awards": len(FULL.awards),
}


def _kill_at_random(db: str, rng: random.Random) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), "crash", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    ready = proc.stdout.readline()
    assert ready == b"ready\n", (ready, proc.stderr.read() if proc.stderr else b"")
    time.sleep(rng.uniform(0.05, 1.5))
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    # Killed by us, not dead of its own accord.
    assert proc.returncode == -signal.SIGKILL, err.decode()


def _check(db: str) -> tuple[int, int]:
    closed = touched = 0
    with Ledger.open(db) as ledger:
        report = ledger.verify()
        assert report.ok, str(report)
        closing_events = {e.round_id for e in ledger.events() if e.action == "round.closed"}
        for round_id, state in ledger.rounds().items():
            records = ledger.round_records(round_id)
            counts = {
                "applications": len(records.applications),
                "decisions": len(records.decisions),
                "awards": len(records.awards),
            }
            for kind, count in counts.items():
                assert count in (0, SIZES[kind]), (round_id, kind, count)
            if state is RoundState.CLOSED:
                closed += 1
                assert counts == SIZES
                assert ledger.closure(round_id) is not None
                assert round_id in closing_events
            else:
                touched += 1
                assert ledger.closure(round_id) is None
                assert round_id not in closing_events
    return closed, touched


def _trials(ledger_at, count: int, seed: int, *, per_file: int = 5) -> None:
    """Kill ``count`` workers; each file sees ``per_file`` kills in a row, then a new one."""
    rng = random.Random(seed)
    closed = 0
    for trial in range(count):
        db = ledger_at(f"crash-{trial // per_file}.db")
        _kill_at_random(db, rng)
        closed += _check(db)[0]
    # The worker got somewhere: the kills interrupted real work, not an idle process.
    assert closed >= 1


def test_killed_importer_leaves_a_clean_ledger(ledger_at):
    _trials(ledger_at, count=5, seed=1)


@pytest.mark.slow
def test_killed_importer_leaves_a_clean_ledger_many_times(ledger_at):
    _trials(ledger_at, count=60, seed=2)
