"""The built-in payment plan: a small grant is paid in one payment once its offer is accepted.

It is a fallback: any plugin's plan that applies to an award is used instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from sgfund.hookspecs import hookimpl
from sgfund.postaward.plans import PaymentPlan, PayOn, Share

__all__ = ["SINGLE_PAYMENT", "sgfund_payment_plans"]

SINGLE_PAYMENT = PaymentPlan(
    id="single-payment",
    version="1",
    description="The whole award in one payment once the offer is accepted.",
    shares=(Share(1, PayOn.ACCEPTANCE),),
    fallback=True,
)


@hookimpl
def sgfund_payment_plans() -> Iterator[PaymentPlan]:
    """The single payment on acceptance, for every round."""
    yield SINGLE_PAYMENT
