"""Checking one round: its state against its events, its records, and its closure.

Part of `sgfund.ledger.verify`: the state a round is in must be where its hash-chained state
events leave it; every record must read back, agree with its JSON and name the actor of the
event that wrote it; a closed round's closure record must agree with its closing event, and its
records with the digest and totals it was closed with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sgfund.closure import ClosureRecord, RoundRecords, closure_digest
from sgfund.convert import structure
from sgfund.funds import Round
from sgfund.ledger.events import state_digest
from sgfund.ledger.kinds import (
    APPLICATIONS,
    ASSESSMENTS,
    AWARDS,
    DECISIONS,
    RECORD_KINDS,
    RESOLUTIONS,
    THEME_OVERRIDES,
    Kind,
    Row,
)
from sgfund.ledger.postaward import post_award_problems
from sgfund.ledger.records import decode, load_round
from sgfund.ledger.schema import AMENDABLE, ROUND_AMENDED
from sgfund.ledger.store import ClosureRow, EventRow, RoundRow, Transaction
from sgfund.lifecycle import RoundState
from sgfund.totals import compute_totals

__all__ = ["check_round"]

_STATE_ACTIONS = ("round.state", "round.closed")


class Report(Protocol):
    """Where problems go (`sgfund.ledger.verify`'s collector)."""

    def add(self, kind: str, entity: str, message: str, **where: Any) -> None:
        """Note one problem."""


def check_round(
    tx: Transaction,
    row: RoundRow,
    closure: ClosureRow | None,
    events: Mapping[int, EventRow],
    trail: Sequence[EventRow],
    found: Report,
    *,
    read: bool = False,
) -> RoundRecords | None:
    """Report everything wrong with one round; ``trail`` is its events, oldest first.

    A closed or decided round (or any, with ``read``) is read back in full: returns its records
    (None if not read, or if some could not be read).
    """
    entity = f"round {row.id}"

    def add(kind: str, message: str) -> None:
        found.add(kind, entity, message, round_id=row.id)

    _check_states(row, trail, add)
    rnd = load_round(row.data)
    if rnd.id != row.id:
        add("records", f"its stored round says it is {rnd.id!r}")
    # Closed rounds (and a round being closed) are read back in full: their closure digest
    # needs the models. Any other round's records are pinned by their events' digests.
    read = read or row.state in (RoundState.CLOSED, RoundState.DECIDED) or closure is not None
    models = _check_records(tx, row, events, found, read=read)
    records = None if models is None else _records(rnd, models)
    if row.state == RoundState.CLOSED and closure is None:
        add("state", "is marked closed but has no closure record")
    if row.state == RoundState.CLOSED:
        _check_post_award(tx, rnd, found)
    if closure is None:
        return records
    if row.state != RoundState.CLOSED:
        add("state", f"has a closure record but its state is {row.state}")
    _check_closure(rnd, closure, events.get(closure.event_id), records, add)
    return records


def _check_post_award(tx: Transaction, rnd: Round, found: Report) -> None:
    """Replay every award's post-award steps: each rule and money invariant, event by event."""
    try:
        problems = post_award_problems(tx, rnd)
    except Exception as err:  # unreadable steps are reported, never raised
        problems = [(f"round {rnd.id}", f"its post-award steps cannot be replayed: {err}")]
    for entity, message in problems:
        found.add("post-award", entity, message, round_id=rnd.id)


def _records(rnd: Round, models: dict[Kind, list[Any]]) -> RoundRecords:
    return RoundRecords(
        round=rnd,
        applications=models[APPLICATIONS],
        decisions=models[DECISIONS],
        awards=models[AWARDS],
        assessments=models[ASSESSMENTS],
        resolutions=models[RESOLUTIONS],
        theme_overrides=models[THEME_OVERRIDES],
    )


def _check_states(row: RoundRow, trail: Sequence[EventRow], add: Any) -> None:
    state = str(RoundState.DRAFT)
    # Added once, then perhaps amended: the row is the one its newest such event wrote (each
    # event's digest is checked against the rows it wrote by `sgfund.ledger.verify`).
    added = [e.id for e in trail if e.action == "round.added"]
    written = [e.id for e in trail if e.action in ("round.added", ROUND_AMENDED)]
    if len(added) != 1 or written[:1] != added or written[-1] != row.event_id:
        add("state", f"was written by event {row.event_id}, but its trail disagrees")
    for event in trail:
        if event.action == ROUND_AMENDED and state not in AMENDABLE:
            add("state", f"event {event.id} amends its terms while it was {state}")
        if event.action not in _STATE_ACTIONS:
            continue
        detail = json.loads(event.detail)
        source, target = detail.get("from"), detail.get("to")
        if source != state:
            add("state", f"event {event.id} moves it from {source}, but it was {state}")
        if event.action == "round.state" and event.digest != state_digest(
            str(source), str(target), str(detail.get("reason", ""))
        ):
            add("state", f"event {event.id}'s digest does not match the move it records")
        state = str(target)
    if state != row.state:
        add("state", f"is {row.state}, but its events leave it {state}")


def _check_records(
    tx: Transaction,
    row: RoundRow,
    events: Mapping[int, EventRow],
    found: Report,
    *,
    read: bool,
) -> dict[Kind, list[Any]] | None:
    """Check every record of the round against the event that wrote it; with ``read``, also
    decode each one and check its columns against its JSON.

    Returns the models by kind (None if not read, or if some record cannot be read).
    """  # noqa: D205 - the summary needs both lines
    models: dict[Kind, list[Any]] = {}
    readable = read
    for kind in RECORD_KINDS:
        models[kind] = []
        for record in tx.round_rows(kind, row.id):
            entity = f"{kind.noun} {record.row[0]}"
            event = events.get(record.event_id) or tx.event(record.event_id)
            problems = _against_writer(kind, record.row, row.id, event)
            if read:
                try:
                    model = decode(kind, record.row)
                except Exception as err:  # reported, never raised
                    found.add("records", entity, f"cannot be read back: {err}", round_id=row.id)
                    readable = False
                    continue
                models[kind].append(model)
                problems.extend(_against_json(kind, record.row, model, event))
            for message in problems:
                found.add("records", entity, message, round_id=row.id)
    return models if readable else None


def _against_writer(kind: Kind, row: Row, round_id: str, event: EventRow | None) -> list[str]:
    """Where a record disagrees with the event that wrote it (its round, its actor column)."""
    if event is None:
        return []
    problems = []
    if event.round_id != round_id:
        problems.append(
            f"is in round {round_id} but was written by event {event.id} for round {event.round_id}"
        )
    if kind.actor_column is not None and row[kind.position(kind.actor_column)] != event.actor:
        problems.append(
            f"its {kind.actor_column} is {row[kind.position(kind.actor_column)]!r}, but event "
            f"{event.id}, which wrote it, was by {event.actor!r}"
        )
    return problems


def _against_json(kind: Kind, row: Row, model: Any, event: EventRow | None) -> list[str]:
    """Where a record's columns differ from the row its own JSON (and its event) make."""
    expected = kind.row(model, row[kind.position(kind.actor_column)] if kind.actor_column else "")
    differ = [name for name, a, b in zip(kind.column_names, expected, row, strict=True) if a != b]
    if not differ:
        return []
    where = "" if event is None else f" (written by event {event.id})"
    return [f"its {', '.join(differ)} differ from its own record{where}"]


def _check_closure(
    rnd: Round,
    closure: ClosureRow,
    event: EventRow | None,
    records: RoundRecords | None,
    add: Any,
) -> None:
    if event is None:
        add("closure", f"its closing event {closure.event_id} is missing")
    else:
        _against_event(closure, event, add)
    record = structure(json.loads(closure.record), ClosureRecord)
    if (record.round_id, record.closed_by, record.digest) != (
        closure.round_id,
        closure.closed_by,
        closure.digest,
    ) or record.closed_at != datetime.fromisoformat(closure.closed_at):
        add("closure", "its closure record differs from its closure columns")
    if records is None:
        add("closure", "its records cannot all be read, so its digest cannot be recomputed")
        return
    digest = closure_digest(records)
    if digest != closure.digest:
        add(
            "closure",
            f"its records no longer match the digest it was closed with ({digest[:12]}... now, "
            f"{closure.digest[:12]}... at closing)",
        )
    awarded = [a for a in records.awards if a.round_id == rnd.id]
    applied = [a for a in records.applications if a.round_id == rnd.id]
    totals = compute_totals(rnd, applied, awarded)
    if totals != record.totals:
        add(
            "closure",
            f"its totals are now {totals.awards.count} award(s), {totals.awards.total}; it was "
            f"closed with {record.totals.awards.count}, {record.totals.awards.total}",
        )


def _against_event(closure: ClosureRow, event: EventRow, add: Any) -> None:
    if (event.action, event.round_id) != ("round.closed", closure.round_id):
        add("closure", f"its closing event {event.id} is not the closing of this round")
    if event.actor != closure.closed_by:
        add(
            "closure",
            f"its closure record says closed_by {closure.closed_by!r}, but its closing event "
            f"{event.id} was by {event.actor!r}",
        )
    if event.at != closure.closed_at:
        add(
            "closure",
            f"its closure record says closed_at {closure.closed_at}, but its closing event "
            f"{event.id} was at {event.at}",
        )
    if event.digest != closure.digest:
        add("closure", f"its closure digest differs from its closing event {event.id}'s")
    pinned = json.loads(event.detail).get("record")
    if pinned != hashlib.sha256(closure.record.encode()).hexdigest():
        add(
            "closure",
            f"its closure record is not the one its closing event {event.id} pinned (a field "
            "of it was changed)",
        )
