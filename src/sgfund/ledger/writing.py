"""Writing records of any kind: checked as a batch, then one event per round with its rows.

`write_records` takes a kind, the items, the actor and the time. It refuses the whole batch
(`DataError` listing every problem, `RoundClosedError`, or `LedgerError` for a round whose state
does not accept the kind) before anything is written. Then, per round, it appends the event
whose digest covers exactly the rows it writes, keeps the rows it replaces as superseded, and
writes the rows with the event's id. A `WriteContext` is one write transaction as the ledger sees
it: rounds are decoded once, and applications the caller handed over are used as given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sgfund.applications import Application
from sgfund.errors import DataError, LedgerError, Problem, RoundClosedError
from sgfund.funds import Round
from sgfund.ledger.events import append_event, digest_rows, image
from sgfund.ledger.kinds import APPLICATIONS, Check, Kind, Row
from sgfund.ledger.records import decode, load_round
from sgfund.ledger.store import DuplicateKeyError, EventRow, RoundRow, SupersededRow, Transaction
from sgfund.lifecycle import RoundState

__all__ = [
    "DuplicateKeyError",
    "WriteContext",
    "closed_error",
    "duplicate_problems",
    "problem",
    "refused",
    "write_records",
]

Versions = Callable[[Any], Mapping[str, str]]


def problem(index: int, key: str | None, message: str, field: str | None = None) -> Problem:
    """A problem with item ``index`` (1-based) of a batch, its message led by the key."""
    return Problem(f"{key}: {message}" if key else message, row=index, field=field, value=key)


def refused(problems: list[Problem], what: str) -> DataError:
    """The error for a batch with problems: nothing was written."""
    return DataError(problems, f"{len(problems)} problem(s) in the {what}; nothing was written")


def closed_error(tx: Transaction, round_id: str) -> RoundClosedError:
    """`RoundClosedError` naming who closed the round and when, from its hash-chained event."""
    closure = tx.closure(round_id)
    event = None if closure is None else tx.event(closure.event_id)
    if event is None:
        return RoundClosedError(round_id, None, None)
    return RoundClosedError(round_id, datetime.fromisoformat(event.at), event.actor)


class WriteContext:
    """One write transaction: the store's transaction and what it has already decoded."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx
        self._rounds: dict[str, tuple[RoundRow, Round]] = {}
        self._apps: dict[str, Application] = {}

    def forget(self) -> None:
        """Drop what was cached (after part of the transaction was rolled back)."""
        self._rounds.clear()
        self._apps.clear()

    def round(self, round_id: str) -> tuple[RoundRow, Round] | None:
        """A round's row and model, decoded once per transaction."""
        found = self._rounds.get(round_id)
        if found is None:
            row = self.tx.round(round_id)
            if row is None:
                return None
            found = self._rounds[round_id] = (row, load_round(row.data))
        return found

    def moved(self, round_id: str, state: RoundState) -> None:
        """Note a round's new state."""
        row, rnd = self._rounds.get(round_id) or (None, None)
        if row is not None and rnd is not None:
            self._rounds[round_id] = (row._replace(state=str(state)), rnd)

    def amended(self, round_id: str, row: RoundRow, rnd: Round) -> None:
        """Note a round's new terms."""
        self._rounds[round_id] = (row, rnd)

    def remember(self, apps: Iterable[Application]) -> None:
        """Applications written in this transaction, to use as they are."""
        self._apps.update((app.id, app) for app in apps)

    def application_rounds(self, ids: Sequence[str]) -> dict[str, str]:
        """Each stored application's round."""
        found = {i: self._apps[i].round_id for i in ids if i in self._apps}
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(self.tx.application_rounds(missing))
        return found

    def applications(self, ids: Sequence[str]) -> dict[str, Application]:
        """Stored applications as models: those given in this transaction, others decoded."""
        found = {i: self._apps[i] for i in ids if i in self._apps}
        missing = [i for i in ids if i not in found]
        for key, record in self.tx.rows(APPLICATIONS, missing).items():
            found[key] = decode(APPLICATIONS, record.row)
        return found

    def open_round(self, round_id: str, kind: Kind | None = None) -> tuple[RoundRow, Round]:
        """A round that exists and accepts ``kind`` (without a kind: that is not closed)."""
        found = self.round(round_id)
        if found is None:
            raise LedgerError(f"round {round_id!r} is not in the ledger")
        row, rnd = found
        state = RoundState(row.state)
        if kind is None or state not in kind.accepts:
            if state is RoundState.CLOSED:
                raise closed_error(self.tx, round_id)
            if kind is not None:
                accepted = " or ".join(str(s) for s in RoundState if s in kind.accepts)
                raise LedgerError(
                    f"round {round_id!r} is {row.state}: {kind.name} are accepted only while "
                    f"a round is {accepted}"
                )
        return row, rnd

    def append(self, **fields: Any) -> EventRow:
        """Append an event (see `sgfund.ledger.events.append_event`)."""
        return append_event(self.tx, **fields)


def _rounds_of(
    context: WriteContext, kind: Kind, items: Sequence[tuple[int, Any]], problems: list[Problem]
) -> dict[int, str]:
    """The round of each item (by batch position), noting items whose round is unknown."""
    found: dict[int, str] = {}
    if kind.application_column is not None:
        column = kind.application_column
        rounds = context.application_rounds(sorted({getattr(i, column) for _, i in items}))
        for index, item in items:
            app_id = getattr(item, column)
            if app_id in rounds:
                found[index] = rounds[app_id]
            else:
                message = f"application {app_id!r} is not in the ledger"
                problems.append(problem(index, kind.key_of(item), message))
        return found
    for index, item in items:
        round_id = getattr(item, str(kind.round_column))
        if context.round(round_id) is None:
            message = f"round {round_id!r} is not in the ledger"
            problems.append(problem(index, kind.key_of(item), message))
        else:
            found[index] = round_id
    return found


def _checked(
    context: WriteContext, kind: Kind, items: Sequence[Any], check: Check | None
) -> dict[int, str]:
    """Each item's round (by batch position), or `DataError` listing every problem."""
    problems: list[Problem] = []
    typed: list[tuple[int, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        if kind.model is not None and not isinstance(item, kind.model):
            name = kind.model.__name__
            problems.append(problem(index, None, f"not {_article(name)} {name}", name))
            continue
        key = kind.key_of(item)
        if key in seen:
            problems.append(problem(index, key, "appears more than once in the batch", kind.key))
        seen.add(key)
        typed.append((index, item))
    round_of = _rounds_of(context, kind, typed, problems)
    rounds = {rid: context.open_round(rid, kind)[1] for rid in sorted(set(round_of.values()))}
    problems.extend(_item_problems(context, kind, typed, round_of, rounds, check or kind.check))
    if problems:
        raise refused(problems, kind.name.replace("_", " "))
    return round_of


def _item_problems(
    context: WriteContext,
    kind: Kind,
    typed: Sequence[tuple[int, Any]],
    round_of: Mapping[int, str],
    rounds: Mapping[str, Round],
    check: Check | None,
) -> list[Problem]:
    """What ``check`` finds wrong with each round's batch."""
    if check is None:
        return []
    column = kind.application_column
    apps: dict[str, Application] = {}
    if column is not None:
        apps = context.applications(sorted({getattr(i, column) for _, i in typed}))
    batches: dict[str, list[tuple[int, Any]]] = {}
    keys = {}
    for index, item in typed:
        if index in round_of:
            batches.setdefault(round_of[index], []).append((index, item))
            keys[index] = kind.key_of(item)
    problems = []
    for round_id in sorted(batches):
        for index, found in check(batches[round_id], rounds[round_id], apps):
            problems.append(
                Problem(
                    f"{keys[index]}: {found.message}",
                    row=index,
                    field=found.field,
                    value=found.value,
                    expected=found.expected,
                )
            )
    return sorted(problems, key=lambda p: p.row or 0)


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def write_records(
    context: WriteContext,
    kind: Kind,
    items: Sequence[Any],
    *,
    actor: str,
    at: datetime,
    detail: Mapping[str, Any] | None = None,
    versions: Versions | None = None,
    companions: Mapping[str, Sequence[tuple[Kind, Row]]] | None = None,
    check: Check | None = None,
) -> list[EventRow]:
    """Write a batch of one kind, all or nothing, one event per round; return the events.

    ``companions`` are rows of other kinds to write with a round's event (the organisations
    first seen with a round's applications); ``versions`` gives an item's rule versions;
    ``check``, if given, is used instead of the kind's own (one that needs more than the
    round, such as the plugin manager, is made by the caller).
    """
    round_of = _checked(context, kind, items, check)
    tx = context.tx
    existing = tx.rows(kind, [kind.key_of(i) for i in items]) if kind.correctable else {}
    for record in existing.values():
        if kind.round_column is not None:
            context.open_round(record.row[kind.position(kind.round_column)], kind)
    groups: dict[str, list[Any]] = {}
    for index, item in enumerate(items, start=1):
        groups.setdefault(round_of[index], []).append(item)
    events = []
    for round_id in sorted(groups):
        group = groups[round_id]
        rows = [kind.row(item, actor) for item in group]
        replaced = sorted(row[0] for row in rows if row[0] in existing)
        extra = list((companions or {}).get(round_id, ()))
        rule_versions: dict[str, set[str]] = {}
        for item in group:
            for rule, version in (versions(item) if versions else {}).items():
                rule_versions.setdefault(rule, set()).add(version)
        event = context.append(
            at=at,
            actor=actor,
            action=kind.action,
            entity=f"round:{round_id}",
            round_id=round_id,
            digest=digest_rows([*extra, *((kind, row) for row in rows)]),
            detail={"count": len(group), "replaced": replaced, **(detail or {})},
            rule_versions={k: ",".join(sorted(v)) for k, v in sorted(rule_versions.items())},
        )
        for companion, companion_rows in _by_kind(extra).items():
            tx.insert(companion, companion_rows, event.id)
        if replaced:
            tx.insert_superseded(
                [
                    SupersededRow(
                        kind.name,
                        key,
                        existing[key].event_id,
                        event.id,
                        image(kind, existing[key].row),
                    )
                    for key in replaced
                ]
            )
            tx.replace(kind, [row for row in rows if row[0] in existing], event.id)
        tx.insert(kind, [row for row in rows if row[0] not in existing], event.id)
        events.append(event)
    return events


def _by_kind(rows: Iterable[tuple[Kind, Row]]) -> dict[Kind, list[Row]]:
    grouped: dict[Kind, list[Row]] = {}
    for kind, row in rows:
        grouped.setdefault(kind, []).append(row)
    return grouped


def duplicate_problems(tx: Transaction, kind: Kind, items: Sequence[Any]) -> DataError:
    """The error for a batch whose keys are already stored, listing each with its round."""
    keys = [kind.key_of(item) for item in items]
    taken = tx.rows(kind, keys)
    problems = []
    for index, key in enumerate(keys, start=1):
        if key in taken:
            where = ""
            if kind.round_column is not None:
                where = f" (round {taken[key].row[kind.position(kind.round_column)]})"
            problems.append(problem(index, key, f"is already in the ledger{where}", kind.key))
    return refused(problems, kind.name)
