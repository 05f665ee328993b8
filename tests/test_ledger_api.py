"""The ledger's API: storing, reading back, all-or-nothing batches, corrections, closing."""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from attrs import frozen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgfund.assessment import Assessment, Status
from sgfund.decisions import Decision, Outcome
from sgfund.errors import (
    ClosureRefused,
    DataError,
    FieldError,
    LedgerError,
    LifecycleError,
    RoundClosedError,
)
from sgfund.examples_scf import GR1, GR2, SCF
from sgfund.ledger import SCHEMA_VERSION, Ledger, LedgerPolicy, kinds, open_ledger
from sgfund.lifecycle import RoundState
from sgfund.review import Resolution, ThemeOverride
from sgfund.testing import strategies as sst
from sgfund.types import Finding, Verdict

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

AT = worker.AT


@pytest.fixture
def ledger(ledger_at):
    with Ledger.open(ledger_at("ledger.db")) as opened:
        opened.add_fund(SCF, actor="admin", at=AT)
        yield opened


def _opened(ledger, rnd=GR2):
    ledger.add_round(rnd, actor="admin", at=AT)
    ledger.set_round_state(rnd.id, "open", actor="admin", at=AT)


# --- opening ------------------------------------------------------------------------------


def test_default_path_is_sgfund_db_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SGFUND_DB", raising=False)
    with open_ledger() as ledger:
        assert Path(ledger.location).resolve() == tmp_path / "sgfund.db"
    assert (tmp_path / "sgfund.db").exists()


def test_environment_variable_then_argument_choose_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SGFUND_DB", str(tmp_path / "from-env.db"))
    with Ledger.open() as ledger:
        assert ledger.location == str(tmp_path / "from-env.db")
    with Ledger.open(tmp_path / "given.db") as ledger:
        assert ledger.location == str(tmp_path / "given.db")
    assert not (tmp_path / "sgfund.db").exists()


def test_new_file_is_migrated_wal_and_strict(tmp_path):
    path = tmp_path / "l.db"
    Ledger.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").fetchall()
    assert {"events", "rounds", "applications", "decisions", "awards", "closures"} <= {
        name for name, _ in tables
    }
    strict = dict(conn.execute("SELECT name, strict FROM pragma_table_list WHERE schema = 'main'"))
    assert all(strict[name] for name, _ in tables)
    # No money column is REAL.
    for name, _ in tables:
        for column in conn.execute(f"PRAGMA table_info({name})"):
            assert column[2] != "REAL", (name, column)
    conn.close()
    Ledger.open(path).close()  # opening again migrates nothing and fails nothing


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "l.db"
    Ledger.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(LedgerError, match="upgrade sgfund"):
        Ledger.open(path)


def test_without_a_time_or_clock_writes_are_refused(ledger_at):
    with Ledger.open(ledger_at("l.db")) as ledger, pytest.raises(LedgerError, match="at="):
        ledger.add_fund(SCF, actor="admin")


def test_clock_is_called_and_event_time_stored_in_utc(ledger_at):
    bst = timezone(timedelta(hours=1))
    with Ledger.open(ledger_at("l.db"), clock=lambda: datetime(2022, 6, 10, 12, tzinfo=bst)) as led:
        led.add_fund(SCF, actor="admin")
        first, event = led.events()
    # The first event records the schema the ledger was written under.
    assert (first.action, first.actor, first.at) == ("ledger.schema", "admin", event.at)
    assert event.at == datetime(2022, 6, 10, 11, tzinfo=UTC)
    assert event.at.utcoffset() == timedelta(0)


def test_naive_time_and_blank_actor_are_refused(ledger):
    with pytest.raises(FieldError, match="at"):
        ledger.add_round(GR2, actor="admin", at=datetime(2022, 1, 1))  # noqa: DTZ001
    with pytest.raises(FieldError, match="actor"):
        ledger.add_round(GR2, actor="  ", at=AT)
    assert ledger.rounds() == {}


# --- funds, rounds and lifecycle ----------------------------------------------------------


def test_rounds_need_their_fund_and_are_added_once(ledger_at, ledger):
    with (
        Ledger.open(ledger_at("empty.db")) as empty,
        pytest.raises(LedgerError, match="add the fund first"),
    ):
        empty.add_round(GR2, actor="admin", at=AT)
    ledger.add_round(GR2, actor="admin", at=AT)
    with pytest.raises(LedgerError, match="already"):
        ledger.add_round(GR2, actor="admin", at=AT)
    assert ledger.round_state(GR2.id) is RoundState.DRAFT
    assert ledger.round(GR2.id) == GR2
    with pytest.raises(LedgerError, match="not in the ledger"):
        ledger.round("no-such-round")


def test_round_state_follows_the_lifecycle_and_is_logged(ledger):
    ledger.add_round(GR2, actor="admin", at=AT)
    with pytest.raises(LifecycleError):
        ledger.set_round_state(GR2.id, "decided", actor="admin", at=AT)
    with pytest.raises(LedgerError, match="close_round"):
        ledger.set_round_state(GR2.id, "closed", actor="admin", at=AT)
    moved = ledger.set_round_state(GR2.id, "open", actor="ann", reason="window opens", at=AT)
    assert moved.to_state is RoundState.OPEN
    last = ledger.events(round_id=GR2.id)[-1]
    assert (last.action, last.actor, dict(last.detail)) == (
        "round.state",
        "ann",
        {"from": "draft", "to": "open", "reason": "window opens"},
    )


# --- applications -------------------------------------------------------------------------


def test_applications_round_trip_through_the_ledger(ledger):
    records = worker.records_for(GR2.id)
    _opened(ledger)
    assert ledger.add_applications(records.applications, actor="clerk", at=AT) == 81
    back = ledger.round_records(GR2.id)
    assert sorted(back.applications, key=lambda a: a.id) == sorted(
        records.applications, key=lambda a: a.id
    )
    assert back.round == GR2
    (event,) = [e for e in ledger.events() if e.action == "applications.added"]
    assert (event.actor, event.detail["count"], event.round_id) == ("clerk", 81, GR2.id)


def test_an_import_with_one_bad_row_writes_nothing(ledger):
    records = worker.records_for(GR2.id)
    _opened(ledger)
    apps = list(records.applications)
    apps[40] = attrs.evolve(apps[40], round_id="no-such-round")
    events_before = len(ledger.events())
    with pytest.raises(DataError) as caught:
        ledger.add_applications(apps, actor="clerk", at=AT)
    (problem,) = caught.value.problems
    assert apps[40].id in str(problem)
    assert "no-such-round" in str(problem)
    assert problem.row == 41
    assert ledger.round_records(GR2.id).applications == ()
    assert len(ledger.events()) == events_before


def test_every_problem_in_a_batch_is_listed(ledger):
    records = worker.records_for(GR2.id, 5)
    _opened(ledger)
    apps = list(records.applications)
    apps.append(apps[0])
    apps.append(attrs.evolve(apps[1], id="X-1", round_id="no-such-round"))
    apps.append("not an application")
    with pytest.raises(DataError) as caught:
        ledger.add_applications(apps, actor="clerk", at=AT)
    messages = {p.row: str(p) for p in caught.value.problems}
    assert sorted(messages) == [6, 7, 8]
    assert "more than once" in messages[6]
    assert "no-such-round" in messages[7]
    assert "not an Application" in messages[8]


def test_declared_themes_are_stored_as_given_for_the_rule_to_judge(ledger):
    records = worker.records_for(GR2.id, 2)
    _opened(ledger)
    odd = attrs.evolve(records.applications[0], declared_themes={"knife-crime"})
    ledger.add_applications([odd], actor="clerk", at=AT)
    (back,) = ledger.round_records(GR2.id).applications
    assert back.declared_themes == {"knife-crime"}


def test_ids_already_stored_are_refused_and_listed(ledger):
    records = worker.records_for(GR2.id, 5)
    _opened(ledger)
    ledger.add_applications(records.applications[:2], actor="clerk", at=AT)
    with pytest.raises(DataError) as caught:
        ledger.add_applications(records.applications, actor="clerk", at=AT)
    assert [p.value for p in caught.value.problems] == [a.id for a in records.applications[:2]]
    assert len(ledger.round_records(GR2.id).applications) == 2


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(sst.applications(GR1), min_size=1, max_size=12, unique_by=lambda a: a.id),
    st.randoms(use_true_random=False),
)
def test_stored_records_come_back_the_same_whatever_the_order(tmp_path_factory, apps, rnd):
    path = tmp_path_factory.mktemp("prop") / "l.db"
    shuffled = list(apps)
    rnd.shuffle(shuffled)
    with Ledger.open(path) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        ledger.add_round(GR1, actor="admin", at=AT)
        ledger.add_applications(shuffled, actor="clerk", at=AT)
        back = ledger.round_records(GR1.id).applications
    assert {a.id: a for a in back} == {a.id: a for a in apps}


# --- decisions, corrections, themes, assessments ------------------------------------------


def test_a_corrected_decision_keeps_the_earlier_one(ledger):
    records = worker.records_for(GR2.id, 3)
    _opened(ledger)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    ledger.record_decisions(records.decisions, actor="clerk", at=AT)
    first = records.decisions[0]
    corrected = attrs.evolve(first, amount_awarded=first.amount_awarded - Decimal("100.00"))
    ledger.record_decisions([corrected], actor="senior", at=AT + timedelta(days=1))
    back = {d.application_id: d for d in ledger.round_records(GR2.id).decisions}
    assert back[first.application_id] == corrected
    (event_id, old), *_ = ledger.superseded(kinds.DECISIONS, first.application_id)
    assert old["amount_awarded"] == str(first.amount_awarded)
    event = next(e for e in ledger.events() if e.id == event_id)
    assert (event.actor, list(event.detail["replaced"])) == ("senior", [first.application_id])


def test_decisions_for_unknown_applications_write_nothing(ledger):
    records = worker.records_for(GR2.id, 3)
    _opened(ledger)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    stray = attrs.evolve(records.decisions[0], application_id="GR9-999")
    with pytest.raises(DataError, match="GR9-999"):
        ledger.record_decisions([*records.decisions, stray], actor="clerk", at=AT)
    assert ledger.round_records(GR2.id).decisions == ()


def test_set_themes_checks_the_vocabulary_and_records_the_reason(ledger):
    records = worker.records_for(GR2.id, 1)
    _opened(ledger)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    app_id = records.applications[0].id
    with pytest.raises(DataError, match="knife-crime"):
        ledger.set_themes(app_id, {"knife-crime"}, actor="ann", reason="x", at=AT, pm=worker.PM)
    override = ledger.set_themes(
        app_id, {"domestic-abuse"}, actor="ann", reason="project is about DA", at=AT, pm=worker.PM
    )
    assert ledger.round_records(GR2.id).theme_overrides == (override,)
    assert override.set_by == "ann"
    assert ledger.events()[-1].detail["reason"] == "project is about DA"


def test_theme_overrides_go_only_through_set_themes_which_has_the_vocabularies(ledger):
    # The generic record() has no plugin manager, so it cannot check themes: it refuses.
    records = worker.records_for(GR2.id, 1)
    _opened(ledger)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    override = ThemeOverride(
        application_id=records.applications[0].id,
        themes={"knife-crime"},
        reason="x",
        set_by="ann",
        set_on=AT.date(),
    )
    events_before = len(ledger.events())
    with pytest.raises(LedgerError, match="set_themes"):
        ledger.record(kinds.THEME_OVERRIDES, [override], actor="ann", at=AT)
    assert ledger.round_records(GR2.id).theme_overrides == ()
    assert len(ledger.events()) == events_before


def _referred(app_id):
    finding = Finding(
        rule_id="needs-look",
        rule_version="1",
        plugin="council-checks",
        verdict=Verdict.REFER,
        reason="unusual",
    )
    return Assessment(
        application_id=app_id,
        status=Status.REFER,
        findings=[finding],
        rule_versions={"needs-look": "1"},
    )


def test_assessments_are_stored_as_data_and_read_back_with_rule_versions(ledger, raw_sql):
    records = worker.records_for(GR2.id, 2)
    _opened(ledger)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    found = [
        Assessment(application_id=a.id, status=Status.ELIGIBLE, rule_versions={"max-grant": "2"})
        for a in records.applications[:1]
    ] + [_referred(records.applications[1].id)]
    ledger.record_assessments(found, actor="rules", at=AT)
    back = ledger.round_records(GR2.id).assessments
    assert sorted(back, key=lambda a: a.application_id) == found
    assert dict(ledger.events()[-1].rule_versions) == {"max-grant": "2", "needs-look": "1"}
    # No class name is stored: the row says which format its JSON is in.
    conn = raw_sql.connect(ledger.location)
    stored = conn.execute("SELECT * FROM assessments").fetchall()
    conn.close()
    names = ("sgfund.assessment", "sgfund.types", "Assessment", "Finding")
    assert not [v for row in stored for v in row for name in names if name in str(v)]
    assert {row[3] for row in stored} == {kinds.ASSESSMENT_FORMAT}


def test_anything_but_an_assessment_is_refused(ledger):
    records = worker.records_for(GR2.id, 1)
    _opened(ledger)
    ledger.add_applications(records.applications, actor="clerk", at=AT)

    @frozen(kw_only=True)
    class Lookalike:
        application_id: str
        status: str
        rule_versions: dict[str, str]

    fake = Lookalike(application_id=records.applications[0].id, status="eligible", rule_versions={})
    with pytest.raises(DataError, match="not an Assessment"):
        ledger.record_assessments([fake], actor="rules", at=AT)


# --- closing ------------------------------------------------------------------------------


def test_closing_writes_record_state_and_event_together(ledger):
    worker.prepare_round(ledger, "gr-a", 6)
    record = ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT + timedelta(days=1))
    assert ledger.round_state("gr-a") is RoundState.CLOSED
    assert ledger.closure("gr-a") == record
    event = ledger.events()[-1]
    assert (event.action, event.actor, event.digest) == ("round.closed", "manager", record.digest)
    assert ledger.verify().ok


def test_a_closed_round_refuses_every_change_naming_who_closed_it(ledger):
    records = worker.prepare_round(ledger, "gr-a", 4)
    ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
    extra = attrs.evolve(records.applications[0], id="gr-a.NEW")
    attempts = [
        lambda: ledger.add_applications([extra], actor="clerk", at=AT),
        lambda: ledger.record_decisions(records.decisions[:1], actor="clerk", at=AT),
        lambda: ledger.record_awards(records.awards[:1], actor="clerk", at=AT),
        lambda: ledger.set_themes(
            records.applications[0].id,
            {"domestic-abuse"},
            actor="a",
            reason="r",
            at=AT,
            pm=worker.PM,
        ),
        lambda: ledger.set_round_state("gr-a", "open", actor="a", at=AT),
        lambda: ledger.close_round("gr-a", pm=worker.PM, actor="someone", at=AT),
    ]
    for attempt in attempts:
        with pytest.raises(RoundClosedError) as caught:
            attempt()
        assert caught.value.closed_by == "manager"
        assert caught.value.closed_at == AT
    assert ledger.verify().ok


def test_the_database_itself_refuses_changes_to_a_closed_round(ledger, raw_sql):
    worker.prepare_round(ledger, "gr-a", 3)
    ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
    conn = raw_sql.connect(ledger.location)
    statements = [
        "UPDATE awards SET amount_pence = 1 WHERE round_id = 'gr-a'",
        "DELETE FROM decisions",
        "UPDATE applications SET data = '{}'",
        "UPDATE rounds SET state = 'decided'",
        "DELETE FROM closures",
        "UPDATE events SET actor = 'nobody' WHERE id = 1",
        "DELETE FROM events",
    ]
    for sql in statements:
        with pytest.raises(raw_sql.refused, match="sgfund: "):
            conn.execute(sql)
    conn.close()
    assert ledger.verify().ok


def test_closure_refusal_lists_every_reason(ledger):
    records = worker.records_for("gr-a", 4)
    ledger.add_round(records.round, actor="admin", at=AT)
    ledger.set_round_state("gr-a", "open", actor="admin", at=AT)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    ledger.record_decisions(records.decisions[:2], actor="clerk", at=AT)
    with pytest.raises(ClosureRefused) as caught:
        ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
    reasons = "\n".join(caught.value.reasons)
    assert "not decided" in reasons
    assert records.applications[3].id in reasons
    assert ledger.round_state("gr-a") is RoundState.OPEN
    assert ledger.closure("gr-a") is None
    assert not any(e.action == "round.closed" for e in ledger.events())


@pytest.mark.parametrize("where", ["fund", "ledger"])
def test_separation_of_duties_refuses_the_decider_as_closer(ledger_at, where):
    fund_policy = LedgerPolicy(separate_closer_from_decider=where == "fund")
    ledger_policy = LedgerPolicy(separate_closer_from_decider=where == "ledger")
    with Ledger.open(ledger_at("l.db"), policy=ledger_policy) as ledger:
        ledger.add_fund(SCF, actor="admin", policy=fund_policy, at=AT)
        worker.prepare_round(ledger, "gr-a", 3, decider="dee")
        with pytest.raises(ClosureRefused, match="separation of duties: dee"):
            ledger.close_round("gr-a", pm=worker.PM, actor="dee", at=AT)
        assert ledger.fund_policy(SCF.id).separate_closer_from_decider
        ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
        assert ledger.closure("gr-a").closed_by == "manager"


def test_without_the_policy_the_decider_may_close(ledger):
    worker.prepare_round(ledger, "gr-a", 3, decider="dee")
    assert ledger.close_round("gr-a", pm=worker.PM, actor="dee", at=AT).closed_by == "dee"


def test_resolutions_count_for_referred_applications(ledger):
    records = worker.records_for("gr-a", 2)
    ledger.add_round(records.round, actor="admin", at=AT)
    ledger.set_round_state("gr-a", "open", actor="admin", at=AT)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    app_id = records.applications[0].id
    ledger.record_assessments([_referred(app_id)], actor="r", at=AT)
    ledger.record_decisions(records.decisions, actor="clerk", at=AT)
    ledger.record_awards(records.awards, actor="clerk", at=AT)
    for step in worker.STEPS[1:]:
        ledger.set_round_state("gr-a", step, actor="admin", at=AT)
    unresolved = r"referral is unresolved: needs-look v1 \(plugin council-checks\): unusual"
    with pytest.raises(ClosureRefused, match=unresolved):
        ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
    resolution = Resolution(
        application_id=app_id,
        eligible=True,
        reason="constituted group",
        resolved_by="ann",
        resolved_on=AT.date(),
    )
    ledger.record_resolutions([resolution], actor="ann", at=AT)
    ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
    assert ledger.round_records("gr-a").resolutions == (resolution,)


def test_a_decision_must_be_approved_to_have_money(ledger, raw_sql, backend):
    # The database's own CHECK backs the model's rule, even for a row written by hand.
    records = worker.records_for(GR2.id, 1)
    _opened(ledger)
    ledger.add_applications(records.applications, actor="clerk", at=AT)
    rejected = Decision(
        application_id=records.applications[0].id,
        outcome=Outcome.REJECTED,
        decided_on=AT.date(),
        decided_by="panel",
    )
    ledger.record_decisions([rejected], actor="clerk", at=AT)
    conn = raw_sql.connect(ledger.location)
    # The guards refuse any hand edit first; without them, the CHECK still holds.
    with pytest.raises(raw_sql.refused, match="sgfund: "):
        conn.execute("UPDATE decisions SET amount_awarded_pence = 100")
    if backend == "postgresql":
        conn.execute("ALTER TABLE decisions DISABLE TRIGGER USER")
    else:
        for (name,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'trigger'"):
            conn.execute(f'DROP TRIGGER "{name}"')
    with pytest.raises(raw_sql.refused, match=r"(?i)check"):
        conn.execute("UPDATE decisions SET amount_awarded_pence = 100")
    conn.close()


def test_a_failed_call_inside_a_transaction_undoes_only_itself(ledger):
    records = worker.records_for(GR2.id, 3)
    _opened(ledger)
    stray = attrs.evolve(records.decisions[0], application_id="GR9-999")
    with ledger.transaction():
        ledger.add_applications(records.applications, actor="clerk", at=AT)
        with pytest.raises(DataError, match="GR9-999"):
            ledger.record_decisions([records.decisions[1], stray], actor="clerk", at=AT)
        # The applications added in this transaction are used as given, not read back.
        ledger.record_decisions(records.decisions[:1], actor="clerk", at=AT)
    back = ledger.round_records(GR2.id)
    assert len(back.applications) == 3
    assert [d.application_id for d in back.decisions] == [records.decisions[0].application_id]
    assert ledger.verify().ok


def test_an_error_escaping_a_transaction_undoes_all_of_it(ledger):
    records = worker.records_for(GR2.id, 2)
    _opened(ledger)
    before = len(ledger.events())
    with pytest.raises(RuntimeError), ledger.transaction():
        ledger.add_applications(records.applications, actor="clerk", at=AT)
        ledger.record_decisions(records.decisions, actor="clerk", at=AT)
        raise RuntimeError("the import stopped half way")
    assert ledger.round_records(GR2.id).applications == ()
    assert len(ledger.events()) == before
    assert ledger.verify().ok


def test_applications_are_refused_after_the_round_is_open_decisions_until_closed(ledger):
    records = worker.records_for(GR2.id, 2)
    _opened(ledger)
    ledger.add_applications(records.applications[:1], actor="clerk", at=AT)
    ledger.set_round_state(GR2.id, "closed_to_applications", actor="admin", at=AT)
    with pytest.raises(LedgerError, match="accepted only while a round is draft or open"):
        ledger.add_applications(records.applications[1:], actor="clerk", at=AT)
    for step in ("assessed", "decided"):
        ledger.set_round_state(GR2.id, step, actor="admin", at=AT)
    assert ledger.record_decisions(records.decisions[:1], actor="clerk", at=AT) == 1
    assert ledger.verify().ok


def test_a_duplicate_found_while_writing_inside_a_transaction_leaves_no_trace(ledger):
    # The duplicate is found by the insert itself, after the event and the new organisations
    # were written: the savepoint takes them back, and the transaction goes on.
    records = worker.records_for(GR2.id, 4)
    _opened(ledger)
    with ledger.transaction():
        ledger.add_applications(records.applications[:1], actor="clerk", at=AT)
        before = len(ledger.events())
        with pytest.raises(DataError, match="already in the ledger"):
            ledger.add_applications(records.applications, actor="clerk", at=AT)
        assert len(ledger.events()) == before
        ledger.add_applications(records.applications[1:], actor="clerk", at=AT)
    assert len(ledger.round_records(GR2.id).applications) == 4
    assert ledger.verify().ok
