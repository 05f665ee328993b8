"""Commands that report and publish: reconcile, report, totals, export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from sgfund.cli.session import (
    Session,
    as_of_option,
    emit_json,
    json_option,
    on,
    pass_session,
    say,
    warn,
)

__all__ = ["COMMANDS"]

_SCOPE_HELP = (
    "SCOPE is a scope of the fund file (mayor-scf-2022), a round id, rounds joined by '+' "
    "(mayor-gr1+mayor-gr2) or a range in the order the rounds opened (mayor-gr1..mayor-gr3)."
)


def _include_unclosed_option(func: Any) -> Any:
    return click.option(
        "--include-unclosed",
        is_flag=True,
        help="Publish rounds that are not closed too, their figures marked as provisional "
        "(a warning on stderr; 'unclosed' in --json).",
    )(func)


def _warn_unclosed(unclosed: Any) -> None:
    for rid, state in unclosed.items():
        warn(f"sgfund: warning: round {rid} is {state}, not closed: its figures are provisional")


def _unclosed_json(unclosed: Any) -> list[dict[str, str]]:
    return [{"round": rid, "state": str(state)} for rid, state in unclosed.items()]


def _scope(ledger: Any, key: str) -> Any:
    from sgfund.workflow import resolve_scope

    return resolve_scope(ledger, key)


@click.command()
@click.argument("scope")
@click.option(
    "--declared",
    type=click.Path(dir_okay=False),
    help="A CSV of published figures to use instead of the fund file's; the rows whose "
    "scope is SCOPE are compared.",
)
@click.option("--label", default=None, help="What to call the scope in the report.")
@json_option
@pass_session
def reconcile(
    session: Session, scope: str, declared: str | None, label: str | None, as_json: bool
) -> None:
    """Reconcile SCOPE's totals against published figures and the plugins' checks.

    Exit 1 if a figure or check reports an error. {scope}
    """
    from sgfund.reconcile import report_dict, report_text
    from sgfund.themes import round_vocabularies
    from sgfund.workflow import reconcile_scope

    with session.ledger() as ledger:
        chosen = _scope(ledger, scope)
        figures, unused = _declared(ledger, declared, scope, chosen.declared)
        rec = reconcile_scope(
            ledger,
            chosen.round_ids,
            pm=session.pm,
            scope_id=chosen.id,
            label=label or chosen.label,
            declared=figures,
        )
        labels = round_vocabularies(session.pm, ledger.round(chosen.round_ids[-1])).labels
    if as_json:
        emit_json(report_dict(rec) | {"declared_warnings": list(unused)})
    else:
        say(report_text(rec, theme_labels=labels).rstrip("\n"))
    if not rec.ok:
        raise click.exceptions.Exit(1)


def _declared(
    ledger: Any, path: str | None, scope: str, default: Sequence[Any]
) -> tuple[list[Any], tuple[str, ...]]:
    """SCOPE's figures from --declared (each unused row warned of on stderr), else ``default``."""
    if not path:
        return list(default), ()
    from sgfund.workflow import declared_from_file

    choice = declared_from_file(ledger, path, scope)
    for line in choice.warnings:
        warn(f"sgfund: warning: {line}")
    return list(choice.figures), choice.warnings


reconcile.help = (reconcile.help or "").replace("{scope}", _SCOPE_HELP)


@click.command()
@click.argument("scope")
@click.option(
    "--out",
    "outs",
    type=click.Path(dir_okay=False),
    multiple=True,
    required=True,
    help="The file to write: .html (one self-contained page) or .md (Markdown); may be "
    "repeated. Other names are refused.",
)
@click.option(
    "--declared",
    type=click.Path(dir_okay=False),
    help="A CSV of published figures; the rows whose scope is SCOPE are compared.",
)
@click.option("--label", default=None, help="What to call the scope in the report.")
@click.option("--title", default=None, help="The report's title (default: the label).")
@json_option
@pass_session
def report(
    session: Session,
    scope: str,
    outs: tuple[str, ...],
    declared: str | None,
    label: str | None,
    title: str | None,
    as_json: bool,
) -> None:
    """Write SCOPE's committee report: headline, charts and tables, every declared figure.

    The report is written even when a figure or check reports an error, and then the exit
    code is 1. Needs the report extra. {scope}
    """
    from sgfund.workflow import write_scope_report

    with session.ledger() as ledger:
        chosen = _scope(ledger, scope)
        figures, unused = _declared(ledger, declared, scope, chosen.declared)
        data, paths = write_scope_report(
            ledger,
            chosen.round_ids,
            outs,
            pm=session.pm,
            scope_id=chosen.id,
            label=label or chosen.label,
            declared=figures,
            title=title,
        )
    if as_json:
        emit_json(
            {
                "files": [str(p) for p in paths],
                "headline": data.headline,
                "projects": data.projects,
                "awarded": str(data.awarded),
                "figures": [
                    {"for": f.scope, "published_text": f.published_text, "matched": f.matched}
                    for f in data.figures
                ],
                "declared_warnings": list(unused),
                "ok": data.ok,
            }
        )
    else:
        say(data.headline)
        for path in paths:
            say(f"written: {path}")
    if not data.ok:
        raise click.exceptions.Exit(1)


report.help = (report.help or "").replace("{scope}", _SCOPE_HELP)


@click.command()
@click.argument("scope")
@json_option
@pass_session
def totals(session: Session, scope: str, as_json: bool) -> None:
    """Print SCOPE's totals: awards, applications, by round, district, type, year and theme.

    {scope}
    """
    from sgfund.reconcile import Reconciliation, report_dict, report_text
    from sgfund.workflow import scope_totals

    with session.ledger() as ledger:
        chosen = _scope(ledger, scope)
        found = scope_totals(ledger, chosen.round_ids, scope_id=chosen.id, label=chosen.label)
    rec = Reconciliation(scope_id=chosen.id, label=chosen.label, totals=found)
    if as_json:
        emit_json({"scope": report_dict(rec)["scope"], "totals": report_dict(rec)["totals"]})
        return
    text = report_text(rec)
    # The totals alone: the report's part before the published figures.
    head = text.split("\nPublished figures")[0].rstrip("\n")
    say(head.replace("Reconciliation: ", "Totals: ", 1))


totals.help = (totals.help or "").replace("{scope}", _SCOPE_HELP)


@click.group()
def export() -> None:
    """Write open data and tables: 360Giving files, the transparency table, applications,
    awards.
    """  # noqa: D205 - click shows this as the help text


@export.command("360giving")
@click.argument("scope")
@click.option(
    "--format",
    "formats",
    type=click.Choice(["json", "csv", "xlsx"]),
    multiple=True,
    default=("json",),
    show_default=True,
    help="File format; may be repeated.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="The folder to write into.",
)
@click.option(
    "--prefix",
    default=None,
    help="Publish under this 360Giving prefix (360G-...) instead of the fund file's publishers.",
)
@click.option(
    "--publisher", "publisher_name", default=None, help="The publisher's name (with --prefix)."
)
@_include_unclosed_option
@as_of_option
@json_option
@pass_session
def export_360giving(
    session: Session,
    scope: str,
    formats: tuple[str, ...],
    out: str,
    prefix: str | None,
    publisher_name: str | None,
    include_unclosed: bool,
    as_of: datetime | None,
    as_json: bool,
) -> None:
    """Write SCOPE's awards as validated 360Giving data, one file per funder and format.

    Only closed rounds are published: a round that is not closed is refused (exit 1), unless
    --include-unclosed. Each era's awards are published by its publisher in the fund file,
    unless --prefix and --publisher name one. The packages are built and validated once; any
    problem is listed (exit 1) and nothing is written. {scope}
    """
    from sgfund.workflow import publish

    publisher = None
    if prefix is not None or publisher_name is not None:
        if prefix is None or publisher_name is None:
            raise click.UsageError("--prefix and --publisher go together")
        from sgfund.io.threesixtygiving import Publisher

        publisher = Publisher(prefix=prefix, name=publisher_name)
    with session.ledger() as ledger:
        chosen = _scope(ledger, scope)
        published = publish(
            ledger,
            chosen.round_ids,
            Path(out),
            pm=session.pm,
            publisher=publisher,
            as_of=on(as_of),
            scope_id=chosen.id,
            label=chosen.label,
            formats=formats,  # type: ignore[arg-type]
            transparency=False,
            include_unclosed=include_unclosed,
        )
    _warn_unclosed(published.unclosed)
    if as_json:
        emit_json(
            {
                "files": [str(f) for f in published.files],
                "grants": dict(published.grants),
                "unclosed": _unclosed_json(published.unclosed),
            }
        )
        return
    for path in published.files:
        say(f"written: {path}")
    say(f"{published.total_grants} grants from {len(published.grants)} funder(s)")


export_360giving.help = (export_360giving.help or "").replace("{scope}", _SCOPE_HELP)


def _table_command(what: str, summary: str) -> click.Command:
    published = what == "transparency"

    @click.command(what, help=f"{summary} {_SCOPE_HELP}")
    @click.argument("scope")
    @click.option(
        "--out",
        type=click.Path(dir_okay=False),
        required=True,
        help="The file to write: .csv, or .xlsx (needs the xlsx extra); other names are refused.",
    )
    @json_option
    @pass_session
    def command(
        session: Session, scope: str, out: str, as_json: bool, include_unclosed: bool = False
    ) -> None:
        from sgfund.workflow import write_table

        with session.ledger() as ledger:
            chosen = _scope(ledger, scope)
            written = write_table(
                ledger,
                chosen.round_ids,
                what,  # type: ignore[arg-type]
                out,
                scope_id=chosen.id,
                label=chosen.label,
                include_unclosed=include_unclosed,
            )
        _warn_unclosed(written.unclosed)
        if as_json:
            shape: dict[str, Any] = {"files": [str(p) for p in written.files]}
            if published:
                shape["unclosed"] = _unclosed_json(written.unclosed)
            emit_json(shape)
        else:
            for path in written.files:
                say(f"written: {path}")

    if published:  # published data: only closed rounds, unless asked
        command = _include_unclosed_option(command)
    return command


export.add_command(
    _table_command(
        "transparency",
        "Write SCOPE's transparency table: one row per award, as published. Only closed "
        "rounds, unless --include-unclosed (a warning on stderr).",
    )
)
export.add_command(_table_command("applications", "Write SCOPE's applications as a table."))
export.add_command(_table_command("awards", "Write SCOPE's awards as a table."))


COMMANDS: tuple[click.Command, ...] = (reconcile, report, totals, export)
