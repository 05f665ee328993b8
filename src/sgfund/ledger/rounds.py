"""The ledger's funds, eras and rounds: adding them, a round's lifecycle, reading them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sgfund.convert import unstructure
from sgfund.errors import LedgerError
from sgfund.funds import Fund, Round
from sgfund.ledger.base import LedgerBase, checked_actor
from sgfund.ledger.events import (
    FUND_FILE_ACTION,
    Event,
    digest_rows,
    fund_file_digest,
    image,
    state_digest,
)
from sgfund.ledger.kinds import (
    ERAS,
    FUNDS,
    ROUNDS,
    Kind,
    Row,
    to_json,
)
from sgfund.ledger.policy import LedgerPolicy, fund_row
from sgfund.ledger.records import load_round
from sgfund.ledger.schema import AMENDABLE, ROUND_AMENDED
from sgfund.ledger.store import SupersededRow
from sgfund.ledger.writing import closed_error
from sgfund.lifecycle import RoundState, TransitionEvent, transition

__all__ = ["RoundsMixin", "round_changes"]


def round_changes(old: Round, new: Round) -> dict[str, dict[str, Any]]:
    """The terms that differ between two versions of a round: ``{field: {"old": .., "new": ..}}``
    with values as stored (JSON), in the round's field order.
    """  # noqa: D205 - the summary needs both lines
    before, after = unstructure(old), unstructure(new)
    return {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in after
        if before.get(name) != after.get(name)
    }


def _amend_refusal(round_id: str, state: RoundState) -> str:
    return (
        f"round {round_id!r} is {state}: its applications are being judged under its terms, so "
        "they cannot change (only a draft or open round's terms can be amended)"
    )


class RoundsMixin(LedgerBase):
    """`Ledger`'s methods for funds, their fund files, eras and rounds."""

    def add_fund(
        self,
        fund: Fund,
        *,
        actor: str,
        policy: LedgerPolicy | None = None,
        at: datetime | None = None,
    ) -> None:
        """Add a fund, with its policy (part of what the fund's event digests)."""
        who, when = checked_actor(actor), self._when(at)
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
        who, when = checked_actor(actor), self._when(at)
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
        who, when = checked_actor(actor), self._when(at)
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

    def amend_round(self, round: Round, *, actor: str, at: datetime | None = None) -> Event | None:
        """Change the terms of a draft or open round to those of ``round`` (same id).

        Its name, window, pot, grant limits, months, organisation types, vocabularies and area
        may change; its fund and era may not. One ``round.amended`` event records each changed
        field's old and new value and the digest of the new row; the row it replaces is kept
        as superseded, so the terms in force at any time stay in the audit trail. Applications
        already stored are judged under the new terms when the round is assessed. A round past
        ``open`` keeps its terms: `RoundClosedError` for a closed round (who closed it, when),
        `LedgerError` for the others. Returns the event, or None when nothing differs.
        """
        who, when = checked_actor(actor), self._when(at)
        with self._writing() as s:
            found = s.round(round.id)
            if found is None:
                raise LedgerError(f"round {round.id!r} is not in the ledger")
            row, stored = found
            state = RoundState(row.state)
            if state is RoundState.CLOSED:
                raise closed_error(s.tx, round.id)
            for name, old, new in (
                ("fund", stored.fund_id, round.fund_id),
                ("era", stored.era.id, round.era.id),
            ):
                if old != new:
                    raise LedgerError(
                        f"round {round.id!r} is in {name} {old!r}; a round's {name} never "
                        f"changes (not to {new!r})"
                    )
            if to_json(round.era) != to_json(stored.era):
                raise LedgerError(
                    f"era {round.era.id!r} is stored with different details; a round must use "
                    "the era as stored"
                )
            changes = round_changes(stored, round)
            if not changes:
                return None
            if state not in AMENDABLE:
                raise LedgerError(_amend_refusal(round.id, state))
            new_row = ROUNDS.row(round, who)
            event = s.append(
                at=when,
                actor=who,
                action=ROUND_AMENDED,
                entity=f"round:{round.id}",
                round_id=round.id,
                digest=digest_rows([(ROUNDS, new_row)]),
                detail={"changes": changes},
            )
            old_row = (row.id, row.fund_id, row.era_id, row.data)
            kept = SupersededRow(
                ROUNDS.name, round.id, row.event_id, event.id, image(ROUNDS, old_row)
            )
            s.tx.insert_superseded([kept])
            s.tx.replace(ROUNDS, [new_row], event.id)
            s.amended(round.id, row._replace(data=new_row[-1], event_id=event.id), round)
        return Event.from_row(event)

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
        who, when = checked_actor(actor), self._when(at)
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
