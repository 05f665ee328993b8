"""The demo's post-award step: GR2's awards offered, paid, monitored, varied and clawed back.

Every event has an explicit date and actor, so the demo gives the same figures every time.
It takes the officer's steps of `sgfund.workflow.postaward` (as the command line does) and
reports the figures `sgfund.workflow.postaward.summary` gives (as ``sgfund post-award`` does):

- every award is offered on 10 October 2022 (final return due 8 weeks after the project
  ends) and accepted a week later; its payments follow the plugins' plan (the example fund's:
  awards of £5,000 or more in two halves, the second on the final return);
- the first instalments are authorised by the fund manager and paid by the finance officer;
- one award is varied (£250 more for extra sessions), requested by the grants officer and
  approved by the fund manager, and the extra is paid;
- final returns come in four weeks after each project ends and are accepted a week later
  (second halves are then paid), except the last four awards', which are overdue as of
  31 January 2024;
- one award's underspend (£412.50) is clawed back and recovered.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sgfund.dates import LONDON
from sgfund.ledger import Ledger
from sgfund.postaward import InstalmentStatus, Position
from sgfund.workflow import postaward as post

__all__ = ["AS_OF", "ROUND_ID", "record_post_award"]

ROUND_ID = "mayor-gr2"
AS_OF = date(2024, 1, 31)
OFFICER, MANAGER, FINANCE, GRANTEE = "grants-officer", "fund-manager", "finance-officer", "grantee"
OVERDUE = 4  # the last awards, whose final returns have not come in
VARIED = 2  # the award (by position) varied by £250
VARIATION = Decimal("250.00")
UNDERSPENT = 4  # the award (by position) whose underspend is clawed back
UNDERSPEND = Decimal("412.50")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def _pay(ledger: Ledger, position: Position, day: date) -> Position:
    """Authorise (the fund manager) and pay (the finance officer) every payable instalment."""
    for instalment in position.instalments:
        if instalment.status is not InstalmentStatus.SCHEDULED:
            continue
        ready = instalment.waits_for is None or any(
            r.id == instalment.waits_for and r.status == "accepted" for r in position.returns
        )
        if not ready:
            continue
        aid, name = position.award_id, instalment.id
        post.authorise_payment(ledger, aid, name, actor=MANAGER, at=_at(day), round_id=ROUND_ID)
        position = post.pay_instalment(
            ledger, aid, name, actor=FINANCE, at=_at(day + timedelta(1)), round_id=ROUND_ID
        )
    return position


def record_post_award(ledger: Ledger, pm: Any) -> dict[str, Any]:
    """Record GR2's post-award events; return its figures as of `AS_OF` (``summary_dict``)."""
    award_ids = sorted(ledger.post_award(ROUND_ID))
    offered_on, accepted_on, paid_on = date(2022, 10, 10), date(2022, 10, 17), date(2022, 10, 24)
    for aid in award_ids:
        post.make_offer(ledger, aid, actor=OFFICER, at=_at(offered_on), round_id=ROUND_ID)
        post.accept_offer(ledger, aid, pm=pm, actor=GRANTEE, at=_at(accepted_on), round_id=ROUND_ID)
        _pay(ledger, post.find_award(ledger, aid, round_id=ROUND_ID), paid_on)
    varied = award_ids[VARIED]
    position = post.find_award(ledger, varied, round_id=ROUND_ID)
    post.request_variation(
        ledger,
        varied,
        "V1",
        reason="two extra sessions asked for by local schools",
        amount=position.awarded + VARIATION,
        actor=OFFICER,
        at=_at(date(2023, 2, 1)),
        round_id=ROUND_ID,
    )
    position = post.approve_variation(
        ledger, varied, "V1", actor=MANAGER, at=_at(date(2023, 2, 3)), round_id=ROUND_ID
    )
    _pay(ledger, position, date(2023, 2, 6))
    # Returns in the order projects end, so every award's steps stay in date order.
    by_end = sorted(
        award_ids[:-OVERDUE],
        key=lambda a: (post.find_award(ledger, a, round_id=ROUND_ID).end, a),
    )
    for aid in by_end:
        end = post.find_award(ledger, aid, round_id=ROUND_ID).end
        received, decided = end + timedelta(weeks=4), end + timedelta(weeks=5)
        post.receive_return(ledger, aid, actor=GRANTEE, at=_at(received), round_id=ROUND_ID)
        position = post.accept_return(
            ledger, aid, actor=OFFICER, at=_at(decided), round_id=ROUND_ID
        )
        _pay(ledger, position, decided + timedelta(weeks=1))
    underspent = award_ids[UNDERSPENT]
    end = post.find_award(ledger, underspent, round_id=ROUND_ID).end
    post.claw_back(
        ledger,
        underspent,
        UNDERSPEND,
        reason="underspend: two sessions were not delivered",
        actor=MANAGER,
        at=_at(end + timedelta(weeks=8)),
        round_id=ROUND_ID,
    )
    post.recover_money(
        ledger,
        underspent,
        UNDERSPEND,
        actor=FINANCE,
        at=_at(end + timedelta(weeks=11)),
        round_id=ROUND_ID,
    )
    figures = post.summary_dict(post.summary(ledger, [ROUND_ID], as_of=AS_OF))
    return {"round": ROUND_ID, "as_of": AS_OF.isoformat(), **figures}
