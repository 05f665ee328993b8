"""The PostgreSQL store: the ledger's tables on a server, guarded by PL/pgSQL triggers.

Chosen by a URL (``postgresql://...``) wherever a ledger location is taken. psycopg 3 is
imported only here, when such a URL is opened (``pip install 'sgfund[postgres]'``).

Writers are serialised by one transaction-scoped advisory lock, taken as the first statement of
every write transaction (``pg_advisory_xact_lock``): what the ledger checks inside a write (the
newest event, a round not closed yet) stays true until it commits, the hash chain has a single
order, and two ledger writers can never deadlock, because there is only one lock and it is
always taken first. Waiting for it is bounded by ``timeout`` (``lock_timeout``); past it the
caller gets a `LedgerError` saying the ledger is busy. Reads are ``REPEATABLE READ READ ONLY``
transactions: one consistent snapshot, never blocking a writer.

The schema's version is in the ``sgfund_schema`` table; migrations run under the same lock,
so several processes opening a new database at once initialise it exactly once.
"""

# ruff: noqa: S608 - table names come from the kinds and the catalog queries are constants

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sgfund.errors import LedgerError
from sgfund.ledger.kinds import Kind, Row
from sgfund.ledger.schema import SCHEMA_VERSION
from sgfund.ledger.schema_pg import PG_MIGRATIONS, VERSION_TABLE, expected_catalog
from sgfund.ledger.sqlite import SqliteTransaction, _schema_digest
from sgfund.ledger.store import DuplicateKeyError, StorageProblem

if TYPE_CHECKING:
    import psycopg

__all__ = ["LOCK_KEY", "PostgresStore", "PostgresTransaction", "is_url", "redacted"]

# The advisory lock every ledger writer takes first ("sgfund" in ASCII).
LOCK_KEY = 0x736766756E64
_SCHEMES = ("postgresql://", "postgres://")


def is_url(location: object) -> bool:
    """Whether a ledger location names a PostgreSQL database rather than a SQLite file."""
    return isinstance(location, str) and location.startswith(_SCHEMES)


def redacted(url: str) -> str:
    """The URL without its password (in the user part or a ``password=`` parameter), to name
    the ledger in messages.
    """  # noqa: D205
    parts = urlsplit(url)
    text = url
    if parts.password is not None:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        text = text.replace(f"{userinfo}@", f"{parts.username or ''}:***@", 1)
    return re.sub(r"([?&])password=[^&#]*", r"\1password=***", text)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as err:
        raise LedgerError(
            "a PostgreSQL ledger needs psycopg: pip install 'sgfund[postgres]'"
        ) from err
    return psycopg


def _message(err: Exception) -> str:
    diag = getattr(err, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return str(primary) if primary else str(err).strip().splitlines()[0]


class _Connection:
    """psycopg behind the few calls `SqliteTransaction` makes (``?`` marks become ``%s``).

    ``guarded``: each statement runs in its own savepoint, so one that fails (a table dropped
    behind the ledger's back) leaves the snapshot usable and ``verify()`` reports every other
    problem as well, as it does on SQLite.
    """

    def __init__(self, conn: psycopg.Connection[Any], *, guarded: bool = False) -> None:
        self._conn = conn
        self._guarded = guarded

    def execute(self, sql: str, args: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        query, params = sql.replace("?", "%s"), tuple(args) or None
        if not self._guarded:
            return self._conn.execute(query, params)
        self._conn.execute(b"SAVEPOINT sgfund_read")
        try:
            cursor = self._conn.execute(query, params)
        except Exception:
            self._conn.execute(b"ROLLBACK TO SAVEPOINT sgfund_read")
            raise
        self._conn.execute(b"RELEASE SAVEPOINT sgfund_read")
        return cursor

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._conn.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)


class PostgresTransaction(SqliteTransaction):
    """`sgfund.ledger.store.Transaction` over one psycopg connection.

    The statements are the SQLite store's (the tables are the same); text columns are
    ``COLLATE "C"``, so ``ORDER BY`` sorts keys byte by byte, as SQLite and the digests do.
    """

    def __init__(self, conn: psycopg.Connection[Any], *, guarded: bool = False) -> None:
        super().__init__(_Connection(conn, guarded=guarded))  # type: ignore[arg-type]
        self._pg = conn

    def insert(self, kind: Kind, rows: Sequence[Row], event_id: int) -> None:
        """Store new records written by ``event_id``; `DuplicateKeyError` if a key is taken."""
        psycopg = _psycopg()
        names = (*kind.column_names, "event_id")
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {kind.table} ({', '.join(names)}) VALUES ({marks})"
        try:
            with self._pg.cursor() as cursor:
                cursor.executemany(sql, [(*row, event_id) for row in rows])
        except psycopg.errors.IntegrityError as err:
            text = _message(err)
            if "already stored" in text or isinstance(err, psycopg.errors.UniqueViolation):
                raise DuplicateKeyError(text) from err
            raise

    def storage_problems(self) -> list[StorageProblem]:
        """The wrong version, and every table, column, constraint, index, trigger and function
        that differs from what sgfund creates (and rules, row security, views: not sgfund's).
        """  # noqa: D205
        problems = []
        version = _version(self._pg)
        if version != SCHEMA_VERSION:
            problems.append(
                StorageProblem(
                    "file",
                    VERSION_TABLE,
                    f"the database says schema version {version}; the ledger is version "
                    f"{SCHEMA_VERSION}",
                )
            )
        return problems + _catalog_differences(self._pg)

    def schema_digest(self, version: int | None = None) -> str:
        """The digest of sgfund's schema at ``version``: the same as a SQLite ledger's.

        The digest names the schema as sgfund defines it (its tables and guards, generated from
        the kinds), whichever server renders it, so a ledger copied between SQLite and
        PostgreSQL keeps its first event, and so every hash and anchor.
        """
        chosen = SCHEMA_VERSION if version is None else version
        if not 1 <= chosen <= SCHEMA_VERSION:
            raise LedgerError(f"schema version {chosen} is not one this sgfund knows")
        return _schema_digest(chosen)


def _version(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (VERSION_TABLE,)).fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute(f"SELECT max(version) FROM {VERSION_TABLE}").fetchone()
    return int(found[0]) if found and found[0] is not None else 0


_IN_SCHEMA = "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"


def _catalog_differences(conn: psycopg.Connection[Any]) -> list[StorageProblem]:
    check = _CatalogCheck(conn)
    check.relations()
    check.columns()
    check.constraints()
    check.indexes()
    check.triggers()
    check.functions()
    check.rules()
    return check.problems


class _CatalogCheck:
    """The database's schema against the one sgfund made: each difference, in order."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.expected = expected_catalog()
        self.problems: list[StorageProblem] = []
        self.tables: set[str] = set()

    def add(self, entity: str, message: str) -> None:
        self.problems.append(StorageProblem("schema", entity, message))

    def compare(self, what: str, want: set[Any], have: set[Any], name: Any) -> None:
        for item in sorted(want - have, key=str):
            self.add(f"{what} {name(item)}", f"the {what} {name(item)} is missing or differs")
        for item in sorted(have - want, key=str):
            if name(item) not in {name(w) for w in want}:
                self.add(
                    f"{what} {name(item)}", f"the {what} {name(item)} is not part of the ledger"
                )

    def relations(self) -> None:
        relations = self.conn.execute(
            f"SELECT c.relname, c.relkind, c.relrowsecurity FROM pg_class c {_IN_SCHEMA} "
            "AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        ).fetchall()
        self.tables = {name for name, kind, _ in relations if kind == "r"}
        self.compare("table", set(self.expected.tables), self.tables, lambda t: t)
        for name, kind, secured in relations:
            if kind != "r":
                self.add(f"relation {name}", f"the relation {name} is not part of the ledger")
            elif secured:
                self.add(f"table {name}", f"row security is on for {name}: it could hide rows")

    def columns(self) -> None:
        columns = self.conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable = 'NO', "
            "coalesce(collation_name, 'C') FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall()
        have = {(t, c, d, n) for t, c, d, n, collation in columns if collation == "C"}
        self.compare(
            "column",
            {c for c in self.expected.columns if c[0] in self.tables},
            have,
            lambda c: f"{c[0]}.{c[1]}",
        )

    def constraints(self) -> None:
        counted = self.conn.execute(
            "SELECT c.relname, k.contype::text, count(*), bool_and(k.convalidated) "
            f"FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid {_IN_SCHEMA} "
            "GROUP BY 1, 2"
        ).fetchall()
        self.compare(
            "constraints",
            {c for c in self.expected.constraints if c[0][0] in self.tables},
            {((t, k), n) for t, k, n, valid in counted if valid},
            lambda c: f"of type {c[0][1]} on {c[0][0]}",
        )

    def indexes(self) -> None:
        indexes = self.conn.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            f"JOIN pg_class c ON c.oid = x.indrelid {_IN_SCHEMA} "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"
        ).fetchall()
        self.compare("index", set(self.expected.indexes), {i for (i,) in indexes}, lambda i: i)

    def triggers(self) -> None:
        triggers = self.conn.execute(
            "SELECT c.relname, t.tgname, t.tgtype::int, p.proname, t.tgenabled::text, "
            "t.tgisinternal, t.tgnargs = 0 AND t.tgqual IS NULL AND t.tgattr::text = '' "
            "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            f"JOIN pg_class c ON c.oid = t.tgrelid {_IN_SCHEMA}"
        ).fetchall()
        have = set()
        for table, name, tgtype, function, enabled, internal, plain in triggers:
            if enabled != "O":
                self.add(
                    f"trigger {name}",
                    f"the trigger {name} on {table} is not enabled as sgfund left it",
                )
            if not internal and plain:
                have.add((table, name, tgtype, function))
        self.compare("trigger", set(self.expected.triggers), have, lambda t: t[1])

    def functions(self) -> None:
        functions = self.conn.execute(
            "SELECT p.proname, p.prosrc, l.lanname = 'plpgsql' AND NOT p.prosecdef "
            "AND p.proconfig IS NULL FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
            "WHERE p.pronamespace = current_schema()::regnamespace"
        ).fetchall()
        have = {(name, body) for name, body, plain in functions if plain}
        self.compare("function", set(self.expected.functions), have, lambda f: f[0])

    def rules(self) -> None:
        for table, rule in self.conn.execute(
            "SELECT tablename, rulename FROM pg_rules WHERE schemaname = current_schema()"
        ).fetchall():
            self.add(f"rule {rule}", f"the rule {rule} on {table} is not part of the ledger")


class PostgresStore:
    """A ledger in a PostgreSQL database (`sgfund.ledger.store.LedgerStore`).

    ``url`` is a libpq connection URL (``postgresql://user@host/db``). ``timeout`` is how many
    seconds a write waits for another writer. ``readonly`` opens without migrating (for
    checking, or as a role that can only read).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,  # float-ok: seconds
        readonly: bool = False,
    ) -> None:
        pg = _psycopg()
        self.location = redacted(url)
        self.timeout = timeout
        self._depth = 0
        try:
            # connect_timeout: an unreachable server is an error after ``timeout``, not a hang.
            wait = max(1, int(timeout))
            self._conn: psycopg.Connection[Any] = pg.connect(
                url, autocommit=True, connect_timeout=wait
            )
        except pg.Error as err:
            raise LedgerError(
                f"cannot open the ledger at {self.location}: {_message(err)}"
            ) from err
        try:
            if not readonly:
                self._migrate()
        except BaseException:
            self._conn.close()
            raise

    # --- opening -----------------------------------------------------------------------------

    def initialised(self) -> bool:
        """Whether sgfund has initialised this database (its schema has a version)."""
        return _version(self._conn) > 0

    def _refusal(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger at {self.location} has schema version {version}; this sgfund "
                f"knows versions up to {SCHEMA_VERSION}: upgrade sgfund"
            )
        if version == 0:
            others = [
                str(name)
                for (name,) in self._conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> %s ORDER BY 1",
                    (VERSION_TABLE,),
                )
            ]
            if others:
                raise LedgerError(
                    f"{self.location} is not an sgfund ledger: its schema holds other things "
                    f"({', '.join(others[:5])})"
                )

    def _migrate(self) -> None:
        with self.write():
            version = _version(self._conn)
            self._refusal(version)
            for number in range(version + 1, SCHEMA_VERSION + 1):
                self._conn.execute(PG_MIGRATIONS[number - 1].encode())
                self._conn.execute(f"UPDATE {VERSION_TABLE} SET version = %s", (number,))

    # --- transactions ------------------------------------------------------------------------

    def _error(self, err: Exception) -> LedgerError:
        psycopg = _psycopg()
        errors = psycopg.errors
        text = _message(err)
        if isinstance(err, errors.LockNotAvailable | errors.QueryCanceled):
            return LedgerError(
                f"the ledger at {self.location} is busy: another writer held it for more than "
                f"{self.timeout:g} s; try again"
            )
        if isinstance(err, errors.SerializationFailure | errors.DeadlockDetected):
            return LedgerError(f"the ledger at {self.location} is busy ({text}); try again")
        if isinstance(err, psycopg.errors.IntegrityError | errors.InsufficientPrivilege):
            return LedgerError(f"the ledger refused the change: {text}")
        return LedgerError(f"the ledger at {self.location} failed: {text}")

    @contextlib.contextmanager
    def _transaction(self, begin: Sequence[str]) -> Iterator[None]:
        psycopg = _psycopg()
        conn = self._conn
        try:
            for statement in begin:
                conn.execute(statement.encode())
        except psycopg.Error as err:
            self._rollback()
            raise self._error(err) from err
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        try:
            conn.execute(b"COMMIT")
        except psycopg.Error as err:
            self._rollback()
            raise self._error(err) from err

    def _rollback(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.execute(b"ROLLBACK")

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[PostgresTransaction]:
        name = f"sgfund_{self._depth}"
        self._conn.execute(f"SAVEPOINT {name}".encode())
        self._depth += 1
        try:
            yield PostgresTransaction(self._conn)
        except BaseException:
            self._conn.execute(f"ROLLBACK TO SAVEPOINT {name}".encode())
            self._conn.execute(f"RELEASE SAVEPOINT {name}".encode())
            raise
        else:
            self._conn.execute(f"RELEASE SAVEPOINT {name}".encode())
        finally:
            self._depth -= 1

    @contextlib.contextmanager
    def write(self) -> Iterator[PostgresTransaction]:
        """A write transaction holding the ledger's write lock from its first statement.

        Inside another write it is a savepoint of that transaction.
        """
        psycopg = _psycopg()
        try:
            if self._depth:
                with self._savepoint() as tx:
                    yield tx
                return
            self._depth = 1
            wait = max(1, int(self.timeout * 1000))
            begin = (
                "BEGIN ISOLATION LEVEL READ COMMITTED",
                f"SET LOCAL lock_timeout = {wait}",
                f"SELECT pg_advisory_xact_lock({LOCK_KEY})",
            )
            try:
                with self._transaction(begin):
                    yield PostgresTransaction(self._conn)
            finally:
                self._depth = 0
        except psycopg.Error as err:
            raise self._error(err) from err

    @contextlib.contextmanager
    def read(self) -> Iterator[PostgresTransaction]:
        """A consistent read snapshot (inside a write, that write's own view)."""
        if self._depth:
            yield PostgresTransaction(self._conn)
            return
        psycopg = _psycopg()
        try:
            with self._transaction(("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",)):
                yield PostgresTransaction(self._conn, guarded=True)
        except psycopg.Error as err:
            raise self._error(err) from err

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
