"""Commands about the ledger's storage: initialise it, database roles, copy a whole ledger."""

from __future__ import annotations

import click

from sgfund.cli.session import Session, emit_json, json_option, pass_session, say

__all__ = ["COMMANDS"]


@click.group("db")
def db() -> None:
    """The ledger's storage: a SQLite file or a PostgreSQL database (see docs/ledger.md)."""


@db.command("init")
@json_option
@pass_session
def db_init(session: Session, as_json: bool) -> None:
    """Initialise the ledger at --db (a new file, or an empty PostgreSQL database or schema),
    or bring an existing one to this sgfund's schema version.
    """  # noqa: D205 - click shows this as the help text
    from sgfund.ledger import SCHEMA_VERSION

    with session.ledger(create=True) as ledger:
        head = ledger.head()
    if as_json:
        emit_json(
            {
                "ledger": session.where,
                "schema_version": SCHEMA_VERSION,
                "head": None if head is None else str(head),
            }
        )
    else:
        say(f"{session.where}: a ledger at schema version {SCHEMA_VERSION}")


@db.command("roles")
@click.option("--prefix", default="sgfund", show_default=True, help="Start of the roles' names.")
@click.option("--schema", default="public", show_default=True, help="The schema the ledger is in.")
def db_roles(prefix: str, schema: str) -> None:
    """Print the SQL that creates a PostgreSQL ledger's roles: PREFIX_owner (migrations),
    PREFIX_officer (writes through the ledger) and PREFIX_auditor (reads only). Run it as a
    superuser, e.g. sgfund db roles | psql "$URL".
    """  # noqa: D205 - click shows this as the help text
    from sgfund.ledger.postgres_roles import roles_sql

    try:
        click.echo(roles_sql(prefix=prefix, schema=schema), nl=False)
    except ValueError as err:
        raise click.BadParameter(str(err)) from err


@db.command("copy")
@click.argument("source", metavar="SOURCE")
@click.argument("destination", metavar="DESTINATION")
@json_option
def db_copy(source: str, destination: str, as_json: bool) -> None:
    """Copy the whole ledger at SOURCE into the empty ledger at DESTINATION (each a SQLite
    file or a postgresql:// URL): every event, hash and anchor, checked before it commits.
    """  # noqa: D205 - click shows this as the help text
    from sgfund.ledger import copy_ledger
    from sgfund.ledger.postgres import is_url, redacted

    report = copy_ledger(source, destination)
    shown = redacted(destination) if is_url(destination) else destination
    if as_json:
        emit_json(
            {
                "ok": report.ok,
                "destination": shown,
                "events": report.events_checked,
                "records": report.records_checked,
                "rounds": report.rounds_checked,
                "closed_rounds": report.closed_rounds,
                "head": None if report.head is None else str(report.head),
            }
        )
    else:
        say(f"copied to {shown}: {report}")


COMMANDS: tuple[click.Command, ...] = (db,)
