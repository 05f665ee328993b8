"""What only a PostgreSQL ledger has: the server's guards against plain SQL, its catalog
checked by verify(), roles, initialisation by several processes, and the URL itself.

The API and guarantees it shares with SQLite are tested on both backends by the other ledger
test files (the ``ledger_at`` fixture).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from sgfund.errors import LedgerError
from sgfund.examples_scf import SCF
from sgfund.ledger import SCHEMA_VERSION, Ledger, is_url, verify_file
from sgfund.ledger.postgres import redacted
from sgfund.ledger.postgres_roles import LedgerRoles, roles_sql

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT
TABLES = (
    "events",
    "funds",
    "eras",
    "rounds",
    "organisations",
    "applications",
    "assessments",
    "resolutions",
    "theme_overrides",
    "decisions",
    "awards",
    "closures",
    "superseded",
)


def _fill(url):
    """A closed round (gr-a) and one still open for decisions (gr-b); the anchor of gr-a."""
    with Ledger.open(url) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        worker.prepare_round(ledger, "gr-a", 3)
        closed = ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
        worker.prepare_round(ledger, "gr-b", 2)
        return closed.anchor


def test_urls_choose_postgresql_and_passwords_stay_out_of_messages():
    assert is_url("postgresql://u@h/db") and is_url("postgres://h/db")
    assert not is_url("sgfund.db") and not is_url(Path("postgresql:x"))
    assert redacted("postgresql://alice:s3cret@db.example/scf") == (
        "postgresql://alice:***@db.example/scf"
    )
    assert redacted("postgresql:///scf?host=/run&password=s3cret&sslmode=require") == (
        "postgresql:///scf?host=/run&password=***&sslmode=require"
    )
    assert redacted("postgresql://db/scf") == "postgresql://db/scf"


def test_the_server_refuses_plain_sql_against_the_trail_and_closed_rounds(pg_url, raw_sql):
    anchor = _fill(pg_url)
    conn = raw_sql.connect(pg_url)
    statements = [
        "UPDATE awards SET amount_pence = 1 WHERE round_id = 'gr-a'",
        "DELETE FROM decisions",
        "UPDATE events SET actor = 'nobody' WHERE id = 1",
        "DELETE FROM events WHERE id = (SELECT max(id) FROM events)",
        "UPDATE rounds SET state = 'decided' WHERE id = 'gr-a'",
        "DELETE FROM closures",
        # ON CONFLICT meets the insert guard before any conflict is looked at.
        "INSERT INTO events SELECT * FROM events WHERE id = 1 "
        "ON CONFLICT (id) DO UPDATE SET actor = 'nobody'",
        "INSERT INTO awards SELECT * FROM awards ON CONFLICT (id) DO UPDATE SET amount_pence = 1",
        "INSERT INTO rounds SELECT * FROM rounds ON CONFLICT DO NOTHING",
        *(f"TRUNCATE {table} CASCADE" for table in TABLES),
    ]
    try:
        for sql in statements:
            with pytest.raises(raw_sql.refused, match="sgfund: "):
                conn.execute(sql)
    finally:
        conn.close()
    with Ledger.open(pg_url) as ledger:
        report = ledger.verify(anchor=anchor)
        assert report.ok, report
        assert len(ledger.round_records("gr-a").awards) == 3


def _replace_guard(name):
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        "AS $$BEGIN RETURN NEW; END$$"
    )


@pytest.mark.parametrize(
    ("tampering", "entity"),
    [
        ("ALTER TABLE awards DISABLE TRIGGER awards_update", "trigger awards_update"),
        ("ALTER TABLE events DISABLE TRIGGER ALL", "trigger events_insert"),
        ("DROP TRIGGER events_delete ON events", "trigger events_delete"),
        ("DROP TRIGGER awards_truncate ON awards", "trigger awards_truncate"),
        (_replace_guard("awards_insert"), "function awards_insert"),
        ("CREATE TABLE notes (x int)", "table notes"),
        ("DROP TABLE superseded CASCADE", "table superseded"),
        ("CREATE VIEW awards_view AS SELECT * FROM awards", "relation awards_view"),
        ("CREATE RULE keep AS ON UPDATE TO awards DO INSTEAD NOTHING", "rule keep"),
        ("ALTER TABLE awards ENABLE ROW LEVEL SECURITY", "table awards"),
        (
            "ALTER TABLE awards DROP CONSTRAINT awards_amount_pence_check",
            "constraints of type c on awards",
        ),
        ("ALTER TABLE events ALTER COLUMN actor TYPE varchar", "column events.actor"),
        (
            'ALTER TABLE decisions ALTER COLUMN outcome TYPE text COLLATE "POSIX"',
            "column decisions.outcome",
        ),
        ("UPDATE sgfund_schema SET version = 1", "sgfund_schema"),
    ],
)
def test_verify_reports_each_weakened_guard_by_name(pg_url, raw_sql, tampering, entity):
    _fill(pg_url)
    conn = raw_sql.connect(pg_url)  # the session's superuser: it can do all of this
    try:
        conn.execute(tampering)
    finally:
        conn.close()
    report = verify_file(pg_url)
    assert not report.ok
    assert entity in {p.entity for p in report.problems}, report.problems


def test_an_edit_made_with_the_guards_lifted_and_put_back_is_still_found(pg_url, raw_sql):
    anchor = _fill(pg_url)
    conn = raw_sql.connect(pg_url)
    conn.execute("ALTER TABLE awards DISABLE TRIGGER USER")
    conn.execute("UPDATE awards SET amount_pence = amount_pence + 1 WHERE round_id = 'gr-a'")
    conn.execute("ALTER TABLE awards ENABLE TRIGGER USER")
    conn.close()
    report = verify_file(pg_url, anchor=anchor)
    assert not report.ok
    assert {p.kind for p in report.problems} >= {"records"}
    assert {p.kind for p in report.problems} <= {"records", "closure", "state"}


def test_a_schema_holding_other_things_or_a_newer_ledger_is_refused(pg_url, raw_sql):
    conn = raw_sql.connect(pg_url)
    conn.execute("CREATE TABLE payroll (id int)")
    with pytest.raises(LedgerError, match=r"not an sgfund ledger: .*\(payroll\)"):
        Ledger.open(pg_url)
    conn.execute("DROP TABLE payroll")
    Ledger.open(pg_url).close()
    conn.execute("UPDATE sgfund_schema SET version = 99")
    with pytest.raises(LedgerError, match="upgrade sgfund"):
        Ledger.open(pg_url)
    conn.close()


def test_an_unreachable_server_is_a_ledger_error_and_a_report_never_a_traceback(tmp_path):
    url = f"postgresql://nobody:pw@/nowhere?host={tmp_path}"
    with pytest.raises(LedgerError, match=r"cannot open the ledger at postgresql://nobody:\*\*\*@"):
        Ledger.open(url)
    report = verify_file(url)
    assert not report.ok
    assert report.problems[0].kind == "file"
    assert "pw" not in str(report)


def test_several_processes_initialise_a_fresh_database_once(pg_url, raw_sql):
    code = (
        "import sys; from sgfund.ledger import Ledger; "
        "Ledger.open(sys.argv[1]).close(); print('ok')"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, pg_url], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.strip() == "ok"
    conn = raw_sql.connect(pg_url)
    assert conn.execute("SELECT version FROM sgfund_schema").fetchall() == [(SCHEMA_VERSION,)]
    conn.close()
    with Ledger.open(pg_url) as ledger:
        assert ledger.verify().ok


def _as(url, role):
    return url.replace("postgresql://postgres@", f"postgresql://{role}@", 1)


def test_roles_an_auditor_reads_everything_and_an_officer_cannot_weaken_the_guards(
    pg_cluster, raw_sql
):
    schema = f"roles_{worker.AT:%H%M}_{id(raw_sql) % 10_000}"
    prefix = f"r{id(raw_sql) % 100_000}"
    roles = LedgerRoles(prefix)
    admin = raw_sql.connect(pg_cluster)
    admin.execute(f"CREATE SCHEMA {schema}")
    admin.execute(roles_sql(prefix=prefix, schema=schema))
    admin.execute(roles_sql(prefix=prefix, schema=schema))  # running it again is harmless
    for role in (roles.owner, roles.officer, roles.auditor):
        admin.execute(f"ALTER ROLE {role} LOGIN")
    admin.close()
    base = f"{pg_cluster}&options=-csearch_path%3D{schema}"

    # The owner initialises the database; officers do the work.
    Ledger.open(_as(base, roles.owner)).close()
    officer_url = _as(base, roles.officer)
    anchor = _fill(officer_url)

    officer = raw_sql.connect(officer_url)
    for sql in (
        "DROP TRIGGER awards_update ON awards",
        "ALTER TABLE events DISABLE TRIGGER ALL",
        _replace_guard("events_update"),
        "DELETE FROM events",
        "TRUNCATE events CASCADE",
        "CREATE TABLE notes (x int)",
        "SET session_replication_role = replica",
    ):
        with pytest.raises(raw_sql.errors, match=r"permission denied|must be owner"):
            officer.execute(sql)
    with pytest.raises(raw_sql.refused, match="sgfund: events are append-only"):
        officer.execute("UPDATE events SET actor = 'nobody' WHERE id = 2")
    officer.close()

    auditor_url = _as(base, roles.auditor)
    with Ledger.open(auditor_url) as ledger:
        report = ledger.verify(anchor=anchor)
        assert report.ok, report
        assert report.closed_rounds == 1
        assert len(ledger.round_records("gr-b").applications) == 2
        before = len(ledger.events())
        with pytest.raises(LedgerError, match=r"read-only|permission denied"):
            ledger.add_round(worker.records_for("gr-c").round, actor="auditor", at=AT)
        assert len(ledger.events()) == before
    auditor = raw_sql.connect(auditor_url)
    for sql in (
        "UPDATE rounds SET data = '{}'",
        "INSERT INTO notes VALUES (1)",
        "DELETE FROM superseded",
        "TRUNCATE awards",
        "SET default_transaction_read_only = off; UPDATE awards SET amount_pence = 1",
        "DROP TABLE awards CASCADE",
    ):
        with pytest.raises(raw_sql.errors):
            auditor.execute(sql)
    auditor.close()
    assert verify_file(auditor_url, anchor=anchor).ok


def test_sgfund_db_may_name_a_postgresql_database(pg_url, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SGFUND_DB", pg_url)
    with Ledger.open() as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        assert ledger.location == pg_url
    assert list(tmp_path.iterdir()) == []  # no sgfund.db file was made
    assert verify_file(pg_url).events_checked == 2
