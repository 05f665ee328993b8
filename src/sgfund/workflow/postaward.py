"""After the award, over the ledger: offers, payments, returns, variations and clawbacks.

One function per step an officer (or the finance team, or the grantee's answer) takes. Each
finds the award among the closed rounds (or in ``round_id``), builds the step with
`sgfund.postaward.commands`, refuses it at once with `PostAwardError` if it cannot happen, and
records it with `Ledger.record_award_steps` (which checks again under the write lock). Figures
come from `summary`, which the command line and the demo both use. No step reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from sgfund.collect import SgfundPluginManager
from sgfund.dates import london_iso
from sgfund.errors import WorkflowError
from sgfund.ledger import Ledger
from sgfund.lifecycle import RoundState
from sgfund.money import format_money
from sgfund.postaward import (
    AwardStep,
    Position,
    PostAwardTotals,
    ReturnDue,
    advance,
    due_returns,
    payment_plan,
    post_award_totals,
)
from sgfund.postaward import commands as do

__all__ = [
    "RETURN_WEEKS",
    "accept_offer",
    "accept_return",
    "approve_variation",
    "authorise_payment",
    "claw_back",
    "decline_offer",
    "fail_payment",
    "find_award",
    "make_offer",
    "pay_instalment",
    "position_dict",
    "positions",
    "receive_return",
    "recover_money",
    "refuse_variation",
    "request_variation",
    "returns_due",
    "send_back_return",
    "summary",
    "summary_dict",
    "summary_lines",
    "withdraw_award",
]

# An end-of-project return is due this many weeks after the funding period ends, unless the
# offer names a date (a round-wide completion date, say).
RETURN_WEEKS = 8


def _closed(ledger: Ledger, round_ids: Iterable[str] | None) -> list[str]:
    if round_ids:
        return list(round_ids)
    return sorted(r for r, state in ledger.rounds().items() if state is RoundState.CLOSED)


def find_award(ledger: Ledger, award_id: str, *, round_id: str | None = None) -> Position:
    """Where an award of a closed round stands (searching every closed round if not given)."""
    for rid in _closed(ledger, [round_id] if round_id else None):
        found = ledger.post_award(rid, awards=[award_id]).get(award_id)
        if found is not None:
            return found
    where = f"round {round_id!r}" if round_id else "any closed round"
    raise WorkflowError(
        f"award {award_id!r} is not an award of {where} (post-award steps are for the awards "
        "of closed rounds)"
    )


def positions(
    ledger: Ledger, round_ids: Iterable[str] | None = None, *, as_of: date | None = None
) -> list[Position]:
    """Every award of the rounds (every closed round if none given), as of a day if given."""
    found: list[Position] = []
    for rid in _closed(ledger, round_ids):
        found.extend(ledger.post_award(rid, as_of=as_of).values())
    return found


def _apply(
    ledger: Ledger,
    award_id: str,
    command: Callable[..., Sequence[AwardStep]],
    *args: Any,
    actor: str,
    at: datetime,
    round_id: str | None,
    **kwargs: Any,
) -> Position:
    """Find the award, build its steps with ``command(position, *args, at=, by=, **kwargs)``
    (one of `sgfund.postaward.commands`), refuse them at once with `PostAwardError` (the
    reason, before any write) or record them.
    """  # noqa: D205 - the summary needs both lines
    position = find_award(ledger, award_id, round_id=round_id)
    steps = command(position, *args, at=at, by=actor, **kwargs)
    moved = advance(position, steps)
    ledger.record_award_steps(steps, actor=actor, at=at)
    return moved


def make_offer(
    ledger: Ledger,
    award_id: str,
    *,
    actor: str,
    at: datetime,
    return_due: date | None = None,
    end: date | None = None,
    conditions: Iterable[str] = (),
    round_id: str | None = None,
) -> Position:
    """Offer an award for a funding period ending ``end`` (the award's own by default).

    The final return is due on ``return_due``, by default `RETURN_WEEKS` weeks after the end.
    """

    def offer(position: Position, *, at: datetime, by: str) -> Sequence[AwardStep]:
        ends = end or position.end
        due = return_due or ends + relativedelta(weeks=RETURN_WEEKS)
        return do.offer(position, at=at, by=by, return_due=due, end=ends, conditions=conditions)

    return _apply(ledger, award_id, offer, actor=actor, at=at, round_id=round_id)


def accept_offer(
    ledger: Ledger,
    award_id: str,
    *,
    pm: SgfundPluginManager,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Position:
    """Record the offer's acceptance and schedule its payments by the plugins' payment plan."""

    def accept(position: Position, *, at: datetime, by: str) -> Sequence[AwardStep]:
        plan = payment_plan(pm, ledger.round(position.award.round_id), position.awarded).item
        return do.accept(position, at=at, by=by, plan=plan)

    return _apply(ledger, award_id, accept, actor=actor, at=at, round_id=round_id)


def decline_offer(
    ledger: Ledger, award_id: str, *, actor: str, at: datetime, round_id: str | None = None
) -> Position:
    """Record that the organisation declined the offer."""
    return _apply(ledger, award_id, do.decline, actor=actor, at=at, round_id=round_id)


def authorise_payment(
    ledger: Ledger,
    award_id: str,
    instalment: str,
    *,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Position:
    """Authorise an instalment for payment (someone else pays it)."""
    return _apply(ledger, award_id, do.authorise, instalment, actor=actor, at=at, round_id=round_id)


def pay_instalment(
    ledger: Ledger,
    award_id: str,
    instalment: str,
    *,
    actor: str,
    at: datetime,
    amount: Decimal | None = None,
    confirmed: bool = False,
    round_id: str | None = None,
) -> Position:
    """Pay an authorised instalment (refused before acceptance, twice, over the award, or by
    its authoriser).
    """  # noqa: D205 - the summary needs both lines
    return _apply(
        ledger,
        award_id,
        do.pay,
        instalment,
        amount=amount,
        confirmed=confirmed,
        actor=actor,
        at=at,
        round_id=round_id,
    )


def fail_payment(
    ledger: Ledger,
    award_id: str,
    instalment: str,
    *,
    reason: str,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Position:
    """Record that an authorised payment failed; the instalment is scheduled again."""
    return _apply(
        ledger, award_id, do.fail, instalment, reason=reason, actor=actor, at=at, round_id=round_id
    )


def request_variation(
    ledger: Ledger,
    award_id: str,
    variation: str,
    *,
    reason: str,
    actor: str,
    at: datetime,
    amount: Decimal | None = None,
    end: date | None = None,
    purpose: str | None = None,
    round_id: str | None = None,
) -> Position:
    """Ask to change an award's amount, end or purpose (someone else approves it)."""
    return _apply(
        ledger,
        award_id,
        do.request_variation,
        variation,
        reason=reason,
        amount=amount,
        end=end,
        purpose=purpose,
        actor=actor,
        at=at,
        round_id=round_id,
    )


def approve_variation(
    ledger: Ledger,
    award_id: str,
    variation: str,
    *,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Position:
    """Approve a variation; a new amount reschedules what is left to pay."""
    return _apply(
        ledger, award_id, do.approve_variation, variation, actor=actor, at=at, round_id=round_id
    )


def refuse_variation(
    ledger: Ledger,
    award_id: str,
    variation: str,
    *,
    reason: str,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Position:
    """Refuse a requested variation."""
    return _apply(
        ledger,
        award_id,
        do.refuse_variation,
        variation,
        reason=reason,
        actor=actor,
        at=at,
        round_id=round_id,
    )


def receive_return(
    ledger: Ledger, award_id: str, *, actor: str, at: datetime, round_id: str | None = None
) -> Position:
    """Record the final monitoring return as received."""
    return _apply(ledger, award_id, do.receive_return, actor=actor, at=at, round_id=round_id)


def accept_return(
    ledger: Ledger, award_id: str, *, actor: str, at: datetime, round_id: str | None = None
) -> Position:
    """Accept the final return: the project is complete."""
    return _apply(
        ledger, award_id, do.decide_return, accepted=True, actor=actor, at=at, round_id=round_id
    )


def send_back_return(
    ledger: Ledger,
    award_id: str,
    *,
    reason: str,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Position:
    """Send the final return back for changes (it is awaited again)."""
    return _apply(
        ledger,
        award_id,
        do.decide_return,
        accepted=False,
        reason=reason,
        actor=actor,
        at=at,
        round_id=round_id,
    )


def claw_back(
    ledger: Ledger,
    award_id: str,
    amount: Decimal,
    *,
    reason: str,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Position:
    """Claw back underspend: the award is reduced by ``amount``, which is due back."""
    return _apply(
        ledger, award_id, do.claw_back, amount, reason=reason, actor=actor, at=at, round_id=round_id
    )


def recover_money(
    ledger: Ledger,
    award_id: str,
    amount: Decimal,
    *,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Position:
    """Record clawed-back money as received."""
    return _apply(ledger, award_id, do.recover, amount, actor=actor, at=at, round_id=round_id)


def withdraw_award(
    ledger: Ledger,
    award_id: str,
    *,
    reason: str,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Position:
    """Withdraw an offered or running award: nothing more is paid."""
    return _apply(
        ledger, award_id, do.withdraw, reason=reason, actor=actor, at=at, round_id=round_id
    )


def returns_due(
    ledger: Ledger, round_ids: Iterable[str] | None = None, *, as_of: date
) -> tuple[ReturnDue, ...]:
    """Final returns still awaited as of a day, each saying whether it is overdue."""
    return due_returns(positions(ledger, round_ids, as_of=as_of), as_of=as_of)


def summary(
    ledger: Ledger, round_ids: Iterable[str] | None = None, *, as_of: date
) -> PostAwardTotals:
    """The post-award figures of the rounds (every closed round if none given) as of a day."""
    return post_award_totals(positions(ledger, round_ids, as_of=as_of), as_of=as_of)


def summary_dict(totals: PostAwardTotals) -> dict[str, Any]:
    """The figures as plain data (money as text), for ``--json`` and the demo."""
    return {
        "awards": totals.awards,
        "offered": totals.offered,
        "accepted": totals.accepted,
        "declined": totals.declined,
        "completed": totals.completed,
        "withdrawn": totals.withdrawn,
        "awarded": str(totals.awarded),
        "paid": str(totals.paid),
        "outstanding": str(totals.outstanding),
        "recovered": str(totals.recovered),
        "clawed_back": str(totals.clawed_back),
        "to_pay": str(totals.to_pay),
        "to_recover": str(totals.to_recover),
        "returns_due": totals.returns_due,
        "returns_overdue": totals.returns_overdue,
        "balanced": totals.balanced,
    }


def position_dict(position: Position) -> dict[str, Any]:
    """One award's position as plain data (money as text), for ``--json``."""
    return {
        "award": position.award_id,
        "round": position.award.round_id,
        "status": str(position.status),
        "awarded": str(position.awarded),
        "paid": str(position.paid),
        "outstanding": str(position.outstanding),
        "recovered": str(position.recovered),
        "clawed_back": str(position.clawed),
        "end": position.end.isoformat(),
        "return_due": None if position.return_due is None else position.return_due.isoformat(),
        "instalments": [
            {
                "id": i.id,
                "amount": str(i.amount),
                "status": str(i.status),
                "due_on": None if i.due_on is None else i.due_on.isoformat(),
                "waits_for": i.waits_for,
                "authorised_by": i.authorised_by,
                "paid_by": i.paid_by,
                "paid_at": None if i.paid_at is None else london_iso(i.paid_at),
            }
            for i in position.instalments
        ],
        "variations": [
            {"id": v.id, "status": v.status, "amount": None if v.amount is None else str(v.amount)}
            for v in position.variations
        ],
    }


def summary_lines(figures: dict[str, Any], label: str) -> list[str]:
    """The post-award figures as lines for people (the demo prints the same)."""

    def m(key: str) -> str:
        return format_money(Decimal(figures[key]))

    check = "adds up" if figures["balanced"] else "DOES NOT ADD UP"
    return [
        f"{label}: {figures['awards']} awards; {figures['accepted']} accepted, "
        f"{figures['completed']} completed",
        f"  awarded {m('awarded')}  paid {m('paid')}  outstanding {m('outstanding')}  "
        f"recovered {m('recovered')}",
        f"  awarded = paid + outstanding - recovered: {check}",
        f"  returns due {figures['returns_due']}, overdue {figures['returns_overdue']}",
    ]
