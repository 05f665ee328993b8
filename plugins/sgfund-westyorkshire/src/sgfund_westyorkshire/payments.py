"""How the fund's larger grants are paid: half on acceptance, half on the final return.

An example schedule for the example data: awards of £5,000 or more in the fund's rounds are
paid in two halves (split to the penny by sgfund), the second once the end-of-project return
is accepted. Smaller awards keep sgfund's built-in single payment on acceptance.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from sgfund import Round, hookimpl
from sgfund.postaward import PaymentPlan, PayOn, Share
from sgfund_westyorkshire.districts import FUND_IDS

__all__ = ["HALF_ON_RETURN", "sgfund_payment_plans"]

HALF_ON_RETURN = PaymentPlan(
    id="wy-half-on-return",
    version="1",
    description=(
        "Awards of £5,000 or more: half once the offer is accepted, half once the final "
        "return is accepted."
    ),
    shares=(Share(1, PayOn.ACCEPTANCE), Share(1, PayOn.FINAL_RETURN)),
    from_amount=Decimal("5000.00"),
)


@hookimpl
def sgfund_payment_plans(round: Round) -> Iterator[PaymentPlan]:
    """The two-instalment plan, for the fund's rounds."""
    if round.fund_id in FUND_IDS:
        yield HALF_ON_RETURN
