"""The post-award domain on its own: steps, plans, variations, returns due, totals."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgfund.convert import structure
from sgfund.decisions import Award
from sgfund.errors import FieldError, MoneyTypeError
from sgfund.ledger.kinds import to_json
from sgfund.plugins.payments import SINGLE_PAYMENT
from sgfund.postaward import (
    Action,
    AwardStep,
    InstalmentStatus,
    PaymentPlan,
    PayOn,
    PostAwardError,
    Share,
    Status,
    advance,
    due_returns,
    post_award_totals,
    start,
)
from sgfund.postaward import commands as do

AWARD = Award(
    id="GR2-001-A",
    application_id="GR2-001",
    round_id="mayor-gr2",
    amount="6000.00",
    awarded_on=date(2022, 7, 20),
    start=date(2022, 11, 1),
    end=date(2023, 10, 31),
)
T0 = datetime(2022, 8, 1, 9, tzinfo=UTC)


def at(days):
    return T0 + timedelta(days=days)


def running(plan=SINGLE_PAYMENT, award=AWARD):
    position = start(award, max_months=12)
    position = advance(
        position, do.offer(position, at=at(0), by="officer", return_due=date(2023, 12, 31))
    )
    return advance(position, do.accept(position, at=at(1), by="grantee", plan=plan))


def test_a_step_reads_back_as_it_was_stored_across_the_clock_change():
    # 26 March 2023 is in British Summer Time: the step is kept in London time, so its JSON
    # is the same after the round trip (the state machine found this).
    step = AwardStep(
        award_id="A-1",
        round_id="r",
        seq=1,
        action=Action.PAID,
        at=datetime(2023, 3, 26, 9, 30, tzinfo=UTC),
        by="finance",
        amount="10.00",
        instalment="1",
    )
    text = to_json(step)
    assert to_json(structure(json.loads(text), AwardStep)) == text
    assert '"at":"2023-03-26T10:30:00+01:00"' in text


def test_steps_refuse_float_money_and_naive_times_naming_the_field():
    base = {"award_id": "A-1", "round_id": "r", "seq": 1, "by": "x", "instalment": "1"}
    with pytest.raises(MoneyTypeError, match="amount"):
        AwardStep(**base, action="paid", at=T0, amount=10.5)
    with pytest.raises(FieldError, match="at: expected a timezone-aware"):
        AwardStep(**base, action="paid", at=datetime(2022, 8, 1), amount="1.00")  # noqa: DTZ001
    with pytest.raises(FieldError, match="reason"):
        AwardStep(**base, action="failed", at=T0)


@given(
    amount=st.decimals(min_value="0.01", max_value="1000000", places=2),
    weights=st.lists(st.integers(1, 9), min_size=1, max_size=5),
)
def test_a_plan_splits_an_award_to_the_penny(amount, weights):
    plan = PaymentPlan(
        id="p", version="1", description="d", shares=tuple(Share(w) for w in weights)
    )
    parts = plan.instalments(amount)
    assert sum(p.amount for p in parts) == amount
    assert all(p.amount > 0 for p in parts)
    assert [p.id for p in parts] == [str(n) for n in range(1, len(parts) + 1)]


def test_a_funding_period_longer_than_the_round_allows_is_refused():
    position = start(AWARD, max_months=6)
    steps = do.offer(position, at=at(0), by="officer", return_due=date(2023, 12, 31))
    with pytest.raises(PostAwardError, match=r"runs 12 months .* the round allows at most 6"):
        advance(position, steps)


def test_a_variation_keeps_every_version_and_reschedules_what_is_left():
    position = running()
    position = advance(position, do.authorise(position, "1", at=at(2), by="manager"))
    position = advance(position, do.pay(position, "1", at=at(3), by="finance"))
    asked = do.request_variation(
        position, "V1", at=at(4), by="officer", reason="extra", amount=Decimal("7500.00")
    )
    position = advance(position, asked)
    position = advance(position, do.approve_variation(position, "V1", at=at(5), by="manager"))
    assert [(v.amount, v.why) for v in position.versions] == [
        (Decimal("6000.00"), "awarded"),
        (Decimal("7500.00"), "variation V1"),
    ]
    [extra] = [i for i in position.instalments if i.pending]
    assert (extra.id, extra.amount) == ("V1-1", Decimal("1500.00"))
    assert (position.awarded, position.paid, position.outstanding) == (
        Decimal("7500.00"),
        Decimal("6000.00"),
        Decimal("1500.00"),
    )
    lower = do.request_variation(
        position, "V2", at=at(6), by="officer", reason="less", amount=Decimal("5000.00")
    )
    position = advance(position, lower)
    with pytest.raises(PostAwardError, match=r"below the £6,000\.00 already paid"):
        advance(position, do.approve_variation(position, "V2", at=at(7), by="manager"))


def test_withdrawing_cancels_what_is_unpaid():
    half = PaymentPlan(
        id="h", version="1", description="d", shares=(Share(1), Share(1, PayOn.FINAL_RETURN))
    )
    position = running(half)
    position = advance(position, do.authorise(position, "1", at=at(2), by="manager"))
    position = advance(position, do.pay(position, "1", at=at(3), by="finance"))
    position = advance(position, do.withdraw(position, at=at(4), by="manager", reason="closed"))
    assert position.status is Status.WITHDRAWN
    assert [i.status for i in position.instalments] == [
        InstalmentStatus.PAID,
        InstalmentStatus.CANCELLED,
    ]
    assert (position.awarded, position.paid, position.outstanding) == (
        Decimal("3000.00"),
        Decimal("3000.00"),
        Decimal("0.00"),
    )


def test_two_payments_of_the_same_amount_on_the_same_day_need_confirming():
    thirds = PaymentPlan(id="t", version="1", description="d", shares=(Share(1),) * 2)
    position = running(thirds)
    for name in ("1", "2"):
        position = advance(position, do.authorise(position, name, at=at(2), by="manager"))
    position = advance(position, do.pay(position, "1", at=at(3), by="finance"))
    with pytest.raises(PostAwardError, match="looks like a duplicate payment"):
        advance(position, do.pay(position, "2", at=at(3), by="finance"))
    confirmed = do.pay(position, "2", at=at(3), by="finance", confirmed=True)
    assert advance(position, confirmed).paid == Decimal("6000.00")


def test_returns_due_and_overdue_are_data_as_of_a_date():
    position = running()
    other = running(award=Award(**{**_award_fields(), "id": "GR2-002-A"}))
    other = advance(other, do.receive_return(other, at=at(500), by="grantee"))
    as_of = date(2024, 1, 2)
    due = due_returns([position, other], as_of=as_of)
    assert [(r.award_id, r.status, r.overdue) for r in due] == [
        ("GR2-001-A", "due", True),
        ("GR2-002-A", "received", False),
    ]
    assert due_returns([position], as_of=date(2023, 12, 31))[0].overdue is False
    totals = post_award_totals([position, other], as_of=as_of)
    assert (totals.returns_due, totals.returns_overdue, totals.accepted) == (2, 1, 2)
    assert totals.balanced


def _award_fields():
    return {
        "id": AWARD.id,
        "application_id": AWARD.application_id,
        "round_id": AWARD.round_id,
        "amount": AWARD.amount,
        "awarded_on": AWARD.awarded_on,
        "start": AWARD.start,
        "end": AWARD.end,
    }


def test_a_step_dated_before_the_previous_one_is_refused_in_london_time():
    position = running()
    # 1 August 2022 09:00 UTC is 10:00 BST: the officer reads London time, not UTC.
    early = do.authorise(position, "1", at=T0 - timedelta(hours=1), by="manager")
    with pytest.raises(PostAwardError) as refused:
        advance(position, early)
    message = str(refused.value)
    assert "is dated 1 August 2022 09:00 BST, before the award's previous step" in message
    assert "(2 August 2022 10:00 BST)" in message
