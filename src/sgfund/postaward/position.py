"""Where an award stands after its decision: its steps folded, every rule checked on the way.

`apply` takes a `Position` and one `AwardStep` and returns the next position, or raises
`PostAwardError` saying why the step cannot happen (paying before the offer is accepted,
paying an instalment twice, paying more than awarded, the authoriser paying, approving one's
own variation, ...). `advance` applies a batch of steps and then checks the money
(`money_problems`): a batch is what one ledger event writes, so the money must add up after
each batch, not after each step within it (a variation cancels the old schedule and schedules
the new one in one batch). Pure: no clock, no storage.

The money of a position, all exact `Decimal` pounds and pence:

- ``awarded``: the award as currently varied (approved variations, less what was clawed back;
  nothing once declined; what was paid, net, once withdrawn);
- ``paid``: every instalment paid, gross;
- ``clawed``: underspend clawed back (it reduces ``awarded``); ``recovered``: what of it came
  back; ``to_recover``: ``clawed - recovered``;
- ``to_pay``: instalments scheduled or authorised, not yet paid;
- ``outstanding``: ``awarded - paid + recovered``, so ``awarded = paid + outstanding -
  recovered`` always; it is negative only while clawed-back money is still to come back.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

import attrs
from attrs import frozen

from sgfund.dates import LONDON, months_between
from sgfund.decisions import Award
from sgfund.errors import SgfundError
from sgfund.money import ZERO, format_money, sum_money
from sgfund.postaward.steps import FINAL_RETURN, Action, AwardStep

__all__ = [
    "Instalment",
    "InstalmentStatus",
    "Position",
    "PostAwardError",
    "ReturnStatus",
    "Status",
    "SubmittedReturn",
    "Variation",
    "Version",
    "advance",
    "apply",
    "money_problems",
    "replay",
    "start",
]


class PostAwardError(SgfundError, ValueError):
    """A post-award step that cannot happen: ``problems`` says why, each naming its award."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            text = self.problems[0]
        else:
            text = "\n".join([f"{len(self.problems)} problems:", *(f"  - {p}" for p in problems)])
        super().__init__(text)


class Status(enum.StrEnum):
    """Where an award is in its own lifecycle (separate from its round's)."""

    AWARDED = "awarded"  # decided, not yet offered
    OFFERED = "offered"
    ACTIVE = "active"  # accepted
    DECLINED = "declined"
    COMPLETED = "completed"  # final return accepted
    WITHDRAWN = "withdrawn"


class InstalmentStatus(enum.StrEnum):
    """Where one instalment of the payment schedule is (a failed payment is scheduled again)."""

    SCHEDULED = "scheduled"
    AUTHORISED = "authorised"
    PAID = "paid"
    CANCELLED = "cancelled"


class ReturnStatus(enum.StrEnum):
    """Where a monitoring return is."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    SENT_BACK = "sent_back"


@frozen(kw_only=True)
class Instalment:
    """One payment of the schedule: its amount, when it is due, and who did each step."""

    id: str
    amount: Decimal
    due_on: date | None
    waits_for: str | None  # a return that must be accepted first
    status: InstalmentStatus = InstalmentStatus.SCHEDULED
    authorised_by: str | None = None
    paid_by: str | None = None
    paid_at: datetime | None = None
    failures: int = 0

    @property
    def pending(self) -> bool:
        """Scheduled or authorised: still to be paid."""
        return self.status in (InstalmentStatus.SCHEDULED, InstalmentStatus.AUTHORISED)


@frozen(kw_only=True)
class Variation:
    """A requested change to an award's amount, end or purpose, and what became of it."""

    id: str
    requested_by: str
    requested_at: datetime
    reason: str
    amount: Decimal | None
    end: date | None
    purpose: str | None
    status: str = "requested"  # requested, approved or refused
    decided_by: str | None = None


@frozen(kw_only=True)
class Version:
    """One version of an award's terms: the original (step 0) and each change since."""

    seq: int
    amount: Decimal
    end: date
    purpose: str | None
    why: str


@frozen(kw_only=True)
class SubmittedReturn:
    """A monitoring return as received, and what the fund made of it."""

    id: str
    status: ReturnStatus
    received_at: datetime
    decided_by: str | None = None


@frozen(kw_only=True)
class Position:
    """An award after its decision: its status, money, schedule, returns and history."""

    award: Award
    max_months: int
    status: Status = Status.AWARDED
    awarded: Decimal
    end: date
    purpose: str | None = None
    conditions: tuple[str, ...] = ()
    return_due: date | None = None
    accepted_at: datetime | None = None
    accepted_by: str | None = None
    instalments: tuple[Instalment, ...] = ()
    variations: tuple[Variation, ...] = ()
    returns: tuple[SubmittedReturn, ...] = ()
    versions: tuple[Version, ...] = ()
    clawed: Decimal = ZERO
    recovered: Decimal = ZERO
    steps: tuple[AwardStep, ...] = ()

    @property
    def award_id(self) -> str:
        """The award's id."""
        return self.award.id

    @property
    def paid(self) -> Decimal:
        """Every instalment paid, gross."""
        return sum_money(i.amount for i in self.instalments if i.status is InstalmentStatus.PAID)

    @property
    def to_pay(self) -> Decimal:
        """Instalments scheduled or authorised and not yet paid."""
        return sum_money(i.amount for i in self.instalments if i.pending)

    @property
    def to_recover(self) -> Decimal:
        """Clawed back and not yet recovered."""
        return self.clawed - self.recovered

    @property
    def outstanding(self) -> Decimal:
        """``awarded - paid + recovered`` (negative while clawed-back money is still due)."""
        return self.awarded - self.paid + self.recovered

    @property
    def accepted(self) -> bool:
        """Whether the offer was accepted (so payments may be made)."""
        return self.status in (Status.ACTIVE, Status.COMPLETED) or self.accepted_at is not None

    @property
    def last_at(self) -> datetime | None:
        """When the latest step happened."""
        return self.steps[-1].at if self.steps else None

    def instalment(self, instalment_id: str) -> Instalment | None:
        """The instalment with this id, if scheduled."""
        return next((i for i in self.instalments if i.id == instalment_id), None)

    def variation(self, variation_id: str) -> Variation | None:
        """The variation with this id, if requested."""
        return next((v for v in self.variations if v.id == variation_id), None)

    def submitted(self, return_id: str) -> SubmittedReturn | None:
        """The return with this id, if received."""
        return next((r for r in self.returns if r.id == return_id), None)


def start(award: Award, *, max_months: int) -> Position:
    """The position of an award just decided: nothing offered, paid or returned yet.

    ``max_months`` is the longest funding period the round allows (``Round.max_project_months``).
    """
    first = Version(seq=0, amount=award.amount, end=award.end, purpose=None, why="awarded")
    return Position(
        award=award,
        max_months=max_months,
        awarded=award.amount,
        end=award.end,
        conditions=award.conditions,
        versions=(first,),
    )


def _replace_instalment(position: Position, new: Instalment) -> tuple[Instalment, ...]:
    return tuple(new if i.id == new.id else i for i in position.instalments)


def _replace_variation(position: Position, new: Variation) -> tuple[Variation, ...]:
    return tuple(new if v.id == new.id else v for v in position.variations)


def _replace_return(position: Position, new: SubmittedReturn) -> tuple[SubmittedReturn, ...]:
    found = [r for r in position.returns if r.id != new.id]
    return (*found, new)


def _money(amount: Decimal | None) -> str:
    return format_money(amount if amount is not None else ZERO)


class _Refused(Exception):
    """Why one step cannot happen (becomes a `PostAwardError` naming the award and step)."""


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise _Refused(message)


def apply(position: Position, step: AwardStep) -> Position:
    """The position after ``step``; `PostAwardError` if the step cannot happen."""
    try:
        _common(position, step)
        moved = _HANDLERS[step.action](position, step)
    except _Refused as why:
        raise PostAwardError(
            [f"award {position.award_id}, step {step.seq} ({step.action}): {why}"]
        ) from None
    return attrs.evolve(moved, steps=(*position.steps, step))


def _common(position: Position, step: AwardStep) -> None:
    award = position.award
    _need(step.award_id == award.id, f"is for award {step.award_id}, not {award.id}")
    _need(
        step.round_id == award.round_id,
        f"says round {step.round_id}, but the award is in round {award.round_id}",
    )
    expected = len(position.steps) + 1
    _need(
        step.seq == expected,
        f"is numbered {step.seq}, but the award's next step is {expected} (another step was "
        "recorded since; read the award again)",
    )
    last = position.last_at
    _need(
        last is None or step.at >= last,
        f"is dated {step.at.isoformat()}, before the award's previous step "
        f"({last.isoformat() if last else ''})",
    )
    _need(
        step.on >= award.awarded_on,
        f"is dated {step.on.isoformat()}, before the award was made "
        f"({award.awarded_on.isoformat()})",
    )


def _period(position: Position, end: date) -> None:
    start_on = position.award.start
    _need(end >= start_on, f"ends on {end.isoformat()}, before the project starts ({start_on})")
    months = months_between(start_on, end)
    _need(
        months <= position.max_months,
        f"runs {months} months ({start_on} to {end}); the round allows at most "
        f"{position.max_months}",
    )


def _offered(position: Position, step: AwardStep) -> Position:
    _need(position.status is Status.AWARDED, f"the award is already {position.status}")
    end, due = step.end, step.due_on
    if end is None or due is None:  # AwardStep requires both for an offer
        raise _Refused("an offer needs the funding period's end and the final return's due date")
    _period(position, end)
    _need(due >= end, f"the final return is due {due}, before the funding period ends ({end})")
    return attrs.evolve(
        position,
        status=Status.OFFERED,
        end=end,
        return_due=due,
        conditions=(*position.award.conditions, *step.conditions),
    )


def _accepted(position: Position, step: AwardStep) -> Position:
    _need(
        position.status is Status.OFFERED,
        f"only an offer can be accepted; the award is {position.status}",
    )
    return attrs.evolve(position, status=Status.ACTIVE, accepted_at=step.at, accepted_by=step.by)


def _version(position: Position, step: AwardStep, amount: Decimal, why: str) -> tuple[Version, ...]:
    new = Version(seq=step.seq, amount=amount, end=position.end, purpose=position.purpose, why=why)
    return (*position.versions, new)


def _declined(position: Position, step: AwardStep) -> Position:
    _need(
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
        raise _Refused(
            f"{what} before the offer is accepted (the award is {position.status}); no payment "
            "is made before the grant agreement is accepted"
        )
    _need(
        position.status in (Status.ACTIVE, Status.COMPLETED),
        f"{what}: the award is {position.status}",
    )


def _scheduled(position: Position, step: AwardStep) -> Position:
    name = str(step.instalment)
    _payable(position, f"instalment {name} cannot be scheduled")
    _need(position.instalment(name) is None, f"instalment {name} is already scheduled")
    amount = step.amount if step.amount is not None else ZERO
    new = Instalment(id=name, amount=amount, due_on=step.due_on, waits_for=step.ref)
    return attrs.evolve(position, instalments=(*position.instalments, new))


def _existing(position: Position, step: AwardStep) -> Instalment:
    found = position.instalment(str(step.instalment))
    if found is None:
        raise _Refused(f"the award has no instalment {step.instalment!r}")
    return found


def _authorised(position: Position, step: AwardStep) -> Position:
    name = str(step.instalment)
    _payable(position, f"instalment {name} cannot be authorised")
    found = _existing(position, step)
    _need(
        found.status is InstalmentStatus.SCHEDULED,
        f"instalment {name} is {found.status}; only a scheduled instalment is authorised",
    )
    waits = found.waits_for
    if waits is not None:
        submitted = position.submitted(waits)
        _need(
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
        raise _Refused(
            f"instalment {name} was already paid on {when} by {found.paid_by}; paying it twice "
            "is refused"
        )
    amount = step.amount if step.amount is not None else ZERO
    after = position.paid + amount - position.clawed
    _need(
        after <= position.awarded,
        f"paying {_money(amount)} would bring payments to {_money(position.paid + amount)}, "
        f"more than the {_money(position.awarded)} awarded"
        + (" (as varied)" if position.awarded != position.award.amount else ""),
    )
    _need(
        found.status is InstalmentStatus.AUTHORISED,
        f"instalment {name} is {found.status}; a payment is authorised before it is paid",
    )
    _need(
        amount == found.amount,
        f"pays {_money(amount)}, but instalment {name} is {_money(found.amount)}",
    )
    authoriser = found.authorised_by or ""
    _need(
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
    _need(
        twin is None or step.confirmed,
        f"instalment {twin.id if twin else ''} of the same {_money(amount)} was paid the same "
        "day: this looks like a duplicate payment (confirm it if both are intended)",
    )
    new = attrs.evolve(found, status=InstalmentStatus.PAID, paid_by=step.by, paid_at=step.at)
    return attrs.evolve(position, instalments=_replace_instalment(position, new))


def _failed(position: Position, step: AwardStep) -> Position:
    found = _existing(position, step)
    _need(
        found.status is InstalmentStatus.AUTHORISED,
        f"instalment {found.id} is {found.status}; only an authorised payment can fail",
    )
    new = attrs.evolve(
        found, status=InstalmentStatus.SCHEDULED, authorised_by=None, failures=found.failures + 1
    )
    return attrs.evolve(position, instalments=_replace_instalment(position, new))


def _cancelled(position: Position, step: AwardStep) -> Position:
    found = _existing(position, step)
    _need(found.pending, f"instalment {found.id} is {found.status}; it cannot be cancelled")
    new = attrs.evolve(found, status=InstalmentStatus.CANCELLED)
    return attrs.evolve(position, instalments=_replace_instalment(position, new))


def _variation_requested(position: Position, step: AwardStep) -> Position:
    name = str(step.ref)
    _need(
        position.status is Status.ACTIVE,
        f"only an accepted, running award is varied; the award is {position.status}",
    )
    _need(position.variation(name) is None, f"variation {name} was already requested")
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
        raise _Refused(f"no variation {step.ref!r} was requested")
    _need(found.status == "requested", f"variation {found.id} was already {found.status}")
    return found


def _variation_approved(position: Position, step: AwardStep) -> Position:
    found = _decided(position, step)
    _need(
        position.status is Status.ACTIVE,
        f"only a running award is varied; the award is {position.status}",
    )
    _need(
        step.by.casefold() != found.requested_by.casefold(),
        f"separation of duties: {step.by} requested variation {found.id} and may not also "
        "approve it",
    )
    net_paid = position.paid - position.clawed
    amount = found.amount if found.amount is not None else position.awarded
    _need(
        amount >= net_paid,
        f"variation {found.id} would bring the award to {_money(amount)}, below the "
        f"{_money(net_paid)} already paid; claw the difference back instead",
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
    _need(
        position.status in (Status.ACTIVE, Status.WITHDRAWN),
        f"returns are received for accepted awards; the award is {position.status}",
    )
    found = position.submitted(name)
    _need(
        found is None or found.status is ReturnStatus.SENT_BACK,
        f"the {name} return was already received ({found.status if found else ''})",
    )
    new = SubmittedReturn(id=name, status=ReturnStatus.RECEIVED, received_at=step.at)
    return attrs.evolve(position, returns=_replace_return(position, new))


def _return_decided(position: Position, step: AwardStep, status: ReturnStatus) -> Position:
    name = str(step.ref)
    found = position.submitted(name)
    _need(
        found is not None and found.status is ReturnStatus.RECEIVED,
        f"the {name} return is not waiting for a decision"
        + (f" (it is {found.status})" if found else " (it was not received)"),
    )
    if found is None:  # for the type checker; _need refused it
        raise _Refused(f"the {name} return was not received")
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
    _need(
        position.status in (Status.ACTIVE, Status.COMPLETED, Status.WITHDRAWN),
        f"only money paid on an accepted award is clawed back; the award is {position.status}",
    )
    amount = step.amount if step.amount is not None else ZERO
    available = position.paid - position.clawed
    _need(
        amount <= available,
        f"clawing back {_money(amount)} is more than the {_money(available)} paid and not "
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
    _need(
        amount <= position.to_recover,
        f"recovering {_money(amount)} is more than the {_money(position.to_recover)} clawed "
        "back and still to recover",
    )
    return attrs.evolve(position, recovered=position.recovered + amount)


def _withdrawn(position: Position, step: AwardStep) -> Position:
    _need(
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


_HANDLERS = {
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


def money_problems(position: Position) -> list[str]:
    """Every money rule the position breaks (none, if its steps were applied by `apply`).

    Checked after each batch of steps (each ledger event) and by ``verify()``: the schedule of
    an accepted award sums exactly to the award as varied; nothing is paid or scheduled before
    acceptance; payments, net of clawbacks, never exceed the award; recovered never exceeds
    clawed back, nor clawed back what was paid; and ``outstanding`` is what is still to pay
    less what is still to recover.
    """
    who = f"award {position.award_id}"
    problems = []
    paid, to_pay = position.paid, position.to_pay
    net = paid - position.clawed
    for name, amount in (
        ("awarded", position.awarded),
        ("paid", paid),
        ("clawed back", position.clawed),
        ("recovered", position.recovered),
    ):
        if amount < 0:
            problems.append(f"{who}: {name} is {_money(amount)}, below nothing")
    if not ZERO <= position.recovered <= position.clawed <= paid:
        problems.append(
            f"{who}: recovered {_money(position.recovered)}, clawed back "
            f"{_money(position.clawed)} and paid {_money(paid)} are not in that order"
        )
    if net > position.awarded:
        problems.append(
            f"{who}: {_money(net)} paid (net of clawbacks) is more than the "
            f"{_money(position.awarded)} awarded"
        )
    if position.accepted:
        if net + to_pay != position.awarded:
            problems.append(
                f"{who}: the schedule ({_money(net)} paid net, {_money(to_pay)} to pay) does not "
                f"add up to the {_money(position.awarded)} awarded"
            )
        unscheduled = ZERO
    else:
        if paid or to_pay:
            problems.append(f"{who}: money scheduled or paid before the offer was accepted")
        unscheduled = position.awarded
    if position.status is Status.DECLINED and position.awarded != 0:
        problems.append(f"{who}: declined, yet {_money(position.awarded)} is still awarded")
    if position.outstanding != unscheduled + to_pay - position.to_recover:
        problems.append(
            f"{who}: outstanding {_money(position.outstanding)} is not what is still to pay "
            f"({_money(unscheduled + to_pay)}) less what is still to recover "
            f"({_money(position.to_recover)})"
        )
    return problems


def advance(position: Position, steps: Iterable[AwardStep]) -> Position:
    """Apply a batch of steps (one ledger event's), then check the money adds up."""
    for step in steps:
        position = apply(position, step)
    problems = money_problems(position)
    if problems:
        raise PostAwardError(problems)
    return position


def replay(award: Award, batches: Iterable[Sequence[AwardStep]], *, max_months: int) -> Position:
    """An award's position from its recorded batches of steps, oldest first."""
    position = start(award, max_months=max_months)
    for batch in batches:
        position = advance(position, batch)
    return position
