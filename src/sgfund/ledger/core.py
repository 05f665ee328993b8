"""The ledger's API: every change in one transaction, with an event appended to the chain."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sgfund.closure import ClosureRecord, RoundRecords
from sgfund.collect import SgfundPluginManager
from sgfund.convert import structure
from sgfund.errors import LedgerError
from sgfund.ledger import closing
from sgfund.ledger.base import (
    DEFAULT_PATH,
    ENV_VAR,
    AnchorLike,
    Clock,
    checked_actor,
    ledger_exists,
    open_store,
)
from sgfund.ledger.closing import AnchoredClosure
from sgfund.ledger.events import Anchor, Event
from sgfund.ledger.kinds import FUNDS, Kind
from sgfund.ledger.policy import LedgerPolicy
from sgfund.ledger.postgres import is_url, redacted
from sgfund.ledger.recording import RecordsMixin
from sgfund.ledger.records import load_round, round_records
from sgfund.ledger.rounds import RoundsMixin
from sgfund.ledger.verify import VerifyProblem, VerifyReport, verify_ledger
from sgfund.scope import DeclaredFigure

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "AnchorLike",
    "AnchoredClosure",
    "Ledger",
    "is_url",
    "ledger_exists",
    "open_ledger",
    "open_store",
    "verify_file",
]


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


class Ledger(RecordsMixin, RoundsMixin):
    """A fund's records and their audit trail.

    Open with `Ledger.open` (one SQLite file) and use as a context manager. Every write names an
    ``actor`` and a time: pass ``at=`` (timezone-aware) or open the ledger with ``clock=``; the
    library never reads the clock itself. A ledger object belongs to one thread; separate
    processes may share the file.
    """

    # Funds and rounds: `RoundsMixin`; records of a round: `RecordsMixin`; opening, the clock
    # and transactions: `LedgerBase`.

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
        who, when = checked_actor(actor), self._when(at)
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
    location = redacted(str(path)) if is_url(path) else str(path)
    if not is_url(path) and not Path(path).is_file():
        return _unreadable(location, FileNotFoundError("there is no such file"), chosen)
    try:
        store = open_store(path, readonly=True)
    except LedgerError as err:
        return _unreadable(location, err, chosen)
    try:
        return Ledger(store).verify(anchors=chosen)
    finally:
        store.close()
