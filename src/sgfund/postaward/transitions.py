"""What each post-award action does to a `Position`, and what it refuses.

One function per `Action` (`HANDLERS`); each returns the next position or raises `Refused`
with the reason, which `sgfund.postaward.position.apply` turns into a `PostAwardError`
naming the award and the step. `common_checks` are what every step must pass first.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from sgfund.dates import LONDON, london_text, months_between
from sgfund.money import ZERO, format_money
from sgfund.postaward.records import (
    Instalment,
    InstalmentStatus,
    Position,
    ReturnStatus,
    Status,
    SubmittedReturn,
    Variation,
    Version,
)
from sgfund.postaward.steps import FINAL_RETURN, Action, AwardStep

__all__ = ["HANDLERS", "Refused", "common_checks", "need", "pounds"]


def _replace_instalment(position: Position, new: Instalment) -> tuple[Instalment, ...]:
    return tuple(new if i.id == new.id else i for i in position.instalments)


def _replace_variation(position: Position, new: Variation) -> tuple[Variation, ...]:
    return tuple(new if v.id == new.id else v for v in position.variations)


def _replace_return(position: Position, new: SubmittedReturn) -> tuple[SubmittedReturn, ...]:
    found = [r for r in position.returns if r.id != new.id]
    return (*found, new)


def pounds(amount: Decimal | None) -> str:
    """Money as people read it (nothing is £0.00)."""
    return format_money(amount if amount is not None else ZERO)


class Refused(Exception):
    """Why one step cannot happen (becomes a `PostAwardError` naming the award and step)."""


def need(condition: bool, message: str) -> None:
    """Refuse the step with ``message`` unless ``condition``."""
    if not condition:
        raise Refused(message)


def common_checks(position: Position, step: AwardStep) -> None:
    """The step is for this award and round, next in sequence, and not dated before it."""
    award = position.award
    need(step.award_id == award.id, f"is for award {step.award_id}, not {award.id}")
    need(
        step.round_id == award.round_id,
        f"says round {step.round_id}, but the award is in round {award.round_id}",
    )
    expected = len(position.steps) + 1
    need(
        step.seq == expected,
        f"is numbered {step.seq}, but the award's next step is {expected} (another step was "
        "recorded since; read the award again)",
    )
    last = position.last_at
    need(
        last is None or step.at >= last,
        f"is dated {london_text(step.at)}, before the award's previous step "
        f"({london_text(last) if last else ''})",
    )
    need(
        step.on >= award.awarded_on,
        f"is dated {step.on.isoformat()}, before the award was made "
        f"({award.awarded_on.isoformat()})",
    )


def _period(position: Position, end: date) -> None:
    start_on = position.award.start
    need(end >= start_on, f"ends on {end.isoformat()}, before the project starts ({start_on})")
    months = months_between(start_on, end)
    need(
        months <= position.max_months,
        f"runs {months} months ({start_on} to {end}); the round allows at most "
        f"{position.max_months}",
    )


def _offered(position: Position, step: AwardStep) -> Position:
    need(position.status is Status.AWARDED, f"the award is already {position.status}")
    end, due = step.end, step.due_on
    if end is None or due is None:  # AwardStep requires both for an offer
        raise Refused("an offer needs the funding period's end and the final return's due date")
    _period(position, end)
    need(due >= end, f"the final return is due {due}, before the funding period ends ({end})")
    return attrs.evolve(
        position,
        status=Status.OFFERED,
        end=end,
        return_due=due,
        conditions=(*position.award.conditions, *step.conditions),
    )


def _accepted(position: Position, step: AwardStep) -> Position:
    need(
        position.status is Status.OFFERED,
        f"only an offer can be accepted; the award is {position.status}",
    )
    return attrs.evolve(position, status=Status.ACTIVE, accepted_at=step.at, accepted_by=step.by)


def _version(position: Position, step: AwardStep, amount: Decimal, why: str) -> tuple[Version, ...]:
    new = Version(seq=step.seq, amount=amount, end=position.end, purpose=position.purpose, why=why)
    return (*position.versions, new)


def _declined(position: Position, step: AwardStep) -> Position:
    need(
        position.status is Status.OFFERED,
        f"only an offer can be declined; the award is {position.status}",
    )
    return attrs.evolve(
        position,
        status=Status.DECLINED,
        awarded=ZERO,
        versions=_version(position, step, ZERO, "declined"),
    )


def _payable(position: Position, what: str) -> None:
    if position.status in (Status.AWARDED, Status.OFFERED):
        raise Refused(
            f"{what} before the offer is accepted (the award is {position.status}); no payment "
            "is made before the grant agreement is accepted"
        )
    need(
        position.status in (Status.ACTIVE, Status.COMPLETED),
        f"{what}: the award is {position.status}",
    )


def _scheduled(position: Position, step: AwardStep) -> Position:
    name = str(step.instalment)
    _payable(position, f"instalment {name} cannot be scheduled")
    need(position.instalment(name) is None, f"instalment {name} is already scheduled")
    amount = step.amount if step.amount is not None else ZERO
    new = Instalment(id=name, amount=amount, due_on=step.due_on, waits_for=step.ref)
    return attrs.evolve(position, instalments=(*position.instalments, new))


def _existing(position: Position, step: AwardStep) -> Instalment:
    found = position.instalment(str(step.instalment))
    if found is None:
        raise Refused(f"the award has no instalment {step.instalment!r}")
    return found


def _authorised(position: Position, step: AwardStep) -> Position:
    name = str(step.instalment)
    _payable(position, f"instalment {name} cannot be authorised")
    found = _existing(position, step)
    need(
        found.status is InstalmentStatus.SCHEDULED,
        f"instalment {name} is {found.status}; only a scheduled instalment is authorised",
    )
    waits = found.waits_for
    if waits is not None:
        submitted = position.submitted(waits)
        need(
            submitted is not None and submitted.status is ReturnStatus.ACCEPTED,
            f"instalment {name} is paid once the {waits} return is accepted, and it is not yet",
        )
    new = attrs.evolve(found, status=InstalmentStatus.AUTHORISED, authorised_by=step.by)
    return attrs.evolve(position, instalments=_replace_instalment(position, new))


def _paid(position: Position, step: AwardStep) -> Position:
    name = str(step.instalment)
    _payable(position, f"instalment {name} cannot be paid")
    found = _existing(position, step)
    if found.status is InstalmentStatus.PAID:
        when = found.paid_at.astimezone(LONDON).date() if found.paid_at else "an earlier date"
        raise Refused(
            f"instalment {name} was already paid on {when} by {found.paid_by}; paying it twice "
            "is refused"
        )
    amount = step.amount if step.amount is not None else ZERO
    after = position.paid + amount - position.clawed
    need(
        after <= position.awarded,
        f"paying {pounds(amount)} would bring payments to {pounds(position.paid + amount)}, "
        f"more than the {pounds(position.awarded)} awarded"
        + (" (as varied)" if position.awarded != position.award.amount else ""),
    )
    need(
        found.status is InstalmentStatus.AUTHORISED,
        f"instalment {name} is {found.status}; a payment is authorised before it is paid",
    )
    need(
        amount == found.amount,
        f"pays {pounds(amount)}, but instalment {name} is {pounds(found.amount)}",
    )
    authoriser = found.authorised_by or ""
    need(
        step.by.casefold() != authoriser.casefold(),
        f"separation of duties: {step.by} authorised instalment {name} and may not also pay it",
    )
    twin = next(
        (
            i
            for i in position.instalments
            if i.status is InstalmentStatus.PAID
            and i.amount == amount
            and i.paid_at is not None
            and i.paid_at.astimezone(LONDON).date() == step.on
        ),
        None,
    )
    need(
        twin is None or step.confirmed,
        f"instalment {twin.id if twin else ''} of the same {pounds(amount)} was paid the same "
        "day: this looks like a duplicate payment (confirm it if both are intended)",
    )
    new = attrs.evolve(found, status=InstalmentStatus.PAID, paid_by=step.by, paid_at=step.at)
    return attrs.evolve(position, instalments=_replace_instalment(position, new))


def _failed(position: Position, step: AwardStep) -> Position:
    found = _existing(position, step)
    need(
        found.status is InstalmentStatus.AUTHORISED,
        f"instalment {found.id} is {found.status}; only an authorised payment can fail",
    )
    new = attrs.evolve(
        found, status=InstalmentStatus.SCHEDULED, authorised_by=None, failures=found.failures + 1
    )
    return attrs.evolve(position, instalments=_replace_instalment(position, new))


def _cancelled(position: Position, step: AwardStep) -> Position:
    found = _existing(position, step)
    need(found.pending, f"instalment {found.id} is {found.status}; it cannot be cancelled")
    new = attrs.evolve(found, status=InstalmentStatus.CANCELLED)
    return attrs.evolve(position, instalments=_replace_instalment(position, new))


def _variation_requested(position: Position, step: AwardStep) -> Position:
    name = str(step.ref)
    need(
        position.status is Status.ACTIVE,
        f"only an accepted, running award is varied; the award is {position.status}",
    )
    need(position.variation(name) is None, f"variation {name} was already requested")
    if step.end is not None:
        _period(position, step.end)
    new = Variation(
        id=name,
        requested_by=step.by,
        requested_at=step.at,
        reason=step.reason,
        amount=step.amount,
        end=step.end,
        purpose=step.purpose,
    )
    return attrs.evolve(position, variations=(*position.variations, new))


def _decided(position: Position, step: AwardStep) -> Variation:
    found = position.variation(str(step.ref))
    if found is None:
        raise Refused(f"no variation {step.ref!r} was requested")
    need(found.status == "requested", f"variation {found.id} was already {found.status}")
    return found


def _variation_approved(position: Position, step: AwardStep) -> Position:
    found = _decided(position, step)
    need(
        position.status is Status.ACTIVE,
        f"only a running award is varied; the award is {position.status}",
    )
    need(
        step.by.casefold() != found.requested_by.casefold(),
        f"separation of duties: {step.by} requested variation {found.id} and may not also "
        "approve it",
    )
    net_paid = position.paid - position.clawed
    amount = found.amount if found.amount is not None else position.awarded
    need(
        amount >= net_paid,
        f"variation {found.id} would bring the award to {pounds(amount)}, below the "
        f"{pounds(net_paid)} already paid; claw the difference back instead",
    )
    instalments = position.instalments
    if amount != position.awarded:
        # The schedule still to pay no longer fits: cancel it; the same batch schedules anew.
        instalments = tuple(
            attrs.evolve(i, status=InstalmentStatus.CANCELLED) if i.pending else i
            for i in instalments
        )
    moved = attrs.evolve(
        position,
        awarded=amount,
        end=found.end if found.end is not None else position.end,
        purpose=found.purpose if found.purpose is not None else position.purpose,
        instalments=instalments,
        variations=_replace_variation(
            position, attrs.evolve(found, status="approved", decided_by=step.by)
        ),
    )
    return attrs.evolve(moved, versions=_version(moved, step, amount, f"variation {found.id}"))


def _variation_refused(position: Position, step: AwardStep) -> Position:
    found = _decided(position, step)
    new = attrs.evolve(found, status="refused", decided_by=step.by)
    return attrs.evolve(position, variations=_replace_variation(position, new))


def _return_received(position: Position, step: AwardStep) -> Position:
    name = str(step.ref)
    need(
        position.status in (Status.ACTIVE, Status.WITHDRAWN),
        f"returns are received for accepted awards; the award is {position.status}",
    )
    found = position.submitted(name)
    need(
        found is None or found.status is ReturnStatus.SENT_BACK,
        f"the {name} return was already received ({found.status if found else ''})",
    )
    new = SubmittedReturn(id=name, status=ReturnStatus.RECEIVED, received_at=step.at)
    return attrs.evolve(position, returns=_replace_return(position, new))


def _return_decided(position: Position, step: AwardStep, status: ReturnStatus) -> Position:
    name = str(step.ref)
    found = position.submitted(name)
    need(
        found is not None and found.status is ReturnStatus.RECEIVED,
        f"the {name} return is not waiting for a decision"
        + (f" (it is {found.status})" if found else " (it was not received)"),
    )
    if found is None:  # for the type checker; _need refused it
        raise Refused(f"the {name} return was not received")
    new = attrs.evolve(found, status=status, decided_by=step.by)
    moved = attrs.evolve(position, returns=_replace_return(position, new))
    if status is ReturnStatus.ACCEPTED and name == FINAL_RETURN and moved.status is Status.ACTIVE:
        moved = attrs.evolve(moved, status=Status.COMPLETED)
    return moved


def _return_accepted(position: Position, step: AwardStep) -> Position:
    return _return_decided(position, step, ReturnStatus.ACCEPTED)


def _return_sent_back(position: Position, step: AwardStep) -> Position:
    return _return_decided(position, step, ReturnStatus.SENT_BACK)


def _clawed_back(position: Position, step: AwardStep) -> Position:
    need(
        position.status in (Status.ACTIVE, Status.COMPLETED, Status.WITHDRAWN),
        f"only money paid on an accepted award is clawed back; the award is {position.status}",
    )
    amount = step.amount if step.amount is not None else ZERO
    available = position.paid - position.clawed
    need(
        amount <= available,
        f"clawing back {pounds(amount)} is more than the {pounds(available)} paid and not "
        "already clawed back",
    )
    awarded = position.awarded - amount
    return attrs.evolve(
        position,
        clawed=position.clawed + amount,
        awarded=awarded,
        versions=_version(position, step, awarded, f"clawed back: {step.reason}"),
    )


def _recovered(position: Position, step: AwardStep) -> Position:
    amount = step.amount if step.amount is not None else ZERO
    need(
        amount <= position.to_recover,
        f"recovering {pounds(amount)} is more than the {pounds(position.to_recover)} clawed "
        "back and still to recover",
    )
    return attrs.evolve(position, recovered=position.recovered + amount)


def _withdrawn(position: Position, step: AwardStep) -> Position:
    need(
        position.status in (Status.OFFERED, Status.ACTIVE),
        f"only an offered or running award is withdrawn; the award is {position.status}",
    )
    instalments = tuple(
        attrs.evolve(i, status=InstalmentStatus.CANCELLED) if i.pending else i
        for i in position.instalments
    )
    moved = attrs.evolve(position, instalments=instalments, status=Status.WITHDRAWN)
    awarded = moved.paid - moved.clawed
    return attrs.evolve(
        moved,
        awarded=awarded,
        versions=_version(moved, step, awarded, f"withdrawn: {step.reason}"),
    )


HANDLERS = {
    Action.OFFERED: _offered,
    Action.ACCEPTED: _accepted,
    Action.DECLINED: _declined,
    Action.SCHEDULED: _scheduled,
    Action.AUTHORISED: _authorised,
    Action.PAID: _paid,
    Action.FAILED: _failed,
    Action.CANCELLED: _cancelled,
    Action.VARIATION_REQUESTED: _variation_requested,
    Action.VARIATION_APPROVED: _variation_approved,
    Action.VARIATION_REFUSED: _variation_refused,
    Action.RETURN_RECEIVED: _return_received,
    Action.RETURN_ACCEPTED: _return_accepted,
    Action.RETURN_SENT_BACK: _return_sent_back,
    Action.CLAWED_BACK: _clawed_back,
    Action.RECOVERED: _recovered,
    Action.WITHDRAWN: _withdrawn,
}
