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

from collections.abc import Iterable, Sequence

import attrs

from sgfund.decisions import Award
from sgfund.money import ZERO
from sgfund.postaward.records import (
    Instalment,
    InstalmentStatus,
    Position,
    PostAwardError,
    ReturnStatus,
    Status,
    SubmittedReturn,
    Variation,
    Version,
)
from sgfund.postaward.steps import AwardStep
from sgfund.postaward.transitions import HANDLERS, Refused, common_checks, pounds

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


def apply(position: Position, step: AwardStep) -> Position:
    """The position after ``step``; `PostAwardError` if the step cannot happen."""
    try:
        common_checks(position, step)
        moved = HANDLERS[step.action](position, step)
    except Refused as why:
        raise PostAwardError(
            [f"award {position.award_id}, step {step.seq} ({step.action}): {why}"]
        ) from None
    return attrs.evolve(moved, steps=(*position.steps, step))


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
            problems.append(f"{who}: {name} is {pounds(amount)}, below nothing")
    if not ZERO <= position.recovered <= position.clawed <= paid:
        problems.append(
            f"{who}: recovered {pounds(position.recovered)}, clawed back "
            f"{pounds(position.clawed)} and paid {pounds(paid)} are not in that order"
        )
    if net > position.awarded:
        problems.append(
            f"{who}: {pounds(net)} paid (net of clawbacks) is more than the "
            f"{pounds(position.awarded)} awarded"
        )
    if position.accepted:
        if net + to_pay != position.awarded:
            problems.append(
                f"{who}: the schedule ({pounds(net)} paid net, {pounds(to_pay)} to pay) does not "
                f"add up to the {pounds(position.awarded)} awarded"
            )
        unscheduled = ZERO
    else:
        if paid or to_pay:
            problems.append(f"{who}: money scheduled or paid before the offer was accepted")
        unscheduled = position.awarded
    if position.status is Status.DECLINED and position.awarded != 0:
        problems.append(f"{who}: declined, yet {pounds(position.awarded)} is still awarded")
    if position.outstanding != unscheduled + to_pay - position.to_recover:
        problems.append(
            f"{who}: outstanding {pounds(position.outstanding)} is not what is still to pay "
            f"({pounds(unscheduled + to_pay)}) less what is still to recover "
            f"({pounds(position.to_recover)})"
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
