"""Post-award figures over many awards: money to the penny, returns due and overdue.

Reminders are data: `due_returns` lists each final return still awaited as of a date, with
whether it is overdue; nothing here sends anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from attrs import frozen

from sgfund.money import ZERO, sum_money
from sgfund.postaward.position import Position, ReturnStatus, Status
from sgfund.postaward.steps import FINAL_RETURN

__all__ = ["PostAwardTotals", "ReturnDue", "due_returns", "post_award_totals"]


@frozen(kw_only=True)
class ReturnDue:
    """A final return still awaited as of a date (received ones awaiting a decision too)."""

    award_id: str
    round_id: str
    return_id: str
    due_on: date
    overdue: bool
    status: str  # "due", "received" or "sent_back"


@frozen(kw_only=True)
class PostAwardTotals:
    """The post-award view of some awards, as of a date.

    ``awarded = paid + outstanding - recovered`` exactly (`check` says so or raises).
    """

    awards: int
    offered: int
    accepted: int
    declined: int
    completed: int
    withdrawn: int
    awarded: Decimal
    paid: Decimal
    outstanding: Decimal
    recovered: Decimal
    clawed_back: Decimal
    to_pay: Decimal
    to_recover: Decimal
    returns_due: int
    returns_overdue: int

    @property
    def balanced(self) -> bool:
        """Whether ``awarded = paid + outstanding - recovered`` to the penny."""
        return self.awarded == self.paid + self.outstanding - self.recovered


def due_returns(positions: Iterable[Position], *, as_of: date) -> tuple[ReturnDue, ...]:
    """Every final return not yet accepted as of ``as_of``, oldest due date first.

    Only accepted awards owe returns; a return is overdue when ``as_of`` is after its due
    date and it has not been received (a return sent back for changes is awaited again).
    """
    due = []
    for position in positions:
        if position.status is not Status.ACTIVE or position.return_due is None:
            continue
        submitted = position.submitted(FINAL_RETURN)
        if submitted is not None and submitted.status is ReturnStatus.ACCEPTED:
            continue
        status = "due" if submitted is None else str(submitted.status)
        waiting = submitted is None or submitted.status is ReturnStatus.SENT_BACK
        due.append(
            ReturnDue(
                award_id=position.award_id,
                round_id=position.award.round_id,
                return_id=FINAL_RETURN,
                due_on=position.return_due,
                overdue=waiting and as_of > position.return_due,
                status=status,
            )
        )
    return tuple(sorted(due, key=lambda r: (r.due_on, r.award_id)))


def post_award_totals(positions: Iterable[Position], *, as_of: date) -> PostAwardTotals:
    """Add up the positions' money and statuses, and count returns due as of ``as_of``."""
    chosen = list(positions)
    statuses = [p.status for p in chosen]
    returns = due_returns(chosen, as_of=as_of)
    return PostAwardTotals(
        awards=len(chosen),
        offered=statuses.count(Status.OFFERED),
        accepted=sum(p.accepted for p in chosen),
        declined=statuses.count(Status.DECLINED),
        completed=statuses.count(Status.COMPLETED),
        withdrawn=statuses.count(Status.WITHDRAWN),
        awarded=sum_money(p.awarded for p in chosen),
        paid=sum_money(p.paid for p in chosen),
        outstanding=sum(((p.outstanding) for p in chosen), start=ZERO),
        recovered=sum_money(p.recovered for p in chosen),
        clawed_back=sum_money(p.clawed for p in chosen),
        to_pay=sum_money(p.to_pay for p in chosen),
        to_recover=sum_money(p.to_recover for p in chosen),
        returns_due=len(returns),
        returns_overdue=sum(r.overdue for r in returns),
    )
