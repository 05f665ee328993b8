"""Commands for after the award: ``offers``, ``payments``, ``returns``, ``variations`` and
``post-award`` (the figures), each over one `sgfund.workflow.postaward` function.

Every command that changes something takes ``--actor`` and ``--as-of`` and prints the award
as it then stands (``--json``: its position); a step that cannot happen (paying before the
offer is accepted, twice, over the award, or by its authoriser) is a problem on stderr, exit 1.
"""  # noqa: D205 - the summary needs both lines

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import click

from sgfund.cli.session import (
    Session,
    actor_option,
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

F = TypeVar("F", bound=Callable[..., Any])


def _money_text(value: Any) -> str:
    from sgfund.money import format_money

    return format_money(value)


def _parse_money(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from sgfund.errors import FieldError
    from sgfund.money import parse_money

    try:
        return parse_money(value, field=param.name or "amount")
    except FieldError as err:
        raise click.BadParameter(f"{value!r}: expected {err.expected}", ctx, param) from None


def _parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from sgfund.dates import parse_date
    from sgfund.errors import FieldError

    try:
        return parse_date(value, field=param.name or "date")
    except FieldError as err:
        raise click.BadParameter(f"{value!r}: expected {err.expected}", ctx, param) from None


def _step(func: F) -> F:
    """The options every post-award step takes: the round, who, when and --json."""
    func = json_option(func)
    func = actor_option(func)
    func = as_of_option(func)
    return click.option(
        "--round", "round_id", default=None, metavar="ROUND", help="The award's round."
    )(func)


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
@click.option("--end", callback=_parse_day, help="The funding period's end (default: the award's).")
@click.option(
    "--return-due",
    callback=_parse_day,
    help="When the final return is due (default: 8 weeks after the end).",
)
@click.option("--condition", "conditions", multiple=True, help="A condition (repeatable).")
@_step
@pass_session
def offers_make(
    session: Session,
    award_id: str,
    end: date | None,
    return_due: date | None,
    conditions: tuple[str, ...],
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Offer AWARD for its funding period, with conditions and a final return due date."""
    from sgfund.workflow.postaward import make_offer

    position = _run(
        session,
        make_offer,
        award_id,
        actor=who(actor),
        at=when(as_of),
        return_due=return_due,
        end=end,
        conditions=conditions,
        round_id=round_id,
    )
    _show(position, as_json)


@offers.command("accept")
@click.argument("award_id", metavar="AWARD")
@_step
@pass_session
def offers_accept(
    session: Session,
    award_id: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Record that AWARD's offer was accepted; its payments are scheduled by the plugins' plan."""
    from sgfund.workflow.postaward import accept_offer

    position = _run(
        session,
        accept_offer,
        award_id,
        pm=session.pm,
        actor=who(actor),
        at=when(as_of),
        round_id=round_id,
    )
    _show(position, as_json)


@offers.command("decline")
@click.argument("award_id", metavar="AWARD")
@_step
@pass_session
def offers_decline(
    session: Session,
    award_id: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Record that AWARD's offer was declined."""
    from sgfund.workflow.postaward import decline_offer

    position = _run(
        session, decline_offer, award_id, actor=who(actor), at=when(as_of), round_id=round_id
    )
    _show(position, as_json)


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
@_step
@pass_session
def payments_authorise(
    session: Session,
    award_id: str,
    instalment: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Authorise INSTALMENT of AWARD for payment (someone else pays it)."""
    from sgfund.workflow.postaward import authorise_payment

    position = _run(
        session,
        authorise_payment,
        award_id,
        instalment,
        actor=who(actor),
        at=when(as_of),
        round_id=round_id,
    )
    _show(position, as_json)


@payments.command("pay")
@click.argument("award_id", metavar="AWARD")
@click.argument("instalment")
@click.option(
    "--amount", callback=_parse_money, help="The amount paid (default: the instalment's)."
)
@click.option(
    "--confirm-duplicate",
    is_flag=True,
    help="Another payment of the same amount on the same day is intended.",
)
@_step
@pass_session
def payments_pay(
    session: Session,
    award_id: str,
    instalment: str,
    amount: Decimal | None,
    confirm_duplicate: bool,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Pay INSTALMENT of AWARD: refused before acceptance, twice, over the award, or by its
    authoriser.
    """  # noqa: D205 - click shows this as the help text
    from sgfund.workflow.postaward import pay_instalment

    position = _run(
        session,
        pay_instalment,
        award_id,
        instalment,
        actor=who(actor),
        at=when(as_of),
        amount=amount,
        confirmed=confirm_duplicate,
        round_id=round_id,
    )
    _show(position, as_json)


@payments.command("fail")
@click.argument("award_id", metavar="AWARD")
@click.argument("instalment")
@click.option("--reason", required=True, help="Why the payment failed.")
@_step
@pass_session
def payments_fail(
    session: Session,
    award_id: str,
    instalment: str,
    reason: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Record that an authorised payment of INSTALMENT failed (it is scheduled again)."""
    from sgfund.workflow.postaward import fail_payment

    position = _run(
        session,
        fail_payment,
        award_id,
        instalment,
        reason=reason,
        actor=who(actor),
        at=when(as_of),
        round_id=round_id,
    )
    _show(position, as_json)


@payments.command("clawback")
@click.argument("award_id", metavar="AWARD")
@click.argument("amount", callback=_parse_money)
@click.option("--reason", required=True, help="Why, e.g. the underspend.")
@_step
@pass_session
def payments_clawback(
    session: Session,
    award_id: str,
    amount: Decimal,
    reason: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Claw back AMOUNT of AWARD (underspend): the award is reduced and AMOUNT is due back."""
    from sgfund.workflow.postaward import claw_back

    position = _run(
        session,
        claw_back,
        award_id,
        amount,
        reason=reason,
        actor=who(actor),
        at=when(as_of),
        round_id=round_id,
    )
    _show(position, as_json)


@payments.command("recover")
@click.argument("award_id", metavar="AWARD")
@click.argument("amount", callback=_parse_money)
@_step
@pass_session
def payments_recover(
    session: Session,
    award_id: str,
    amount: Decimal,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Record AMOUNT clawed back from AWARD as received."""
    from sgfund.workflow.postaward import recover_money

    position = _run(
        session,
        recover_money,
        award_id,
        amount,
        actor=who(actor),
        at=when(as_of),
        round_id=round_id,
    )
    _show(position, as_json)


@payments.command("withdraw")
@click.argument("award_id", metavar="AWARD")
@click.option("--reason", required=True, help="Why the award is withdrawn.")
@_step
@pass_session
def payments_withdraw(
    session: Session,
    award_id: str,
    reason: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Withdraw AWARD: its unpaid instalments are cancelled."""
    from sgfund.workflow.postaward import withdraw_award

    position = _run(
        session,
        withdraw_award,
        award_id,
        reason=reason,
        actor=who(actor),
        at=when(as_of),
        round_id=round_id,
    )
    _show(position, as_json)


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
        emit_json(
            {
                "as_of": day.isoformat(),
                "returns": [
                    {
                        "award": r.award_id,
                        "round": r.round_id,
                        "return": r.return_id,
                        "due_on": r.due_on.isoformat(),
                        "status": r.status,
                        "overdue": r.overdue,
                    }
                    for r in found
                ],
            }
        )
        return
    if not found:
        say(f"no returns awaited as of {day}")
    for r in found:
        late = "OVERDUE" if r.overdue else r.status
        say(f"{r.award_id:<16} {r.return_id} return due {r.due_on}  {late}")


@returns.command("record")
@click.argument("award_id", metavar="AWARD")
@_step
@pass_session
def returns_record(
    session: Session,
    award_id: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Record AWARD's final return as received."""
    from sgfund.workflow.postaward import receive_return

    position = _run(
        session, receive_return, award_id, actor=who(actor), at=when(as_of), round_id=round_id
    )
    _show(position, as_json)


@returns.command("accept")
@click.argument("award_id", metavar="AWARD")
@_step
@pass_session
def returns_accept(
    session: Session,
    award_id: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Accept AWARD's final return: the project is complete."""
    from sgfund.workflow.postaward import accept_return

    position = _run(
        session, accept_return, award_id, actor=who(actor), at=when(as_of), round_id=round_id
    )
    _show(position, as_json)


@returns.command("send-back")
@click.argument("award_id", metavar="AWARD")
@click.option("--reason", required=True, help="What needs changing.")
@_step
@pass_session
def returns_send_back(
    session: Session,
    award_id: str,
    reason: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Send AWARD's final return back for changes."""
    from sgfund.workflow.postaward import send_back_return

    position = _run(
        session,
        send_back_return,
        award_id,
        reason=reason,
        actor=who(actor),
        at=when(as_of),
        round_id=round_id,
    )
    _show(position, as_json)


# --- variations -----------------------------------------------------------------------------


@click.group()
def variations() -> None:
    """Changes to an award's amount, end or purpose, each approved by someone else."""


@variations.command("request")
@click.argument("award_id", metavar="AWARD")
@click.argument("variation")
@click.option("--reason", required=True, help="Why the change is needed.")
@click.option("--amount", callback=_parse_money, help="The new amount.")
@click.option("--end", callback=_parse_day, help="The new end of the funding period.")
@click.option("--purpose", default=None, help="The new purpose.")
@_step
@pass_session
def variations_request(
    session: Session,
    award_id: str,
    variation: str,
    reason: str,
    amount: Decimal | None,
    end: date | None,
    purpose: str | None,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Ask for VARIATION (an id such as V1) of AWARD."""
    from sgfund.workflow.postaward import request_variation

    position = _run(
        session,
        request_variation,
        award_id,
        variation,
        reason=reason,
        actor=who(actor),
        at=when(as_of),
        amount=amount,
        end=end,
        purpose=purpose,
        round_id=round_id,
    )
    _show(position, as_json)


@variations.command("approve")
@click.argument("award_id", metavar="AWARD")
@click.argument("variation")
@_step
@pass_session
def variations_approve(
    session: Session,
    award_id: str,
    variation: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Approve VARIATION of AWARD (not by whoever asked for it)."""
    from sgfund.workflow.postaward import approve_variation

    position = _run(
        session,
        approve_variation,
        award_id,
        variation,
        actor=who(actor),
        at=when(as_of),
        round_id=round_id,
    )
    _show(position, as_json)


@variations.command("refuse")
@click.argument("award_id", metavar="AWARD")
@click.argument("variation")
@click.option("--reason", required=True, help="Why it is refused.")
@_step
@pass_session
def variations_refuse(
    session: Session,
    award_id: str,
    variation: str,
    reason: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Refuse VARIATION of AWARD."""
    from sgfund.workflow.postaward import refuse_variation

    position = _run(
        session,
        refuse_variation,
        award_id,
        variation,
        reason=reason,
        actor=who(actor),
        at=when(as_of),
        round_id=round_id,
    )
    _show(position, as_json)


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
