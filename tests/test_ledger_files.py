"""Files: what is not a ledger is refused by name; schema 1; verify_file never raises or writes."""

from __future__ import annotations

import hashlib
import importlib.util
import sqlite3
from pathlib import Path

import pytest

from sgfund.errors import LedgerError
from sgfund.examples_scf import SCF
from sgfund.ledger import SCHEMA_VERSION, Ledger, verify_file
from sgfund.ledger.schema_v1 import V1
from sgfund.ledger.sqlite import expected_schema

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _v1_file(path: Path, *, with_event: bool) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(V1)
    conn.execute("PRAGMA user_version = 1")
    if with_event:
        conn.execute(
            "INSERT INTO events VALUES (1, '2023-01-01T00:00:00+00:00', 'admin', 'fund.added', "
            "'fund:scf', NULL, '{}', '{}', 'd', ?, 'h')",
            ("0" * 64,),
        )
    conn.close()


def test_a_schema_1_ledger_with_records_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "old.db"
    _v1_file(path, with_event=True)
    before = _digest(path)
    with pytest.raises(LedgerError) as caught:
        Ledger.open(path)
    message = str(caught.value)
    assert "old.db" in message
    assert "schema 1" in message
    assert "start a new ledger file" in message
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    conn.close()
    # verify_file reads it without changing it, and says what is wrong.
    report = verify_file(path)
    assert not report.ok
    assert any(p.entity == "user_version" for p in report.problems)
    assert any(p.kind == "schema" for p in report.problems)
    assert _digest(path) == before


def test_an_empty_schema_1_ledger_is_upgraded(tmp_path):
    path = tmp_path / "empty-v1.db"
    _v1_file(path, with_event=False)
    with Ledger.open(path) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        worker.prepare_round(ledger, "gr-a", 2)
        ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
        assert ledger.verify().ok
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    found = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_stat%' "
        "ORDER BY type, name"
    ).fetchall()
    conn.close()
    assert tuple(found) == expected_schema()


def test_a_sqlite_file_holding_other_things_is_refused_untouched(tmp_path):
    path = tmp_path / "accounts.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE ledger_lines (amount INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError, match=r"accounts\.db is not an sgfund ledger.*ledger_lines"):
        Ledger.open(path)
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema")]
    conn.close()
    assert names == ["ledger_lines"]


@pytest.mark.parametrize("damage", ["missing", "text", "empty-name", "truncated", "garbled"])
def test_verify_file_reports_and_never_raises(tmp_path, damage):
    path = tmp_path / "l.db"
    if damage != "missing":
        with Ledger.open(path) as ledger:
            ledger.add_fund(SCF, actor="admin", at=AT)
            worker.prepare_round(ledger, "gr-a", 3)
            ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
        data = path.read_bytes()
        if damage == "text":
            path.write_text("not a database\n" * 300)
        elif damage == "empty-name":
            path.write_bytes(b"")
        elif damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "garbled":
            middle = len(data) // 2
            path.write_bytes(data[:middle] + bytes(4096) + data[middle + 4096 :])
    report = verify_file(path)
    assert not report.ok, str(report)
    assert report.problems[0].kind == "file"
    assert str(report)  # prints


def test_opening_a_damaged_file_raises_a_ledger_error_naming_it(tmp_path):
    path = tmp_path / "l.db"
    with Ledger.open(path) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        worker.prepare_round(ledger, "gr-a", 3)
    data = path.read_bytes()
    path.write_bytes(data[:100] + bytes(len(data) - 100))
    try:
        opened = Ledger.open(path)
    except LedgerError as err:
        assert "l.db" in str(err)
    else:
        with opened:
            assert not opened.verify().ok
