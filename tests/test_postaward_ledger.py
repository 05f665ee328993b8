"""Post-award steps in the ledger: refused with a reason, replayed by verify(), tamper-evident."""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from sgfund import hookimpl, make_plugin_manager
from sgfund.errors import DataError, LedgerError, PluginError
from sgfund.examples_scf import GR2
from sgfund.ledger import Ledger, kinds
from sgfund.postaward import (
    PaymentPlan,
    PayOn,
    PostAwardError,
    Share,
    Status,
    advance,
    payment_plan,
)
from sgfund.postaward import commands as do

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT
DAY = timedelta(days=1)

HALF = PaymentPlan(
    id="half-and-half",
    version="1",
    description="Half on acceptance, half on the final return.",
    shares=(Share(1, PayOn.ACCEPTANCE), Share(1, PayOn.FINAL_RETURN)),
)


class HalfPlan:
    @hookimpl
    def sgfund_payment_plans(self, round):
        yield HALF


@pytest.fixture
def ledger(tmp_path):
    with Ledger.open(tmp_path / "l.db") as opened:
        opened.add_fund(worker.SCF, actor="admin", at=AT)
        worker.prepare_round(opened, "gr-a", 3)
        worker.prepare_round(opened, "gr-b", 2)
        opened.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
        yield opened


def first(ledger, round_id="gr-a"):
    positions = ledger.post_award(round_id)
    return positions[sorted(positions)[0]]


def write(ledger, steps, actor):
    return ledger.record_award_steps(steps, actor=actor, at=steps[0].at)


def offered(ledger):
    position = first(ledger)
    write(ledger, do.offer(position, at=AT + DAY, by="officer", return_due=position.end), "officer")
    return first(ledger)


def accepted(ledger, plan=HALF):
    position = offered(ledger)
    write(ledger, do.accept(position, at=AT + 2 * DAY, by="grantee", plan=plan), "grantee")
    return first(ledger)


def authorised(ledger):
    position = accepted(ledger)
    write(ledger, do.authorise(position, "1", at=AT + 3 * DAY, by="manager"), "manager")
    return first(ledger)


def refusal(ledger, steps, actor):
    """The reason the ledger gives, which the domain gives too, and nothing written."""
    before = len(ledger.events())
    position = first(ledger)
    with pytest.raises(PostAwardError) as domain:
        advance(position, steps)
    with pytest.raises(DataError, match="nothing was written") as stored:
        write(ledger, steps, actor)
    assert len(ledger.events()) == before
    [problem] = stored.value.problems
    assert domain.value.problems[0] in problem.message
    return domain.value.problems[0]


def test_paying_before_acceptance_is_refused(ledger):
    position = offered(ledger)
    steps = do.pay(position, "1", at=AT + 2 * DAY, by="finance", amount=Decimal("10.00"))
    assert "cannot be paid before the offer is accepted (the award is offered)" in refusal(
        ledger, steps, "finance"
    )


def test_paying_an_instalment_twice_is_refused(ledger):
    position = authorised(ledger)
    write(ledger, do.pay(position, "1", at=AT + 4 * DAY, by="finance"), "finance")
    again = do.pay(first(ledger), "1", at=AT + 5 * DAY, by="finance")
    message = refusal(ledger, again, "finance")
    assert "instalment 1 was already paid on 2023-01-06 by finance; paying it twice" in message


def test_paying_more_than_awarded_is_refused(ledger):
    position = authorised(ledger)
    steps = do.pay(position, "1", at=AT + 4 * DAY, by="finance", amount=position.awarded + 1)
    message = refusal(ledger, steps, "finance")
    assert f"more than the £{position.awarded:,} awarded" in message


def test_the_authoriser_cannot_also_pay(ledger):
    position = authorised(ledger)
    steps = do.pay(position, "1", at=AT + 4 * DAY, by="manager")
    assert "separation of duties: manager authorised instalment 1 and may not also pay it" in (
        refusal(ledger, steps, "manager")
    )


def test_the_requester_cannot_approve_their_own_variation(ledger):
    position = accepted(ledger)
    asked = do.request_variation(
        position, "V1", at=AT + 3 * DAY, by="officer", reason="more sessions", amount=Decimal(100)
    )
    write(ledger, asked, "officer")
    own = do.approve_variation(first(ledger), "V1", at=AT + 4 * DAY, by="officer")
    assert "officer requested variation V1 and may not also approve it" in refusal(
        ledger, own, "officer"
    )


def test_a_step_is_recorded_by_whoever_took_it(ledger):
    position = authorised(ledger)
    steps = do.pay(position, "1", at=AT + 4 * DAY, by="finance")
    with pytest.raises(DataError, match="is by 'finance', but is being recorded by 'someone'"):
        ledger.record_award_steps(steps, actor="someone", at=AT + 4 * DAY)


def test_post_award_steps_wait_for_the_round_to_close(ledger):
    position = first(ledger, "gr-b")
    steps = do.offer(position, at=AT + DAY, by="officer", return_due=position.end)
    with pytest.raises(LedgerError, match="award_steps are accepted only while a round is closed"):
        write(ledger, steps, "officer")
    # ledger.record routes post-award steps through the same checks
    position = first(ledger)
    paid_early = do.pay(position, "1", at=AT + DAY, by="finance", amount=Decimal(1))
    with pytest.raises(DataError, match="before the offer is accepted"):
        ledger.record(kinds.AWARD_STEPS, paid_early, actor="finance", at=AT + DAY)


def test_a_whole_life_adds_up_and_verifies(ledger):
    position = authorised(ledger)
    awarded = position.awarded
    write(ledger, do.pay(position, "1", at=AT + 4 * DAY, by="finance"), "finance")
    position = first(ledger)
    [one, two] = position.instalments
    assert one.amount + two.amount == awarded
    # The second half waits for the final return.
    early = do.authorise(position, "2", at=AT + 5 * DAY, by="manager")
    assert "paid once the final return is accepted" in refusal(ledger, early, "manager")
    write(ledger, do.receive_return(position, at=AT + 30 * DAY, by="officer"), "officer")
    accepted_return = do.decide_return(first(ledger), at=AT + 31 * DAY, by="manager", accepted=True)
    write(ledger, accepted_return, "manager")
    assert first(ledger).status is Status.COMPLETED
    write(ledger, do.authorise(first(ledger), "2", at=AT + 32 * DAY, by="manager"), "manager")
    write(ledger, do.pay(first(ledger), "2", at=AT + 33 * DAY, by="finance"), "finance")
    underspend = Decimal("120.50")
    clawed = do.claw_back(first(ledger), underspend, at=AT + 40 * DAY, by="manager", reason="x")
    write(ledger, clawed, "manager")
    write(ledger, do.recover(first(ledger), underspend, at=AT + 50 * DAY, by="finance"), "finance")
    done = first(ledger)
    assert (done.awarded, done.paid, done.recovered, done.outstanding) == (
        awarded - underspend,
        awarded,
        underspend,
        Decimal("0.00"),
    )
    assert [v.amount for v in done.versions] == [awarded, awarded - underspend]
    assert ledger.verify().ok, str(ledger.verify())


def test_tampering_with_a_payment_is_detected(ledger, tmp_path):
    position = authorised(ledger)
    write(ledger, do.pay(position, "1", at=AT + 4 * DAY, by="finance"), "finance")
    assert ledger.verify().ok
    path = ledger.location
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="never changes"):
        conn.execute("UPDATE award_steps SET amount_pence = amount_pence + 100000")
    with pytest.raises(sqlite3.IntegrityError, match="nothing is deleted"):
        conn.execute("DELETE FROM award_steps")
    with pytest.raises(sqlite3.IntegrityError, match="numbered in order"):
        conn.execute(
            "INSERT INTO award_steps SELECT id || 'x', round_id, award_id, seq, action, "
            "amount_pence, recorded_by, data, event_id FROM award_steps WHERE action = 'paid'"
        )
    conn.close()

    def double(conn):
        conn.execute(
            "UPDATE award_steps SET amount_pence = amount_pence * 2, "
            "data = json_set(data, '$.amount', '99999.00') WHERE action = 'paid'"
        )

    worker.with_guards_lifted(path, double)
    report = ledger.verify()
    assert not report.ok
    kinds_found = {p.kind for p in report.problems}
    assert "records" in kinds_found  # the payment no longer matches its event's digest
    assert "post-award" in kinds_found  # and the award's money no longer adds up
    assert any("more than" in p.message for p in report.problems if p.kind == "post-award")


def test_plans_come_from_plugins_and_clash_by_name():
    pm = make_plugin_manager(plugins=[HalfPlan()], entry_points=False)
    chosen = payment_plan(pm, GR2, Decimal("5887.31"))
    assert (chosen.item.id, chosen.plugin) == ("half-and-half", "HalfPlan")
    parts = chosen.item.instalments(Decimal("5887.31"))
    assert [p.amount for p in parts] == [Decimal("2943.66"), Decimal("2943.65")]

    class Another:
        @hookimpl
        def sgfund_payment_plans(self, round):
            yield PaymentPlan(id="thirds", version="1", description="x", shares=(Share(1),) * 3)

    pm = make_plugin_manager(plugins=[HalfPlan(), Another()], entry_points=False)
    with pytest.raises(PluginError, match=r"'half-and-half' \(HalfPlan\), 'thirds' \(Another\)"):
        payment_plan(pm, GR2, Decimal("100.00"))


def test_positions_as_of_a_day_count_only_what_had_happened(ledger):
    position = authorised(ledger)
    write(ledger, do.pay(position, "1", at=AT + 4 * DAY, by="finance"), "finance")
    before = ledger.post_award("gr-a", as_of=(AT + 3 * DAY).date())[position.award_id]
    after = ledger.post_award("gr-a", as_of=(AT + 4 * DAY).date())[position.award_id]
    assert (before.paid, after.paid) == (Decimal("0.00"), position.instalments[0].amount)
    assert ledger.post_award("gr-a", as_of=AT.date())[position.award_id].status is Status.AWARDED
