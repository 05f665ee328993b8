"""The storage interface under the ledger: plain rows in, plain rows out, inside transactions.

The ledger's core (validation, serialisation, the hash chain, closure and verification) talks
only to `LedgerStore` and `Transaction`. The SQLite backend in `sgfund.ledger.sqlite` is one
implementation; a PostgreSQL backend would be another, with its own DDL and triggers, and the
core would not change. Rows carry JSON text (``data``) plus the key columns a database needs to
enforce its rules; money columns are integer pence.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import NamedTuple, Protocol

from sgfund.errors import LedgerError

__all__ = [
    "ApplicationRow",
    "AssessmentRow",
    "AwardRow",
    "ClosureRow",
    "DecisionRow",
    "DuplicateKeyError",
    "EventRow",
    "FundRow",
    "LedgerStore",
    "OrganisationRow",
    "ResolutionRow",
    "RoundContents",
    "RoundRow",
    "SupersededRow",
    "ThemeOverrideRow",
    "Transaction",
]


class DuplicateKeyError(LedgerError):
    """An insert met a key that is already stored (the transaction is rolled back)."""


class FundRow(NamedTuple):
    """A fund and its policy."""

    id: str
    name: str
    separate_closer_from_decider: bool
    data: str


class RoundRow(NamedTuple):
    """A round, its state in the lifecycle and its JSON."""

    id: str
    fund_id: str
    era_id: str
    state: str
    data: str


class OrganisationRow(NamedTuple):
    """An applicant organisation, keyed by `Organisation.key`."""

    key: str
    name: str
    type: str
    data: str


class ApplicationRow(NamedTuple):
    """An application."""

    id: str
    round_id: str
    organisation_key: str
    amount_requested_pence: int
    data: str


class AssessmentRow(NamedTuple):
    """The latest assessment of an application; ``type`` names the class to rebuild it."""

    application_id: str
    status: str
    rule_versions: str
    type: str
    data: str


class ResolutionRow(NamedTuple):
    """An officer's resolution of a referral."""

    application_id: str
    eligible: bool
    data: str


class ThemeOverrideRow(NamedTuple):
    """An officer's choice of an application's themes (``themes`` is a JSON list)."""

    application_id: str
    themes: str
    data: str


class DecisionRow(NamedTuple):
    """The decision on an application; ``recorded_by`` is the actor who recorded it."""

    application_id: str
    outcome: str
    amount_awarded_pence: int
    recorded_by: str
    data: str


class AwardRow(NamedTuple):
    """An award."""

    id: str
    application_id: str
    round_id: str
    amount_pence: int
    data: str


class SupersededRow(NamedTuple):
    """The earlier version of a record that a correction (event ``event_id``) replaced."""

    event_id: int
    kind: str
    key: str
    data: str


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


class RoundContents(NamedTuple):
    """Every stored row that belongs to one round."""

    applications: list[ApplicationRow]
    decisions: list[DecisionRow]
    awards: list[AwardRow]
    assessments: list[AssessmentRow]
    resolutions: list[ResolutionRow]
    theme_overrides: list[ThemeOverrideRow]


class Transaction(Protocol):
    """Reads and writes inside one transaction; all of it commits or none of it does."""

    def fund(self, fund_id: str) -> FundRow | None:
        """The fund with this id."""

    def era(self, era_id: str) -> str | None:
        """The era's JSON."""

    def round(self, round_id: str) -> RoundRow | None:
        """The round with this id."""

    def rounds(self) -> list[RoundRow]:
        """Every round, by id."""

    def application_rounds(self, ids: Sequence[str]) -> dict[str, str]:
        """Map each of ``ids`` that is stored to its round id."""

    def current(self, kind: str, keys: Sequence[str]) -> dict[str, str]:
        """JSON of the stored records of ``kind`` (a table name) with these keys."""

    def round_contents(self, round_id: str) -> RoundContents:
        """Every row of one round."""

    def closure(self, round_id: str) -> ClosureRow | None:
        """The round's closure record."""

    def closures(self) -> list[ClosureRow]:
        """Every closure record, by round id."""

    def last_event(self) -> EventRow | None:
        """The newest event."""

    def events(self, *, round_id: str | None = None, after: int = 0) -> Iterator[EventRow]:
        """Events with id above ``after``, oldest first, optionally of one round."""

    def superseded(self, kind: str, key: str) -> list[SupersededRow]:
        """Earlier versions of one record, oldest first."""

    def insert_fund(self, row: FundRow) -> None:
        """Store a new fund."""

    def insert_era(self, era_id: str, funder_id: str, data: str) -> None:
        """Store a new era."""

    def insert_round(self, row: RoundRow) -> None:
        """Store a new round."""

    def set_round_state(self, round_id: str, state: str) -> None:
        """Move a round to ``state``."""

    def insert_organisations(self, rows: Sequence[OrganisationRow]) -> None:
        """Store organisations not yet stored (keys already present are left as they are)."""

    def insert_applications(self, rows: Sequence[ApplicationRow]) -> None:
        """Store new applications; raise `DuplicateKeyError` if an id is taken."""

    def put_assessments(self, rows: Sequence[AssessmentRow]) -> None:
        """Store assessments, replacing earlier ones of the same applications."""

    def put_resolutions(self, rows: Sequence[ResolutionRow]) -> None:
        """Store resolutions, replacing earlier ones."""

    def put_theme_overrides(self, rows: Sequence[ThemeOverrideRow]) -> None:
        """Store theme overrides, replacing earlier ones."""

    def put_decisions(self, rows: Sequence[DecisionRow]) -> None:
        """Store decisions, replacing earlier ones."""

    def put_awards(self, rows: Sequence[AwardRow]) -> None:
        """Store awards, replacing earlier ones with the same id."""

    def insert_superseded(self, rows: Sequence[SupersededRow]) -> None:
        """Keep earlier versions of corrected records."""

    def insert_closure(self, row: ClosureRow) -> None:
        """Store a closure record."""

    def append_event(self, row: EventRow) -> None:
        """Append one event to the chain."""


class LedgerStore(Protocol):
    """A place the ledger keeps its rows.

    ``write()`` starts a transaction that holds the write lock from its first statement (so
    checks made inside it stay true until it commits), waiting for other writers rather than
    failing; ``read()`` gives a consistent snapshot.
    """

    location: str

    def write(self) -> AbstractContextManager[Transaction]:
        """A write transaction: commits when the block ends, rolls back if it raises.

        A write begun inside another joins it (nothing commits until the outermost ends).
        """

    def read(self) -> AbstractContextManager[Transaction]:
        """A read-only snapshot."""

    def close(self) -> None:
        """Release the connection."""
