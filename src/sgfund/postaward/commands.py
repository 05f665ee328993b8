"""The steps each post-award action records, numbered after an award's position.

Each function takes the award's current `Position` and returns the batch of `AwardStep`s
that one action records (one ledger event): accepting an offer also schedules its
instalments; approving a change of amount also schedules what is left to pay. They check
nothing themselves: `sgfund.postaward.position.advance` (and the ledger, on write) refuses a
batch that cannot happen, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sgfund.dates import LONDON
from sgfund.postaward.plans import PaymentPlan, PayOn, PlannedInstalment
from sgfund.postaward.position import InstalmentStatus, Position
from sgfund.postaward.steps import FINAL_RETURN, Action, AwardStep

__all__ = [
    "accept",
    "approve_variation",
    "authorise",
    "claw_back",
    "decide_return",
    "decline",
    "fail",
    "offer",
    "pay",
    "pending",
    "receive_return",
    "recover",
    "refuse_variation",
    "request_variation",
    "withdraw",
]


def _steps(
    position: Position, at: datetime, by: str, *specs: tuple[Action, dict[str, Any]]
) -> tuple[AwardStep, ...]:
    first = len(position.steps) + 1
    award = position.award
    return tuple(
        AwardStep(
            award_id=award.id,
            round_id=award.round_id,
            seq=first + offset,
            action=action,
            at=at,
            by=by,
            **fields,
        )
        for offset, (action, fields) in enumerate(specs)
    )


def offer(
    position: Position,
    *,
    at: datetime,
    by: str,
    return_due: date,
    end: date | None = None,
    conditions: Iterable[str] = (),
) -> tuple[AwardStep, ...]:
    """Offer the award for a funding period ending ``end`` (the award's own end by default)."""
    fields = {
        "end": end or position.end,
        "due_on": return_due,
        "conditions": tuple(conditions),
    }
    return _steps(position, at, by, (Action.OFFERED, fields))


def _schedule(
    planned: Sequence[PlannedInstalment], taken: set[str], accepted_on: date
) -> list[tuple[Action, dict[str, Any]]]:
    specs: list[tuple[Action, dict[str, Any]]] = []
    number = len(taken)
    for item in planned:
        number += 1
        name = item.id if item.id not in taken else str(number)
        while name in taken:
            number += 1
            name = str(number)
        taken.add(name)
        fields: dict[str, Any] = {"instalment": name, "amount": item.amount}
        if item.waits_for is None:
            fields["due_on"] = accepted_on
        else:
            fields["ref"] = item.waits_for
        specs.append((Action.SCHEDULED, fields))
    return specs


def accept(
    position: Position, *, at: datetime, by: str, plan: PaymentPlan
) -> tuple[AwardStep, ...]:
    """Accept the offer and schedule its instalments by ``plan``."""
    on = at.astimezone(LONDON).date()
    specs = [(Action.ACCEPTED, {}), *_schedule(plan.instalments(position.awarded), set(), on)]
    return _steps(position, at, by, *specs)


def decline(position: Position, *, at: datetime, by: str) -> tuple[AwardStep, ...]:
    """Record that the organisation declined the offer."""
    return _steps(position, at, by, (Action.DECLINED, {}))


def authorise(
    position: Position, instalment: str, *, at: datetime, by: str
) -> tuple[AwardStep, ...]:
    """Authorise an instalment for payment."""
    return _steps(position, at, by, (Action.AUTHORISED, {"instalment": instalment}))


def pay(
    position: Position,
    instalment: str,
    *,
    at: datetime,
    by: str,
    amount: Decimal | None = None,
    confirmed: bool = False,
) -> tuple[AwardStep, ...]:
    """Pay an authorised instalment (its own amount unless ``amount`` is given)."""
    found = position.instalment(instalment)
    paid = amount if amount is not None else (found.amount if found else None)
    fields = {"instalment": instalment, "amount": paid, "confirmed": confirmed}
    return _steps(position, at, by, (Action.PAID, fields))


def fail(
    position: Position, instalment: str, *, at: datetime, by: str, reason: str
) -> tuple[AwardStep, ...]:
    """Record that an authorised payment failed (it is scheduled again)."""
    fields = {"instalment": instalment, "reason": reason}
    return _steps(position, at, by, (Action.FAILED, fields))


def request_variation(
    position: Position,
    variation: str,
    *,
    at: datetime,
    by: str,
    reason: str,
    amount: Decimal | None = None,
    end: date | None = None,
    purpose: str | None = None,
) -> tuple[AwardStep, ...]:
    """Ask to change the award's amount, end or purpose."""
    fields = {"ref": variation, "reason": reason, "amount": amount, "end": end, "purpose": purpose}
    return _steps(position, at, by, (Action.VARIATION_REQUESTED, fields))


def approve_variation(
    position: Position, variation: str, *, at: datetime, by: str
) -> tuple[AwardStep, ...]:
    """Approve a requested variation; a new amount reschedules what is left to pay.

    The instalments still to pay are cancelled (by the approval itself) and what the varied
    award leaves to pay is scheduled as one instalment payable at once.
    """
    specs: list[tuple[Action, dict[str, Any]]] = [(Action.VARIATION_APPROVED, {"ref": variation})]
    found = position.variation(variation)
    if found is not None and found.amount is not None and found.amount != position.awarded:
        left = found.amount - (position.paid - position.clawed)
        if left > 0:
            taken = {i.id for i in position.instalments}
            planned = [PlannedInstalment(id=f"{variation}-1", amount=left, on=PayOn.ACCEPTANCE)]
            specs += _schedule(planned, taken, at.astimezone(LONDON).date())
    return _steps(position, at, by, *specs)


def refuse_variation(
    position: Position, variation: str, *, at: datetime, by: str, reason: str
) -> tuple[AwardStep, ...]:
    """Refuse a requested variation."""
    fields = {"ref": variation, "reason": reason}
    return _steps(position, at, by, (Action.VARIATION_REFUSED, fields))


def receive_return(
    position: Position, *, at: datetime, by: str, return_id: str = FINAL_RETURN
) -> tuple[AwardStep, ...]:
    """Record a monitoring return as received."""
    return _steps(position, at, by, (Action.RETURN_RECEIVED, {"ref": return_id}))


def decide_return(
    position: Position,
    *,
    at: datetime,
    by: str,
    accepted: bool,
    reason: str = "",
    return_id: str = FINAL_RETURN,
) -> tuple[AwardStep, ...]:
    """Accept a received return (the final one completes the project) or send it back."""
    if accepted:
        return _steps(position, at, by, (Action.RETURN_ACCEPTED, {"ref": return_id}))
    fields = {"ref": return_id, "reason": reason}
    return _steps(position, at, by, (Action.RETURN_SENT_BACK, fields))


def claw_back(
    position: Position, amount: Decimal, *, at: datetime, by: str, reason: str
) -> tuple[AwardStep, ...]:
    """Claw back underspend: the award is reduced and the amount is due back."""
    fields = {"amount": amount, "reason": reason}
    return _steps(position, at, by, (Action.CLAWED_BACK, fields))


def recover(position: Position, amount: Decimal, *, at: datetime, by: str) -> tuple[AwardStep, ...]:
    """Record money clawed back as received."""
    return _steps(position, at, by, (Action.RECOVERED, {"amount": amount}))


def withdraw(position: Position, *, at: datetime, by: str, reason: str) -> tuple[AwardStep, ...]:
    """Withdraw an offered or running award: nothing more is paid."""
    return _steps(position, at, by, (Action.WITHDRAWN, {"reason": reason}))


def pending(position: Position) -> list[str]:
    """Ids of the instalments still to pay, in order."""
    return [
        i.id
        for i in position.instalments
        if i.status in (InstalmentStatus.SCHEDULED, InstalmentStatus.AUTHORISED)
    ]
