"""The SQLite schema of the ledger, generated from the kinds, as numbered migrations.

Everything here is SQLite's dialect; a PostgreSQL store mirrors it with the same tables and
the same guards as PL/pgSQL trigger functions. The guards are BEFORE INSERT / BEFORE UPDATE /
BEFORE DELETE triggers, so they hold whatever ``recursive_triggers`` says: a REPLACE never gets
to delete a row, because the INSERT that would replace an existing key is refused first, keys
never change, and nothing is ever deleted. What they enforce:

- events are appended in order, each following on from the one before; events, closure records
  and superseded records are never changed or deleted;
- a record is written only together with the newest event (its ``event_id``), only while its
  round is in a state that accepts its kind, and never in or out of a closed round;
- a correction keeps what it replaced (a superseded row written by the same event) first;
- a round starts as draft and moves one step forward at a time, each step with its event;
  it is closed only with a closure record that agrees with its closing event.

``verify()`` checks that this schema is exactly what is in the file.
"""

# ruff: noqa: S608 - the DDL is assembled from the kinds' constants, never from input

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from sgfund.ledger.kinds import AWARD_STEPS, ROUNDS, V2_KINDS, Kind
from sgfund.ledger.schema_v1 import V1, V1_TABLES
from sgfund.lifecycle import TRANSITIONS, RoundState

__all__ = [
    "CLOSED_MESSAGE",
    "EVENTS_MESSAGE",
    "GENESIS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Migration",
    "kind_ddl",
]

# The "previous hash" of the first event.
GENESIS = "0" * 64

# SQLite's RAISE takes a constant message, so the messages say what, not which.
CLOSED_MESSAGE = "sgfund: this round is closed; its records cannot change"
EVENTS_MESSAGE = "sgfund: events are append-only"
_STORED = "sgfund: a record with this key is already stored; corrections go through the ledger"
_NEWEST = "sgfund: a record is written only together with the newest event"
_NEVER_DELETED = "sgfund: nothing is deleted from the ledger"
_NEVER_CHANGED = "sgfund: this record never changes once stored"
_KEY_FIXED = "sgfund: a record's key never changes"
_KEEP_REPLACED = "sgfund: a correction keeps the record it replaces"
_ACTOR = "sgfund: a record names the actor of the event that wrote it"
_AWARD_ROUND = "sgfund: an award belongs to its application's round"
_REOPEN = "sgfund: a closed round stays closed"
_NO_CLOSURE = "sgfund: a round is closed only together with its closure record"
_ROUND_FIXED = "sgfund: a round's details never change; only its state moves"
_ONE_STEP = "sgfund: a round moves one step forward at a time"
_STATE_EVENT = "sgfund: a round's state moves only together with its event"
_STARTS_DRAFT = "sgfund: a round starts as draft"
_CLOSURES = "sgfund: closure records are append-only"
_CLOSE_DECIDED = "sgfund: only a decided round is closed"
_CLOSURE_EVENT = "sgfund: a closure record agrees with its closing event"
_IN_ORDER = "sgfund: events are appended in order, each following on from the one before"
_SUPERSEDED = "sgfund: superseded records are append-only"
_SUPERSEDED_NEWEST = "sgfund: a record is superseded only by the newest event"
_SUPERSEDED_STORED = "sgfund: only the stored version of a record is superseded"

_NEWEST_ID = "(SELECT max(id) FROM events)"


def _q(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _states(states: frozenset[RoundState]) -> str:
    return ", ".join(_q(str(s)) for s in RoundState if s in states)


Refusal = tuple[str, str]  # (message, condition)


def _refuse(message: str, condition: str) -> list[Refusal]:
    return [(message, condition)]


def _trigger(
    name: str, when: str, table: str, refusals: list[Refusal], states: Sequence[str] = ()
) -> str:
    """A trigger refusing the row with the first message whose condition holds.

    One statement, so the round's state (``states``: ``new_state``, ``old_state``, each bound
    once) is looked up once per row.
    """
    arms = "".join(f"        WHEN {c} THEN RAISE(ABORT, {_q(m)})\n" for m, c in refusals)
    source = ""
    if states:
        source = " FROM (SELECT " + ", ".join(states) + ")"
    return (
        f"CREATE TRIGGER {name} BEFORE {when} ON {table}\nBEGIN\n    SELECT CASE\n{arms}"
        f"    END{source};\nEND;\n"
    )


def _round_state(kind: Kind, row: str) -> str:
    """SQL binding the state of the round a ``row`` (NEW or OLD) belongs to ('' if none)."""
    if kind.round_column is not None:
        found = f"(SELECT state FROM rounds WHERE id = {row}.{kind.round_column})"
    else:
        found = (
            "(SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id "
            f"WHERE a.id = {row}.{kind.application_column})"
        )
    return f"coalesce({found}, '') AS {row.lower()}_state"


def _table(kind: Kind, *extra: str) -> str:
    lines = []
    for column in kind.columns:
        line = f"{column.name} {column.type} NOT NULL"
        if column.check:
            line += f" CHECK ({column.check})"
        if column.references:
            line += f" REFERENCES {column.references}"
        lines.append(line)
    lines.extend(extra)
    lines.append("event_id INTEGER NOT NULL REFERENCES events (id)")
    lines.append(f"PRIMARY KEY ({kind.key})")
    lines.extend(f"CHECK ({check})" for check in kind.checks)
    body = ",\n    ".join(lines)
    sql = f"CREATE TABLE {kind.table} (\n    {body}\n) STRICT, WITHOUT ROWID;\n"
    for index in kind.indexes:
        sql += f"CREATE INDEX {index.name} ON {kind.table} ({', '.join(index.columns)});\n"
    return sql


def _not_accepted(kind: Kind, state: str) -> str:
    return f"{state} NOT IN ({_states(kind.accepts)})"


def _insert_guard(kind: Kind) -> str:
    t, key = kind.table, kind.key
    refusals = _refuse(_STORED, f"EXISTS (SELECT 1 FROM {t} WHERE {key} = NEW.{key})")
    refusals += _refuse(_NEWEST, f"NEW.event_id IS NOT {_NEWEST_ID}")
    states = []
    if kind.in_round:
        states.append(_round_state(kind, "NEW"))
        if RoundState.CLOSED not in kind.accepts:
            refusals += _refuse(CLOSED_MESSAGE, "new_state = 'closed'")
        message = f"sgfund: this round's state does not accept {kind.name}"
        refusals += _refuse(message, _not_accepted(kind, "new_state"))
    refusals += _consistency(kind)
    refusals += [(message, condition) for message, condition in kind.guards]
    return _trigger(f"{t}_insert", "INSERT", t, refusals, states)


def _consistency(kind: Kind) -> list[Refusal]:
    refusals = []
    if kind.actor_column is not None:
        refusals += _refuse(
            _ACTOR,
            f"NEW.{kind.actor_column} IS NOT (SELECT actor FROM events WHERE id = NEW.event_id)",
        )
    if kind.round_column is not None and kind.application_column is not None:
        refusals += _refuse(
            _AWARD_ROUND,
            f"NEW.{kind.round_column} IS NOT "
            f"(SELECT round_id FROM applications WHERE id = NEW.{kind.application_column})",
        )
    return refusals


def _update_guard(kind: Kind) -> str:
    t, key = kind.table, kind.key
    states = [_round_state(kind, "OLD"), _round_state(kind, "NEW")]
    refusals: list[Refusal] = []
    if RoundState.CLOSED not in kind.accepts:
        refusals += _refuse(CLOSED_MESSAGE, "old_state = 'closed' OR new_state = 'closed'")
    if not kind.correctable:
        return _trigger(f"{t}_update", "UPDATE", t, refusals + _refuse(_NEVER_CHANGED, "1"), states)
    refusals += _refuse(_KEY_FIXED, f"NEW.{key} IS NOT OLD.{key}")
    refusals += _refuse(
        f"sgfund: this round's state does not accept {kind.name}",
        f"{_not_accepted(kind, 'old_state')} OR {_not_accepted(kind, 'new_state')}",
    )
    refusals += _refuse(
        _NEWEST, f"NEW.event_id IS NOT {_NEWEST_ID} OR NEW.event_id <= OLD.event_id"
    )
    refusals += _refuse(
        _KEEP_REPLACED,
        f"NOT EXISTS (SELECT 1 FROM superseded WHERE kind = {_q(kind.name)} "
        f"AND key = OLD.{key} AND written_by = OLD.event_id AND replaced_by = NEW.event_id)",
    )
    refusals += _consistency(kind)
    return _trigger(f"{t}_update", "UPDATE", t, refusals, states)


def _delete_guard(kind: Kind) -> str:
    refusals: list[Refusal] = []
    if RoundState.CLOSED not in kind.accepts:
        refusals += _refuse(CLOSED_MESSAGE, "old_state = 'closed'")
    refusals += _refuse(_NEVER_DELETED, "1")
    states = [_round_state(kind, "OLD")]
    return _trigger(f"{kind.table}_delete", "DELETE", kind.table, refusals, states)


def _never(table: str, message: str, *operations: str) -> str:
    return "".join(
        _trigger(f"{table}_{op.lower()}", op, table, _refuse(message, "1")) for op in operations
    )


_MOVES = ", ".join(
    _q(f"{source}>{target}") for source, targets in TRANSITIONS.items() for target in targets
)


def _rounds() -> str:
    insert = _refuse(_STORED, "EXISTS (SELECT 1 FROM rounds WHERE id = NEW.id)")
    insert += _refuse(_STARTS_DRAFT, "NEW.state IS NOT 'draft'")
    insert += _refuse(_NEWEST, f"NEW.event_id IS NOT {_NEWEST_ID}")
    fixed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in (*ROUNDS.column_names, "event_id"))
    update = _refuse(_REOPEN, "OLD.state = 'closed'")
    update += _refuse(_ROUND_FIXED, fixed)
    update += _refuse(_ONE_STEP, f"OLD.state || '>' || NEW.state NOT IN ({_MOVES})")
    update += _refuse(
        _NO_CLOSURE,
        "NEW.state = 'closed' AND NOT EXISTS (SELECT 1 FROM closures WHERE round_id = NEW.id)",
    )
    update += _refuse(
        _STATE_EVENT,
        f"NOT EXISTS (SELECT 1 FROM events WHERE id = {_NEWEST_ID} AND round_id = NEW.id "
        "AND action IN ('round.state', 'round.closed') "
        "AND json_extract(detail, '$.to') = NEW.state)",
    )
    delete = _refuse(CLOSED_MESSAGE, "OLD.state = 'closed'") + _refuse(_NEVER_DELETED, "1")
    return (
        _trigger("rounds_insert", "INSERT", "rounds", insert)
        + _trigger("rounds_update", "UPDATE", "rounds", update)
        + _trigger("rounds_delete", "DELETE", "rounds", delete)
    )


def _events() -> str:
    insert = _refuse(_IN_ORDER, f"NEW.id IS NOT coalesce({_NEWEST_ID}, 0) + 1")
    insert += _refuse(
        _IN_ORDER,
        f"NEW.prev_hash IS NOT coalesce((SELECT hash FROM events WHERE id = NEW.id - 1), "
        f"{_q(GENESIS)})",
    )
    insert += _refuse(EVENTS_MESSAGE, "EXISTS (SELECT 1 FROM events WHERE hash = NEW.hash)")
    table = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY CHECK (id > 0),
    at TEXT NOT NULL,
    actor TEXT NOT NULL CHECK (actor <> ''),
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    round_id TEXT,
    rule_versions TEXT NOT NULL,
    detail TEXT NOT NULL,
    digest TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;
CREATE INDEX events_by_round ON events (round_id);
"""
    return (
        table
        + _trigger("events_insert", "INSERT", "events", insert)
        + _never("events", EVENTS_MESSAGE, "UPDATE", "DELETE")
    )


def _closures() -> str:
    insert = _refuse(_CLOSURES, "EXISTS (SELECT 1 FROM closures WHERE round_id = NEW.round_id)")
    insert += _refuse(
        _CLOSE_DECIDED, "(SELECT state FROM rounds WHERE id = NEW.round_id) IS NOT 'decided'"
    )
    insert += _refuse(
        _CLOSURE_EVENT,
        f"NOT EXISTS (SELECT 1 FROM events WHERE id = NEW.event_id AND id = {_NEWEST_ID} "
        "AND action = 'round.closed' AND round_id = NEW.round_id "
        "AND actor = NEW.closed_by AND at = NEW.closed_at AND digest = NEW.digest)",
    )
    table = """
CREATE TABLE closures (
    round_id TEXT NOT NULL REFERENCES rounds (id),
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL CHECK (closed_by <> ''),
    digest TEXT NOT NULL,
    event_id INTEGER NOT NULL UNIQUE REFERENCES events (id),
    record TEXT NOT NULL,
    PRIMARY KEY (round_id)
) STRICT, WITHOUT ROWID;
"""
    return (
        table
        + _trigger("closures_insert", "INSERT", "closures", insert)
        + _never("closures", _CLOSURES, "UPDATE", "DELETE")
    )


def _superseded() -> str:
    current = " ".join(
        f"WHEN {_q(k.name)} THEN EXISTS (SELECT 1 FROM {k.table} "
        f"WHERE {k.key} = NEW.key AND event_id = NEW.written_by)"
        for k in V2_KINDS
        if k.correctable
    )
    insert = _refuse(
        _SUPERSEDED,
        "EXISTS (SELECT 1 FROM superseded WHERE kind = NEW.kind AND key = NEW.key "
        "AND replaced_by = NEW.replaced_by)",
    )
    insert += _refuse(_SUPERSEDED_NEWEST, f"NEW.replaced_by IS NOT {_NEWEST_ID}")
    insert += _refuse(_SUPERSEDED_STORED, f"NOT (CASE NEW.kind {current} ELSE 0 END)")
    table = """
-- Earlier versions of corrected records: a correction never erases what it replaced.
-- ``image`` is the replaced row as canonical JSON, exactly as its event digested it.
CREATE TABLE superseded (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    written_by INTEGER NOT NULL REFERENCES events (id),
    replaced_by INTEGER NOT NULL REFERENCES events (id),
    image TEXT NOT NULL,
    PRIMARY KEY (kind, key, replaced_by),
    CHECK (written_by < replaced_by)
) STRICT, WITHOUT ROWID;
"""
    return (
        table
        + _trigger("superseded_insert", "INSERT", "superseded", insert)
        + _never("superseded", _SUPERSEDED, "UPDATE", "DELETE")
    )


def kind_ddl(kind: Kind) -> str:
    """The table, indexes and guarding triggers of ``kind`` (for a migration adding a kind)."""
    if kind is ROUNDS:
        every = _states(frozenset(RoundState))
        state = f"state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ({every}))"
        return _table(kind, state) + _rounds()
    if not kind.in_round:
        immutable = _never(kind.table, _NEVER_CHANGED, "UPDATE") + _never(
            kind.table, _NEVER_DELETED, "DELETE"
        )
        return _table(kind) + _insert_guard(kind) + immutable
    return _table(kind) + _insert_guard(kind) + _update_guard(kind) + _delete_guard(kind)


_V2_DROP = "".join(f"DROP TABLE {table};\n" for table in V1_TABLES)

V2_CREATE = (
    _events() + "".join("\n" + kind_ddl(kind) for kind in V2_KINDS) + _closures() + _superseded()
)


@frozen
class Migration:
    """One step of the schema: a script, and a query that, when it counts anything, refuses it."""

    script: str
    refuse_when: str | None = None
    refusal: str = ""


# Migration n (1-based) brings user_version from n-1 to n. Append; never edit a shipped one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(V1),
    Migration(
        _V2_DROP + V2_CREATE,
        # Version 1 events do not say which rows they wrote, so their records could never be
        # verified under version 2: only a file that holds nothing yet is upgraded.
        refuse_when="SELECT count(*) FROM events",
        refusal=(
            "it was written by a development version of sgfund (schema 1), whose events do not "
            "record what they wrote; it cannot be upgraded: start a new ledger file and import "
            "the rounds again"
        ),
    ),
    # Post-award steps (offers, payments, returns, variations, clawbacks) of closed rounds.
    Migration(kind_ddl(AWARD_STEPS)),
)
SCHEMA_VERSION = len(MIGRATIONS)
