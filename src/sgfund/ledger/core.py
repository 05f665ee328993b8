"""The ledger's API: every change in one transaction, with an event appended to the chain."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from attrs import frozen

from sgfund import closure as closure_rules
from sgfund.applications import Application
from sgfund.closure import ClosureRecord, RoundRecords
from sgfund.collect import SgfundPluginManager
from sgfund.convert import structure, unstructure
from sgfund.dates import LONDON, require_aware
from sgfund.decisions import Award, Decision, decision_problems
from sgfund.errors import (
    ClosureRefused,
    DataError,
    FieldError,
    LedgerError,
    Problem,
    RoundClosedError,
)
from sgfund.funds import Fund, Round
from sgfund.ledger import rows as r
from sgfund.ledger.audit import GENESIS, Event, VerifyReport, canonical, digest_of, event_hash
from sgfund.ledger.sqlite import SqliteStore
from sgfund.ledger.store import (
    ClosureRow,
    DuplicateKeyError,
    EventRow,
    FundRow,
    LedgerStore,
    RoundRow,
    SupersededRow,
    Transaction,
)
from sgfund.ledger.verify import verify_store
from sgfund.lifecycle import RoundState, TransitionEvent, transition
from sgfund.review import Resolution, ThemeOverride
from sgfund.scope import DeclaredFigure
from sgfund.themes import round_vocabularies

__all__ = ["DEFAULT_PATH", "ENV_VAR", "Ledger", "LedgerPolicy", "open_ledger"]

ENV_VAR = "SGFUND_DB"
DEFAULT_PATH = "sgfund.db"

T = TypeVar("T")
Clock = Callable[[], datetime]


@frozen(kw_only=True)
class LedgerPolicy:
    """Rules a fund (or a whole ledger) sets on who may do what.

    ``separate_closer_from_decider``: whoever closes a round must not have recorded, or be
    named as the decider of, any of its decisions (separation of duties).
    """

    separate_closer_from_decider: bool = False


def _actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise FieldError("actor", actor, "the name of whoever makes the change")
    return actor.strip()


def _closed_error(tx: Transaction, round_id: str) -> RoundClosedError:
    row = tx.closure(round_id)
    if row is None:
        return RoundClosedError(round_id, None, None)
    return RoundClosedError(round_id, datetime.fromisoformat(row.closed_at), row.closed_by)


class Ledger:
    """A fund's records and their audit trail.

    Open with `Ledger.open` (one SQLite file) and use as a context manager. Every write names an
    ``actor`` and a time: pass ``at=`` (timezone-aware) or open the ledger with ``clock=``; the
    library never reads the clock itself. A ledger object belongs to one thread; separate
    processes may share the file.
    """

    def __init__(
        self,
        store: LedgerStore,
        *,
        clock: Clock | None = None,
        policy: LedgerPolicy | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy or LedgerPolicy()

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        clock: Clock | None = None,
        policy: LedgerPolicy | None = None,
        timeout: float = 30.0,  # float-ok: seconds, not money
    ) -> Ledger:
        """Open (creating and migrating if need be) the ledger file.

        ``path`` defaults to the ``SGFUND_DB`` environment variable, then ``./sgfund.db``.
        ``timeout`` is how many seconds a write waits for another process's write.
        """
        chosen = path if path is not None else os.environ.get(ENV_VAR) or DEFAULT_PATH
        return cls(SqliteStore(Path(chosen), timeout=timeout), clock=clock, policy=policy)

    @property
    def location(self) -> str:
        """Where the ledger is stored."""
        return self._store.location

    def close(self) -> None:
        """Close the ledger."""
        self._store.close()

    def __enter__(self) -> Self:
        return self

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Self]:
        """Make several calls all or nothing together: they commit when the block ends.

        If anything in the block raises, every change made in it is rolled back, events
        included. Use it for an import that adds applications and records their decisions.
        """
        with self._store.write():
            yield self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- helpers -------------------------------------------------------------------------

    def _when(self, at: datetime | None) -> datetime:
        if at is None:
            if self._clock is None:
                raise LedgerError(
                    "no time given: pass at= (a timezone-aware datetime) or open the ledger "
                    "with clock="
                )
            at = self._clock()
        require_aware(at, field="at")
        return at.astimezone(UTC)

    def _append(
        self,
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
        last = tx.last_event()
        fields: dict[str, Any] = {
            "id": 1 if last is None else last.id + 1,
            "prev_hash": GENESIS if last is None else last.hash,
            "at": at.isoformat(),
            "actor": actor,
            "action": action,
            "entity": entity,
            "round_id": round_id,
            "rule_versions": canonical(dict(rule_versions or {})),
            "detail": canonical(dict(detail or {})),
            "digest": digest,
        }
        row = EventRow(**fields, hash=event_hash(**fields))
        tx.append_event(row)
        return row

    def _round(self, tx: Transaction, round_id: str) -> RoundRow:
        row = tx.round(round_id)
        if row is None:
            raise LedgerError(f"round {round_id!r} is not in the ledger")
        return row

    def _open_rounds(self, tx: Transaction, round_ids: Iterable[str]) -> dict[str, Round]:
        """Rounds by id, refusing with `RoundClosedError` if any is closed."""
        found = {}
        for round_id in sorted(set(round_ids)):
            row = self._round(tx, round_id)
            if row.state == RoundState.CLOSED:
                raise _closed_error(tx, round_id)
            found[round_id] = structure(json.loads(row.data), Round)
        return found

    # --- funds and rounds ----------------------------------------------------------------

    def add_fund(
        self,
        fund: Fund,
        *,
        actor: str,
        policy: LedgerPolicy | None = None,
        at: datetime | None = None,
    ) -> None:
        """Add a fund, with its policy."""
        who, when = _actor(actor), self._when(at)
        chosen = policy or LedgerPolicy()
        data = r.to_json(fund)
        with self._store.write() as tx:
            if tx.fund(fund.id) is not None:
                raise LedgerError(f"fund {fund.id!r} is already in the ledger")
            tx.insert_fund(FundRow(fund.id, fund.name, chosen.separate_closer_from_decider, data))
            self._append(
                tx,
                at=when,
                actor=who,
                action="fund.added",
                entity=f"fund:{fund.id}",
                digest=digest_of([data]),
                detail={"policy": unstructure(chosen)},
            )

    def fund_policy(self, fund_id: str) -> LedgerPolicy:
        """The policy in force for a fund (the fund's own, tightened by the ledger's)."""
        with self._store.read() as tx:
            row = tx.fund(fund_id)
        if row is None:
            raise LedgerError(f"fund {fund_id!r} is not in the ledger")
        return LedgerPolicy(
            separate_closer_from_decider=row.separate_closer_from_decider
            or self._policy.separate_closer_from_decider
        )

    def add_round(self, round: Round, *, actor: str, at: datetime | None = None) -> None:
        """Add a round (in state ``draft``); its fund must be in the ledger already."""
        who, when = _actor(actor), self._when(at)
        data, era = r.to_json(round), r.to_json(round.era)
        with self._store.write() as tx:
            if tx.fund(round.fund_id) is None:
                raise LedgerError(
                    f"round {round.id!r} is for fund {round.fund_id!r}, which is not in the "
                    "ledger: add the fund first"
                )
            if tx.round(round.id) is not None:
                raise LedgerError(f"round {round.id!r} is already in the ledger")
            stored_era = tx.era(round.era.id)
            if stored_era is None:
                tx.insert_era(round.era.id, round.era.funder_id, era)
            elif stored_era != era:
                raise LedgerError(
                    f"era {round.era.id!r} is stored with different details; a round must use "
                    "the era as stored"
                )
            tx.insert_round(RoundRow(round.id, round.fund_id, round.era.id, "draft", data))
            self._append(
                tx,
                at=when,
                actor=who,
                action="round.added",
                entity=f"round:{round.id}",
                round_id=round.id,
                digest=digest_of([data]),
            )

    def set_round_state(
        self,
        round_id: str,
        target: RoundState | str,
        *,
        actor: str,
        reason: str = "",
        at: datetime | None = None,
    ) -> TransitionEvent:
        """Move a round one step along its lifecycle (`sgfund.lifecycle`).

        Closing is not a state change like the others: use `close_round`, which runs the
        closure checks.
        """
        who, when = _actor(actor), self._when(at)
        if RoundState(target) is RoundState.CLOSED:
            raise LedgerError(
                f"round {round_id!r}: use close_round to close a round (it runs the checks)"
            )
        with self._store.write() as tx:
            row = self._round(tx, round_id)
            if row.state == RoundState.CLOSED:
                raise _closed_error(tx, round_id)
            moved = transition(round_id, row.state, target, actor=who, at=when, reason=reason)
            tx.set_round_state(round_id, str(moved.to_state))
            self._append(
                tx,
                at=when,
                actor=who,
                action="round.state",
                entity=f"round:{round_id}",
                round_id=round_id,
                digest=digest_of([str(moved.from_state), str(moved.to_state), moved.reason]),
                detail={"from": moved.from_state, "to": moved.to_state, "reason": moved.reason},
            )
        return moved

    def round_state(self, round_id: str) -> RoundState:
        """Where a round is in its lifecycle."""
        with self._store.read() as tx:
            return RoundState(self._round(tx, round_id).state)

    def round(self, round_id: str) -> Round:
        """The round itself, without its records (cheap, unlike `round_records`)."""
        with self._store.read() as tx:
            return structure(json.loads(self._round(tx, round_id).data), Round)

    def rounds(self) -> dict[str, RoundState]:
        """Every round in the ledger and its state."""
        with self._store.read() as tx:
            return {row.id: RoundState(row.state) for row in tx.rounds()}

    # --- applications --------------------------------------------------------------------

    def add_applications(
        self, applications: Iterable[Application], *, actor: str, at: datetime | None = None
    ) -> int:
        """Add new applications, all or nothing; return how many.

        Refuses with `DataError`, listing every problem and writing nothing, if a round is
        unknown or an id is repeated or already stored. Declared themes are stored as given:
        unknown or archived ones are referred by the ``declared-themes-known`` rule at
        assessment. A closed round raises `RoundClosedError`.
        """
        who, when = _actor(actor), self._when(at)
        apps = list(applications)
        problems: list[Problem] = []
        with self._store.write() as tx:
            known = {row.id: row for row in tx.rounds()}
            wanted = {getattr(a, "round_id", None) for a in apps}
            for round_id in sorted(i for i in wanted if isinstance(i, str) and i in known):
                if known[round_id].state == RoundState.CLOSED:
                    raise _closed_error(tx, round_id)
            rounds = {i: structure(json.loads(known[i].data), Round) for i in wanted if i in known}
            seen: set[str] = set()
            rows, orgs = [], {}
            for index, app in enumerate(apps, start=1):
                if not isinstance(app, Application):
                    problems.append(_problem(index, None, "not an Application", "an Application"))
                    continue
                rnd = rounds.get(app.round_id)
                if rnd is None:
                    problems.append(
                        _problem(index, app.id, f"round {app.round_id!r} is not in the ledger")
                    )
                    continue
                if app.id in seen:
                    problems.append(_problem(index, app.id, "appears more than once", "id"))
                seen.add(app.id)
                if not problems:
                    rows.append(r.application_row(app))
                    key = app.organisation.key
                    if key not in orgs:
                        orgs[key] = app
            if problems:
                raise _data_error(problems, "applications")
            tx.insert_organisations([r.organisation_row(a) for a in orgs.values()])
            try:
                tx.insert_applications(rows)
            except DuplicateKeyError:
                taken = tx.application_rounds([row.id for row in rows])
                problems = [
                    _problem(i, row.id, f"is already in the ledger (round {taken[row.id]})", "id")
                    for i, row in enumerate(rows, start=1)
                    if row.id in taken
                ]
                raise _data_error(problems, "applications") from None
            for round_id, group in _by_round(rows, lambda row: row.round_id).items():
                self._append(
                    tx,
                    at=when,
                    actor=who,
                    action="applications.added",
                    entity=f"round:{round_id}",
                    round_id=round_id,
                    digest=digest_of(row.data for row in group),
                    detail={"count": len(group)},
                )
        return len(rows)

    # --- records about applications ------------------------------------------------------

    def _record(
        self,
        kind: str,
        items: Sequence[T],
        *,
        actor: str,
        at: datetime | None,
        key: Callable[[T], str],
        application_id: Callable[[T], str],
        to_row: Callable[[T, Round], Any],
        put: Callable[[Transaction, list[Any]], None],
        check: Callable[[T, Round, str], list[str]] | None = None,
        rule_versions: Callable[[T], Mapping[str, str]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> int:
        """Store a batch of records about applications, all or nothing, one event per round.

        Records that replace earlier ones are corrections: the earlier version is kept in the
        ``superseded`` table and its key listed in the event.
        """
        who, when = _actor(actor), self._when(at)
        problems: list[Problem] = []
        seen: set[str] = set()
        for index, item in enumerate(items, start=1):
            if key(item) in seen:
                problems.append(_problem(index, key(item), "appears more than once in the batch"))
            seen.add(key(item))
        with self._store.write() as tx:
            app_ids = sorted({application_id(item) for item in items})
            app_rounds = tx.application_rounds(app_ids)
            rounds = self._open_rounds(tx, app_rounds.values())
            rows = []
            for index, item in enumerate(items, start=1):
                round_id = app_rounds.get(application_id(item))
                if round_id is None:
                    problems.append(
                        _problem(
                            index,
                            key(item),
                            f"application {application_id(item)!r} is not in the ledger",
                        )
                    )
                    continue
                for message in check(item, rounds[round_id], round_id) if check else ():
                    problems.append(_problem(index, key(item), message))
                rows.append((round_id, item, to_row(item, rounds[round_id])))
            if problems:
                raise _data_error(problems, kind.replace("_", " "))
            earlier = tx.current(kind, [key(item) for _, item, _ in rows])
            put(tx, [row for _, _, row in rows])
            for round_id, group in _by_round(rows, lambda t: t[0]).items():
                versions: dict[str, set[str]] = {}
                for _, item, _ in group:
                    for rule, version in (rule_versions(item) if rule_versions else {}).items():
                        versions.setdefault(rule, set()).add(version)
                replaced = sorted(key(item) for _, item, _ in group if key(item) in earlier)
                event = self._append(
                    tx,
                    at=when,
                    actor=who,
                    action=f"{kind}.recorded",
                    entity=f"round:{round_id}",
                    round_id=round_id,
                    digest=digest_of(row.data for _, _, row in group),
                    detail={"count": len(group), "replaced": replaced, **(extra or {})},
                    rule_versions={k: ",".join(sorted(v)) for k, v in sorted(versions.items())},
                )
                tx.insert_superseded(
                    [SupersededRow(event.id, kind, k, earlier[k]) for k in replaced]
                )
        return len(rows)

    def record_assessments(
        self, assessments: Iterable[Any], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store assessments (any attrs class with ``application_id``, ``status`` and
        ``rule_versions``), replacing earlier ones of the same applications. All or nothing.
        """  # noqa: D205 - the summary needs both lines
        items = list(assessments)
        for item in items:
            if not isinstance(getattr(item, "application_id", None), str):
                raise LedgerError(f"an assessment needs an application_id: {item!r}")
        return self._record(
            "assessments",
            items,
            actor=actor,
            at=at,
            key=lambda a: str(a.application_id),
            application_id=lambda a: str(a.application_id),
            to_row=lambda a, _rnd: r.assessment_row(a),
            put=lambda tx, rows: tx.put_assessments(rows),
            rule_versions=lambda a: {
                str(k): str(v) for k, v in dict(getattr(a, "rule_versions", {}) or {}).items()
            },
        )

    def record_resolutions(
        self, resolutions: Iterable[Resolution], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store officers' resolutions of referred applications. All or nothing."""
        return self._record(
            "resolutions",
            list(resolutions),
            actor=actor,
            at=at,
            key=lambda res: res.application_id,
            application_id=lambda res: res.application_id,
            to_row=lambda res, _rnd: r.resolution_row(res),
            put=lambda tx, rows: tx.put_resolutions(rows),
        )

    def set_themes(
        self,
        application_id: str,
        themes: Iterable[str],
        *,
        actor: str,
        reason: str,
        pm: SgfundPluginManager,
        at: datetime | None = None,
    ) -> ThemeOverride:
        """Record an officer's choice of an application's themes, with the reason.

        This is sgfund's one theme override: it wins in `sgfund.themes.final_themes`, and the
        event records the themes and the reason. The themes must be live themes of the
        round's vocabularies, which ``pm``'s plugins give.
        """
        who, when = _actor(actor), self._when(at)
        override = ThemeOverride(
            application_id=application_id,
            themes=frozenset(themes),
            reason=reason,
            set_by=who,
            set_on=when.astimezone(LONDON).date(),
        )
        self._record(
            "theme_overrides",
            [override],
            actor=who,
            at=when,
            key=lambda o: o.application_id,
            application_id=lambda o: o.application_id,
            to_row=lambda o, _rnd: r.theme_override_row(o),
            put=lambda tx, rows: tx.put_theme_overrides(rows),
            check=lambda o, rnd, _rid: [
                str(p) for p in round_vocabularies(pm, rnd).theme_problems(o.themes)
            ],
            extra={"themes": sorted(override.themes), "reason": override.reason},
        )
        return override

    def record_decisions(
        self, decisions: Iterable[Decision], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store decisions, all or nothing; a decision on an application already decided
        replaces it (a correction: the earlier one is kept and the event lists it).

        An award above the round's maximum grant or above the amount requested is refused
        without a recorded justification (`sgfund.decisions.decision_problems`).
        """  # noqa: D205 - the summary needs both lines
        items = list(decisions)
        with self._store.write() as tx:
            stored = tx.current("applications", sorted({d.application_id for d in items}))
            apps = {k: structure(json.loads(v), Application) for k, v in stored.items()}
            rounds = self._open_rounds(tx, {a.round_id for a in apps.values()})
            problems = [
                _problem(index, d.application_id, found.message, "amount_awarded")
                for index, d in enumerate(items, start=1)
                if d.application_id in apps
                for found in decision_problems(
                    d, apps[d.application_id], rounds[apps[d.application_id].round_id]
                )
            ]
            if problems:
                raise _data_error(problems, "decisions")
            return self._record(
                "decisions",
                items,
                actor=actor,
                at=at,
                key=lambda d: d.application_id,
                application_id=lambda d: d.application_id,
                to_row=lambda d, _rnd: r.decision_row(d, recorded_by=_actor(actor)),
                put=lambda tx, rows: tx.put_decisions(rows),
            )

    def record_awards(
        self, awards: Iterable[Award], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store awards, all or nothing; an award with an id already stored replaces it."""
        return self._record(
            "awards",
            list(awards),
            actor=actor,
            at=at,
            key=lambda a: a.id,
            application_id=lambda a: a.application_id,
            to_row=lambda a, _rnd: r.award_row(a),
            put=lambda tx, rows: tx.put_awards(rows),
            check=lambda a, _rnd, rid: (
                []
                if a.round_id == rid
                else [f"is for round {a.round_id!r} but its application is in round {rid!r}"]
            ),
        )

    # --- reading -------------------------------------------------------------------------

    def round_records(self, round_id: str) -> RoundRecords:
        """Everything stored about one round, as frozen models."""
        with self._store.read() as tx:
            row = self._round(tx, round_id)
            return r.records_from(row.data, tx.round_contents(round_id))

    def closure(self, round_id: str) -> ClosureRecord | None:
        """The closure record of a closed round (None while it is not closed)."""
        with self._store.read() as tx:
            row = tx.closure(round_id)
        return None if row is None else structure(json.loads(row.record), ClosureRecord)

    def events(self, *, round_id: str | None = None, after: int = 0) -> list[Event]:
        """The audit trail, oldest first: every event, or those of one round."""
        with self._store.read() as tx:
            return [Event.from_row(row) for row in tx.events(round_id=round_id, after=after)]

    def superseded(self, kind: str, key: str) -> list[tuple[int, Any]]:
        """Earlier versions of a corrected record as ``(event id, data)``, oldest first.

        ``kind`` is ``"decisions"``, ``"awards"``, ``"assessments"``, ``"resolutions"`` or
        ``"theme_overrides"``; ``key`` the application id (the award id for awards).
        """
        with self._store.read() as tx:
            return [(row.event_id, json.loads(row.data)) for row in tx.superseded(kind, key)]

    def head(self) -> tuple[int, str] | None:
        """The newest event's id and hash: publish it to anchor the chain outside the file."""
        with self._store.read() as tx:
            last = tx.last_event()
        return None if last is None else (last.id, last.hash)

    # --- closing -------------------------------------------------------------------------

    def close_round(
        self,
        round_id: str,
        *,
        actor: str,
        pm: SgfundPluginManager,
        at: datetime | None = None,
        declared: Sequence[DeclaredFigure] = (),
        override_reason: str | None = None,
    ) -> ClosureRecord:
        """Close a round: check it, then write its closure, state and event in one transaction.

        The write lock is held from the start, so of two processes closing the same round
        exactly one succeeds; the other gets `RoundClosedError` naming who closed it and when.
        Every reason the round cannot close is listed at once in `ClosureRefused` (the closure
        checks of `sgfund.closure`, and separation of duties when the fund's policy asks).
        """
        who, when = _actor(actor), self._when(at)
        with self._store.write() as tx:
            row = self._round(tx, round_id)
            if row.state == RoundState.CLOSED:
                raise _closed_error(tx, round_id)
            contents = tx.round_contents(round_id)
            records = r.records_from(row.data, contents)
            reasons = self._duty_reasons(tx, row, contents.decisions, records, who)
            try:
                record = closure_rules.close_round(
                    records,
                    actor=who,
                    at=when,
                    pm=pm,
                    declared=declared,
                    override_reason=override_reason,
                    state=RoundState(row.state),
                )
            except ClosureRefused as refused:
                raise ClosureRefused(round_id, [*refused.reasons, *reasons]) from None
            if reasons:
                raise ClosureRefused(round_id, reasons)
            data = r.to_json(record)
            event = self._append(
                tx,
                at=when,
                actor=who,
                action="round.closed",
                entity=f"round:{round_id}",
                round_id=round_id,
                digest=record.digest,
                rule_versions=record.rule_versions,
                detail={
                    "from": row.state,
                    "applications": record.totals.applications.count,
                    "awards": record.totals.awards.count,
                    "awarded": str(record.totals.awards.total),
                    "override_reason": record.override_reason,
                },
            )
            tx.insert_closure(
                ClosureRow(round_id, when.isoformat(), who, record.digest, event.id, data)
            )
            tx.set_round_state(round_id, RoundState.CLOSED)
        return record

    def _duty_reasons(
        self,
        tx: Transaction,
        row: RoundRow,
        decision_rows: Sequence[Any],
        records: RoundRecords,
        actor: str,
    ) -> list[str]:
        fund = tx.fund(row.fund_id)
        required = self._policy.separate_closer_from_decider or (
            fund is not None and fund.separate_closer_from_decider
        )
        if not required:
            return []
        me = actor.casefold()
        mine = sorted(
            {d.application_id for d in decision_rows if d.recorded_by.casefold() == me}
            | {d.application_id for d in records.decisions if d.decided_by.casefold() == me}
        )
        if not mine:
            return []
        shown = ", ".join(mine[:5]) + (f" and {len(mine) - 5} more" if len(mine) > 5 else "")
        return [
            f"separation of duties: {actor} recorded or made decisions in this round ({shown}); "
            "someone else must close it"
        ]

    # --- checking ------------------------------------------------------------------------

    def verify(self, *, anchor: tuple[int, str] | None = None) -> VerifyReport:
        """Walk the hash chain and re-check every closed round; report every problem found.

        Recomputes each closed round's digest and totals from its stored rows and compares
        them with its closure record and closing event. ``anchor`` is an ``(id, hash)`` from
        `head` kept elsewhere: it catches a chain cut short or rewritten from the start.
        """
        with self._store.read() as tx:
            return verify_store(tx, anchor=anchor)


def open_ledger(
    path: str | os.PathLike[str] | None = None,
    *,
    clock: Clock | None = None,
    policy: LedgerPolicy | None = None,
    timeout: float = 30.0,  # float-ok: seconds, not money
) -> Ledger:
    """Open a ledger file; the same as `Ledger.open`."""
    return Ledger.open(path, clock=clock, policy=policy, timeout=timeout)


# --- batch helpers -------------------------------------------------------------------------


def _problem(index: int, key: str | None, message: str, field: str | None = None) -> Problem:
    return Problem(f"{key}: {message}" if key else message, row=index, field=field, value=key)


def _data_error(problems: list[Problem], what: str) -> DataError:
    return DataError(problems, f"{len(problems)} problem(s) in the {what}; nothing was written")


def _by_round(rows: Iterable[T], round_of: Callable[[T], str]) -> dict[str, list[T]]:
    groups: dict[str, list[T]] = {}
    for row in rows:
        groups.setdefault(round_of(row), []).append(row)
    return groups
