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
    "AMENDABLE",
    "CLOSED_MESSAGE",
    "EVENTS_MESSAGE",
    "GENESIS",
    "MIGRATIONS",
    "ROUND_AMENDED",
    "SCHEMA_VERSION",
    "V2_PARTS",
    "V4_GUARDS",
    "Guard",
    "Migration",
    "kind_ddl",
    "kind_parts",
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
_ROUND_KEYS = "sgfund: a round's id, fund and era never change"
_AMEND_STATE = "sgfund: only a draft or open round's terms change; the others keep their terms"
_AMEND_ALONE = "sgfund: a round's terms and its state do not change together"
_AMEND_EVENT = "sgfund: a round's terms change only together with its round.amended event"
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

# The action of the event that amends a round's terms (`Ledger.amend_round`), and the states
# in which a round's terms may change: before any application has been judged under them.
# From closed_to_applications on, the field is known and assessment has begun, so the terms
# the applications are judged under stay as they were.
ROUND_AMENDED = "round.amended"
AMENDABLE = frozenset({RoundState.DRAFT, RoundState.OPEN})


def _q(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _states(states: frozenset[RoundState]) -> str:
    return ", ".join(_q(str(s)) for s in RoundState if s in states)


Refusal = tuple[str, str]  # (message, condition)
# A table's DDL (SQLite's dialect) and the guards on it.
Part = tuple[str, tuple["Guard", ...]]


def _refuse(message: str, condition: str) -> list[Refusal]:
    return [(message, condition)]


@frozen
class Guard:
    """One guarding trigger: refuse the row with the first message whose condition holds.

    ``states`` binds names (``new_state``, ``old_state``) to expressions, each evaluated once
    per row. Conditions are written in SQLite's dialect; `sqlite` renders the trigger, and the
    PostgreSQL store renders the same guard as a PL/pgSQL function (`sgfund.ledger.schema_pg`).
    """

    name: str
    when: str  # INSERT, UPDATE or DELETE
    table: str
    refusals: tuple[Refusal, ...]
    states: tuple[tuple[str, str], ...] = ()

    def sqlite(self) -> str:
        """The guard as a SQLite trigger: one statement, so the round's state is looked up once."""
        arms = "".join(f"        WHEN {c} THEN RAISE(ABORT, {_q(m)})\n" for m, c in self.refusals)
        source = ""
        if self.states:
            source = " FROM (SELECT " + ", ".join(f"{e} AS {n}" for n, e in self.states) + ")"
        return (
            f"CREATE TRIGGER {self.name} BEFORE {self.when} ON {self.table}\nBEGIN\n"
            f"    SELECT CASE\n{arms}    END{source};\nEND;\n"
        )


def _trigger(
    name: str,
    when: str,
    table: str,
    refusals: list[Refusal],
    states: Sequence[tuple[str, str]] = (),
) -> Guard:
    return Guard(name, when, table, tuple(refusals), tuple(states))


def _round_state(kind: Kind, row: str) -> tuple[str, str]:
    """SQL binding the state of the round a ``row`` (NEW or OLD) belongs to ('' if none)."""
    if kind.round_column is not None:
        found = f"(SELECT state FROM rounds WHERE id = {row}.{kind.round_column})"
    else:
        found = (
            "(SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id "
            f"WHERE a.id = {row}.{kind.application_column})"
        )
    return f"{row.lower()}_state", f"coalesce({found}, '')"


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


def _insert_guard(kind: Kind) -> Guard:
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


def _update_guard(kind: Kind) -> Guard:
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


def _delete_guard(kind: Kind) -> Guard:
    refusals: list[Refusal] = []
    if RoundState.CLOSED not in kind.accepts:
        refusals += _refuse(CLOSED_MESSAGE, "old_state = 'closed'")
    refusals += _refuse(_NEVER_DELETED, "1")
    states = [_round_state(kind, "OLD")]
    return _trigger(f"{kind.table}_delete", "DELETE", kind.table, refusals, states)


def _never(table: str, message: str, *operations: str) -> list[Guard]:
    return [
        _trigger(f"{table}_{op.lower()}", op, table, _refuse(message, "1")) for op in operations
    ]


_MOVES = ", ".join(
    _q(f"{source}>{target}") for source, targets in TRANSITIONS.items() for target in targets
)


def _rounds() -> list[Guard]:
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
    return [
        _trigger("rounds_insert", "INSERT", "rounds", insert),
        _trigger("rounds_update", "UPDATE", "rounds", update),
        _trigger("rounds_delete", "DELETE", "rounds", delete),
    ]


# An UPDATE of a round changes its terms (its JSON, with the event that wrote it) or its state.
_AMENDING = "(NEW.data IS NOT OLD.data OR NEW.event_id IS NOT OLD.event_id)"


def _rounds_update_v4() -> Guard:
    """Schema 4's guard on a round's row: its state moves as before; a draft or open round's
    terms change only with the newest event, a ``round.amended`` event for it, which keeps the
    terms it replaces as a superseded row.
    """  # noqa: D205 - the summary needs both lines
    update = _refuse(_REOPEN, "OLD.state = 'closed'")
    update += _refuse(
        _ROUND_KEYS,
        "NEW.id IS NOT OLD.id OR NEW.fund_id IS NOT OLD.fund_id OR NEW.era_id IS NOT OLD.era_id",
    )
    update += _refuse(_AMEND_STATE, f"{_AMENDING} AND OLD.state NOT IN ({_states(AMENDABLE)})")
    update += _refuse(_AMEND_ALONE, f"{_AMENDING} AND NEW.state IS NOT OLD.state")
    update += _refuse(
        _AMEND_EVENT,
        f"{_AMENDING} AND (NEW.event_id <= OLD.event_id OR NOT EXISTS (SELECT 1 FROM events "
        f"WHERE id = {_NEWEST_ID} AND id = NEW.event_id AND round_id = NEW.id "
        f"AND action = {_q(ROUND_AMENDED)}))",
    )
    update += _refuse(
        _KEEP_REPLACED,
        f"{_AMENDING} AND NOT EXISTS (SELECT 1 FROM superseded WHERE kind = 'rounds' "
        "AND key = OLD.id AND written_by = OLD.event_id AND replaced_by = NEW.event_id)",
    )
    moving = f"NOT {_AMENDING} AND "
    update += _refuse(_ONE_STEP, f"{moving}OLD.state || '>' || NEW.state NOT IN ({_MOVES})")
    update += _refuse(
        _NO_CLOSURE,
        "NEW.state = 'closed' AND NOT EXISTS (SELECT 1 FROM closures WHERE round_id = NEW.id)",
    )
    update += _refuse(
        _STATE_EVENT,
        f"{moving}NOT EXISTS (SELECT 1 FROM events WHERE id = {_NEWEST_ID} "
        "AND round_id = NEW.id AND action IN ('round.state', 'round.closed') "
        "AND json_extract(detail, '$.to') = NEW.state)",
    )
    return _trigger("rounds_update", "UPDATE", "rounds", update)


def _events() -> Part:
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
    guards = [_trigger("events_insert", "INSERT", "events", insert)]
    return table, (*guards, *_never("events", EVENTS_MESSAGE, "UPDATE", "DELETE"))


def _closures() -> Part:
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
    guards = [_trigger("closures_insert", "INSERT", "closures", insert)]
    return table, (*guards, *_never("closures", _CLOSURES, "UPDATE", "DELETE"))


def _superseded_insert(kinds: Sequence[Kind]) -> list[Refusal]:
    current = " ".join(
        f"WHEN {_q(k.name)} THEN EXISTS (SELECT 1 FROM {k.table} "
        f"WHERE {k.key} = NEW.key AND event_id = NEW.written_by)"
        for k in kinds
    )
    insert = _refuse(
        _SUPERSEDED,
        "EXISTS (SELECT 1 FROM superseded WHERE kind = NEW.kind AND key = NEW.key "
        "AND replaced_by = NEW.replaced_by)",
    )
    insert += _refuse(_SUPERSEDED_NEWEST, f"NEW.replaced_by IS NOT {_NEWEST_ID}")
    insert += _refuse(_SUPERSEDED_STORED, f"NOT (CASE NEW.kind {current} ELSE 0 END)")
    return insert


def _superseded() -> Part:
    insert = _superseded_insert([k for k in V2_KINDS if k.correctable])
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
    guards = [_trigger("superseded_insert", "INSERT", "superseded", insert)]
    return table, (*guards, *_never("superseded", _SUPERSEDED, "UPDATE", "DELETE"))


def kind_parts(kind: Kind) -> Part:
    """The table and indexes (SQLite's DDL) of ``kind``, and its guards."""
    if kind is ROUNDS:
        every = _states(frozenset(RoundState))
        state = f"state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ({every}))"
        return _table(kind, state), tuple(_rounds())
    if not kind.in_round:
        immutable = _never(kind.table, _NEVER_CHANGED, "UPDATE") + _never(
            kind.table, _NEVER_DELETED, "DELETE"
        )
        return _table(kind), (_insert_guard(kind), *immutable)
    return _table(kind), (_insert_guard(kind), _update_guard(kind), _delete_guard(kind))


def _ddl(part: Part) -> str:
    table, guards = part
    return table + "".join(guard.sqlite() for guard in guards)


def kind_ddl(kind: Kind) -> str:
    """The table, indexes and guarding triggers of ``kind`` (for a migration adding a kind)."""
    return _ddl(kind_parts(kind))


_V2_DROP = "".join(f"DROP TABLE {table};\n" for table in V1_TABLES)

# Schema 2 as parts (tables and their guards), in the order they are created: the SQLite
# migration renders them as triggers, the PostgreSQL store as trigger functions.
V2_PARTS: tuple[Part, ...] = (
    _events(),
    *(kind_parts(kind) for kind in V2_KINDS),
    _closures(),
    _superseded(),
)
V2_CREATE = (
    _ddl(V2_PARTS[0])
    + "".join("\n" + kind_ddl(kind) for kind in V2_KINDS)
    + "".join(_ddl(part) for part in V2_PARTS[-2:])
)


@frozen
class Migration:
    """One step of the schema: a script, and a query that, when it counts anything, refuses it."""

    script: str
    refuse_when: str | None = None
    refusal: str = ""


# Schema 4 replaces two guards: the round's (terms may be amended) and the superseded rows'
# (a round's replaced terms are kept there, as corrected records are).
V4_GUARDS: tuple[Guard, ...] = (
    _rounds_update_v4(),
    _trigger(
        "superseded_insert",
        "INSERT",
        "superseded",
        _superseded_insert([*(k for k in V2_KINDS if k.correctable), ROUNDS]),
    ),
)
_V4_SCRIPT = "".join(f"DROP TRIGGER {g.name};\n" + g.sqlite() for g in V4_GUARDS)


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
    # A draft or open round's terms may be amended, with a round.amended event that keeps the
    # terms it replaces as a superseded row.
    Migration(_V4_SCRIPT),
)
SCHEMA_VERSION = len(MIGRATIONS)
