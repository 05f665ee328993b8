"""Property: any sequence of ledger calls, then any one tampering statement, is caught.

A history of ledger calls (rounds left in every state, corrections, closures) is written through
the API. Then one statement is drawn from a catalogue built from what is in the file: edits,
REPLACEs, collisions, inserts and deletes of any row of any table, dropped or renamed objects,
rewritten trigger text, the schema version, forged events with correct hashes. The statement is
run with plain sqlite3, with the guards in place, or with every guard lifted for it and put back
exactly as it was (so only the records can give it away). Either the database refuses it, or it
changed nothing, or `verify_file` reports a problem. `verify_file` never raises.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import sqlite3
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgfund.assessment import Assessment, Status
from sgfund.examples_scf import SCF
from sgfund.ledger import Ledger, LedgerPolicy, verify_file
from sgfund.ledger.events import event_hash
from sgfund.review import Resolution

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT

STAGES = ("draft", "open", "recorded", "decided", "closed")
# Enough to find a gap quickly in the default run; `-m slow` tries many more.
QUICK = 20 if settings.default.max_examples < 400 else 60


# --- histories ------------------------------------------------------------------------------

histories = st.tuples(
    st.booleans(),  # the fund separates closers from deciders
    st.lists(
        st.tuples(st.sampled_from(STAGES), st.integers(1, 3), st.booleans()),
        min_size=1,
        max_size=3,
    ),
)


def _build(path: Path, history) -> None:
    separate, rounds = history
    with Ledger.open(path) as ledger:
        policy = LedgerPolicy(separate_closer_from_decider=separate)
        ledger.add_fund(SCF, actor="admin", policy=policy, at=AT)
        for number, (stage, size, corrected) in enumerate(rounds):
            _walk(ledger, f"t-{number}", STAGES.index(stage), size, corrected=corrected)


def _walk(ledger: Ledger, round_id: str, stage: int, size: int, *, corrected: bool) -> None:
    records = worker.records_for(round_id, size)
    apps = records.applications
    ledger.add_round(records.round, actor="admin", at=AT)
    if stage < 1:
        return
    ledger.set_round_state(round_id, "open", actor="admin", at=AT)
    ledger.add_applications(apps, actor="clerk", at=AT)
    if stage < 2:
        return
    assessed = [
        Assessment(application_id=a.id, status=Status.ELIGIBLE, rule_versions={"r": "1"})
        for a in apps
    ]
    ledger.record_assessments(assessed, actor="rules", at=AT)
    ledger.record_decisions(records.decisions, actor="clerk", at=AT)
    ledger.record_awards(records.awards, actor="clerk", at=AT)
    if corrected:
        first = records.decisions[0]
        ledger.record_decisions([attrs.evolve(first, reasons="corrected")], actor="senior", at=AT)
        resolution = Resolution(
            application_id=apps[0].id,
            eligible=True,
            reason="checked",
            resolved_by="officer",
            resolved_on=AT.date(),
        )
        ledger.record_resolutions([resolution], actor="officer", at=AT)
        ledger.record_assessments(assessed[:1], actor="rules", at=AT)
    if stage < 3:
        return
    for step in worker.STEPS[1:]:
        ledger.set_round_state(round_id, step, actor="admin", at=AT)
    if stage < 4:
        return
    ledger.close_round(round_id, pm=worker.PM, actor="manager", at=AT)


# --- what is in the file --------------------------------------------------------------------


def _facts(path: Path) -> dict:
    conn = sqlite3.connect(path)
    objects = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    tables = {}
    for type_, name, _, _ in objects:
        if type_ != "table":
            continue
        info = conn.execute(f"PRAGMA table_info({name})").fetchall()
        columns = [c[1] for c in info]
        key = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]] or ["rowid"]
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()  # noqa: S608
        tables[name] = {"columns": columns, "key": key, "rows": rows}
    last = conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    return {"objects": objects, "tables": tables, "last": last}


def _snapshot(path: Path) -> object:
    try:
        conn = sqlite3.connect(path)
        try:
            dump = sorted(conn.iterdump())
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as err:
        return ("unreadable", str(err))
    return dump, version


def _leaves(value, path=()):
    """Paths to every scalar inside parsed JSON."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _leaves(value[key], (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _changed_leaf(draw, loaded):
    """``loaded`` with one scalar somewhere inside it changed."""
    paths = [p for p in _leaves(loaded) if p]
    if not paths:
        return None
    path = draw(st.sampled_from(paths))
    copy = json.loads(json.dumps(loaded))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    leaf = holder[path[-1]]
    if isinstance(leaf, bool):
        holder[path[-1]] = not leaf
    elif isinstance(leaf, int):
        holder[path[-1]] = leaf + 1
    elif isinstance(leaf, str):
        holder[path[-1]] = leaf + "x"
    else:
        holder[path[-1]] = "x"
    return json.dumps(copy, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _other(draw, old):
    """A value different from ``old`` of a kind a forger would try."""
    if isinstance(old, int):
        return old + draw(st.sampled_from([1, -1, 100]))
    if old is None:
        return "forged"
    options = [old + "x", "forged", old.upper()]
    with contextlib.suppress(ValueError):
        loaded = json.loads(old)
        # Same data, different text; and a real edit anywhere inside that stays valid JSON.
        options.append(json.dumps(loaded, indent=1))
        if isinstance(loaded, dict | list):
            edited = _changed_leaf(draw, loaded)
            if edited is not None:
                options.extend([edited] * 3)  # most likely: the subtle edit
    return draw(st.sampled_from([o for o in options if o != old]))


# --- the catalogue --------------------------------------------------------------------------

DATA_FORMS = ("update", "update_or_replace", "replace_row", "insert_new", "collide", "delete")
SCHEMA_FORMS = ("drop", "rename", "rewrite_trigger", "user_version", "create", "forged_event")


@st.composite
def tamperings(draw, facts):
    """One tampering: (description, function of a connection, whether guards are lifted)."""
    tables = {n: t for n, t in facts["tables"].items() if t["rows"]}
    form = draw(st.sampled_from(DATA_FORMS + SCHEMA_FORMS))
    if form in DATA_FORMS:
        name = draw(st.sampled_from(sorted(tables)))
        statement = _data_statement(draw, form, name, tables[name])
        lifted = draw(st.booleans())
    else:
        statement = _schema_statement(draw, form, facts)
        lifted = False
    if statement is None:
        # The form does not apply to this file (one row only, say): an ordinary edit instead.
        name = draw(st.sampled_from(sorted(tables)))
        statement = _data_statement(draw, "update", name, tables[name])
        assert statement is not None
    return (*statement, lifted)


def _where(key, row, columns):
    values = [row[columns.index(k)] for k in key]
    return " AND ".join(f"{k} IS ?" for k in key), values


def _data_statement(draw, form, name, table):
    columns, key, rows = table["columns"], table["key"], table["rows"]
    row = draw(st.sampled_from(rows))
    where, args = _where(key, row, columns)
    column = draw(st.sampled_from(columns))
    new = _other(draw, row[columns.index(column)])
    marks = ", ".join("?" * len(columns))
    names = ", ".join(columns)
    verb = draw(st.sampled_from(["INSERT", "INSERT OR REPLACE", "REPLACE"]))
    if form in ("update", "update_or_replace"):
        how = "UPDATE" if form == "update" else "UPDATE OR REPLACE"
        sql = f"{how} {name} SET {column} = ? WHERE {where}"
        return sql, lambda c: c.execute(sql, (new, *args))
    if form == "replace_row":
        values = list(row)
        values[columns.index(column)] = new
        sql = f"{verb} INTO {name} ({names}) VALUES ({marks})"
        return sql, lambda c: c.execute(sql, values)
    if form == "insert_new":
        values = list(row)
        for k in key:
            if k in columns:
                values[columns.index(k)] = _other(draw, values[columns.index(k)])
        sql = f"{verb} INTO {name} ({names}) VALUES ({marks})"
        return sql, lambda c: c.execute(sql, values)
    if form == "collide":
        others = [r for r in rows if r != row]
        if not others or key == ["rowid"]:
            return None
        other = draw(st.sampled_from(others))
        sets = ", ".join(f"{k} = ?" for k in key)
        sql = f"UPDATE OR REPLACE {name} SET {sets} WHERE {where}"  # noqa: S608
        target = [other[columns.index(k)] for k in key]
        return sql, lambda c: c.execute(sql, (*target, *args))
    sql = f"DELETE FROM {name} WHERE {where}"  # noqa: S608
    return sql, lambda c: c.execute(sql, args)


def _schema_statement(draw, form, facts):
    objects = facts["objects"]
    triggers = sorted(o for o in objects if o[0] == "trigger")
    if form == "drop":
        type_, name, _, _ = draw(st.sampled_from(sorted(o for o in objects)))
        sql = f'DROP {type_.upper()} "{name}"'
        return sql, lambda c: c.execute(sql)
    if form == "rename":
        name = draw(st.sampled_from(sorted(facts["tables"])))
        sql = f"ALTER TABLE {name} RENAME TO {name}_kept"
        return sql, lambda c: c.execute(sql)
    if form == "rewrite_trigger":
        _, name, _, text = draw(st.sampled_from(triggers))
        word = draw(st.sampled_from(["ABORT", "closed", "NOT", "IS NOT", "max(id)", "="]))
        if word not in text:
            return None
        replacement = {"ABORT": "IGNORE", "NOT": "", "IS NOT": "IS", "max(id)": "min(id)"}
        forged = text.replace(word, replacement.get(word, "<>"), 1)

        def rewrite(conn):
            conn.execute("PRAGMA writable_schema = ON")
            conn.execute("UPDATE sqlite_schema SET sql = ? WHERE name = ?", (forged, name))
            conn.execute("PRAGMA writable_schema = OFF")

        return f"writable_schema: {name} with {word!r} changed", rewrite
    if form == "user_version":
        version = draw(st.sampled_from([0, 1, 3]))
        sql = f"PRAGMA user_version = {version}"
        return sql, lambda c: c.execute(sql)
    if form == "create":
        sql = draw(
            st.sampled_from(
                [
                    "CREATE TABLE notes (x TEXT)",
                    "CREATE INDEX extra ON events (actor)",
                    "CREATE VIEW everything AS SELECT * FROM events",
                    "CREATE TRIGGER quiet AFTER INSERT ON events BEGIN SELECT 1; END",
                ]
            )
        )
        return sql, lambda c: c.execute(sql)
    return _forged_event(draw, facts)


def _forged_event(draw, facts):
    """An event appended with a correct link and hash: only what it claims can betray it."""
    last_id, last_hash = facts["last"]
    rounds = [r[0] for r in facts["tables"]["rounds"]["rows"]] or [None]
    action = draw(
        st.sampled_from(
            [
                "note",
                "decisions.recorded",
                "round.state",
                "round.closed",
                "fund.added",
                "ledger.schema",
            ]
        )
    )
    detail = {"count": 0, "replaced": []} if action.endswith(".recorded") else {}
    if action == "round.state":
        detail = {"from": "open", "to": "closed_to_applications", "reason": ""}
    if action == "ledger.schema":
        detail = {"schema_version": 2}
    fields = {
        "id": last_id + 1,
        "prev_hash": last_hash,
        "at": AT.isoformat(),
        "actor": "forger",
        "action": action,
        "entity": "ledger",
        "round_id": draw(st.sampled_from(rounds)),
        "rule_versions": "{}",
        "detail": json.dumps(detail, sort_keys=True, separators=(",", ":")),
        "digest": hashlib.sha256(b"").hexdigest(),
    }
    row = {**fields, "hash": event_hash(**fields)}
    sql = f"INSERT INTO events ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"  # noqa: S608
    return f"forged {action} event", lambda c: c.execute(sql, tuple(row.values()))


# --- running one ----------------------------------------------------------------------------


def _apply(path: Path, statement, *, lifted: bool, recursive: bool) -> bool:
    """Run the statement; True if the database refused it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA recursive_triggers = {'ON' if recursive else 'OFF'}")
    triggers = []
    if lifted:
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'"
        ).fetchall()
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
    try:
        statement(conn)
        refused = False
    except sqlite3.Error:
        refused = True
    for _, sql in triggers:
        conn.execute(sql)
    conn.close()
    return refused


def _check(tmp_path_factory, history, data) -> None:
    path = tmp_path_factory.mktemp("tamper") / "l.db"
    _build(path, history)
    assert verify_file(path).ok
    description, statement, lifted = data.draw(tamperings(_facts(path)), label="tampering")
    recursive = data.draw(st.booleans(), label="recursive_triggers")
    before = _snapshot(path)
    refused = _apply(path, statement, lifted=lifted, recursive=recursive)
    after = _snapshot(path)
    if refused:
        assert after == before, f"{description} was refused but changed the file"
    if after == before:
        return
    report = verify_file(path)  # must not raise, whatever the statement did
    assert not report.ok, f"{description} (guards lifted: {lifted}) went unreported"


@settings(max_examples=QUICK, deadline=None, suppress_health_check=list(HealthCheck))
@given(history=histories, data=st.data())
def test_any_history_then_any_tampering_is_refused_or_reported(tmp_path_factory, history, data):
    _check(tmp_path_factory, history, data)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(history=histories, data=st.data())
def test_any_history_then_any_tampering_many_times(tmp_path_factory, history, data):
    _check(tmp_path_factory, history, data)


# --- every field of every stored JSON ----------------------------------------------------------

FULL_HISTORY = (True, [("closed", 3, True), ("closed", 2, False), ("recorded", 2, True)])


@pytest.fixture(scope="module")
def full_ledger(tmp_path_factory):
    """Rounds closed and open, with corrections: a row of every kind, superseded ones too."""
    path = tmp_path_factory.mktemp("full") / "l.db"
    _build(path, FULL_HISTORY)
    facts = _facts(path)
    json_cells = [
        (name, column, row)
        for name, table in sorted(facts["tables"].items())
        for row in table["rows"]
        for column in table["columns"]
        if isinstance(row[table["columns"].index(column)], str)
        and row[table["columns"].index(column)][:1] in "{["
    ]
    return path, facts, json_cells


def _check_leaf_edit(full_ledger, tmp_path_factory, data):
    source, facts, cells = full_ledger
    name, column, row = data.draw(st.sampled_from(cells), label="cell")
    table = facts["tables"][name]
    old = row[table["columns"].index(column)]
    edited = _changed_leaf(data.draw, json.loads(old))
    if edited is None or edited == old:
        return
    path = tmp_path_factory.mktemp("leaf") / "l.db"
    conn = sqlite3.connect(source)
    copy = sqlite3.connect(path)
    conn.backup(copy)
    conn.close()
    copy.close()
    where, args = _where(table["key"], row, table["columns"])
    sql = f"UPDATE {name} SET {column} = ? WHERE {where}"  # noqa: S608
    _apply(path, lambda c: c.execute(sql, (edited, *args)), lifted=True, recursive=False)
    report = verify_file(path)
    assert not report.ok, f"{name}.{column} of {row[0]!r} edited to {edited[:200]} went unreported"


@settings(max_examples=QUICK * 2, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_field_of_any_stored_record_edited_is_reported(full_ledger, tmp_path_factory, data):
    _check_leaf_edit(full_ledger, tmp_path_factory, data)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_field_of_any_stored_record_edited_many_times(full_ledger, tmp_path_factory, data):
    _check_leaf_edit(full_ledger, tmp_path_factory, data)
