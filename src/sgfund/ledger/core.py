"""The ledger's API: every change in one transaction, with an event appended to the chain."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sgfund.applications import Application
from sgfund.assessment import Assessment
from sgfund.closure import ClosureRecord, RoundRecords
from sgfund.collect import SgfundPluginManager
from sgfund.convert import structure, unstructure
from sgfund.dates import LONDON, require_aware
from sgfund.decisions import Award, Decision
from sgfund.errors import FieldError, LedgerError
from sgfund.funds import Fund, Round
from sgfund.ledger import closing
from sgfund.ledger.closing import AnchoredClosure
from sgfund.ledger.events import (
    FUND_FILE_ACTION,
    Anchor,
    Event,
    digest_rows,
    fund_file_digest,
    state_digest,
)
from sgfund.ledger.kinds import (
    APPLICATIONS,
    ASSESSMENTS,
    AWARD_STEPS,
    AWARDS,
    DECISIONS,
    ERAS,
    FUNDS,
    ORGANISATIONS,
    RESOLUTIONS,
    ROUNDS,
    THEME_OVERRIDES,
    Kind,
    Row,
    themes_checked,
    to_json,
)
from sgfund.ledger.policy import LedgerPolicy, fund_row, stored_policy
from sgfund.ledger.postaward import round_positions, steps_check
from sgfund.ledger.records import load_round, round_records
from sgfund.ledger.sqlite import SqliteStore
from sgfund.ledger.store import DuplicateKeyError, LedgerStore
from sgfund.ledger.verify import VerifyProblem, VerifyReport, verify_ledger
from sgfund.ledger.writing import WriteContext, duplicate_problems, write_records
from sgfund.lifecycle import RoundState, TransitionEvent, transition
from sgfund.postaward import AwardStep, Position
from sgfund.review import Resolution, ThemeOverride
from sgfund.scope import DeclaredFigure
from sgfund.themes import round_vocabularies

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "AnchorLike",
    "AnchoredClosure",
    "Ledger",
    "open_ledger",
    "verify_file",
]

ENV_VAR = "SGFUND_DB"
DEFAULT_PATH = "sgfund.db"

Clock = Callable[[], datetime]
AnchorLike = Anchor | str | tuple[int, str]


def _actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise FieldError("actor", actor, "the name of whoever makes the change")
    return actor.strip()


def _anchors(anchor: AnchorLike | None, anchors: Iterable[AnchorLike]) -> list[Anchor]:
    given = ([] if anchor is None else [anchor]) + list(anchors)
    return [Anchor.parse(a) for a in given]


def _unreadable(location: str, err: Exception, anchors: Sequence[Anchor]) -> VerifyReport:
    problem = VerifyProblem(kind="file", entity=location, message=f"cannot be read: {err}")
    return VerifyReport(
        events_checked=0,
        rounds_checked=0,
        closed_rounds=0,
        records_checked=0,
        head=None,
        anchors_checked=len(anchors),
        problems=[problem],
    )


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
        self._context: WriteContext | None = None

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
        ``timeout`` is how many seconds a write waits for another process's write. A file that
        is not a ledger, or is damaged, raises `LedgerError` naming it and what is wrong.
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

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Self]:
        """Make several calls all or nothing together: they commit when the block ends.

        If anything in the block raises, every change made in it is rolled back, events
        included. A call inside the block that raises undoes its own changes only, so the
        block may catch its error and carry on.
        """
        with self._writing():
            yield self

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

    @contextlib.contextmanager
    def _writing(self) -> Iterator[WriteContext]:
        outer = self._context
        with self._store.write() as tx:
            context = outer if outer is not None else WriteContext(tx)
            self._context = context
            try:
                yield context
            except BaseException:
                context.forget()
                raise
            finally:
                self._context = outer

    def _policy_of(self, row: Row | None) -> LedgerPolicy:
        stored = LedgerPolicy() if row is None else stored_policy(row)
        return stored.tightened_by(self._policy)

    # --- funds and rounds ----------------------------------------------------------------

    def add_fund(
        self,
        fund: Fund,
        *,
        actor: str,
        policy: LedgerPolicy | None = None,
        at: datetime | None = None,
    ) -> None:
        """Add a fund, with its policy (part of what the fund's event digests)."""
        who, when = _actor(actor), self._when(at)
        chosen = policy or LedgerPolicy()
        row = fund_row(fund, chosen)
        with self._writing() as s:
            if s.tx.rows(FUNDS, [fund.id]):
                raise LedgerError(f"fund {fund.id!r} is already in the ledger")
            event = s.append(
                at=when,
                actor=who,
                action=FUNDS.action,
                entity=f"fund:{fund.id}",
                digest=digest_rows([(FUNDS, row)]),
                detail={"policy": unstructure(chosen)},
            )
            s.tx.insert(FUNDS, [row], event.id)

    def fund_policy(self, fund_id: str) -> LedgerPolicy:
        """The policy in force for a fund (the fund's own, tightened by the ledger's)."""
        with self._store.read() as tx:
            found = tx.rows(FUNDS, [fund_id]).get(fund_id)
        if found is None:
            raise LedgerError(f"fund {fund_id!r} is not in the ledger")
        return self._policy_of(found.row)

    def record_fund_file(
        self,
        fund_id: str,
        source: str,
        *,
        actor: str,
        at: datetime | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> Event:
        """Record the text of a fund file applied to a fund, with ``detail`` (what changed).

        The event holds the whole text and its digest, so the fund file in force at any point
        is in the audit trail (`fund_files`). Use `sgfund.fundfile.apply_fund_file`, which
        also adds the fund, eras and rounds and says what changed.
        """
        who, when = _actor(actor), self._when(at)
        with self._writing() as s:
            if not s.tx.rows(FUNDS, [fund_id]):
                raise LedgerError(f"fund {fund_id!r} is not in the ledger: add the fund first")
            row = s.append(
                at=when,
                actor=who,
                action=FUND_FILE_ACTION,
                entity=f"fund:{fund_id}",
                digest=fund_file_digest(fund_id, source),
                detail={**(detail or {}), "source": source},
            )
        return Event.from_row(row)

    def fund_files(self, fund_id: str) -> list[Event]:
        """Every fund file applied to a fund, oldest first (``event.detail["source"]``)."""
        entity = f"fund:{fund_id}"
        with self._store.read() as tx:
            rows = [r for r in tx.events() if r.action == FUND_FILE_ACTION and r.entity == entity]
        return [Event.from_row(row) for row in rows]

    def add_round(self, round: Round, *, actor: str, at: datetime | None = None) -> None:
        """Add a round (in state ``draft``); its fund must be in the ledger already."""
        who, when = _actor(actor), self._when(at)
        row, era = ROUNDS.row(round, who), to_json(round.era)
        with self._writing() as s:
            if not s.tx.rows(FUNDS, [round.fund_id]):
                raise LedgerError(
                    f"round {round.id!r} is for fund {round.fund_id!r}, which is not in the "
                    "ledger: add the fund first"
                )
            if s.round(round.id) is not None:
                raise LedgerError(f"round {round.id!r} is already in the ledger")
            rows: list[tuple[Kind, Row]] = [(ROUNDS, row)]
            stored_era = s.tx.rows(ERAS, [round.era.id]).get(round.era.id)
            if stored_era is None:
                rows.append((ERAS, ERAS.row(round.era, who)))
            elif stored_era.row[-1] != era:
                raise LedgerError(
                    f"era {round.era.id!r} is stored with different details; a round must use "
                    "the era as stored"
                )
            event = s.append(
                at=when,
                actor=who,
                action=ROUNDS.action,
                entity=f"round:{round.id}",
                round_id=round.id,
                digest=digest_rows(rows),
            )
            for kind, written in reversed(rows):
                s.tx.insert(kind, [written], event.id)

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
        with self._writing() as s:
            row, _ = s.open_round(round_id)
            moved = transition(round_id, row.state, target, actor=who, at=when, reason=reason)
            source, goal = str(moved.from_state), str(moved.to_state)
            s.append(
                at=when,
                actor=who,
                action="round.state",
                entity=f"round:{round_id}",
                round_id=round_id,
                digest=state_digest(source, goal, moved.reason),
                detail={"from": source, "to": goal, "reason": moved.reason},
            )
            s.tx.set_round_state(round_id, goal)
            s.moved(round_id, moved.to_state)
        return moved

    def round_state(self, round_id: str) -> RoundState:
        """Where a round is in its lifecycle."""
        with self._store.read() as tx:
            row = tx.round(round_id)
        if row is None:
            raise LedgerError(f"round {round_id!r} is not in the ledger")
        return RoundState(row.state)

    def round(self, round_id: str) -> Round:
        """The round itself, without its records (cheap, unlike `round_records`)."""
        with self._store.read() as tx:
            row = tx.round(round_id)
        if row is None:
            raise LedgerError(f"round {round_id!r} is not in the ledger")
        return load_round(row.data)

    def rounds(self) -> dict[str, RoundState]:
        """Every round in the ledger and its state."""
        with self._store.read() as tx:
            return {row.id: RoundState(row.state) for row in tx.rounds()}

    # --- records of a round --------------------------------------------------------------

    def add_applications(
        self, applications: Iterable[Application], *, actor: str, at: datetime | None = None
    ) -> int:
        """Add new applications, all or nothing; return how many.

        Refuses with `DataError`, listing every problem and writing nothing, if a round is
        unknown or an id is repeated or already stored. Declared themes are stored as given:
        unknown or archived ones are referred by the ``declared-themes-known`` rule at
        assessment. A round past ``open`` raises `LedgerError`; a closed one
        `RoundClosedError`.
        """
        who, when = _actor(actor), self._when(at)
        apps = list(applications)
        try:
            with self._writing() as s:
                companions = _new_organisations(s, apps, who)
                write_records(s, APPLICATIONS, apps, actor=who, at=when, companions=companions)
                s.remember(apps)
        except DuplicateKeyError:
            with self._store.read() as tx:
                raise duplicate_problems(tx, APPLICATIONS, apps) from None
        return len(apps)

    def record(
        self, kind: Kind, items: Iterable[Any], *, actor: str, at: datetime | None = None
    ) -> int:
        """Record a batch of any kind of record that belongs to a round (`sgfund.ledger.kinds`),
        all or nothing, one event per round; return how many.

        The methods below are this for their kind. A kind that is not correctable refuses a
        key already stored; a correctable one replaces it, keeping the earlier version. Theme
        overrides are checked against the round's vocabularies, which plugins give: record
        them with `set_themes`.
        """  # noqa: D205 - the summary needs both lines
        if kind is APPLICATIONS:
            return self.add_applications(items, actor=actor, at=at)
        if kind is AWARD_STEPS:
            return self.record_award_steps(items, actor=actor, at=at)
        if kind is THEME_OVERRIDES:
            raise LedgerError(
                "theme overrides are checked against the round's vocabularies, which plugins "
                "give: record them with set_themes(..., pm=...)"
            )
        return self._record(kind, list(items), actor, at)

    def _record(
        self, kind: Kind, items: Sequence[Any], actor: str, at: datetime | None, **options: Any
    ) -> int:
        who, when = _actor(actor), self._when(at)
        if not kind.in_round:
            raise LedgerError(f"{kind.name} are not records of a round")
        with self._writing() as s:
            write_records(s, kind, items, actor=who, at=when, **options)
        return len(items)

    def record_assessments(
        self, assessments: Iterable[Assessment], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store assessments (`sgfund.assessment.Assessment`, or a `RoundAssessment`),
        replacing earlier ones of the same applications. All or nothing; the event records
        the rule versions used.
        """  # noqa: D205 - the summary needs both lines
        return self._record(
            ASSESSMENTS,
            list(assessments),
            actor,
            at,
            versions=lambda a: {str(k): str(v) for k, v in dict(a.rule_versions).items()},
        )

    def record_resolutions(
        self, resolutions: Iterable[Resolution], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store officers' resolutions of referred applications. All or nothing."""
        return self._record(RESOLUTIONS, list(resolutions), actor, at)

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
        detail = {"themes": sorted(override.themes), "reason": override.reason}
        check = themes_checked("themes", lambda rnd: round_vocabularies(pm, rnd))
        self._record(THEME_OVERRIDES, [override], who, when, detail=detail, check=check)
        return override

    def record_decisions(
        self, decisions: Iterable[Decision], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store decisions, all or nothing; a decision on an application already decided
        replaces it (a correction: the earlier one is kept and the event lists it).

        Decisions are stored as given; whether one can stand (a recorded justification for an
        award above the round's maximum grant or the amount requested,
        `sgfund.decisions.decision_problems`) is decided when the round closes.
        """  # noqa: D205 - the summary needs both lines
        return self._record(DECISIONS, list(decisions), actor, at)

    def record_awards(
        self, awards: Iterable[Award], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store awards, all or nothing; an award with an id already stored replaces it."""
        return self._record(AWARDS, list(awards), actor, at)

    def record_award_steps(
        self, steps: Iterable[AwardStep], *, actor: str, at: datetime | None = None
    ) -> int:
        """Record post-award steps (`sgfund.postaward.AwardStep`) of closed rounds' awards.

        All or nothing, one event per round. Each award's stored steps are replayed and the
        new ones applied after them: a step that cannot happen (paying before acceptance,
        paying an instalment twice, paying more than awarded, the authoriser paying, ...) or
        a batch after which the award's money does not add up is refused with `DataError`
        giving the reason, and nothing is written. Each step's ``by`` must be ``actor``.
        """
        who, when = _actor(actor), self._when(at)
        items = list(steps)
        with self._writing() as s:
            check = steps_check(s.tx, who)
            write_records(s, AWARD_STEPS, items, actor=who, at=when, check=check)
        return len(items)

    def post_award(
        self,
        round_id: str,
        *,
        as_of: date | None = None,
        awards: Iterable[str] | None = None,
    ) -> dict[str, Position]:
        """Every award of a round (or those named) and where it stands, by award id.

        With ``as_of``, where each stood at the end of that day (London).
        """
        with self._store.read() as tx:
            row = tx.round(round_id)
            if row is None:
                raise LedgerError(f"round {round_id!r} is not in the ledger")
            chosen = None if awards is None else list(awards)
            return round_positions(tx, load_round(row.data), as_of=as_of, awards=chosen)

    # --- reading -------------------------------------------------------------------------

    def round_records(self, round_id: str) -> RoundRecords:
        """Everything stored about one round, as frozen models."""
        with self._store.read() as tx:
            row = tx.round(round_id)
            if row is None:
                raise LedgerError(f"round {round_id!r} is not in the ledger")
            return round_records(tx, load_round(row.data))

    def closure(self, round_id: str) -> AnchoredClosure | None:
        """The closure record of a closed round, with its anchor (None while not closed)."""
        with self._store.read() as tx:
            row = tx.closure(round_id)
            event = None if row is None else tx.event(row.event_id)
        if row is None or event is None:
            return None
        record = structure(json.loads(row.record), ClosureRecord)
        return closing.anchored(record, Anchor(event.id, event.hash))

    def closure_anchor(self, round_id: str) -> Anchor:
        """The anchor of a closed round's closing event: publish it with the round's results."""
        found = self.closure(round_id)
        if found is None:
            raise LedgerError(f"round {round_id!r} is not closed, so it has no closure anchor")
        return found.anchor

    def events(self, *, round_id: str | None = None, after: int = 0) -> list[Event]:
        """The audit trail, oldest first: every event, or those of one round."""
        with self._store.read() as tx:
            return [Event.from_row(row) for row in tx.events(round_id=round_id, after=after)]

    def superseded(self, kind: Kind, key: str) -> list[tuple[int, Any]]:
        """Earlier versions of a corrected record as ``(event id, data)``, oldest first.

        ``kind`` is one of `sgfund.ledger.kinds` (``DECISIONS``, ``AWARDS``, ...); ``key``
        the application id (the award id for awards). The event is the one that replaced it.
        """
        with self._store.read() as tx:
            rows = tx.superseded(kind, key)
        return [(row.replaced_by, json.loads(json.loads(row.image)[-1])) for row in rows]

    def head(self) -> Anchor | None:
        """The newest event as an anchor: publish it to pin the chain outside the file."""
        with self._store.read() as tx:
            last = tx.last_event()
        return None if last is None else Anchor(last.id, last.hash)

    # --- closing and checking ------------------------------------------------------------

    def close_round(
        self,
        round_id: str,
        *,
        actor: str,
        pm: SgfundPluginManager,
        at: datetime | None = None,
        declared: Sequence[DeclaredFigure] = (),
        override_reason: str | None = None,
    ) -> AnchoredClosure:
        """Close a round: check it, then write its closure, state and event in one transaction.

        Returns the closure record with its ``anchor`` (the closing event's id and hash). The
        write lock is held from the start, so of two processes closing the same round exactly
        one succeeds; the other gets `RoundClosedError` naming who closed it and when. Every
        reason the round cannot close is listed at once in `ClosureRefused` (the closure
        checks of `sgfund.closure`, records that no longer match their events, and separation
        of duties when the fund's policy asks).
        """
        who, when = _actor(actor), self._when(at)
        with self._writing() as s:
            row, _ = s.open_round(round_id)
            fund = s.tx.rows(FUNDS, [row.fund_id]).get(row.fund_id)
            return closing.close(
                s,
                round_id,
                actor=who,
                at=when,
                policy=self._policy_of(None if fund is None else fund.row),
                pm=pm,
                declared=declared,
                override_reason=override_reason,
            )

    def verify(
        self, *, anchor: AnchorLike | None = None, anchors: Iterable[AnchorLike] = ()
    ) -> VerifyReport:
        """Check the whole ledger and report every problem found; never raises on damage.

        Checks the file and its schema (every guard), the hash chain, every record against the
        event that wrote it, every round's state against its events, and every closed round
        against its closure. ``anchor``/``anchors`` are anchors kept outside the file (from
        `head`, `closure_anchor`, or their printed form): each must still be in the chain.
        """
        chosen = _anchors(anchor, anchors)
        try:
            with self._store.read() as tx:
                return verify_ledger(tx, anchors=chosen)
        except Exception as err:  # a damaged ledger is reported, not raised
            return _unreadable(self.location, err, chosen)


def _new_organisations(
    context: WriteContext, apps: Sequence[Any], actor: str
) -> dict[str, list[tuple[Kind, Row]]]:
    """Organisations not yet stored, each with the first round (by id) it applies to."""
    keyed = [(a.round_id, a.organisation.key, a) for a in apps if isinstance(a, Application)]
    taken = set(context.tx.rows(ORGANISATIONS, sorted({key for _, key, _ in keyed})))
    by_round: dict[str, list[tuple[Kind, Row]]] = {}
    for round_id, key, app in sorted(keyed, key=lambda t: t[0]):
        if key not in taken:
            taken.add(key)
            row = ORGANISATIONS.row(app.organisation, actor)
            by_round.setdefault(round_id, []).append((ORGANISATIONS, row))
    return by_round


def open_ledger(
    path: str | os.PathLike[str] | None = None,
    *,
    clock: Clock | None = None,
    policy: LedgerPolicy | None = None,
    timeout: float = 30.0,  # float-ok: seconds, not money
) -> Ledger:
    """Open a ledger file; the same as `Ledger.open`."""
    return Ledger.open(path, clock=clock, policy=policy, timeout=timeout)


def verify_file(
    path: str | os.PathLike[str],
    *,
    anchor: AnchorLike | None = None,
    anchors: Iterable[AnchorLike] = (),
) -> VerifyReport:
    """Verify a ledger file without changing it (no migration, no writes); never raises on a
    missing, damaged or foreign file: what is wrong is in the report.
    """  # noqa: D205 - the summary needs both lines
    chosen = _anchors(anchor, anchors)
    location = str(path)
    if not Path(path).is_file():
        return _unreadable(location, FileNotFoundError("there is no such file"), chosen)
    try:
        store = SqliteStore(path, readonly=True)
    except LedgerError as err:
        return _unreadable(location, err, chosen)
    try:
        return Ledger(store).verify(anchors=chosen)
    finally:
        store.close()
