"""What every command shares: the ledger's path, the plugins, the clock at the edge, output."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from sgfund.collect import SgfundPluginManager
    from sgfund.ledger import Ledger
    from sgfund.workflow.plugins import PluginChoice

__all__ = [
    "Session",
    "actor_option",
    "as_of_option",
    "emit_json",
    "json_option",
    "pass_session",
    "say",
    "session_of",
    "shared_pm",
]

F = TypeVar("F", bound=Callable[..., Any])


class Session:
    """Options given before the command, and the plugin manager, made once when first asked.

    A plugin's command can take it with ``@sgfund.cli.pass_session``.
    """

    def __init__(
        self, *, db: str, debug: bool, context: click.Context, plugins: str | None = None
    ) -> None:
        self.db = db
        self.debug = debug
        self.plugins = plugins
        self._context = context

    @property
    def pm(self) -> SgfundPluginManager:
        """The built-ins and the plugins in use (made once per command): those ``--plugins``
        names, else those the ledger's fund file names, else every installed one.
        """  # noqa: D205 - the summary needs both lines
        return shared_pm(self._context)

    @property
    def plugin_choice(self) -> PluginChoice:
        """Which plugins `pm` has, and why."""
        shared_pm(self._context)
        choice: PluginChoice = self._context.meta[_CHOICE]
        return choice

    @property
    def where(self) -> str:
        """The ledger's location for messages (a PostgreSQL URL without its password)."""
        from sgfund.ledger.postgres import is_url, redacted

        return redacted(self.db) if is_url(self.db) else self.db

    def ledger(self, *, create: bool = False) -> Ledger:
        """Open the ledger (a file or a ``postgresql://`` URL); unless ``create``, a missing
        ledger is an error, not a new one.
        """  # noqa: D205 - the summary needs both lines
        from sgfund.errors import LedgerError
        from sgfund.ledger import Ledger, ledger_exists

        if not create and not ledger_exists(self.db):
            raise LedgerError(
                f"{self.where}: there is no ledger here (give --db or SGFUND_DB, or make one with "
                "'sgfund init FUNDFILE')"
            )
        from sgfund.ledger.postgres import is_url

        if not create and not is_url(self.db) and os.path.getsize(self.db) == 0:
            # SQLite would take an empty file as a new database and write a ledger into it.
            raise LedgerError(f"{self.db}: the file is empty, not an sgfund ledger")
        return Ledger.open(self.db)


pass_session = click.make_pass_decorator(Session)


def session_of(ctx: click.Context) -> Session:
    """The invocation's `Session` (the ``sgfund`` group makes it before any command runs)."""
    found = ctx.find_object(Session)
    if found is None:
        raise click.UsageError("run this command through 'sgfund'", ctx)
    return found


_PM = "sgfund.pm"
_CHOICE = "sgfund.plugin_choice"


def shared_pm(ctx: click.Context) -> SgfundPluginManager:
    """The invocation's plugin manager (see `Session.pm`), made once."""
    pm: SgfundPluginManager | None = ctx.meta.get(_PM)
    if pm is None:
        pm, ctx.meta[_CHOICE] = _fund_pm(ctx.find_object(Session))
        ctx.meta[_PM] = pm
    return pm


def _fund_pm(session: Session | None) -> tuple[SgfundPluginManager, PluginChoice]:
    from sgfund.workflow.plugins import fund_plugin_manager, parse_plugin_choice

    if session is not None and session.plugins is not None:
        return fund_plugin_manager(None, choice=parse_plugin_choice(session.plugins))
    from sgfund.ledger import ledger_exists

    if session is not None and ledger_exists(session.db):
        with session.ledger() as ledger:
            return fund_plugin_manager(ledger)
    return fund_plugin_manager(None)


def _colour() -> bool | None:
    # None lets click decide (colour only on a terminal); NO_COLOR always turns it off.
    return False if os.environ.get("NO_COLOR") else None


def say(text: str = "") -> None:
    """Print a line of the report on stdout."""
    click.echo(text)


def warn(text: str) -> None:
    """Print a warning on stderr (yellow on a terminal)."""
    click.secho(text, fg="yellow", err=True, color=_colour())


def problem(text: str) -> None:
    """Print a problem on stderr (red on a terminal)."""
    click.secho(text, fg="red", err=True, color=_colour())


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (stable key order, UTF-8)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_value))


def _json_value(value: Any) -> str:
    # Times as ISO 8601 in London time with the offset (docs/cli.md), anything else as text.
    if isinstance(value, datetime):
        from sgfund.dates import london_iso

        return london_iso(value)
    return str(value)


def json_option(func: F) -> F:
    """``--json``: print a JSON object instead of text (shapes in docs/cli.md)."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print a JSON object (see docs/cli.md)."
    )(func)


def _parse_when(text: str) -> datetime:
    from sgfund.dates import LONDON, parse_date, parse_datetime

    text = text.strip()
    if len(text) == 10:  # a date alone: the start of that day in London
        day = parse_date(text, field="--as-of")
        return datetime(day.year, day.month, day.day, tzinfo=LONDON)
    return parse_datetime(text, field="--as-of")


def _convert_when(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from sgfund.errors import FieldError

    try:
        return _parse_when(value)
    except FieldError as err:
        raise click.BadParameter(
            f"{value!r} is not a date or time: expected {err.expected}", ctx, param
        ) from None


def as_of_option(func: F) -> F:
    """``--as-of``: when the step happens (default: now); a date alone is midnight in London."""
    return click.option(
        "--as-of",
        "as_of",
        default=None,
        metavar="WHEN",
        callback=_convert_when,
        help="When this happens: 2022-03-01, 2022-03-01T10:00 (London) or with an offset. "
        "Default: now.",
    )(func)


def actor_option(func: F) -> F:
    """``--actor``: who takes the step (default ``$SGFUND_ACTOR``, else the login name)."""
    return click.option(
        "--actor",
        envvar="SGFUND_ACTOR",
        default=None,
        help="Who takes this step, for the audit trail (default: $SGFUND_ACTOR or your login).",
    )(func)


def when(as_of: datetime | None) -> datetime:
    """The time of a step: the one given, else now (the command line is the edge that reads
    the clock; the library never does).
    """  # noqa: D205 - the summary needs both lines
    return as_of if as_of is not None else datetime.now(UTC)


def on(as_of: datetime | None) -> date:
    """The London date of `when`."""
    from sgfund.dates import LONDON

    return when(as_of).astimezone(LONDON).date()


def who(actor: str | None) -> str:
    """The actor given, else the login name."""
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a user entry)
        return "unknown-user"


def stderr_is_terminal() -> bool:
    """True when stderr is a terminal (progress bars and colour only then)."""
    return sys.stderr.isatty()
