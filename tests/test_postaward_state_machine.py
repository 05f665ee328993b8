"""Random lives of awards after their decision, on a real ledger, checked after every step.

A hypothesis state machine offers, accepts, declines, schedules, authorises, pays, fails,
varies, returns, claws back, recovers and withdraws at random, with random people (so the
authoriser sometimes tries to pay, and a requester to approve their own variation). It keeps
its own account of the money, independent of `sgfund.postaward`, and after every step checks:

- the ledger and the pure domain agree on whether the step may happen, and a refused step
  writes nothing;
- the refusals a user relies on: paying before acceptance, paying an instalment twice, paying
  more than awarded, the authoriser paying, approving one's own variation;
- every award's money: awarded as the test reckons it (varied, clawed back, declined,
  withdrawn), paid, clawed back and recovered to the penny; ``awarded = paid + outstanding -
  recovered``; paid net of clawbacks never above the award; the schedule adding up;
- the round's totals adding up, and ``verify()`` clean.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sgfund.errors import DataError
from sgfund.ledger import Ledger
from sgfund.money import CENT, ZERO
from sgfund.plugins.payments import SINGLE_PAYMENT
from sgfund.postaward import (
    InstalmentStatus,
    PaymentPlan,
    PayOn,
    PostAwardError,
    Share,
    Status,
    advance,
    money_problems,
    post_award_totals,
)
from sgfund.postaward import commands as do

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

ROUND = "gr-sm"
PEOPLE = ("ann", "bob", "cat")
PLANS = (
    SINGLE_PAYMENT,
    PaymentPlan(
        id="half-and-half",
        version="1",
        description="Half now, half on the final return.",
        shares=(Share(1, PayOn.ACCEPTANCE), Share(1, PayOn.FINAL_RETURN)),
    ),
    PaymentPlan(id="thirds", version="1", description="Three equal parts.", shares=(Share(1),) * 3),
)
FRACTIONS = st.sampled_from([Decimal("0.01"), Decimal("0.1"), Decimal("0.5"), Decimal("1")])

_template: dict[str, Path] = {}


def template() -> Path:
    """A ledger with one closed round of three awards, built once and copied per run."""
    if "path" not in _template:
        folder = Path(tempfile.mkdtemp(prefix="sgfund-sm-"))
        path = folder / "template.db"
        with Ledger.open(path) as ledger:
            ledger.add_fund(worker.SCF, actor="admin", at=worker.AT)
            worker.prepare_round(ledger, ROUND, 3)
            ledger.close_round(ROUND, pm=worker.PM, actor="manager", at=worker.AT)
        _template["path"] = path
    return _template["path"]


def part(amount: Decimal, fraction: Decimal) -> Decimal:
    return max(CENT, (amount * fraction).quantize(CENT))


class PostAwardMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="sgfund-sm-run-"))
        path = self.folder / "l.db"
        shutil.copy(template(), path)
        self.ledger = Ledger.open(path)
        self.now = worker.AT
        self.ids = sorted(self.ledger.post_award(ROUND))
        first = self.ledger.post_award(ROUND)
        # The test's own account, kept apart from sgfund.postaward.
        self.awarded = {a: first[a].award.amount for a in self.ids}
        self.paid = dict.fromkeys(self.ids, ZERO)
        self.clawed = dict.fromkeys(self.ids, ZERO)
        self.recovered = dict.fromkeys(self.ids, ZERO)
        self.status = dict.fromkeys(self.ids, "awarded")
        self.paid_instalments: set[tuple[str, str]] = set()
        self.authorised_by: dict[tuple[str, str], str] = {}
        self.requested_by: dict[tuple[str, str], str] = {}
        self.variations = dict.fromkeys(self.ids, 0)

    def teardown(self) -> None:
        self.ledger.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- helpers -------------------------------------------------------------------------

    def position(self, award_id):
        return self.ledger.post_award(ROUND)[award_id]

    def attempt(self, steps, actor) -> bool:
        """Record ``steps``; the domain and the ledger must agree whether they may happen."""
        before = len(self.ledger.events())
        position = self.position(steps[0].award_id)
        try:
            advance(position, steps)
            allowed, reason = True, ""
        except PostAwardError as err:
            allowed, reason = False, str(err)
        try:
            self.ledger.record_award_steps(steps, actor=actor, at=self.now)
            stored = True
        except DataError as err:
            stored = False
            assert reason and reason.splitlines()[0] in str(err)
        assert allowed == stored, reason
        if not stored:
            assert len(self.ledger.events()) == before
        return stored

    def later(self, days: int) -> None:
        self.now += timedelta(days=days)

    # --- rules ---------------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        assert len(self.ids) == 3

    @rule(i=st.integers(0, 2), days=st.integers(0, 20), who=st.sampled_from(PEOPLE))
    def offer(self, i, days, who):
        self.later(days)
        award = self.ids[i]
        position = self.position(award)
        steps = do.offer(position, at=self.now, by=who, return_due=position.end + timedelta(56))
        if self.attempt(steps, who):
            assert self.status[award] == "awarded"
            self.status[award] = "offered"

    @rule(i=st.integers(0, 2), plan=st.sampled_from(PLANS), days=st.integers(0, 20))
    def accept(self, i, plan, days):
        self.later(days)
        award = self.ids[i]
        steps = do.accept(self.position(award), at=self.now, by="grantee", plan=plan)
        if self.attempt(steps, "grantee"):
            assert self.status[award] == "offered"
            self.status[award] = "active"

    @rule(i=st.integers(0, 2))
    def decline(self, i):
        award = self.ids[i]
        if self.attempt(do.decline(self.position(award), at=self.now, by="grantee"), "grantee"):
            assert self.status[award] == "offered"
            self.status[award] = "declined"
            self.awarded[award] = ZERO

    @rule(i=st.integers(0, 2), n=st.integers(0, 3), who=st.sampled_from(PEOPLE))
    def authorise(self, i, n, who):
        award = self.ids[i]
        position = self.position(award)
        names = [x.id for x in position.instalments] or ["1"]
        name = names[n % len(names)]
        if self.attempt(do.authorise(position, name, at=self.now, by=who), who):
            self.authorised_by[(award, name)] = who

    @rule(
        i=st.integers(0, 2),
        n=st.integers(0, 3),
        who=st.sampled_from(PEOPLE),
        extra=st.sampled_from([ZERO, ZERO, CENT, Decimal("1000.00")]),
        days=st.integers(0, 3),
    )
    def pay(self, i, n, who, extra, days):
        self.later(days)
        award = self.ids[i]
        position = self.position(award)
        names = [x.id for x in position.instalments] or ["1"]
        name = names[n % len(names)]
        found = position.instalment(name)
        amount = (found.amount if found else Decimal("10.00")) + extra
        steps = do.pay(position, name, at=self.now, by=who, amount=amount, confirmed=True)
        stored = self.attempt(steps, who)
        # The refusals a user relies on, reckoned from the test's own account.
        if self.status[award] not in ("active", "completed"):
            assert not stored, "paid before acceptance"
        if (award, name) in self.paid_instalments:
            assert not stored, "paid twice"
        if self.paid[award] + amount - self.clawed[award] > self.awarded[award]:
            assert not stored, "paid more than awarded"
        if self.authorised_by.get((award, name)) == who:
            assert not stored, "the authoriser paid"
        if stored:
            self.paid[award] += amount
            self.paid_instalments.add((award, name))

    @rule(i=st.integers(0, 2), n=st.integers(0, 3))
    def fail(self, i, n):
        award = self.ids[i]
        position = self.position(award)
        names = [x.id for x in position.instalments] or ["1"]
        name = names[n % len(names)]
        if self.attempt(do.fail(position, name, at=self.now, by="bank", reason="bounced"), "bank"):
            self.authorised_by.pop((award, name))

    @rule(
        i=st.integers(0, 2),
        who=st.sampled_from(PEOPLE),
        fraction=st.sampled_from([None, Decimal("0.5"), Decimal("0.9"), Decimal("1.2")]),
        days=st.integers(0, 20),
    )
    def request_variation(self, i, who, fraction, days):
        self.later(days)
        award = self.ids[i]
        position = self.position(award)
        name = f"V{self.variations[award] + 1}"
        amount = None if fraction is None else part(position.award.amount, fraction)
        purpose = "wider reach" if fraction is None else None
        steps = do.request_variation(
            position, name, at=self.now, by=who, reason="change", amount=amount, purpose=purpose
        )
        if self.attempt(steps, who):
            self.variations[award] += 1
            self.requested_by[(award, name)] = who

    @rule(i=st.integers(0, 2), who=st.sampled_from(PEOPLE), approve=st.booleans())
    def decide_variation(self, i, who, approve):
        award = self.ids[i]
        position = self.position(award)
        name = f"V{max(1, self.variations[award])}"
        found = position.variation(name)
        if approve:
            steps = do.approve_variation(position, name, at=self.now, by=who)
        else:
            steps = do.refuse_variation(position, name, at=self.now, by=who, reason="no")
        stored = self.attempt(steps, who)
        if approve and self.requested_by.get((award, name)) == who:
            assert not stored, "a requester approved their own variation"
        if stored and approve and found is not None and found.amount is not None:
            self.awarded[award] = found.amount

    @rule(i=st.integers(0, 2), days=st.integers(0, 60))
    def receive_return(self, i, days):
        self.later(days)
        award = self.ids[i]
        self.attempt(do.receive_return(self.position(award), at=self.now, by="grantee"), "grantee")

    @rule(i=st.integers(0, 2), accepted=st.booleans())
    def decide_return(self, i, accepted):
        award = self.ids[i]
        position = self.position(award)
        steps = do.decide_return(position, at=self.now, by="ann", accepted=accepted, reason="more")
        if self.attempt(steps, "ann") and accepted and self.status[award] == "active":
            self.status[award] = "completed"

    @rule(i=st.integers(0, 2), fraction=FRACTIONS)
    def claw_back(self, i, fraction):
        award = self.ids[i]
        amount = part(self.paid[award] - self.clawed[award], fraction)
        steps = do.claw_back(self.position(award), amount, at=self.now, by="cat", reason="unspent")
        stored = self.attempt(steps, "cat")
        if amount > self.paid[award] - self.clawed[award]:
            assert not stored, "clawed back more than was paid"
        if stored:
            self.clawed[award] += amount
            self.awarded[award] -= amount

    @rule(i=st.integers(0, 2), fraction=FRACTIONS, days=st.integers(0, 30))
    def recover(self, i, fraction, days):
        self.later(days)
        award = self.ids[i]
        amount = part(self.clawed[award] - self.recovered[award], fraction)
        if self.attempt(do.recover(self.position(award), amount, at=self.now, by="bob"), "bob"):
            self.recovered[award] += amount

    @precondition(lambda self: any(s in ("offered", "active") for s in self.status.values()))
    @rule(i=st.integers(0, 2))
    def withdraw(self, i):
        award = self.ids[i]
        steps = do.withdraw(self.position(award), at=self.now, by="ann", reason="folded")
        if self.attempt(steps, "ann"):
            self.status[award] = "withdrawn"
            self.awarded[award] = self.paid[award] - self.clawed[award]

    # --- after every step ----------------------------------------------------------------

    @invariant()
    def money_adds_up(self):
        positions = self.ledger.post_award(ROUND)
        for award in self.ids:
            p = positions[award]
            assert money_problems(p) == []
            assert (p.awarded, p.paid, p.clawed, p.recovered) == (
                self.awarded[award],
                self.paid[award],
                self.clawed[award],
                self.recovered[award],
            ), award
            assert p.status == Status(self.status[award]) or (
                self.status[award] == "active" and p.status is Status.COMPLETED
            )
            assert p.awarded == p.paid + p.outstanding - p.recovered
            assert p.paid - p.clawed <= p.awarded
            assert p.awarded >= 0
            paid = [i for i in p.instalments if i.status is InstalmentStatus.PAID]
            assert all(i.paid_by != i.authorised_by for i in paid)
            if p.accepted:
                pending = sum((i.amount for i in p.instalments if i.pending), start=ZERO)
                assert p.paid - p.clawed + pending == p.awarded
        totals = post_award_totals(positions.values(), as_of=self.now.date())
        assert totals.balanced
        assert totals.paid == sum(self.paid.values(), start=ZERO)
        assert totals.recovered == sum(self.recovered.values(), start=ZERO)
        assert totals.awarded == sum(self.awarded.values(), start=ZERO)

    @invariant()
    def ledger_verifies(self):
        report = self.ledger.verify()
        assert report.ok, str(report)


PostAwardMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_post_award_state_machine = PostAwardMachine.TestCase


@pytest.mark.slow
def test_post_award_state_machine_long():
    run = settings(
        max_examples=200,
        stateful_step_count=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(PostAwardMachine, settings=run)
