"""Checking a ledger: storage, schema, chain, every record against its event, every round.

`verify_ledger` reads one snapshot and reports every problem it finds as a `VerifyProblem`
naming the entity and what differs. It never raises on a damaged ledger: a check that cannot be
made is itself reported. What it checks is listed in docs/ledger.md ("Verifying").
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from sgfund.closure import RoundRecords
from sgfund.ledger.events import (
    FUND_FILE_ACTION,
    SCHEMA_ACTION,
    Anchor,
    fund_file_digest,
    image,
    row_hash,
)
from sgfund.ledger.kinds import FUNDS, KINDS, RECORD_KINDS, ROUNDS, Kind
from sgfund.ledger.schema import GENESIS, ROUND_AMENDED, SCHEMA_VERSION
from sgfund.ledger.store import ClosureRow, EventRow, RoundRow, Transaction
from sgfund.ledger.verify_rounds import check_round
from sgfund.lifecycle import RoundState

__all__ = ["VerifyProblem", "VerifyReport", "round_problems", "verify_ledger"]

# Actions whose events write rows (and so carry the digest of those rows).
_ROW_ACTIONS = frozenset({*(kind.action for kind in KINDS), ROUND_AMENDED})
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}
# The kind each row-writing action writes a counted batch of (funds and rounds: one).
_MAIN_KIND = {
    FUNDS.action: FUNDS,
    ROUNDS.action: ROUNDS,
    ROUND_AMENDED: ROUNDS,
    **{kind.action: kind for kind in RECORD_KINDS},
}
# The schema version whose guards first allow a round's terms to be amended.
_AMENDED_SINCE = 4
# Every action sgfund writes; anything else in the chain was not written by sgfund.
_ACTIONS = frozenset(
    {SCHEMA_ACTION, FUND_FILE_ACTION, "round.state", "round.closed", *_ROW_ACTIONS}
)


@frozen(kw_only=True)
class VerifyProblem:
    """One thing `Ledger.verify` found wrong.

    ``kind`` is ``"file"`` (damage, version, a check that could not run), ``"schema"`` (a
    guard, table or index missing, extra or changed), ``"chain"`` (an event changed, removed or
    reordered), ``"records"`` (records no longer match the event that wrote them), ``"state"``
    (a round's state disagrees with its events or closure), ``"closure"`` (a closed round's
    records, totals or closure record no longer match what was closed) or ``"anchor"`` (a
    published anchor is not in the chain). ``entity`` names what is wrong (``"event 7"``,
    ``"round gr-a"``, ``"trigger awards_update"``).
    """

    kind: str
    entity: str
    message: str
    event_id: int | None = None
    round_id: str | None = None

    def __str__(self) -> str:
        return f"{self.entity}: {self.message}"


def _problems(values: Iterable[VerifyProblem]) -> tuple[VerifyProblem, ...]:
    return tuple(values)


@frozen(kw_only=True)
class VerifyReport:
    """What `Ledger.verify` checked and every problem it found (``ok`` when there are none)."""

    events_checked: int
    rounds_checked: int
    closed_rounds: int
    records_checked: int
    head: Anchor | None
    anchors_checked: int = 0
    problems: tuple[VerifyProblem, ...] = field(default=(), converter=_problems)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def first_broken_event(self) -> int | None:
        """Id of the first event where the chain breaks, if it does."""
        ids = [p.event_id for p in self.problems if p.kind == "chain" and p.event_id is not None]
        return min(ids) if ids else None

    def __str__(self) -> str:
        checked = (
            f"checked {self.events_checked} event(s), {self.records_checked} record(s), "
            f"{self.rounds_checked} round(s) ({self.closed_rounds} closed)"
            + (f" and {self.anchors_checked} anchor(s)" if self.anchors_checked else "")
        )
        if self.ok:
            return (
                f"{checked}: the schema is intact; the chain is whole and every closed round "
                "matches its closure; every record matches the event that wrote it"
            )
        lines = [f"{checked}: {len(self.problems)} PROBLEM(S)"]
        return "\n".join([*lines, *(f"  - {p}" for p in self.problems)])


class _Found:
    """Problems collected so far; a check that raises is reported, never passed on."""

    def __init__(self) -> None:
        self.problems: list[VerifyProblem] = []

    def add(self, kind: str, entity: str, message: str, **where: Any) -> None:
        self.problems.append(VerifyProblem(kind=kind, entity=entity, message=message, **where))

    def guarded(self, what: str, check: Callable[[], object], **where: Any) -> None:
        try:
            check()
        except Exception as err:  # a damaged ledger is reported, never raised
            self.add("file", what, f"could not be checked: {type(err).__name__}: {err}", **where)


def verify_ledger(tx: Transaction, *, anchors: Sequence[Anchor] = ()) -> VerifyReport:
    """Check everything in one read snapshot; see `sgfund.ledger.Ledger.verify`."""
    found = _Found()
    events: dict[int, EventRow] = {}
    rounds: list[RoundRow] = []
    counts = {"records": 0, "closed": 0}

    def storage() -> None:
        for p in tx.storage_problems():
            found.add(p.kind, p.entity, p.message)

    def chain() -> None:
        events.update(_walk_chain(tx.events(), found))
        _check_schema_events(tx, events, found)
        _check_fund_files(events, found)

    def records() -> None:
        counts["records"] = _check_digests(tx, events, found)

    def all_rounds() -> None:
        rounds.extend(tx.rounds())

    found.guarded("the file", storage)
    found.guarded("the chain", chain)
    found.guarded("the records", records)
    found.guarded("the rounds", all_rounds)
    closures: dict[str, ClosureRow] = {}
    found.guarded("the closures", lambda: closures.update((c.round_id, c) for c in tx.closures()))
    trails: dict[str | None, list[EventRow]] = {}
    for event in events.values():
        trails.setdefault(event.round_id, []).append(event)
    for row in rounds:
        counts["closed"] += row.state == RoundState.CLOSED
        check = functools.partial(
            check_round, tx, row, closures.get(row.id), events, trails.get(row.id, []), found
        )
        found.guarded(f"round {row.id}", check, round_id=row.id)
    stored = {row.id for row in rounds}
    for round_id in sorted(r for r in trails if r is not None and r not in stored):
        found.add(
            "state",
            f"round {round_id}",
            f"events {[e.id for e in trails[round_id]]} are about it, but it is not in the ledger",
            round_id=round_id,
        )
    for round_id in sorted(set(closures) - {row.id for row in rounds}):
        found.add(
            "state",
            f"round {round_id}",
            "has a closure record but is not in the ledger",
            round_id=round_id,
        )
    last = events[max(events)] if events else None
    for anchor in anchors:
        _check_anchor(anchor, events, last, found)
    return VerifyReport(
        events_checked=len(events),
        rounds_checked=len(rounds),
        closed_rounds=counts["closed"],
        records_checked=counts["records"],
        head=None if last is None else Anchor(last.id, last.hash),
        anchors_checked=len(anchors),
        problems=found.problems,
    )


def round_problems(
    tx: Transaction, round_id: str
) -> tuple[list[VerifyProblem], RoundRecords | None]:
    """What is wrong with one round's records against the events that wrote them, and the
    records as read (None if they could not all be read).

    Run before a round is closed, so closing never seals records changed behind the ledger,
    and closes with the records it checked.
    """  # noqa: D205 - the summary needs both lines
    found = _Found()
    row = tx.round(round_id)
    read: list[RoundRecords | None] = [None]

    def check() -> None:
        events = {e.id: e for e in tx.events()}
        trail = [e for e in events.values() if e.round_id == round_id]
        _check_digests(tx, events, found, only=[e.id for e in trail])
        if row is not None:
            read[0] = check_round(tx, row, tx.closure(round_id), events, trail, found, read=True)

    found.guarded(f"round {round_id}", check, round_id=round_id)
    return found.problems, read[0]


# --- the chain ------------------------------------------------------------------------------


def _walk_chain(rows: Iterable[EventRow], found: _Found) -> dict[int, EventRow]:
    """Events by id, reporting every gap, broken link and altered event."""
    events: dict[int, EventRow] = {}
    expected_id, prev = 1, GENESIS
    for row in rows:
        entity = f"event {row.id}"
        if row.id != expected_id:
            found.add(
                "chain",
                entity,
                f"event(s) {expected_id} to {row.id - 1} are missing before event {row.id}",
                event_id=row.id,
            )
        if row.prev_hash != prev:
            found.add(
                "chain",
                entity,
                f"does not follow on from the event before it: its previous hash is "
                f"{row.prev_hash[:12]}..., the chain has {prev[:12]}...",
                event_id=row.id,
            )
        if row_hash(row) != row.hash:
            found.add(
                "chain",
                entity,
                f"({row.action} by {row.actor} at {row.at}) was altered: its contents no longer "
                "match its hash",
                event_id=row.id,
                round_id=row.round_id,
            )
        if row.action not in _ACTIONS:
            found.add(
                "chain",
                entity,
                f"records {row.action!r}, which sgfund never writes",
                event_id=row.id,
                round_id=row.round_id,
            )
        events[row.id] = row
        prev, expected_id = row.hash, row.id + 1
    return events


def _check_schema_events(tx: Transaction, events: Mapping[int, EventRow], found: _Found) -> None:
    schema_events = [e for e in events.values() if e.action == SCHEMA_ACTION]
    if events and (1 not in events or events[1].action != SCHEMA_ACTION):
        found.add(
            "chain", "event 1", "the chain does not start by recording its schema", event_id=1
        )
    previous = 0
    for event in schema_events:
        version = json.loads(event.detail).get("schema_version")
        if isinstance(version, int) and version <= previous:
            found.add(
                "chain",
                f"event {event.id}",
                f"records schema version {version} after version {previous}: only a migration "
                "records a schema, and only a newer one",
                event_id=event.id,
            )
        previous = version if isinstance(version, int) else previous
        if not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
            found.add(
                "chain",
                f"event {event.id}",
                f"records unknown schema version {version!r}",
                event_id=event.id,
            )
        elif tx.schema_digest(version) != event.digest:
            found.add(
                "schema",
                f"event {event.id}",
                f"records a schema digest that is not sgfund's schema version {version}",
                event_id=event.id,
            )
    # A migrated file records its new schema with the first event written after the migration
    # (`append_event`), so the chain may still end under an older schema; but an event that
    # only a newer schema's guards allow must follow the record of that schema.
    recorded = 0
    for event in events.values():
        if event.action == SCHEMA_ACTION:
            version = json.loads(event.detail).get("schema_version")
            recorded = version if isinstance(version, int) else recorded
        elif event.action == ROUND_AMENDED and recorded < _AMENDED_SINCE:
            found.add(
                "chain",
                f"event {event.id}",
                f"amends a round's terms under schema {recorded}, which allows no amendment",
                event_id=event.id,
                round_id=event.round_id,
            )


def _check_fund_files(events: Mapping[int, EventRow], found: _Found) -> None:
    """Each applied fund file's text still gives the digest its event recorded."""
    for event in events.values():
        if event.action != FUND_FILE_ACTION:
            continue
        detail = json.loads(event.detail)
        fund_id = event.entity.removeprefix("fund:")
        source = detail.get("source") if isinstance(detail, dict) else None
        if not isinstance(source, str) or fund_file_digest(fund_id, source) != event.digest:
            found.add(
                "records",
                f"event {event.id}",
                "the fund file it records no longer matches its digest",
                event_id=event.id,
            )


def _check_anchor(
    anchor: Anchor, events: Mapping[int, EventRow], last: EventRow | None, found: _Found
) -> None:
    entity = f"anchor {anchor}"
    event = events.get(anchor.event_id)
    if event is None and (last is None or anchor.event_id > last.id):
        ends = "has no events" if last is None else f"ends at event {last.id}"
        found.add(
            "anchor",
            entity,
            f"the chain {ends}: the trail was cut short after the anchor was taken",
            event_id=anchor.event_id,
        )
    elif event is None:
        found.add(
            "anchor",
            entity,
            f"event {anchor.event_id} is missing from the chain",
            event_id=anchor.event_id,
        )
    elif event.hash != anchor.hash:
        found.add(
            "anchor",
            entity,
            f"event {anchor.event_id} now has hash {event.hash[:12]}...: the trail up to it was "
            "rewritten",
            event_id=anchor.event_id,
        )


# --- records against the events that wrote them ---------------------------------------------


class _Versions:
    """Every version of every record, as (event id, key, image), with what replaced what."""

    def __init__(self, tx: Transaction, only: Sequence[int] | None) -> None:
        self._tx = tx
        self._only = only
        # (event id, kind name) -> keys that event's corrections replaced
        self.replaced: dict[tuple[int, str], list[str]] = {}

    def _earlier(self, kind: Kind) -> Iterator[tuple[int, str, str]]:
        for s in self._tx.superseded_written(kind, self._only):
            self.replaced.setdefault((s.replaced_by, kind.name), []).append(s.key)
            yield s.written_by, s.key, s.image

    def of(self, kind: Kind) -> Iterator[tuple[int, str, str]]:
        current = (
            (r.event_id, str(r.row[0]), image(kind, r.row))
            for r in self._tx.written(kind, self._only)
        )
        return heapq.merge(current, self._earlier(kind), key=lambda t: (t[0], t[1]))


def _check_digests(
    tx: Transaction,
    events: Mapping[int, EventRow],
    found: _Found,
    *,
    only: Sequence[int] | None = None,
) -> int:
    """Recompute each row-writing event's digest from the rows attributed to it."""
    hashers: dict[int, Any] = {}
    strays: dict[int, set[str]] = {}
    written: dict[tuple[int, str], int] = {}
    versions = _Versions(tx, only)
    count = 0
    for kind in KINDS:
        for event_id, _key, line in versions.of(kind):
            count += 1
            written[(event_id, kind.name)] = written.get((event_id, kind.name), 0) + 1
            event = events.get(event_id)
            if event is None or event.action not in _ROW_ACTIONS:
                strays.setdefault(event_id, set()).add(kind.name)
                continue
            hashers.setdefault(event_id, hashlib.sha256()).update(line.encode() + b"\n")
    for event_id, names in sorted(strays.items()):
        what = "is not in the chain" if event_id not in events else "writes no records"
        found.add(
            "records",
            f"event {event_id}",
            f"{', '.join(sorted(names))} rows say they were written by event {event_id}, which "
            f"{what}",
            event_id=event_id,
            round_id=events[event_id].round_id if event_id in events else None,
        )
    if only is None:
        for name in sorted(set(tx.superseded_kinds()) - set(KINDS_BY_NAME)):
            found.add("records", "superseded", f"holds rows of an unknown kind {name!r}")
    empty = hashlib.sha256().hexdigest()
    for event in events.values():
        if event.action not in _ROW_ACTIONS or (only is not None and event.id not in only):
            continue
        digest = hashers[event.id].hexdigest() if event.id in hashers else empty
        if digest != event.digest:
            where = f" for round {event.round_id}" if event.round_id else ""
            found.add(
                "records",
                f"event {event.id}",
                f"the records it wrote ({event.action}{where}, by {event.actor}) no longer match "
                "its digest: one was changed, added, removed or moved",
                event_id=event.id,
                round_id=event.round_id,
            )
        _check_count(event, written, found)
        if only is None:
            _check_replaced(event, versions.replaced, found)
    return count


def _check_count(event: EventRow, written: Mapping[tuple[int, str], int], found: _Found) -> None:
    """A batch event wrote as many records of its kind as it says (and at least one)."""
    kind = _MAIN_KIND[event.action]
    expected = 1 if kind in (FUNDS, ROUNDS) else json.loads(event.detail).get("count")
    stored = written.get((event.id, kind.name), 0)
    if not isinstance(expected, int) or expected < 1 or stored != expected:
        found.add(
            "records",
            f"event {event.id}",
            f"says it wrote {expected!r} {kind.name}; {stored} stored row(s) say it wrote them",
            event_id=event.id,
            round_id=event.round_id,
        )


def _check_replaced(
    event: EventRow, replaced: Mapping[tuple[int, str], list[str]], found: _Found
) -> None:
    """The superseded rows an event replaced are the ones its detail lists (an amendment
    replaces its round's row).
    """  # noqa: D205 - the summary needs both lines
    if event.action == ROUND_AMENDED:
        name, listed = ROUNDS.name, [str(event.round_id)]
    else:
        name = event.action.removesuffix(".recorded")
        if name == event.action or name not in KINDS_BY_NAME:
            return
        listed = sorted(json.loads(event.detail).get("replaced", []))
    stored = sorted(replaced.get((event.id, name), []))
    if stored != listed:
        found.add(
            "records",
            f"event {event.id}",
            f"lists {len(listed)} replaced {name} but {len(stored)} superseded row(s) say it "
            "replaced them",
            event_id=event.id,
            round_id=event.round_id,
        )
