"""Amending a round's terms: only while draft or open, audited, guarded by the database."""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgfund.errors import LedgerError, RoundClosedError
from sgfund.examples_scf import SCF
from sgfund.ledger import SCHEMA_VERSION, Ledger
from sgfund.ledger.kinds import ROUNDS, to_json
from sgfund.lifecycle import RoundState

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT
LATER = AT + timedelta(days=1)


def _open_round(ledger, round_id="gr-a", size=3):
    worker.ensure_fund(ledger)
    records = worker.records_for(round_id, size)
    ledger.add_round(records.round, actor="admin", at=AT)
    ledger.set_round_state(round_id, "open", actor="admin", at=AT)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    return records.round


def test_extending_an_open_rounds_window_is_audited_and_verifies(ledger_at):
    with Ledger.open(ledger_at()) as ledger:
        rnd = _open_round(ledger)
        extended = attrs.evolve(rnd, closes_at=rnd.closes_at + timedelta(days=14))
        event = ledger.amend_round(extended, actor="officer", at=LATER)
        assert event is not None and event.action == "round.amended"
        assert event.actor == "officer"
        change = event.detail["changes"]["closes_at"]
        assert change["old"] == rnd.closes_at.isoformat()
        assert change["new"] == extended.closes_at.isoformat()
        assert list(event.detail["changes"]) == ["closes_at"]
        assert ledger.round("gr-a") == extended
        assert ledger.round_state("gr-a") is RoundState.OPEN
        # The terms replaced are kept, and the audit trail holds both.
        assert [e.action for e in ledger.events(round_id="gr-a")][-1] == "round.amended"
        [(replaced_by, kept)] = ledger.superseded(ROUNDS, "gr-a")
        assert replaced_by == event.id and kept["closes_at"] == rnd.closes_at.isoformat()
        report = ledger.verify()
        assert report.ok, str(report)
        # The round goes on as before: assessed, decided and closed under the new terms.
        assert ledger.amend_round(extended, actor="officer", at=LATER) is None


def test_a_draft_rounds_name_and_pot_change(ledger_at):
    with Ledger.open(ledger_at()) as ledger:
        worker.ensure_fund(ledger)
        rnd = worker.records_for("gr-a", 1).round
        ledger.add_round(rnd, actor="admin", at=AT)
        renamed = attrs.evolve(rnd, name="Grant round A (corrected)", advertised_pot="9000.00")
        event = ledger.amend_round(renamed, actor="officer", at=LATER)
        assert event is not None
        assert set(event.detail["changes"]) == {"name", "advertised_pot"}
        assert event.detail["changes"]["name"]["old"] == rnd.name
        again = attrs.evolve(renamed, max_grant=Decimal("500.00"), min_grant="100.00")
        ledger.amend_round(again, actor="officer", at=LATER)
        assert ledger.round("gr-a") == again
        assert ledger.verify().ok


@pytest.mark.parametrize(
    "state", ["closed_to_applications", "assessed", "decided"], ids=lambda s: s
)
def test_a_round_past_open_keeps_its_terms(ledger_at, state):
    with Ledger.open(ledger_at()) as ledger:
        rnd = _open_round(ledger)
        for step in worker.STEPS[1 : worker.STEPS.index(state) + 1]:
            ledger.set_round_state("gr-a", step, actor="admin", at=AT)
        later = attrs.evolve(rnd, closes_at=rnd.closes_at + timedelta(days=1))
        with pytest.raises(LedgerError, match=f"is {state}: its applications are being judged"):
            ledger.amend_round(later, actor="officer", at=LATER)
        assert ledger.round("gr-a") == rnd


def test_a_closed_round_says_who_closed_it(ledger_at):
    with Ledger.open(ledger_at()) as ledger:
        worker.ensure_fund(ledger)
        records = worker.prepare_round(ledger, "gr-a", 3)
        ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
        later = attrs.evolve(records.round, name="Renamed")
        with pytest.raises(RoundClosedError, match="manager"):
            ledger.amend_round(later, actor="officer", at=LATER)


def test_fund_and_era_never_change(ledger_at):
    with Ledger.open(ledger_at()) as ledger:
        rnd = _open_round(ledger)
        with pytest.raises(LedgerError, match="fund never changes"):
            ledger.amend_round(attrs.evolve(rnd, fund_id="other"), actor="officer", at=LATER)
        era = attrs.evolve(rnd.era, id="another-era")
        with pytest.raises(LedgerError, match="era never changes"):
            ledger.amend_round(attrs.evolve(rnd, era=era), actor="officer", at=LATER)


# --- plain SQL -------------------------------------------------------------------------------


def test_plain_sql_cannot_move_an_open_rounds_closing_date(ledger_at, raw_sql):
    location = ledger_at()
    with Ledger.open(location) as ledger:
        rnd = _open_round(ledger)
    moved = attrs.evolve(rnd, closes_at=rnd.closes_at + timedelta(days=30))
    conn = raw_sql.connect(location)
    try:
        with pytest.raises(raw_sql.refused, match=r"round\.amended event"):
            conn.execute("UPDATE rounds SET data = ? WHERE id = ?", (to_json(moved), "gr-a"))
        with pytest.raises(raw_sql.refused, match="sgfund: "):
            conn.execute(
                "UPDATE rounds SET data = ?, event_id = (SELECT max(id) FROM events) WHERE id = ?",
                (to_json(moved), "gr-a"),
            )
        with pytest.raises(raw_sql.refused, match="id, fund and era never change"):
            conn.execute("UPDATE rounds SET fund_id = 'x' WHERE id = ?", ("gr-a",))
    finally:
        conn.close()
    with Ledger.open(location) as ledger:
        assert ledger.round("gr-a") == rnd
        assert ledger.verify().ok


def test_plain_sql_cannot_amend_a_decided_round_even_with_an_event(tmp_path):
    path = tmp_path / "l.db"
    with Ledger.open(path) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        records = worker.prepare_round(ledger, "gr-a", 3)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="only a draft or open round"):
            conn.execute(
                "UPDATE rounds SET data = replace(data, ?, ?) WHERE id = 'gr-a'",
                (records.round.name, "Renamed"),
            )
    finally:
        conn.close()


def test_a_round_changed_without_its_event_is_reported(ledger_at):
    location = ledger_at()
    with Ledger.open(location) as ledger:
        rnd = _open_round(ledger)
        ledger.amend_round(attrs.evolve(rnd, name="Amended"), actor="officer", at=LATER)
    forged = attrs.evolve(rnd, name="Amended", max_grant=Decimal("99999.00"))
    worker.with_guards_lifted(
        location,
        lambda conn: conn.execute(
            "UPDATE rounds SET data = ? WHERE id = 'gr-a'", (to_json(forged),)
        ),
    )
    with Ledger.open(location) as ledger:
        report = ledger.verify()
    assert not report.ok
    assert any(p.kind == "records" and "round.amended" in p.message for p in report.problems), str(
        report
    )


def test_a_deleted_amendment_history_is_reported(tmp_path):
    path = tmp_path / "l.db"
    with Ledger.open(path) as ledger:
        rnd = _open_round(ledger)
        ledger.amend_round(attrs.evolve(rnd, name="Amended"), actor="officer", at=LATER)
    worker.with_guards_lifted(path, "DELETE FROM superseded WHERE kind = 'rounds'")
    with Ledger.open(path) as ledger:
        report = ledger.verify()
    assert not report.ok
    assert any(p.kind == "records" for p in report.problems), str(report)


# --- an older file ---------------------------------------------------------------------------


V3_DUMP = Path(__file__).with_name("data") / "ledger-v3.sql"


def test_a_schema_3_ledger_with_records_migrates_verifies_and_amends(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(V3_DUMP.read_text(encoding="utf-8"))
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    with Ledger.open(path) as ledger:
        # Migrated: the schema is 4's, and the chain, written under 3, is whole as it is.
        report = ledger.verify()
        assert report.ok, str(report)
        rnd = ledger.round("gr-a")
        ledger.amend_round(attrs.evolve(rnd, name="Amended"), actor="officer", at=LATER)
        # The first event written after the migration is preceded by the new schema's record.
        *_, schema, amended = ledger.events()
        assert (schema.action, schema.detail, schema.actor) == (
            "ledger.schema",
            {"schema_version": SCHEMA_VERSION},
            "officer",
        )
        assert amended.action == "round.amended"
        report = ledger.verify()
        assert report.ok, str(report)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    conn.close()


def test_a_schema_3_postgresql_ledger_migrates_and_amends(pg_url, raw_sql):
    from sgfund.ledger.schema_pg import PG_MIGRATIONS

    conn = raw_sql.connect(pg_url)
    try:
        for script in PG_MIGRATIONS[:3]:
            conn.execute(script)
        conn.execute("UPDATE sgfund_schema SET version = 3")
    finally:
        conn.close()
    with Ledger.open(pg_url) as ledger:
        rnd = _open_round(ledger)
        ledger.amend_round(attrs.evolve(rnd, name="Amended"), actor="officer", at=LATER)
        report = ledger.verify()
        assert report.ok, str(report)
    conn = raw_sql.connect(pg_url)
    try:
        assert conn.execute("SELECT version FROM sgfund_schema").fetchall() == [(4,)]
        with pytest.raises(raw_sql.refused, match=r"round\.amended event"):
            conn.execute("UPDATE rounds SET data = data || ' ' WHERE id = 'gr-a'")
    finally:
        conn.close()


# --- property ---------------------------------------------------------------------------------


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    days=st.integers(min_value=-20, max_value=90),
    pot=st.decimals(min_value=0, max_value=10**6, places=2),
    name=st.text(st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=30).filter(
        str.strip
    ),
    months=st.integers(min_value=1, max_value=36),
)
def test_any_valid_amendment_then_verify_is_whole(tmp_path_factory, days, pot, name, months):
    path = tmp_path_factory.mktemp("amend") / "l.db"
    with Ledger.open(path) as ledger:
        rnd = _open_round(ledger, size=2)
        closes = max(rnd.closes_at + timedelta(days=days), rnd.opens_at + timedelta(hours=1))
        amended = attrs.evolve(
            rnd, closes_at=closes, advertised_pot=pot, name=name, max_project_months=months
        )
        ledger.amend_round(amended, actor="officer", at=LATER)
        assert ledger.round("gr-a") == amended
        report = ledger.verify()
        assert report.ok, str(report)
