"""Moving a whole ledger between stores (a SQLite file and a PostgreSQL database, either way).

`copy_ledger` replays the source's trail into an empty destination, event by event, through
the destination's own guards: each event is appended exactly as stored (so every hash, and so
every published anchor, is the same), then the rows that event wrote, the versions it replaced
and the round states it moved. Nothing is re-derived, so nothing can come out different: the
copy is checked with ``verify()`` against the source's head before it commits.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable

from sgfund.errors import LedgerError
from sgfund.ledger.core import open_store
from sgfund.ledger.events import Anchor
from sgfund.ledger.kinds import KINDS, Kind, Row
from sgfund.ledger.store import EventRow, Record, SupersededRow, Transaction
from sgfund.ledger.verify import VerifyReport, verify_ledger

__all__ = ["copy_ledger"]

Location = str | os.PathLike[str]


def _problems(report: VerifyReport, limit: int = 5) -> str:
    shown = [f"{p.entity}: {p.message}" for p in report.problems[:limit]]
    more = len(report.problems) - len(shown)
    return "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")


class _Trail:
    """What every event of the source wrote, replaced and moved, read once."""

    def __init__(self, tx: Transaction) -> None:
        self.events: list[EventRow] = list(tx.events())
        self.written: dict[int, list[tuple[Kind, Row]]] = defaultdict(list)
        self.replaced: dict[int, list[SupersededRow]] = defaultdict(list)
        for kind in KINDS:
            rows: Iterable[Record] = tx.written(kind)
            for record in rows:
                self.written[record.event_id].append((kind, record.row))
            for old in tx.superseded_written(kind):
                self.replaced[old.replaced_by].append(old)
                row = tuple(json.loads(old.image)[1:])
                self.written[old.written_by].append((kind, row))
        self.closures = {c.event_id: c for c in tx.closures()}
        self.rounds = {r.id: r for r in tx.rounds()}


def _replay(trail: _Trail, tx: Transaction) -> None:
    stored: dict[str, set[str]] = defaultdict(set)
    for event in trail.events:
        tx.append_event(event)
        old = trail.replaced.get(event.id, [])
        if old:
            tx.insert_superseded(old)
        # KINDS is in the order the tables refer to each other (funds before rounds, ...).
        by_kind: dict[str, list[Row]] = defaultdict(list)
        for kind, row in trail.written.get(event.id, []):
            by_kind[kind.name].append(row)
        for kind in KINDS:
            rows = by_kind.get(kind.name, [])
            new = [r for r in rows if r[0] not in stored[kind.name]]
            again = [r for r in rows if r[0] in stored[kind.name]]
            if new:
                tx.insert(kind, new, event.id)
                stored[kind.name].update(r[0] for r in new)
            if again:
                tx.replace(kind, again, event.id)
        if event.action == "round.state" and event.round_id is not None:
            tx.set_round_state(event.round_id, json.loads(event.detail)["to"])
        elif event.action == "round.closed" and event.round_id is not None:
            closure = trail.closures.get(event.id)
            if closure is None:
                raise LedgerError(f"event {event.id} closes a round that has no closure record")
            tx.insert_closure(closure)
            tx.set_round_state(event.round_id, "closed")


def copy_ledger(
    source: Location,
    destination: Location,
    *,
    timeout: float = 30.0,  # float-ok: seconds
) -> VerifyReport:
    """Copy the whole ledger at ``source`` into the empty ledger at ``destination``.

    Either may be a SQLite file or a PostgreSQL URL. The source must verify cleanly and the
    destination must hold no events. Everything is written in one transaction of the
    destination, through its guards, and verified (with the source's head as anchor) before
    it commits; returns that report. The same anchors verify on both sides.
    """
    src = open_store(source, readonly=True, timeout=timeout)
    try:
        with src.read() as tx:
            before = verify_ledger(tx)
            if not before.ok:
                raise LedgerError(
                    f"the ledger at {src.location} does not verify, so it is not copied: "
                    f"{_problems(before)}"
                )
            trail = _Trail(tx)
    finally:
        src.close()
    head = None if not trail.events else Anchor(trail.events[-1].id, trail.events[-1].hash)
    target = open_store(destination, timeout=timeout)
    try:
        with target.write() as tx:
            if tx.last_event() is not None:
                raise LedgerError(
                    f"the ledger at {target.location} already holds events; copy into an "
                    "empty ledger"
                )
            _replay(trail, tx)
            after = verify_ledger(tx, anchors=[] if head is None else [head])
            if not after.ok:
                raise LedgerError(
                    f"the copy at {target.location} did not verify, so nothing was written: "
                    f"{_problems(after)}"
                )
    finally:
        target.close()
    return after
