"""Commands for the officer's steps, each over one `sgfund.workflow` function."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from sgfund.cli.options import round_option, step_options
from sgfund.cli.session import (
    Session,
    emit_json,
    json_option,
    on,
    pass_session,
    say,
    session_of,
    warn,
    when,
    who,
)

__all__ = ["COMMANDS"]


def _money(value: Any) -> str:
    from sgfund.money import format_money

    return format_money(value)


@click.command()
@click.argument("fund_file", metavar="FUNDFILE", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@step_options
@pass_session
def init(
    session: Session,
    fund_file: str,
    dry_run: bool,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Set up the fund in the ledger from FUNDFILE, or apply an edited fund file.

    Adds the fund, its eras and rounds (as drafts) and records the file, all audited; makes
    the ledger if there is none. Re-applying shows what changes and amends the terms of draft
    or open rounds; a change to a round past open (or a closed one) is refused, every problem
    as file:line: message.
    """
    from sgfund.fundfile import load_fund_file
    from sgfund.workflow import setup_fund

    loaded = load_fund_file(fund_file)
    from sgfund.ledger import ledger_exists

    if dry_run and not ledger_exists(session.db):
        # Nothing to compare with: what a new ledger would get, without making one here.
        import tempfile

        from sgfund.ledger import Ledger

        with tempfile.TemporaryDirectory() as scratch, Ledger.open(Path(scratch) / "dry.db") as new:
            changes = setup_fund(new, loaded, actor=who(actor), at=when(as_of), dry_run=True)
    else:
        with session.ledger(create=True) as ledger:
            changes = setup_fund(ledger, loaded, actor=who(actor), at=when(as_of), dry_run=dry_run)
    from sgfund.workflow.plugins import not_installed

    if loaded.plugins is None:
        warn(
            f"{fund_file}: the fund file names no plugins: every installed plugin judges its "
            "rounds (name them in [fund] plugins, see docs/fund-file.md)"
        )
    elif missing := not_installed(loaded.plugins):
        warn(
            f"{fund_file}: the fund file names plugin(s) {', '.join(map(repr, missing))}, not "
            "installed here: commands that judge its rounds will refuse until they are"
        )
    if as_json:
        emit_json({"dry_run": dry_run, "ledger": session.where, **changes.as_dict()})
        return
    say(str(changes))
    if not dry_run and not changes.empty:
        say(f"ledger: {session.db}")


@click.command()
@json_option
@pass_session
def rounds(session: Session, as_json: bool) -> None:
    """List the rounds, in the order they opened, with their states and counts."""
    from sgfund.dates import london_text
    from sgfund.workflow import rounds_overview

    with session.ledger() as ledger:
        found = rounds_overview(ledger)
    if as_json:
        emit_json(
            {
                "rounds": [
                    {
                        "id": r.id,
                        "name": r.name,
                        "era": r.era,
                        "funder": r.funder,
                        "state": r.state,
                        "opens_at": r.opens_at.isoformat(),
                        "closes_at": r.closes_at.isoformat(),
                        "applications": r.applications,
                        "decisions": r.decisions,
                        "awards": r.awards,
                        "awarded": str(r.awarded),
                        "referrals_pending": r.referrals_pending,
                    }
                    for r in found
                ]
            }
        )
        return
    if not found:
        say("no rounds yet")
    for r in found:
        pending = f", {r.referrals_pending} referral(s) pending" if r.referrals_pending else ""
        say(
            f"{r.id:<12} {r.state:<22} {r.applications} applications, {r.awards} awards, "
            f"{_money(r.awarded)}{pending}  ({r.name}; open {london_text(r.opens_at)} to "
            f"{london_text(r.closes_at)})"
        )


@click.command("import")
@click.argument("sheet", type=click.Path(dir_okay=False))
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False),
    help="A mapping file (TOML or JSON) for a sheet in an officer's own layout.",
)
@click.option("--sheet-name", default=None, help="The worksheet to read in an XLSX workbook.")
@step_options
@pass_session
def import_(
    session: Session,
    sheet: str,
    mapping: str | None,
    sheet_name: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Import a sheet of applications (and any decisions in it), all or nothing.

    Every problem is listed on stderr as file:row:column: message and nothing is written.
    """
    from sgfund.workflow import import_round

    with session.ledger() as ledger:
        result = import_round(
            ledger,
            sheet,
            pm=session.pm,
            actor=who(actor),
            at=when(as_of),
            mapping=mapping,
            sheet=sheet_name,
        )
    round_ids = sorted({a.round_id for a in result.applications})
    if result.unknown_columns:  # their data was not read: never drop it without saying so
        warn(
            f"{sheet}: columns not read: {', '.join(map(repr, result.unknown_columns))} "
            "(not sgfund columns; name them under columns, notes or ignore in a mapping file)"
        )
    if as_json:
        emit_json(
            {
                "file": result.file,
                "rows": result.rows,
                "applications": len(result.applications),
                "decisions": len(result.decisions),
                "rounds": round_ids,
                "columns_not_read": list(result.unknown_columns),
            }
        )
        return
    decided = f" and {len(result.decisions)} decisions" if result.decisions else ""
    say(
        f"{sheet}: imported {len(result.applications)} applications{decided} "
        f"into {', '.join(round_ids) or 'no round'}"
    )


@click.command()
@click.argument("round_id", metavar="ROUND")
@step_options
@pass_session
def assess(
    session: Session, round_id: str, as_of: datetime | None, actor: str | None, as_json: bool
) -> None:
    """Assess every application of ROUND with the installed plugins' rules and classifiers.

    The rules judge as on the date of --as-of. Referred applications wait in
    'sgfund referrals' for an officer.
    """
    from sgfund.workflow import assess_round, list_ineligible

    with session.ledger() as ledger:
        assessed = assess_round(
            ledger, round_id, pm=session.pm, actor=who(actor), at=when(as_of), as_of=on(as_of)
        )
        ineligible = list_ineligible(ledger, round_id)
    counts = {str(k): v for k, v in sorted(assessed.counts().items())}
    referred = [a.application_id for a in assessed if a.status.value == "refer"]
    if as_json:
        emit_json(
            {
                "round": round_id,
                "as_of": assessed.as_of.isoformat(),
                "counts": counts,
                "referred": referred,
                "ineligible": [_ineligible_dict(i) for i in ineligible],
                "rule_versions": dict(sorted(assessed.rule_versions.items())),
            }
        )
        return
    words = {"refer": "referred"}
    say(f"{round_id}: " + ", ".join(f"{n} {words.get(s, s)}" for s, n in counts.items()))
    for i in ineligible:
        say(f"ineligible: {i.application_id} ({i.organisation}, {i.title!r})")
        for reason in i.reasons:
            say(f"  - {reason}")
    if referred:
        say(f"referred to an officer: {', '.join(referred)} (see 'sgfund referrals')")


def _ineligible_dict(i: Any) -> dict[str, Any]:
    return {
        "application_id": i.application_id,
        "round_id": i.round_id,
        "organisation": i.organisation,
        "title": i.title,
        "reasons": list(i.reasons),
    }


def _referral_dict(r: Any) -> dict[str, Any]:
    res = r.resolution
    return {
        "application_id": r.application_id,
        "round_id": r.round_id,
        "organisation": r.organisation,
        "title": r.title,
        "reasons": list(r.reasons),
        "resolution": None
        if res is None
        else {
            "eligible": res.eligible,
            "reason": res.reason,
            "resolved_by": res.resolved_by,
            "resolved_on": res.resolved_on.isoformat(),
        },
    }


@click.group(invoke_without_command=True)
@round_option("Only this round.")
@click.option("--pending", is_flag=True, help="Only referrals no officer has resolved.")
@json_option
@click.pass_context
def referrals(ctx: click.Context, round_id: str | None, pending: bool, as_json: bool) -> None:
    """List referred applications (the officers' queue); 'referrals resolve' resolves one."""
    if ctx.invoked_subcommand is not None:
        return
    from sgfund.workflow import list_referrals

    with session_of(ctx).ledger() as ledger:
        found = list_referrals(ledger, round_id, pending_only=pending)
    if as_json:
        emit_json({"referrals": [_referral_dict(r) for r in found]})
        return
    if not found:
        say("no referrals" + (" pending" if pending else ""))
    for r in found:
        res = r.resolution
        state = (
            "pending"
            if res is None
            else f"resolved {'eligible' if res.eligible else 'ineligible'} by "
            f"{res.resolved_by} on {res.resolved_on.isoformat()}: {res.reason}"
        )
        say(f"{r.application_id} ({r.round_id}) {r.organisation}: {r.title} [{state}]")
        for reason in r.reasons:
            say(f"    {reason}")


@referrals.command("resolve")
@click.argument("application_id", metavar="ID")
@click.option(
    "--eligible/--ineligible",
    "eligible",
    default=None,
    help="Which way the officer resolves the referral (one is required).",
)
@click.option("--reason", required=True, help="Why, for the audit trail.")
@round_option("The application's round (looks in that round only; quicker in a large ledger).")
@step_options
@pass_session
def referrals_resolve(
    session: Session,
    application_id: str,
    eligible: bool | None,
    reason: str,
    round_id: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Resolve the referral of application ID, with the reason (recorded and audited)."""
    if eligible is None:
        raise click.UsageError("say which way: --eligible or --ineligible")
    from sgfund.workflow import resolve_referral

    with session.ledger() as ledger:
        resolution = resolve_referral(
            ledger,
            application_id,
            eligible=eligible,
            reason=reason,
            actor=who(actor),
            at=when(as_of),
            round_id=round_id,
        )
    if as_json:
        emit_json(
            {
                "resolution": {
                    "application_id": resolution.application_id,
                    "eligible": resolution.eligible,
                    "reason": resolution.reason,
                    "resolved_by": resolution.resolved_by,
                    "resolved_on": resolution.resolved_on.isoformat(),
                }
            }
        )
        return
    say(
        f"{application_id}: resolved {'eligible' if eligible else 'ineligible'} by "
        f"{resolution.resolved_by}: {resolution.reason}"
    )


@click.command()
@click.argument("sheet", type=click.Path(dir_okay=False))
@round_option("The round decided.", required=True)
@click.option("--mapping", type=click.Path(dir_okay=False), help="A mapping file for the sheet.")
@click.option("--sheet-name", default=None, help="The worksheet to read in an XLSX workbook.")
@step_options
@pass_session
def decide(
    session: Session,
    sheet: str,
    round_id: str,
    mapping: str | None,
    sheet_name: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Record a panel's decisions on ROUND's applications from SHEET, all or nothing."""
    from sgfund.workflow import record_decisions

    with session.ledger() as ledger:
        result = record_decisions(
            ledger,
            sheet,
            round_id,
            actor=who(actor),
            at=when(as_of),
            mapping=mapping,
            sheet=sheet_name,
        )
    outcomes: dict[str, int] = {}
    for d in result.decisions:
        outcomes[str(d.outcome)] = outcomes.get(str(d.outcome), 0) + 1
    if as_json:
        emit_json(
            {
                "file": result.file,
                "round": round_id,
                "decisions": len(result.decisions),
                "outcomes": dict(sorted(outcomes.items())),
            }
        )
        return
    detail = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
    say(f"{sheet}: recorded {len(result.decisions)} decisions on {round_id} ({detail})")


@click.command()
@click.argument("round_id", metavar="ROUND")
@step_options
@pass_session
def award(
    session: Session, round_id: str, as_of: datetime | None, actor: str | None, as_json: bool
) -> None:
    """Make the award of every approved decision of ROUND (with final themes); mark it decided."""
    from sgfund.workflow import make_awards

    with session.ledger() as ledger:
        awards = make_awards(ledger, round_id, actor=who(actor), at=when(as_of))
    total = sum((a.amount for a in awards), start=_zero())
    if as_json:
        emit_json({"round": round_id, "awards": len(awards), "awarded": str(total)})
        return
    say(f"{round_id}: {len(awards)} awards, {_money(total)}; the round is decided")


def _zero() -> Any:
    from decimal import Decimal

    return Decimal("0.00")


@click.command()
@click.argument("round_id", metavar="ROUND")
@click.option(
    "--declared",
    type=click.Path(dir_okay=False),
    help="A CSV of published figures to use instead of the fund file's; those for ROUND "
    "must reconcile before it closes.",
)
@click.option(
    "--override-reason",
    default=None,
    help="Close despite reconciliation errors, for this recorded reason.",
)
@step_options
@pass_session
def close(
    session: Session,
    round_id: str,
    declared: str | None,
    override_reason: str | None,
    as_of: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Close ROUND: check it, reconcile it, seal it, and print the anchor to publish.

    Every reason it cannot close is listed on stderr (exit 1).
    """
    from sgfund.workflow import close_round, declared_from_file

    # Without --declared, the round's figures in the fund file in force.
    figures = None
    unused: tuple[str, ...] = ()
    with session.ledger() as ledger:
        if declared:
            choice = declared_from_file(ledger, declared, round_id)
            figures, unused = list(choice.figures), choice.warnings
            for line in unused:
                warn(f"sgfund: warning: {line}")
        closure = close_round(
            ledger,
            round_id,
            pm=session.pm,
            actor=who(actor),
            at=when(as_of),
            declared=figures,
            override_reason=override_reason,
        )
    totals = closure.totals
    for d in closure.discrepancies:
        warn(f"{round_id}: {str(d.severity).upper()} [{d.check_id}] {d.message}")
    if as_json:
        emit_json(
            {
                "round": round_id,
                "applications": totals.applications.count,
                "awards": totals.awards.count,
                "awarded": str(totals.awards.total),
                "digest": closure.digest,
                "anchor": str(closure.anchor),
                "declared_warnings": list(unused),
            }
        )
        return
    say(
        f"{round_id}: closed; {totals.awards.count} awards, {_money(totals.awards.total)}; "
        f"anchor {closure.anchor}"
    )


COMMANDS: tuple[click.Command, ...] = (
    init,
    rounds,
    import_,
    assess,
    referrals,
    decide,
    award,
    close,
)
