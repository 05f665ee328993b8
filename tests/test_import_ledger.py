"""import_applications reads against the ledger's rounds and touches it only for a good file.

These use a stand-in with the ledger's methods; once sgfund.ledger is on main they should
count rows in a real SQLite file instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sgfund.errors import DataError
from sgfund.io.importer import import_applications
from sgfund.sample import GR1, GR2

DATA = Path(__file__).parent / "data"


class _Records:
    def __init__(self, round_):
        self.round = round_


class StandInLedger:
    def __init__(self, rounds):
        self._rounds = {r.id: r for r in rounds}
        self.calls: list[tuple[str, list, str]] = []

    def rounds(self):
        return dict.fromkeys(self._rounds, "open")

    def round_records(self, round_id):
        return _Records(self._rounds[round_id])

    def add_applications(self, applications, *, actor):
        self.calls.append(("add_applications", list(applications), actor))
        return len(self.calls[-1][1])

    def record_decisions(self, decisions, *, actor):
        self.calls.append(("record_decisions", list(decisions), actor))
        return len(self.calls[-1][1])


def test_a_good_file_adds_applications_then_their_decisions():
    ledger = StandInLedger([GR1, GR2])
    result = import_applications(ledger, DATA / "good" / "gr2-messy.xlsx", actor="officer@wyca")
    assert [(name, len(items), actor) for name, items, actor in ledger.calls] == [
        ("add_applications", 4, "officer@wyca"),
        ("record_decisions", 3, "officer@wyca"),
    ]
    assert ledger.calls[0][1] == list(result.applications)


def test_rounds_come_from_the_ledger():
    ledger = StandInLedger([GR1])  # GR2 is not in this ledger
    with pytest.raises(DataError, match="known round: one of mayor-gr1, got 'mayor-gr2'"):
        import_applications(ledger, DATA / "good" / "gr2-messy.csv", actor="officer")
    assert ledger.calls == []


def test_a_bad_file_leaves_the_ledger_untouched(tmp_path):
    path = tmp_path / "apps.csv"
    shutil.copyfile(DATA / "bad" / "duplicate-application-id.csv", path)
    ledger = StandInLedger([GR1, GR2])
    with pytest.raises(DataError):
        import_applications(ledger, path, actor="officer")
    assert ledger.calls == []
    assert [p.name for p in tmp_path.iterdir()] == ["apps.csv"]
