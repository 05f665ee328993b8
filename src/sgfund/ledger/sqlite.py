"""The SQLite store: one file, WAL, foreign keys on, STRICT tables and guarding triggers.

Write transactions are ``BEGIN IMMEDIATE``: the write lock is taken first, so what the ledger
checks inside a transaction (a round is not closed yet) stays true until it commits. Waiting for
another writer is handled here, so "database is locked" never reaches the user: after
``timeout`` seconds they get a `LedgerError` that says the ledger is busy. A file that is not a
ledger, or is damaged, is refused with a `LedgerError` naming the file and what is wrong.
"""

# ruff: noqa: S608 - table and column names come from the kinds, never from input

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from urllib.parse import quote

from sgfund.errors import LedgerError
from sgfund.ledger.kinds import APPLICATIONS, Kind, Row, canonical
from sgfund.ledger.schema import MIGRATIONS, SCHEMA_VERSION
from sgfund.ledger.store import (
    ClosureRow,
    DuplicateKeyError,
    EventRow,
    Record,
    RoundRow,
    StorageProblem,
    SupersededRow,
)

__all__ = ["SqliteStore", "SqliteTransaction", "expected_schema"]

# SQLite allows 32766 host parameters since 3.32; stay well below for older builds.
_CHUNK = 900
_EVENT_COLUMNS = (
    "id, at, actor, action, entity, round_id, rule_versions, detail, digest, prev_hash, hash"
)
_CLOSURE_COLUMNS = "round_id, closed_at, closed_by, digest, event_id, record"
_SUPERSEDED_COLUMNS = "kind, key, written_by, replaced_by, image"
# SQLite's own statistics tables (from ANALYZE) are not part of the ledger's schema.
_INTERNAL = "sqlite_stat%"

SchemaObject = tuple[str, str, str, str | None]


def _chunks(values: Sequence[object]) -> Iterator[Sequence[object]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _marks(count: int) -> str:
    return ",".join("?" * count)


def _is_busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into complete statements (triggers contain semicolons)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement:
                yield statement
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


def _schema_objects(conn: sqlite3.Connection) -> list[SchemaObject]:
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE ? "
        "ORDER BY type, name",
        (_INTERNAL,),
    ).fetchall()
    return [(str(t), str(n), str(tb), None if s is None else str(s)) for t, n, tb, s in rows]


@cache
def expected_schema(version: int = SCHEMA_VERSION) -> tuple[SchemaObject, ...]:
    """Every object (type, name, table, SQL) the migrations up to ``version`` create."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for migration in MIGRATIONS[:version]:
            for statement in _statements(migration.script):
                conn.execute(statement)
        return tuple(_schema_objects(conn))
    finally:
        conn.close()


class SqliteTransaction:
    """`sgfund.ledger.store.Transaction` over one sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # --- records of any kind ---------------------------------------------------------------

    def _select(self, kind: Kind) -> str:
        return f"SELECT {', '.join(kind.column_names)}, event_id FROM {kind.table}"

    def rows(self, kind: Kind, keys: Sequence[str]) -> dict[str, Record]:
        """The stored records of ``kind`` with these keys, by key."""
        found: dict[str, Record] = {}
        for chunk in _chunks(keys):
            cursor = self._conn.execute(
                f"{self._select(kind)} WHERE {kind.key} IN ({_marks(len(chunk))})", tuple(chunk)
            )
            for values in cursor:
                found[values[0]] = Record(tuple(values[:-1]), values[-1])
        return found

    def round_rows(self, kind: Kind, round_id: str) -> list[Record]:
        """Every stored record of ``kind`` in one round."""
        if kind.round_column is not None:
            where = f"{kind.round_column} = ?"
        else:
            where = f"{kind.application_column} IN (SELECT id FROM applications WHERE round_id = ?)"
        # By key: the order SQLite's tables keep anyway, and the same on every store.
        sql = f"{self._select(kind)} WHERE {where} ORDER BY {kind.key}"
        cursor = self._conn.execute(sql, (round_id,))
        return [Record(tuple(values[:-1]), values[-1]) for values in cursor]

    def rows_with(self, kind: Kind, column: str, values: Sequence[str]) -> list[Record]:
        """The stored records of ``kind`` whose ``column`` is in ``values``."""
        if column not in kind.column_names:
            raise ValueError(f"{kind.name} have no column {column!r}")
        found: list[Record] = []
        for chunk in _chunks(values):
            cursor = self._conn.execute(
                f"{self._select(kind)} WHERE {column} IN ({_marks(len(chunk))})", tuple(chunk)
            )
            found.extend(Record(tuple(v[:-1]), v[-1]) for v in cursor)
        return found

    def written(self, kind: Kind, event_ids: Sequence[int] | None = None) -> Iterator[Record]:
        """Records of ``kind`` (of these events, or all), ordered by event id, then key."""
        order = f"ORDER BY event_id, {kind.key}"
        if event_ids is None:
            batches: list[tuple[str, tuple[object, ...]]] = [(f"{self._select(kind)} {order}", ())]
        else:
            batches = [
                (f"{self._select(kind)} WHERE event_id IN ({_marks(len(c))}) {order}", tuple(c))
                for c in _chunks(sorted(set(event_ids)))
            ]
        for sql, args in batches:
            for values in self._conn.execute(sql, args):
                yield Record(tuple(values[:-1]), values[-1])

    def insert(self, kind: Kind, rows: Sequence[Row], event_id: int) -> None:
        """Store new records written by ``event_id``; `DuplicateKeyError` if a key is taken."""
        names = (*kind.column_names, "event_id")
        sql = f"INSERT INTO {kind.table} ({', '.join(names)}) VALUES ({_marks(len(names))})"
        try:
            self._conn.executemany(sql, [(*row, event_id) for row in rows])
        except sqlite3.IntegrityError as err:
            if "already stored" in str(err) or "UNIQUE" in str(err):
                raise DuplicateKeyError(str(err)) from err
            raise

    def replace(self, kind: Kind, rows: Sequence[Row], event_id: int) -> None:
        """Store corrections of records already stored."""
        names = kind.column_names[1:]
        sets = ", ".join(f"{name} = ?" for name in (*names, "event_id"))
        self._conn.executemany(
            f"UPDATE {kind.table} SET {sets} WHERE {kind.key} = ?",
            [(*row[1:], event_id, row[0]) for row in rows],
        )

    # --- rounds ----------------------------------------------------------------------------

    def round(self, round_id: str) -> RoundRow | None:
        """The round with this id."""
        row = self._conn.execute(
            "SELECT id, fund_id, era_id, state, data, event_id FROM rounds WHERE id = ?",
            (round_id,),
        ).fetchone()
        return None if row is None else RoundRow(*row)

    def rounds(self) -> list[RoundRow]:
        """Every round, by id."""
        rows = self._conn.execute(
            "SELECT id, fund_id, era_id, state, data, event_id FROM rounds ORDER BY id"
        ).fetchall()
        return [RoundRow(*row) for row in rows]

    def set_round_state(self, round_id: str, state: str) -> None:
        """Move a round to ``state``."""
        self._conn.execute("UPDATE rounds SET state = ? WHERE id = ?", (state, round_id))

    def application_rounds(self, ids: Sequence[str]) -> dict[str, str]:
        """Map each of ``ids`` that is stored to its round id."""
        found: dict[str, str] = {}
        for chunk in _chunks(ids):
            found.update(
                self._conn.execute(
                    f"SELECT id, round_id FROM {APPLICATIONS.table} "
                    f"WHERE id IN ({_marks(len(chunk))})",
                    tuple(chunk),
                ).fetchall()
            )
        return found

    # --- the trail -------------------------------------------------------------------------

    def event(self, event_id: int) -> EventRow | None:
        """One event."""
        row = self._conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        return None if row is None else EventRow(*row)

    def last_event(self) -> EventRow | None:
        """The newest event."""
        row = self._conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else EventRow(*row)

    def recorded_schema(self) -> int | None:
        """The schema version the newest ``ledger.schema`` event records (None if none)."""
        row = self._conn.execute(
            "SELECT detail FROM events WHERE action = ? ORDER BY id DESC LIMIT 1",
            ("ledger.schema",),
        ).fetchone()
        if row is None:
            return None
        version = json.loads(row[0]).get("schema_version")
        return version if isinstance(version, int) else None

    def events(self, *, round_id: str | None = None, after: int = 0) -> Iterator[EventRow]:
        """Events with id above ``after``, oldest first, optionally of one round."""
        if round_id is None:
            cursor = self._conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id", (after,)
            )
        else:
            cursor = self._conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE id > ? AND round_id = ? ORDER BY id",
                (after, round_id),
            )
        for row in cursor:
            yield EventRow(*row)

    def append_event(self, row: EventRow) -> None:
        """Append one event to the chain."""
        self._conn.execute(
            f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES ({_marks(len(row))})", tuple(row)
        )

    def superseded(self, kind: Kind, key: str) -> list[SupersededRow]:
        """Earlier versions of one record, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_SUPERSEDED_COLUMNS} FROM superseded WHERE kind = ? AND key = ? "
            "ORDER BY replaced_by",
            (kind.name, key),
        ).fetchall()
        return [SupersededRow(*row) for row in rows]

    def superseded_written(
        self, kind: Kind, event_ids: Sequence[int] | None = None
    ) -> Iterator[SupersededRow]:
        """Superseded rows of ``kind`` written by these events (or all), by writer, then key."""
        base = f"SELECT {_SUPERSEDED_COLUMNS} FROM superseded WHERE kind = ?"
        order = "ORDER BY written_by, key"
        if event_ids is None:
            batches: list[tuple[object, ...]] = [()]
            sqls = [f"{base} {order}"]
        else:
            chunks = list(_chunks(sorted(set(event_ids))))
            batches = [tuple(c) for c in chunks]
            sqls = [f"{base} AND written_by IN ({_marks(len(c))}) {order}" for c in chunks]
        for sql, args in zip(sqls, batches, strict=True):
            for row in self._conn.execute(sql, (kind.name, *args)):
                yield SupersededRow(*row)

    def superseded_kinds(self) -> list[str]:
        """Every kind name found in the superseded rows."""
        return [
            str(r[0])
            for r in self._conn.execute("SELECT DISTINCT kind FROM superseded ORDER BY kind")
        ]

    def insert_superseded(self, rows: Sequence[SupersededRow]) -> None:
        """Keep earlier versions of corrected records."""
        self._conn.executemany(
            f"INSERT INTO superseded ({_SUPERSEDED_COLUMNS}) VALUES (?, ?, ?, ?, ?)", rows
        )

    def closure(self, round_id: str) -> ClosureRow | None:
        """The round's closure record."""
        row = self._conn.execute(
            f"SELECT {_CLOSURE_COLUMNS} FROM closures WHERE round_id = ?", (round_id,)
        ).fetchone()
        return None if row is None else ClosureRow(*row)

    def closures(self) -> list[ClosureRow]:
        """Every closure record, by round id."""
        rows = self._conn.execute(
            f"SELECT {_CLOSURE_COLUMNS} FROM closures ORDER BY round_id"
        ).fetchall()
        return [ClosureRow(*row) for row in rows]

    def insert_closure(self, row: ClosureRow) -> None:
        """Store a closure record."""
        self._conn.execute(
            f"INSERT INTO closures ({_CLOSURE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", row
        )

    # --- the storage itself ----------------------------------------------------------------

    def storage_problems(self) -> list[StorageProblem]:
        """Damage, the wrong version, and every schema object that differs from sgfund's."""
        problems = _integrity(self._conn)
        version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        if version != SCHEMA_VERSION:
            problems.append(
                StorageProblem(
                    "file",
                    "user_version",
                    f"the file says schema version {version}; the ledger is version "
                    f"{SCHEMA_VERSION}",
                )
            )
        return problems + _schema_differences(_schema_objects(self._conn))

    def schema_digest(self, version: int | None = None) -> str:
        """SHA-256 of the schema the migrations up to ``version`` (default: all) create."""
        chosen = SCHEMA_VERSION if version is None else version
        if not 1 <= chosen <= SCHEMA_VERSION:
            raise LedgerError(f"schema version {chosen} is not one this sgfund knows")
        return _schema_digest(chosen)


@cache
def _schema_digest(version: int) -> str:
    return hashlib.sha256(canonical(list(expected_schema(version))).encode()).hexdigest()


def _integrity(conn: sqlite3.Connection) -> list[StorageProblem]:
    problems = [
        StorageProblem("file", "integrity", f"PRAGMA integrity_check: {message}")
        for (message,) in conn.execute("PRAGMA integrity_check(20)")
        if message != "ok"
    ]
    seen: set[tuple[str, str]] = set()
    for table, _rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        if (table, parent) not in seen:
            seen.add((table, parent))
            problems.append(
                StorageProblem(
                    "file",
                    f"table {table}",
                    f"rows of {table} refer to rows of {parent} that are not there",
                )
            )
    return problems


def _schema_differences(found: list[SchemaObject]) -> list[StorageProblem]:
    expected = {(t, n): (tb, s) for t, n, tb, s in expected_schema()}
    present = {(t, n): (tb, s) for t, n, tb, s in found}
    problems = []
    for (type_, name), (table, sql) in sorted(expected.items()):
        entity = f"{type_} {name}"
        if (type_, name) not in present:
            problems.append(StorageProblem("schema", entity, f"the {entity} is missing"))
        elif present[(type_, name)] != (table, sql):
            problems.append(
                StorageProblem(
                    "schema",
                    entity,
                    f"the {entity} differs from the ledger's (on {present[(type_, name)][0]}, "
                    f"expected on {table}); its guard may no longer hold",
                )
            )
    for type_, name in sorted(set(present) - set(expected)):
        problems.append(
            StorageProblem(
                "schema", f"{type_} {name}", f"the {type_} {name} is not part of the ledger"
            )
        )
    return problems


class SqliteStore:
    """A ledger in one SQLite file (`sgfund.ledger.store.LedgerStore`).

    ``timeout`` is how long, in seconds, a write waits for another process's write to finish.
    ``readonly`` opens an existing file without migrating or writing anything (for checking).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,  # float-ok: seconds
        readonly: bool = False,
    ) -> None:
        self.location = str(Path(path))
        self.timeout = timeout
        # Depth of the write transaction in progress: an inner write is a savepoint in it.
        self._depth = 0
        try:
            # isolation_level=None: transactions are begun and ended here, explicitly.
            if readonly:
                uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                self._conn = sqlite3.connect(self.location, timeout=timeout, isolation_level=None)
        except sqlite3.Error as err:
            raise LedgerError(f"cannot open the ledger at {self.location}: {err}") from err
        try:
            if not readonly:
                # Refuse what is not ours before changing anything (WAL rewrites the header).
                with self._transaction(immediate=False) as conn:
                    self._refusal(conn, int(conn.execute("PRAGMA user_version").fetchone()[0]))
            self._configure(readonly=readonly)
            if not readonly:
                self._migrate()
        except sqlite3.DatabaseError as err:
            self._conn.close()
            raise LedgerError(self._unusable(err)) from err
        except BaseException:
            self._conn.close()
            raise

    def _unusable(self, err: sqlite3.DatabaseError) -> str:
        text = str(err)
        if "not a database" in text:
            return f"{self.location} is not an sgfund ledger: it is not a SQLite database"
        if "malformed" in text or "corrupt" in text:
            return f"the ledger at {self.location} is damaged: SQLite says {text!r}"
        return f"the ledger at {self.location} cannot be opened: {text}"

    def _configure(self, *, readonly: bool) -> None:
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = ON")
        # The guards hold without it; with it, a REPLACE would also meet the DELETE guards.
        conn.execute("PRAGMA recursive_triggers = ON")
        if not readonly:
            self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            # FULL: a committed transaction survives a power cut, not only a killed process.
            conn.execute("PRAGMA synchronous = FULL")

    def _refusal(self, conn: sqlite3.Connection, version: int) -> None:
        """Raise `LedgerError` if this file is not a ledger this sgfund can open and migrate."""
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger at {self.location} has schema version {version}; this sgfund "
                f"knows versions up to {SCHEMA_VERSION}: upgrade sgfund"
            )
        if version == 0:
            others = [name for _, name, _, _ in _schema_objects(conn)]
            if others:
                raise LedgerError(
                    f"{self.location} is not an sgfund ledger: it is a SQLite database "
                    f"holding other things ({', '.join(others[:5])})"
                )
        if version < SCHEMA_VERSION:
            self._refuse_migration(conn, version + 1)

    def _refuse_migration(self, conn: sqlite3.Connection, number: int) -> None:
        migration = MIGRATIONS[number - 1]
        if migration.refuse_when and conn.execute(migration.refuse_when).fetchone()[0]:
            raise LedgerError(
                f"the ledger at {self.location} cannot be opened: {migration.refusal}"
            )

    def _migrate(self) -> None:
        with self._transaction(immediate=True) as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            # Again, under the write lock: another process may have migrated meanwhile.
            self._refusal(conn, version)
            for number in range(version + 1, SCHEMA_VERSION + 1):
                self._refuse_migration(conn, number)
                for statement in _statements(MIGRATIONS[number - 1].script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")

    def _retry(self, action: Callable[[], object]) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                action()
                return
            except sqlite3.OperationalError as err:
                if not _is_busy(err) or time.monotonic() >= deadline:
                    raise self._busy(err) from err
                time.sleep(0.01)

    def _busy(self, err: sqlite3.OperationalError) -> LedgerError:
        if _is_busy(err):
            return LedgerError(
                f"the ledger at {self.location} is busy: another process kept it locked for "
                f"more than {self.timeout:g} s; try again"
            )
        return LedgerError(f"the ledger at {self.location} failed: {err}")

    @contextlib.contextmanager
    def _transaction(self, *, immediate: bool) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        self._retry(lambda: conn.execute(begin))
        try:
            if not immediate:
                # Take the read snapshot now, so every query in the block sees the same data.
                conn.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchall()
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        try:
            self._retry(lambda: conn.execute("COMMIT"))
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[SqliteTransaction]:
        name = f"sgfund_{self._depth}"
        self._conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield SqliteTransaction(self._conn)
        except BaseException:
            self._conn.execute(f"ROLLBACK TO {name}")
            self._conn.execute(f"RELEASE {name}")
            raise
        else:
            self._conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    @contextlib.contextmanager
    def write(self) -> Iterator[SqliteTransaction]:
        """A write transaction holding the write lock from its start.

        Inside another write it is a savepoint of that transaction: if its block raises, its
        changes are undone; everything commits with the outermost write.
        """
        try:
            if self._depth:
                with self._savepoint() as tx:
                    yield tx
                return
            self._depth = 1
            try:
                with self._transaction(immediate=True) as conn:
                    yield SqliteTransaction(conn)
            finally:
                self._depth = 0
        except sqlite3.IntegrityError as err:
            # A trigger or constraint refused the change; its message says why.
            raise LedgerError(f"the ledger refused the change: {err}") from err
        except sqlite3.OperationalError as err:
            raise self._busy(err) from err

    @contextlib.contextmanager
    def read(self) -> Iterator[SqliteTransaction]:
        """A consistent read snapshot (inside a write, that write's own view)."""
        if self._depth:
            yield SqliteTransaction(self._conn)
            return
        try:
            with self._transaction(immediate=False) as conn:
                yield SqliteTransaction(conn)
        except sqlite3.OperationalError as err:
            raise self._busy(err) from err

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite when the last one closes)."""
        self._conn.close()
