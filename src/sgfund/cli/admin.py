"""Commands about the tooling: the demo, the audit trail, the plugins and published criteria."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sgfund.cli.session import (
    Session,
    emit_json,
    json_option,
    pass_session,
    say,
    stderr_is_terminal,
)

__all__ = ["COMMANDS"]


@click.command()
@click.argument("folder", default="sgfund-demo", type=click.Path(file_okay=False))
@click.option(
    "--all-plugins",
    is_flag=True,
    help="Use every installed sgfund plugin, not only those the example fund declares.",
)
@json_option
def demo(folder: str, all_plugins: bool, as_json: bool) -> None:
    """Run the whole job on the example fund into FOLDER (default: sgfund-demo).

    Builds a new ledger there from the example sheets (synthetic records), assesses with the
    example fund's regional plugin (saying so if it is missing), resolves the expected
    referrals, decides, closes every round, reconciles against the published figures and
    writes the 360Giving files (one per funder) and the transparency table. Exit 1 if a
    scope does not reconcile.
    """
    from sgfund.workflow.demo import DEMO_STEPS, demo_plugin_manager, run_demo, summary_text

    pm = demo_plugin_manager(every_installed=all_plugins)
    if not as_json:
        plugins = sorted(name for name, _ in pm.list_name_plugin())
        which = "every installed" if all_plugins else "declared"
        say(f"plugins ({which}): {', '.join(plugins)}")
    if stderr_is_terminal() and not as_json:
        # Work of several seconds: a progress bar, on a terminal only.
        stderr = sys.stderr
        with click.progressbar(length=len(DEMO_STEPS), label="sgfund demo", file=stderr) as bar:
            summary = run_demo(Path(folder), pm=pm, progress=lambda _step: bar.update(1))
    else:
        summary = run_demo(Path(folder), pm=pm)
    if as_json:
        emit_json(summary.to_dict())
    else:
        say(summary_text(summary))
    if not summary.ok:
        raise click.exceptions.Exit(1)


@click.group()
def audit() -> None:
    """Check the ledger's audit trail, and print anchors to publish."""


@audit.command("verify")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    metavar="ANCHOR",
    help="An anchor kept outside the ledger (sgfund-anchor:v1:...); may be repeated.",
)
@json_option
@pass_session
def audit_verify(session: Session, anchors: tuple[str, ...], as_json: bool) -> None:
    """Verify the whole ledger: schema, hash chain, every record and closed round (exit 1 if
    anything is wrong), and that each ANCHOR is still in the chain.
    """  # noqa: D205 - click shows this as the help text
    from sgfund.ledger import verify_file

    report = verify_file(session.db, anchors=anchors)
    if as_json:
        emit_json(
            {
                "ok": report.ok,
                "events_checked": report.events_checked,
                "records_checked": report.records_checked,
                "rounds_checked": report.rounds_checked,
                "closed_rounds": report.closed_rounds,
                "anchors_checked": report.anchors_checked,
                "head": None if report.head is None else str(report.head),
                "problems": [
                    {"kind": p.kind, "entity": p.entity, "message": p.message}
                    for p in report.problems
                ],
            }
        )
    elif report.ok:
        say(str(report))
    else:
        from sgfund.cli.session import problem

        for p in report.problems:
            problem(f"{session.where}: {p}")
        problem(f"sgfund: {str(report).splitlines()[0]}")
    if not report.ok:
        raise click.exceptions.Exit(1)


@audit.command("anchor")
@click.argument("round_id", required=False, metavar="[ROUND]")
@json_option
@pass_session
def audit_anchor(session: Session, round_id: str | None, as_json: bool) -> None:
    """Print the anchor to publish: a closed ROUND's closing event, or the newest event."""
    from sgfund.errors import LedgerError

    with session.ledger() as ledger:
        if round_id is not None:
            anchor = ledger.closure_anchor(round_id)
        else:
            head = ledger.head()
            if head is None:
                raise LedgerError(f"{session.where}: the ledger has no events yet")
            anchor = head
    if as_json:
        emit_json({"round": round_id, "anchor": str(anchor)})
    else:
        say(str(anchor))


def _listing_dict(listing: Any, round_id: str | None) -> dict[str, Any]:
    def entry(e: Any, **more: Any) -> dict[str, Any]:
        version = getattr(e.item, "version", None)
        return {"id": e.item.id, "version": version, "plugin": e.plugin, **more}

    return {
        "round": round_id,
        "plugins": [
            {
                "name": p.name,
                "distribution": p.distribution,
                "version": p.version,
                "hooks": list(p.hooks),
            }
            for p in listing.plugins
        ],
        "rules": [entry(r, description=r.item.description) for r in listing.rules],
        "classifiers": [entry(c, description=c.item.description) for c in listing.classifiers],
        "checks": [entry(c, description=c.item.description) for c in listing.checks],
        "vocabularies": [
            entry(
                v,
                label=v.item.label,
                themes=[
                    {"slug": t.slug, "label": t.label, "archived": t.archived}
                    for t in v.item.themes
                ],
            )
            for v in listing.vocabularies
        ],
        "areas": [
            entry(
                a,
                label=a.item.label,
                areas=[
                    {"name": x.name, "code": x.code, "code_type": x.code_type} for x in a.item.areas
                ],
            )
            for a in listing.areas
        ],
    }


@click.command()
@click.option(
    "--round",
    "round_id",
    default=None,
    metavar="ROUND",
    help="List what the plugins give this round (default: the ledger's latest round).",
)
@json_option
@pass_session
def plugins(session: Session, round_id: str | None, as_json: bool) -> None:
    """List the plugins in use and what they give a round: rules with their versions,
    classifiers, reconciliation checks, theme vocabularies and areas.

    The plugins in use are those --plugins names, else those the fund file names, else every
    installed one; installed plugins not in use are named at the end.
    """  # noqa: D205 - click shows this as the help text
    from sgfund.ledger import ledger_exists
    from sgfund.manager import describe, installed_plugins
    from sgfund.scope import Scope

    rnd = None
    if round_id is not None or ledger_exists(session.db):
        with session.ledger() as ledger:
            known = ledger.rounds()
            if round_id is None and known:
                round_id = max(known, key=lambda rid: (ledger.round(rid).opens_at, rid))
            if round_id is not None:
                rnd = ledger.round(round_id)
    scope = None if rnd is None else Scope(id=rnd.id, label=rnd.name, rounds=[rnd])
    listing = describe(session.pm, round=rnd, scope=scope)
    choice = session.plugin_choice
    unused = [name for name in installed_plugins() if not session.pm.has_plugin(name)]
    if as_json:
        emit_json(
            {
                **_listing_dict(listing, round_id),
                "in_use": {"names": choice.names, "source": choice.source},
                "installed_not_in_use": unused,
            }
        )
        return
    if rnd is None:
        say("(no round in the ledger: only the plugins are listed; give --round ROUND)\n")
    else:
        say(f"# What the plugins give {rnd.id} ({rnd.name})\n")
    say(f"Plugins in use: {choice.describe()}.\n")
    say(listing.to_markdown().rstrip("\n"))
    if unused:
        say(f"\nInstalled but not in use: {', '.join(unused)} (choose with --plugins).")


@click.command()
@click.argument("round_id", metavar="ROUND")
@json_option
@pass_session
def criteria(session: Session, round_id: str, as_json: bool) -> None:
    """Print ROUND's eligibility criteria as Markdown, to publish to applicants.

    Generated from the round (window, pot, grant limits) and its plugins' rules, each with
    its version, and its themes and areas.
    """
    from sgfund.workflow import round_criteria

    with session.ledger() as ledger:
        text = round_criteria(ledger, round_id, pm=session.pm)
    if as_json:
        emit_json({"round": round_id, "markdown": text})
    else:
        say(text.rstrip("\n"))


COMMANDS: tuple[click.Command, ...] = (demo, audit, plugins, criteria)
