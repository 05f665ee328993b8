"""Commands for after the award: ``offers``, ``payments``, ``returns``, ``variations`` and
``post-award`` (the figures), each over one `sgfund.workflow.postaward` function.

Every command that changes something takes ``--actor`` and ``--as-of`` and prints the award
as it then stands (``--json``: its position); a step that cannot happen (paying before the
offer is accepted, twice, over the award, or by its authoriser) is a problem on stderr, exit 1.
"""  # noqa: D205 - the summary needs both lines

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click

from sgfund.cli.options import parse_day, parse_money, round_option, step_options
from sgfund.cli.session import (
    Session,
    as_of_option,
    emit_json,
    json_option,
    on,
    pass_session,
    say,
    when,
    who,
)

__all__ = ["COMMANDS"]


def _money_text(value: Any) -> str:
    from sgfund.money import format_money

    return format_money(value)


@dataclasses.dataclass(frozen=True, kw_only=True)
class AwardCall:
    """What every post-award step was given besides its own arguments: the session, the
    award's round, who, when, and whether to print JSON.
    """  # noqa: D205 - the summary needs both lines

    session: Session
    round_id: str | None
    as_of: datetime | None
    actor: str | None
    as_json: bool

    def apply(self, step: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run a `sgfund.workflow.postaward` step and print where the award then stands."""
        with self.session.ledger() as ledger:
            position = step(
                ledger,
                *args,
                actor=who(self.actor),
                at=when(self.as_of),
                round_id=self.round_id,
                **kwargs,
            )
        _show(position, self.as_json)


# The options `_award_step` adds, as click passes them.
_COMMON = ("round_id", "as_of", "actor", "as_json")


def _award_step(func: Callable[..., None]) -> Callable[..., Any]:
    """The options every post-award step takes (the round, when, who, --json), handed to the
    command as one `AwardCall`.
    """  # noqa: D205 - the summary needs both lines

    @functools.wraps(func)
    def command(session: Session, /, **options: Any) -> None:
        common = {name: options.pop(name) for name in _COMMON}
        func(AwardCall(session=session, **common), **options)

    return round_option("The award's round.")(step_options(pass_session(command)))


def _show(position: Any, as_json: bool) -> None:
    from sgfund.workflow.postaward import position_dict

    if as_json:
        emit_json(position_dict(position))
        return
    say(
        f"{position.award_id}: {position.status}; awarded {_money_text(position.awarded)}, "
        f"paid {_money_text(position.paid)}, outstanding {_money_text(position.outstanding)}, "
        f"recovered {_money_text(position.recovered)}"
    )
    for i in position.instalments:
        waits = f", on the {i.waits_for} return" if i.waits_for else ""
        say(f"  instalment {i.id}: {_money_text(i.amount)} {i.status}{waits}")


def _run(session: Session, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with session.ledger() as ledger:
        return step(ledger, *args, **kwargs)


# --- offers ---------------------------------------------------------------------------------


@click.group()
def offers() -> None:
    """Offer awards of closed rounds; record acceptances and declines."""


@offers.command("make")
@click.argument("award_id", metavar="AWARD")
@click.option("--end", callback=parse_day, help="The funding period's end (default: the award's).")
@click.option(
    "--return-due",
    callback=parse_day,
    help="When the final return is due (default: 8 weeks after the end).",
)
@click.option("--condition", "conditions", multiple=True, help="A condition (repeatable).")
@_award_step
def offers_make(
    call: AwardCall,
    award_id: str,
    end: date | None,
    return_due: date | None,
    conditions: tuple[str, ...],
) -> None:
    """Offer AWARD for its funding period, with conditions and a final return due date."""
    from sgfund.workflow.postaward import make_offer

    call.apply(make_offer, award_id, return_due=return_due, end=end, conditions=conditions)


@offers.command("accept")
@click.argument("award_id", metavar="AWARD")
@_award_step
def offers_accept(call: AwardCall, award_id: str) -> None:
    """Record that AWARD's offer was accepted; its payments are scheduled by the plugins' plan."""
    from sgfund.workflow.postaward import accept_offer

    call.apply(accept_offer, award_id, pm=call.session.pm)


@offers.command("decline")
@click.argument("award_id", metavar="AWARD")
@_award_step
def offers_decline(call: AwardCall, award_id: str) -> None:
    """Record that AWARD's offer was declined."""
    from sgfund.workflow.postaward import decline_offer

    call.apply(decline_offer, award_id)


# --- payments -------------------------------------------------------------------------------


@click.group()
def payments() -> None:
    """Authorise and pay instalments; record failures, clawbacks and recoveries; list them."""


@payments.command("list")
@click.argument("round_ids", nargs=-1, metavar="[ROUND]...")
@json_option
@pass_session
def payments_list(session: Session, round_ids: tuple[str, ...], as_json: bool) -> None:
    """List every award of the ROUNDs (default: every closed round) and its instalments."""
    from sgfund.workflow.postaward import position_dict, positions

    found = _run(session, positions, round_ids or None)
    if as_json:
        emit_json({"awards": [position_dict(p) for p in found]})
        return
    for p in found:
        _show(p, False)


@payments.command("authorise")
@click.argument("award_id", metavar="AWARD")
@click.argument("instalment")
@_award_step
def payments_authorise(call: AwardCall, award_id: str, instalment: str) -> None:
    """Authorise INSTALMENT of AWARD for payment (someone else pays it)."""
    from sgfund.workflow.postaward import authorise_payment

    call.apply(authorise_payment, award_id, instalment)


@payments.command("pay")
@click.argument("award_id", metavar="AWARD")
@click.argument("instalment")
@click.option("--amount", callback=parse_money, help="The amount paid (default: the instalment's).")
@click.option(
    "--confirm-duplicate",
    is_flag=True,
    help="Another payment of the same amount on the same day is intended.",
)
@_award_step
def payments_pay(
    call: AwardCall,
    award_id: str,
    instalment: str,
    amount: Decimal | None,
    confirm_duplicate: bool,
) -> None:
    """Pay INSTALMENT of AWARD: refused before acceptance, twice, over the award, or by its
    authoriser.
    """  # noqa: D205 - click shows this as the help text
    from sgfund.workflow.postaward import pay_instalment

    call.apply(pay_instalment, award_id, instalment, amount=amount, confirmed=confirm_duplicate)


@payments.command("fail")
@click.argument("award_id", metavar="AWARD")
@click.argument("instalment")
@click.option("--reason", required=True, help="Why the payment failed.")
@_award_step
def payments_fail(call: AwardCall, award_id: str, instalment: str, reason: str) -> None:
    """Record that an authorised payment of INSTALMENT failed (it is scheduled again)."""
    from sgfund.workflow.postaward import fail_payment

    call.apply(fail_payment, award_id, instalment, reason=reason)


@payments.command("clawback")
@click.argument("award_id", metavar="AWARD")
@click.argument("amount", callback=parse_money)
@click.option("--reason", required=True, help="Why, e.g. the underspend.")
@_award_step
def payments_clawback(call: AwardCall, award_id: str, amount: Decimal, reason: str) -> None:
    """Claw back AMOUNT of AWARD (underspend): the award is reduced and AMOUNT is due back."""
    from sgfund.workflow.postaward import claw_back

    call.apply(claw_back, award_id, amount, reason=reason)


@payments.command("recover")
@click.argument("award_id", metavar="AWARD")
@click.argument("amount", callback=parse_money)
@_award_step
def payments_recover(call: AwardCall, award_id: str, amount: Decimal) -> None:
    """Record AMOUNT clawed back from AWARD as received."""
    from sgfund.workflow.postaward import recover_money

    call.apply(recover_money, award_id, amount)


@payments.command("withdraw")
@click.argument("award_id", metavar="AWARD")
@click.option("--reason", required=True, help="Why the award is withdrawn.")
@_award_step
def payments_withdraw(call: AwardCall, award_id: str, reason: str) -> None:
    """Withdraw AWARD: its unpaid instalments are cancelled."""
    from sgfund.workflow.postaward import withdraw_award

    call.apply(withdraw_award, award_id, reason=reason)


# --- returns --------------------------------------------------------------------------------


@click.group()
def returns() -> None:
    """Monitoring returns: what is due and overdue, received, accepted or sent back."""


@returns.command("due")
@click.argument("round_ids", nargs=-1, metavar="[ROUND]...")
@click.option("--overdue", is_flag=True, help="Only returns overdue.")
@as_of_option
@json_option
@pass_session
def returns_due_command(
    session: Session,
    round_ids: tuple[str, ...],
    overdue: bool,
    as_of: datetime | None,
    as_json: bool,
) -> None:
    """List final returns still awaited as of --as-of, and whether each is overdue."""
    from sgfund.workflow.postaward import returns_due

    day = on(as_of)
    found = [
        r
        for r in _run(session, returns_due, round_ids or None, as_of=day)
        if r.overdue or not overdue
    ]
    if as_json:
        emit_json({"as_of": day.isoformat(), "returns": [_return_dict(r) for r in found]})
        return
    if not found:
        say(f"no returns awaited as of {day}")
    for r in found:
        late = "OVERDUE" if r.overdue else r.status
        say(f"{r.award_id:<16} {r.return_id} return due {r.due_on}  {late}")


def _return_dict(r: Any) -> dict[str, Any]:
    return {
        "award": r.award_id,
        "round": r.round_id,
        "return": r.return_id,
        "due_on": r.due_on.isoformat(),
        "status": r.status,
        "overdue": r.overdue,
    }


@returns.command("record")
@click.argument("award_id", metavar="AWARD")
@_award_step
def returns_record(call: AwardCall, award_id: str) -> None:
    """Record AWARD's final return as received."""
    from sgfund.workflow.postaward import receive_return

    call.apply(receive_return, award_id)


@returns.command("accept")
@click.argument("award_id", metavar="AWARD")
@_award_step
def returns_accept(call: AwardCall, award_id: str) -> None:
    """Accept AWARD's final return: the project is complete."""
    from sgfund.workflow.postaward import accept_return

    call.apply(accept_return, award_id)


@returns.command("send-back")
@click.argument("award_id", metavar="AWARD")
@click.option("--reason", required=True, help="What needs changing.")
@_award_step
def returns_send_back(call: AwardCall, award_id: str, reason: str) -> None:
    """Send AWARD's final return back for changes."""
    from sgfund.workflow.postaward import send_back_return

    call.apply(send_back_return, award_id, reason=reason)


# --- variations -----------------------------------------------------------------------------


@click.group()
def variations() -> None:
    """Changes to an award's amount, end or purpose, each approved by someone else."""


@variations.command("request")
@click.argument("award_id", metavar="AWARD")
@click.argument("variation")
@click.option("--reason", required=True, help="Why the change is needed.")
@click.option("--amount", callback=parse_money, help="The new amount.")
@click.option("--end", callback=parse_day, help="The new end of the funding period.")
@click.option("--purpose", default=None, help="The new purpose.")
@_award_step
def variations_request(
    call: AwardCall,
    award_id: str,
    variation: str,
    reason: str,
    amount: Decimal | None,
    end: date | None,
    purpose: str | None,
) -> None:
    """Ask for VARIATION (an id such as V1) of AWARD."""
    from sgfund.workflow.postaward import request_variation

    call.apply(
        request_variation,
        award_id,
        variation,
        reason=reason,
        amount=amount,
        end=end,
        purpose=purpose,
    )


@variations.command("approve")
@click.argument("award_id", metavar="AWARD")
@click.argument("variation")
@_award_step
def variations_approve(call: AwardCall, award_id: str, variation: str) -> None:
    """Approve VARIATION of AWARD (not by whoever asked for it)."""
    from sgfund.workflow.postaward import approve_variation

    call.apply(approve_variation, award_id, variation)


@variations.command("refuse")
@click.argument("award_id", metavar="AWARD")
@click.argument("variation")
@click.option("--reason", required=True, help="Why it is refused.")
@_award_step
def variations_refuse(call: AwardCall, award_id: str, variation: str, reason: str) -> None:
    """Refuse VARIATION of AWARD."""
    from sgfund.workflow.postaward import refuse_variation

    call.apply(refuse_variation, award_id, variation, reason=reason)


# --- the figures ----------------------------------------------------------------------------


@click.command("post-award")
@click.argument("round_ids", nargs=-1, metavar="[ROUND]...")
@as_of_option
@json_option
@pass_session
def post_award(
    session: Session, round_ids: tuple[str, ...], as_of: datetime | None, as_json: bool
) -> None:
    """The post-award figures of the ROUNDs (default: every closed round) as of --as-of:
    awarded, paid, outstanding, recovered, returns due and overdue, projects completed.
    """  # noqa: D205 - click shows this as the help text
    from sgfund.workflow.postaward import summary, summary_dict, summary_lines

    day = on(as_of)
    figures = summary_dict(_run(session, summary, round_ids or None, as_of=day))
    if as_json:
        emit_json({"as_of": day.isoformat(), "rounds": list(round_ids), **figures})
        return
    for line in summary_lines(figures, ", ".join(round_ids) or "every closed round"):
        say(line)


COMMANDS: tuple[click.Command, ...] = (offers, payments, returns, variations, post_award)
