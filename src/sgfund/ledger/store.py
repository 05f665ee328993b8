"""The storage interface under the ledger: plain rows in, plain rows out, inside transactions.

The ledger's core (validation, serialisation, the hash chain, closure and verification) talks
only to `LedgerStore` and `Transaction`. The SQLite store in `sgfund.ledger.sqlite` is one
implementation; a PostgreSQL store would be another, with its own DDL and triggers, and the
core would not change. Records of every kind go through the same few methods, named by their
`sgfund.ledger.kinds.Kind` (never by a table name): a row is a tuple of the kind's column
values (text and integers; JSON in ``data``, money in pence), and each stored row carries the
id of the event that wrote it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import NamedTuple, Protocol

from sgfund.errors import LedgerError
from sgfund.ledger.kinds import Kind, Row

__all__ = [
    "ClosureRow",
    "DuplicateKeyError",
    "EventRow",
    "LedgerStore",
    "Record",
    "RoundRow",
    "StorageProblem",
    "SupersededRow",
    "Transaction",
]


class DuplicateKeyError(LedgerError):
    """An insert met a key that is already stored (the write is rolled back)."""


class Record(NamedTuple):
    """A stored row of some kind and the id of the event that wrote it."""

    row: Row
    event_id: int


class RoundRow(NamedTuple):
    """A round, its state in the lifecycle, its JSON and the event that added it."""

    id: str
    fund_id: str
    era_id: str
    state: str
    data: str
    event_id: int


class SupersededRow(NamedTuple):
    """An earlier version of a corrected record: its row as canonical JSON (``image``), the
    event that wrote it and the event whose correction replaced it.
    """  # noqa: D205

    kind: str
    key: str
    written_by: int
    replaced_by: int
    image: str


class ClosureRow(NamedTuple):
    """A closed round's closure record (JSON) and digest."""

    round_id: str
    closed_at: str
    closed_by: str
    digest: str
    event_id: int
    record: str


class EventRow(NamedTuple):
    """One link of the audit chain, exactly as stored."""

    id: int
    at: str
    actor: str
    action: str
    entity: str
    round_id: str | None
    rule_versions: str
    detail: str
    digest: str
    prev_hash: str
    hash: str


class StorageProblem(NamedTuple):
    """Something wrong with the storage itself: which object (``entity``) and what."""

    kind: str  # "file" (unreadable, damaged, wrong version) or "schema" (guards, tables)
    entity: str
    message: str


class Transaction(Protocol):
    """Reads and writes inside one transaction; all of it commits or none of it does."""

    # --- records of any kind -------------------------------------------------------------

    def rows(self, kind: Kind, keys: Sequence[str]) -> dict[str, Record]:
        """The stored records of ``kind`` with these keys, by key."""

    def round_rows(self, kind: Kind, round_id: str) -> list[Record]:
        """Every stored record of ``kind`` (a kind that belongs to rounds) in one round."""

    def rows_with(self, kind: Kind, column: str, values: Sequence[str]) -> list[Record]:
        """The stored records of ``kind`` whose ``column`` (one of its columns) is in ``values``."""

    def written(self, kind: Kind, event_ids: Sequence[int] | None = None) -> Iterator[Record]:
        """Records of ``kind`` (of these events, or all), ordered by event id, then key."""

    def insert(self, kind: Kind, rows: Sequence[Row], event_id: int) -> None:
        """Store new records written by ``event_id``; `DuplicateKeyError` if a key is taken."""

    def replace(self, kind: Kind, rows: Sequence[Row], event_id: int) -> None:
        """Store corrections of records already stored (their earlier rows superseded first)."""

    # --- rounds --------------------------------------------------------------------------

    def round(self, round_id: str) -> RoundRow | None:
        """The round with this id."""

    def rounds(self) -> list[RoundRow]:
        """Every round, by id."""

    def set_round_state(self, round_id: str, state: str) -> None:
        """Move a round to ``state``."""

    def application_rounds(self, ids: Sequence[str]) -> dict[str, str]:
        """Map each of ``ids`` that is stored to its round id."""

    # --- the trail -----------------------------------------------------------------------

    def event(self, event_id: int) -> EventRow | None:
        """One event."""

    def last_event(self) -> EventRow | None:
        """The newest event."""

    def recorded_schema(self) -> int | None:
        """The schema version the chain's newest ``ledger.schema`` event records."""

    def events(self, *, round_id: str | None = None, after: int = 0) -> Iterator[EventRow]:
        """Events with id above ``after``, oldest first, optionally of one round."""

    def append_event(self, row: EventRow) -> None:
        """Append one event to the chain."""

    def superseded(self, kind: Kind, key: str) -> list[SupersededRow]:
        """Earlier versions of one record, oldest first."""

    def superseded_written(
        self, kind: Kind, event_ids: Sequence[int] | None = None
    ) -> Iterator[SupersededRow]:
        """Superseded rows of ``kind`` written by these events (or all), by writer, then key."""

    def superseded_kinds(self) -> list[str]:
        """Every kind name found in the superseded rows."""

    def insert_superseded(self, rows: Sequence[SupersededRow]) -> None:
        """Keep earlier versions of corrected records."""

    def closure(self, round_id: str) -> ClosureRow | None:
        """The round's closure record."""

    def closures(self) -> list[ClosureRow]:
        """Every closure record, by round id."""

    def insert_closure(self, row: ClosureRow) -> None:
        """Store a closure record."""

    # --- the storage itself ------------------------------------------------------------

    def storage_problems(self) -> list[StorageProblem]:
        """What is wrong with the storage: damage, version, and every guard, table and index
        that is missing, extra or different from what this version of sgfund creates.
        """  # noqa: D205

    def schema_digest(self, version: int | None = None) -> str | None:
        """SHA-256 of the schema this store creates at ``version`` (default: the current one);
        None for a version it does not know.
        """  # noqa: D205


class LedgerStore(Protocol):
    """A place the ledger keeps its rows.

    ``write()`` starts a transaction that holds the write lock from its first statement (so
    checks made inside it stay true until it commits), waiting for other writers rather than
    failing; ``read()`` gives a consistent snapshot.
    """

    location: str

    def write(self) -> AbstractContextManager[Transaction]:
        """A write transaction: commits when the block ends, rolls back if it raises.

        A write begun inside another joins it, as a savepoint: if the inner block raises, its
        changes are undone and the outer transaction carries on; nothing commits until the
        outermost block ends.
        """

    def read(self) -> AbstractContextManager[Transaction]:
        """A read-only snapshot."""

    def close(self) -> None:
        """Release the connection."""
