"""After the award: offers, payments, returns, variations, clawbacks (pure, no clock, no storage).

Each fact is an `AwardStep`; an award's `Position` is its steps folded by `apply`, which
refuses a step that cannot happen (`PostAwardError`), and `money_problems` checks the money
after each batch. `sgfund.ledger` stores the steps (``kinds.AWARD_STEPS``) and replays them
in ``verify()``. See ``docs/post-award.md``.
"""

from __future__ import annotations

from sgfund.postaward.plans import PaymentPlan, PayOn, PlannedInstalment, Share, payment_plan
from sgfund.postaward.position import (
    Instalment,
    InstalmentStatus,
    Position,
    PostAwardError,
    ReturnStatus,
    Status,
    SubmittedReturn,
    Variation,
    Version,
    advance,
    apply,
    money_problems,
    replay,
    start,
)
from sgfund.postaward.steps import FINAL_RETURN, Action, AwardStep
from sgfund.postaward.summary import (
    PostAwardTotals,
    ReturnDue,
    due_returns,
    post_award_totals,
)

__all__ = [
    "FINAL_RETURN",
    "Action",
    "AwardStep",
    "Instalment",
    "InstalmentStatus",
    "PayOn",
    "PaymentPlan",
    "PlannedInstalment",
    "Position",
    "PostAwardError",
    "PostAwardTotals",
    "ReturnDue",
    "ReturnStatus",
    "Share",
    "Status",
    "SubmittedReturn",
    "Variation",
    "Version",
    "advance",
    "apply",
    "due_returns",
    "money_problems",
    "payment_plan",
    "post_award_totals",
    "replay",
    "start",
]
