"""The SQLite backend: one file, WAL, foreign keys on, STRICT tables and guarding triggers.

Write transactions are ``BEGIN IMMEDIATE``: the write lock is taken first, so what the ledger
checks inside a transaction (a round is not closed yet) stays true until it commits. Waiting for
another writer is handled here, so "database is locked" never reaches the user: after
``timeout`` seconds they get a `LedgerError` that says the ledger is busy.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from sgfund.errors import LedgerError
from sgfund.ledger.schema import MIGRATIONS, SCHEMA_VERSION
from sgfund.ledger.store import (
    ApplicationRow,
    AssessmentRow,
    AwardRow,
    ClosureRow,
    DecisionRow,
    DuplicateKeyError,
    EventRow,
    FundRow,
    OrganisationRow,
    ResolutionRow,
    RoundContents,
    RoundRow,
    SupersededRow,
    ThemeOverrideRow,
)

__all__ = ["SqliteStore", "SqliteTransaction"]

# Tables that `current` may read, with their key column.
_KEYS = {
    "applications": "id",
    "assessments": "application_id",
    "resolutions": "application_id",
    "theme_overrides": "application_id",
    "decisions": "application_id",
    "awards": "id",
}
# SQLite allows 32766 host parameters since 3.32; stay well below for older builds.
_CHUNK = 900


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _is_busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


class SqliteTransaction:
    """`sgfund.ledger.store.Transaction` over one sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # --- reads ---------------------------------------------------------------------------

    def fund(self, fund_id: str) -> FundRow | None:
        """The fund with this id."""
        row = self._conn.execute(
            "SELECT id, name, separate_closer_from_decider, data FROM funds WHERE id = ?",
            (fund_id,),
        ).fetchone()
        return None if row is None else FundRow(row[0], row[1], bool(row[2]), row[3])

    def era(self, era_id: str) -> str | None:
        """The era's JSON."""
        row = self._conn.execute("SELECT data FROM eras WHERE id = ?", (era_id,)).fetchone()
        return None if row is None else str(row[0])

    def round(self, round_id: str) -> RoundRow | None:
        """The round with this id."""
        row = self._conn.execute(
            "SELECT id, fund_id, era_id, state, data FROM rounds WHERE id = ?", (round_id,)
        ).fetchone()
        return None if row is None else RoundRow(*row)

    def rounds(self) -> list[RoundRow]:
        """Every round, by id."""
        rows = self._conn.execute(
            "SELECT id, fund_id, era_id, state, data FROM rounds ORDER BY id"
        ).fetchall()
        return [RoundRow(*row) for row in rows]

    def application_rounds(self, ids: Sequence[str]) -> dict[str, str]:
        """Map each of ``ids`` that is stored to its round id."""
        found: dict[str, str] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            found.update(
                self._conn.execute(
                    f"SELECT id, round_id FROM applications WHERE id IN ({marks})",  # noqa: S608 - only placeholders
                    tuple(chunk),
                ).fetchall()
            )
        return found

    def current(self, kind: str, keys: Sequence[str]) -> dict[str, str]:
        """JSON of the stored records of ``kind`` with these keys."""
        key = _KEYS[kind]
        found: dict[str, str] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            found.update(
                self._conn.execute(
                    f"SELECT {key}, data FROM {kind} WHERE {key} IN ({marks})",  # noqa: S608 - names from _KEYS
                    tuple(chunk),
                ).fetchall()
            )
        return found

    def round_contents(self, round_id: str) -> RoundContents:
        """Every row of one round."""
        c = self._conn
        return RoundContents(
            applications=[
                ApplicationRow(*r)
                for r in c.execute(
                    "SELECT id, round_id, organisation_key, amount_requested_pence, data "
                    "FROM applications WHERE round_id = ?",
                    (round_id,),
                )
            ],
            decisions=[
                DecisionRow(*r)
                for r in c.execute(
                    "SELECT application_id, outcome, amount_awarded_pence, recorded_by, data "
                    "FROM decisions WHERE application_id IN "
                    "(SELECT id FROM applications WHERE round_id = ?)",
                    (round_id,),
                )
            ],
            awards=[
                AwardRow(*r)
                for r in c.execute(
                    "SELECT id, application_id, round_id, amount_pence, data FROM awards "
                    "WHERE round_id = ?",
                    (round_id,),
                )
            ],
            assessments=[
                AssessmentRow(*r)
                for r in c.execute(
                    "SELECT application_id, status, rule_versions, type, data FROM assessments "
                    "WHERE application_id IN (SELECT id FROM applications WHERE round_id = ?)",
                    (round_id,),
                )
            ],
            resolutions=[
                ResolutionRow(r[0], bool(r[1]), r[2])
                for r in c.execute(
                    "SELECT application_id, eligible, data FROM resolutions "
                    "WHERE application_id IN (SELECT id FROM applications WHERE round_id = ?)",
                    (round_id,),
                )
            ],
            theme_overrides=[
                ThemeOverrideRow(*r)
                for r in c.execute(
                    "SELECT application_id, themes, data FROM theme_overrides "
                    "WHERE application_id IN (SELECT id FROM applications WHERE round_id = ?)",
                    (round_id,),
                )
            ],
        )

    def closure(self, round_id: str) -> ClosureRow | None:
        """The round's closure record."""
        row = self._conn.execute(
            "SELECT round_id, closed_at, closed_by, digest, event_id, record FROM closures "
            "WHERE round_id = ?",
            (round_id,),
        ).fetchone()
        return None if row is None else ClosureRow(*row)

    def closures(self) -> list[ClosureRow]:
        """Every closure record, by round id."""
        rows = self._conn.execute(
            "SELECT round_id, closed_at, closed_by, digest, event_id, record FROM closures "
            "ORDER BY round_id"
        ).fetchall()
        return [ClosureRow(*row) for row in rows]

    def last_event(self) -> EventRow | None:
        """The newest event."""
        row = self._conn.execute(
            "SELECT * FROM events ORDER BY id DESC LIMIT 1",
        ).fetchone()
        return None if row is None else EventRow(*row)

    def events(self, *, round_id: str | None = None, after: int = 0) -> Iterator[EventRow]:
        """Events with id above ``after``, oldest first, optionally of one round."""
        if round_id is None:
            cursor = self._conn.execute("SELECT * FROM events WHERE id > ? ORDER BY id", (after,))
        else:
            cursor = self._conn.execute(
                "SELECT * FROM events WHERE id > ? AND round_id = ? ORDER BY id",
                (after, round_id),
            )
        for row in cursor:
            yield EventRow(*row)

    def superseded(self, kind: str, key: str) -> list[SupersededRow]:
        """Earlier versions of one record, oldest first."""
        rows = self._conn.execute(
            "SELECT event_id, kind, key, data FROM superseded WHERE kind = ? AND key = ? "
            "ORDER BY id",
            (kind, key),
        ).fetchall()
        return [SupersededRow(*row) for row in rows]

    # --- writes --------------------------------------------------------------------------

    def insert_fund(self, row: FundRow) -> None:
        """Store a new fund."""
        self._conn.execute(
            "INSERT INTO funds (id, name, separate_closer_from_decider, data) VALUES (?, ?, ?, ?)",
            (row.id, row.name, int(row.separate_closer_from_decider), row.data),
        )

    def insert_era(self, era_id: str, funder_id: str, data: str) -> None:
        """Store a new era."""
        self._conn.execute(
            "INSERT INTO eras (id, funder_id, data) VALUES (?, ?, ?)", (era_id, funder_id, data)
        )

    def insert_round(self, row: RoundRow) -> None:
        """Store a new round."""
        self._conn.execute(
            "INSERT INTO rounds (id, fund_id, era_id, state, data) VALUES (?, ?, ?, ?, ?)", row
        )

    def set_round_state(self, round_id: str, state: str) -> None:
        """Move a round to ``state``."""
        self._conn.execute("UPDATE rounds SET state = ? WHERE id = ?", (state, round_id))

    def insert_organisations(self, rows: Sequence[OrganisationRow]) -> None:
        """Store organisations not yet stored."""
        self._conn.executemany(
            "INSERT INTO organisations (key, name, type, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            rows,
        )

    def insert_applications(self, rows: Sequence[ApplicationRow]) -> None:
        """Store new applications; raise `DuplicateKeyError` if an id is taken."""
        try:
            self._conn.executemany(
                "INSERT INTO applications "
                "(id, round_id, organisation_key, amount_requested_pence, data) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        except sqlite3.IntegrityError as err:
            if "UNIQUE" in str(err):
                raise DuplicateKeyError(str(err)) from err
            raise

    def put_assessments(self, rows: Sequence[AssessmentRow]) -> None:
        """Store assessments, replacing earlier ones of the same applications."""
        self._conn.executemany(
            "INSERT INTO assessments (application_id, status, rule_versions, type, data) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (application_id) DO UPDATE SET "
            "status = excluded.status, rule_versions = excluded.rule_versions, "
            "type = excluded.type, data = excluded.data",
            rows,
        )

    def put_resolutions(self, rows: Sequence[ResolutionRow]) -> None:
        """Store resolutions, replacing earlier ones."""
        self._conn.executemany(
            "INSERT INTO resolutions (application_id, eligible, data) VALUES (?, ?, ?) "
            "ON CONFLICT (application_id) DO UPDATE SET "
            "eligible = excluded.eligible, data = excluded.data",
            [(r.application_id, int(r.eligible), r.data) for r in rows],
        )

    def put_theme_overrides(self, rows: Sequence[ThemeOverrideRow]) -> None:
        """Store theme overrides, replacing earlier ones."""
        self._conn.executemany(
            "INSERT INTO theme_overrides (application_id, themes, data) VALUES (?, ?, ?) "
            "ON CONFLICT (application_id) DO UPDATE SET "
            "themes = excluded.themes, data = excluded.data",
            rows,
        )

    def put_decisions(self, rows: Sequence[DecisionRow]) -> None:
        """Store decisions, replacing earlier ones."""
        self._conn.executemany(
            "INSERT INTO decisions "
            "(application_id, outcome, amount_awarded_pence, recorded_by, data) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (application_id) DO UPDATE SET "
            "outcome = excluded.outcome, amount_awarded_pence = excluded.amount_awarded_pence, "
            "recorded_by = excluded.recorded_by, data = excluded.data",
            rows,
        )

    def put_awards(self, rows: Sequence[AwardRow]) -> None:
        """Store awards, replacing earlier ones with the same id."""
        self._conn.executemany(
            "INSERT INTO awards (id, application_id, round_id, amount_pence, data) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "application_id = excluded.application_id, round_id = excluded.round_id, "
            "amount_pence = excluded.amount_pence, data = excluded.data",
            rows,
        )

    def insert_superseded(self, rows: Sequence[SupersededRow]) -> None:
        """Keep earlier versions of corrected records."""
        self._conn.executemany(
            "INSERT INTO superseded (event_id, kind, key, data) VALUES (?, ?, ?, ?)", rows
        )

    def insert_closure(self, row: ClosureRow) -> None:
        """Store a closure record."""
        self._conn.execute(
            "INSERT INTO closures (round_id, closed_at, closed_by, digest, event_id, record) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            row,
        )

    def append_event(self, row: EventRow) -> None:
        """Append one event to the chain."""
        self._conn.execute(
            "INSERT INTO events (id, at, actor, action, entity, round_id, rule_versions, "
            "detail, digest, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )


class SqliteStore:
    """A ledger in one SQLite file (`sgfund.ledger.store.LedgerStore`).

    ``timeout`` is how long, in seconds, a write waits for another process's write to finish.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,  # float-ok: seconds
    ) -> None:
        self.location = str(Path(path))
        self.timeout = timeout
        # Depth of the write transaction in progress: an inner write joins the outer one,
        # so several ledger calls can be made all or nothing together.
        self._depth = 0
        try:
            # isolation_level=None: transactions are begun and ended here, explicitly.
            self._conn = sqlite3.connect(
                self.location, timeout=timeout, isolation_level=None, check_same_thread=True
            )
        except sqlite3.Error as err:
            raise LedgerError(f"cannot open the ledger at {self.location}: {err}") from err
        try:
            self._configure()
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    def _configure(self) -> None:
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = ON")
        self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        # FULL: a committed transaction survives a power cut, not only a killed process.
        conn.execute("PRAGMA synchronous = FULL")

    def _migrate(self) -> None:
        with self._transaction(immediate=True) as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"the ledger at {self.location} has schema version {version}; this sgfund "
                    f"knows versions up to {SCHEMA_VERSION}: upgrade sgfund"
                )
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS[number - 1]):
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
    def write(self) -> Iterator[SqliteTransaction]:
        """A write transaction holding the write lock from its start.

        Inside another write it joins that transaction: everything commits or rolls back with
        the outermost one.
        """
        if self._depth:
            self._depth += 1
            try:
                yield SqliteTransaction(self._conn)
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self._transaction(immediate=True) as conn:
                yield SqliteTransaction(conn)
        except sqlite3.IntegrityError as err:
            # A trigger or constraint refused the change; its message says why.
            raise LedgerError(f"the ledger refused the change: {err}") from err
        except sqlite3.OperationalError as err:
            raise self._busy(err) from err
        finally:
            self._depth = 0

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
