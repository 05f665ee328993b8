"""The audit trail: events, their hash chain, digests of what they wrote, and anchors.

Each event stores the hash of the one before it and a hash of itself over a canonical JSON of
its fields, so changing, removing or reordering any event breaks the chain at that point. An
event that writes records carries a digest of exactly the rows it wrote (`digest_rows`), so a
record changed afterwards no longer matches its event. An `Anchor` (an event's id and hash,
printable as ``sgfund-anchor:v1:<id>:<hash>``) taken out of the file pins the chain up to that
event: see docs/ledger.md for what it does and does not prove.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from attrs import frozen

from sgfund.errors import LedgerError
from sgfund.ledger.kinds import KINDS, Kind, Row, canonical
from sgfund.ledger.schema import GENESIS, SCHEMA_VERSION
from sgfund.ledger.store import EventRow, Transaction

__all__ = [
    "ANCHOR_PREFIX",
    "FUND_FILE_ACTION",
    "GENESIS",
    "SCHEMA_ACTION",
    "Anchor",
    "Event",
    "append_event",
    "digest_of",
    "digest_rows",
    "event_hash",
    "fund_file_digest",
    "image",
    "row_hash",
    "state_digest",
]

ANCHOR_PREFIX = "sgfund-anchor:v1"
# The first event of a ledger records the digest of the schema it was written under.
SCHEMA_ACTION = "ledger.schema"
# A fund file applied to a fund: the event holds the file's text (see `sgfund.fundfile`).
FUND_FILE_ACTION = "fund_file.applied"

_ANCHOR = re.compile(rf"^{re.escape(ANCHOR_PREFIX)}:([1-9][0-9]*):([0-9a-f]{{64}})$")
_ORDER = {kind.name: position for position, kind in enumerate(KINDS)}


def image(kind: Kind, row: Row) -> str:
    """One stored row as a line of canonical JSON: the kind's name, then its column values."""
    return canonical([kind.name, *row])


def digest_of(lines: Iterable[str]) -> str:
    """SHA-256 (hex) over lines, each followed by a newline."""
    hasher = hashlib.sha256()
    for line in lines:
        hasher.update(line.encode())
        hasher.update(b"\n")
    return hasher.hexdigest()


def digest_rows(rows: Iterable[tuple[Kind, Row]]) -> str:
    """The digest of the rows one event wrote: their images ordered by kind, then key."""
    ordered = sorted(
        rows, key=lambda pair: (_ORDER.get(pair[0].name, len(_ORDER)), pair[0].name, pair[1][0])
    )
    return digest_of(image(kind, row) for kind, row in ordered)


def state_digest(from_state: str, to_state: str, reason: str) -> str:
    """The digest of a round's move from one state to another."""
    return digest_of([canonical([from_state, to_state, reason])])


def fund_file_digest(fund_id: str, source: str) -> str:
    """The digest of the text of a fund file applied to a fund."""
    return digest_of([canonical(["fund_file", fund_id, source])])


def event_hash(
    *,
    id: int,
    prev_hash: str,
    at: str,
    actor: str,
    action: str,
    entity: str,
    round_id: str | None,
    rule_versions: str,
    detail: str,
    digest: str,
) -> str:
    """The hash of one event over every stored field but the hash itself."""
    body = canonical(
        [id, prev_hash, at, actor, action, entity, round_id, rule_versions, detail, digest]
    )
    return hashlib.sha256(body.encode()).hexdigest()


def row_hash(row: EventRow) -> str:
    """Recompute a stored event's hash from its other fields."""
    return event_hash(
        id=row.id,
        prev_hash=row.prev_hash,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        round_id=row.round_id,
        rule_versions=row.rule_versions,
        detail=row.detail,
        digest=row.digest,
    )


class Anchor(NamedTuple):
    """An event's id and hash, to keep outside the ledger file.

    ``str(anchor)`` is the printable form ``sgfund-anchor:v1:<event id>:<hash>``;
    `Anchor.parse` reads it back (or takes an ``(id, hash)`` pair).
    """

    event_id: int
    hash: str

    def __str__(self) -> str:
        return f"{ANCHOR_PREFIX}:{self.event_id}:{self.hash}"

    @classmethod
    def parse(cls, value: Anchor | str | tuple[int, str]) -> Anchor:
        """An anchor from its printed form or an ``(event id, hash)`` pair."""
        if isinstance(value, str):
            found = _ANCHOR.match(value.strip())
            if found is None:
                raise LedgerError(
                    f"{value!r} is not a ledger anchor: expected {ANCHOR_PREFIX}:<event id>:"
                    "<64 hex digits>"
                )
            return cls(int(found[1]), found[2])
        try:
            event_id, hash_ = value
        except (TypeError, ValueError):
            raise LedgerError(f"{value!r} is not a ledger anchor") from None
        if isinstance(event_id, bool) or not isinstance(event_id, int) or event_id < 1:
            raise LedgerError(f"{value!r} is not a ledger anchor: the event id is not valid")
        return cls.parse(f"{ANCHOR_PREFIX}:{event_id}:{hash_}")


@frozen(kw_only=True)
class Event:
    """One entry of the audit trail.

    ``action`` says what happened (``"decisions.recorded"``), ``entity`` what it happened to
    (``"round:mayor-gr2"``), ``digest`` is a SHA-256 of what it wrote and ``detail`` a small
    summary (counts, states, replaced records, reasons). ``at`` is UTC.
    """

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    round_id: str | None
    rule_versions: Mapping[str, str]
    detail: Mapping[str, Any]
    digest: str
    prev_hash: str
    hash: str

    @property
    def anchor(self) -> Anchor:
        """This event as an anchor."""
        return Anchor(self.id, self.hash)

    @classmethod
    def from_row(cls, row: EventRow) -> Event:
        """Read an event as stored."""
        return cls(
            id=row.id,
            at=datetime.fromisoformat(row.at),
            actor=row.actor,
            action=row.action,
            entity=row.entity,
            round_id=row.round_id,
            rule_versions=json.loads(row.rule_versions),
            detail=json.loads(row.detail),
            digest=row.digest,
            prev_hash=row.prev_hash,
            hash=row.hash,
        )


def _link(tx: Transaction, last: EventRow | None, **fields: Any) -> EventRow:
    fields = {
        "id": 1 if last is None else last.id + 1,
        "prev_hash": GENESIS if last is None else last.hash,
        **fields,
    }
    row = EventRow(**fields, hash=event_hash(**fields))
    tx.append_event(row)
    return row


def append_event(
    tx: Transaction,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    digest: str,
    round_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    rule_versions: Mapping[str, str] | None = None,
) -> EventRow:
    """Append an event after the newest one and return it.

    The first event of a ledger is preceded by one recording the schema's digest and version
    (with the same actor and time), so the chain says which guards it was written under; so is
    the first event written after the file was migrated to a newer schema.
    """
    when = at.isoformat()
    last = tx.last_event()
    if last is None or tx.recorded_schema() != SCHEMA_VERSION:
        last = _link(
            tx,
            last,
            at=when,
            actor=actor,
            action=SCHEMA_ACTION,
            entity="ledger",
            round_id=None,
            rule_versions=canonical({}),
            detail=canonical({"schema_version": SCHEMA_VERSION}),
            digest=tx.schema_digest(),
        )
    return _link(
        tx,
        last,
        at=when,
        actor=actor,
        action=action,
        entity=entity,
        round_id=round_id,
        rule_versions=canonical(dict(rule_versions or {})),
        detail=canonical(dict(detail or {})),
        digest=digest,
    )
