"""The audit trail: events, their hash chain, and the report `Ledger.verify` gives.

Each event stores the hash of the one before it and a hash of itself over a canonical JSON of
its fields, so changing, removing or reordering any event breaks the chain at that point.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from attrs import field, frozen

from sgfund.ledger.store import EventRow

__all__ = [
    "GENESIS",
    "ChainCheck",
    "Event",
    "VerifyProblem",
    "VerifyReport",
    "canonical",
    "check_chain",
    "digest_of",
    "event_hash",
]

# The "previous hash" of the first event.
GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(texts: Iterable[str]) -> str:
    """SHA-256 (hex) of texts joined by newlines: the digest of what an event changed."""
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()


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


@frozen(kw_only=True)
class Event:
    """One entry of the audit trail.

    ``action`` says what happened (``"decisions.recorded"``), ``entity`` what it happened to
    (``"round:mayor-gr2"``), ``digest`` is a SHA-256 of what changed and ``detail`` a small
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


@frozen(kw_only=True)
class VerifyProblem:
    """One thing `Ledger.verify` found wrong.

    ``kind`` is ``"chain"`` (an event was changed, removed or reordered), ``"closure"`` (a
    closed round's records or totals no longer match what was closed), ``"state"`` (a round's
    state and its closure record disagree) or ``"anchor"`` (a published chain head is gone).
    """

    kind: str
    message: str
    event_id: int | None = None
    round_id: str | None = None

    def __str__(self) -> str:
        return self.message


def _problems(values: Iterable[VerifyProblem]) -> tuple[VerifyProblem, ...]:
    return tuple(values)


@frozen(kw_only=True)
class VerifyReport:
    """What `Ledger.verify` checked and every problem it found (``ok`` when there are none)."""

    events_checked: int
    rounds_checked: int
    head: str = GENESIS
    problems: tuple[VerifyProblem, ...] = field(default=(), converter=_problems)

    @property
    def ok(self) -> bool:
        """True when the chain is whole and every closed round matches its closure."""
        return not self.problems

    @property
    def first_broken_event(self) -> int | None:
        """Id of the first event where the chain breaks, if it does."""
        ids = [p.event_id for p in self.problems if p.kind == "chain" and p.event_id is not None]
        return min(ids) if ids else None

    def __str__(self) -> str:
        head = (
            f"checked {self.events_checked} event(s) and {self.rounds_checked} closed round(s): "
            + ("the chain is whole and every closed round matches" if self.ok else "PROBLEMS")
        )
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


@frozen(kw_only=True)
class ChainCheck:
    """The outcome of walking the chain: how far, the last hash, what broke."""

    count: int
    head: str
    problems: tuple[VerifyProblem, ...]
    events: Mapping[int, EventRow]


def check_chain(rows: Iterable[EventRow], *, keep: frozenset[int] = frozenset()) -> ChainCheck:
    """Walk events oldest first and report every break precisely.

    A gap in the ids is a removed event; a ``prev_hash`` that is not the previous event's hash
    is a removed or reordered event; a stored hash that does not match the event's fields is
    an edited event. Rows whose ids are in ``keep`` are handed back for further checks.
    """
    problems: list[VerifyProblem] = []
    expected_id = 1
    prev = GENESIS
    count = 0
    kept: dict[int, EventRow] = {}
    for row in rows:
        count += 1
        if row.id != expected_id:
            problems.append(
                VerifyProblem(
                    kind="chain",
                    event_id=row.id,
                    message=f"event(s) {expected_id} to {row.id - 1} are missing before "
                    f"event {row.id}",
                )
            )
        if row.prev_hash != prev:
            problems.append(
                VerifyProblem(
                    kind="chain",
                    event_id=row.id,
                    message=f"event {row.id} does not follow on from the event before it: "
                    f"its previous hash is {row.prev_hash[:12]}..., the chain has {prev[:12]}...",
                )
            )
        if row_hash(row) != row.hash:
            problems.append(
                VerifyProblem(
                    kind="chain",
                    event_id=row.id,
                    round_id=row.round_id,
                    message=f"event {row.id} ({row.action} by {row.actor} at {row.at}) was "
                    "altered: its contents no longer match its hash",
                )
            )
        if row.id in keep:
            kept[row.id] = row
        prev = row.hash
        expected_id = row.id + 1
    return ChainCheck(count=count, head=prev, problems=tuple(problems), events=kept)
