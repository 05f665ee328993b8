"""Payment plans: how an award is split into instalments, chosen through the plugins.

A fund's plan comes from the ``sgfund_payment_plans`` hook (`sgfund.hookspecs`). The built-in
plugin `sgfund.plugins.payments` gives the fallback: one payment on acceptance. A plugin may
give plans for larger grants, for example half on acceptance and half once the final return is
accepted. The parts are split by largest remainder, so they add up to the award exactly.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.collect import Registered, SgfundPluginManager, collect
from sgfund.errors import FieldError, PluginError
from sgfund.funds import Round
from sgfund.money import apportion, format_money
from sgfund.postaward.steps import FINAL_RETURN

__all__ = ["PayOn", "PaymentPlan", "PlannedInstalment", "Share", "payment_plan"]


class PayOn(enum.StrEnum):
    """When an instalment becomes payable."""

    ACCEPTANCE = "acceptance"
    FINAL_RETURN = "final_return"


def _weight(_inst: object, _attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FieldError("weight", value, "a whole number of 1 or more")


@frozen
class Share:
    """One part of a plan: its weight among the parts, and when it becomes payable."""

    weight: int = field(validator=_weight)
    on: PayOn = field(default=PayOn.ACCEPTANCE, converter=PayOn)


def _shares(values: Iterable[Share]) -> tuple[Share, ...]:
    shares = tuple(values)
    if not shares or not all(isinstance(s, Share) for s in shares):
        raise FieldError("shares", shares, "one or more Share")
    return shares


@frozen(kw_only=True)
class PlannedInstalment:
    """An instalment a plan makes of one award: its id, amount and when it is payable."""

    id: str
    amount: Decimal
    on: PayOn

    @property
    def waits_for(self) -> str | None:
        """The return that must be accepted before it is paid, if any."""
        return FINAL_RETURN if self.on is PayOn.FINAL_RETURN else None


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class PaymentPlan:
    """How awards of at least ``from_amount`` are paid: the ``shares``, in order.

    ``fallback`` marks a plan used only when no other plan applies (the built-in one).
    """

    id: str = field(validator=v.slug)
    version: str = field(validator=v.version)
    description: str = field(converter=v.stripped, validator=v.text)
    shares: tuple[Share, ...] = field(converter=_shares)
    from_amount: Decimal = field(
        default=Decimal("0.00"), converter=v.money, validator=v.non_negative
    )
    fallback: bool = False

    def instalments(self, amount: Decimal) -> tuple[PlannedInstalment, ...]:
        """The instalments of an award of ``amount``, numbered from 1, adding up exactly.

        A share that would come to £0.00 (a tiny award split many ways) is left out.
        """
        parts = apportion(amount, [s.weight for s in self.shares])
        planned = [(part, share.on) for part, share in zip(parts, self.shares, strict=True)]
        return tuple(
            PlannedInstalment(id=str(number), amount=part, on=on)
            for number, (part, on) in enumerate(((p, o) for p, o in planned if p > 0), start=1)
        )


def payment_plan(pm: SgfundPluginManager, round: Round, amount: Decimal) -> Registered[PaymentPlan]:
    """The plan for an award of ``amount`` in ``round``, with the plugin that gave it.

    Of the plans that apply (``from_amount`` at most ``amount``), one that is not a fallback
    wins, the one with the highest ``from_amount``; two tied are a `PluginError` naming both.
    With none, the one fallback plan applies.
    """
    found = collect(pm, "sgfund_payment_plans", PaymentPlan, round=round)
    applicable = [r for r in found if r.item.from_amount <= amount]
    for fallback in (False, True):
        chosen = [r for r in applicable if r.item.fallback is fallback]
        if not chosen:
            continue
        top = max(r.item.from_amount for r in chosen)
        best = [r for r in chosen if r.item.from_amount == top]
        if len(best) > 1:
            named = ", ".join(f"{r.item.id!r} ({r.plugin})" for r in best)
            raise PluginError(
                f"round {round.id!r}: payment plans {named} all apply to an award of "
                f"{format_money(amount)}; block one of the plugins or give the plans different "
                "from_amount",
                plugins=tuple(r.plugin for r in best),
            )
        return best[0]
    raise PluginError(
        f"round {round.id!r}: no payment plan applies to an award of {format_money(amount)} "
        "(the built-in sgfund.plugins.payments gives one; was it blocked?)"
    )
