"""The ``sgfund`` group: global options, errors as located problems, plugins' commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from sgfund import __version__
from sgfund.cli.session import Session, problem

__all__ = ["SgfundGroup", "cli", "main", "render_error"]

_COMMANDS = "sgfund.plugin_commands"


def _located(p: Any) -> str:
    """``file:row:column: message`` (the parts that are known), then what was expected."""
    where = ":".join(str(x) for x in (p.file, p.row, p.column) if x is not None)
    text = p.message
    if p.field is not None and p.field != p.column and p.field not in text:
        text = f"{p.field}: {text}"
    if p.expected and p.expected not in text:
        text += f" (expected {p.expected})"
    return f"{where}: {text}" if where else text


def render_error(err: BaseException) -> list[str]:
    """The lines that describe an expected error: every problem, each located."""
    from sgfund.errors import ClosureRefused, ValidationError

    if isinstance(err, ValidationError):
        located = [_located(p) for p in err.problems]
        summary = str(err).splitlines()[0]
        if any(line.startswith(summary) for line in located):
            # The error's text is its first problem: say how many instead of repeating it.
            files = sorted({str(p.file) for p in err.problems if p.file is not None})
            where = f"{files[0]}: " if len(files) == 1 else ""
            summary = f"{where}{len(located)} problem(s)"
        return [*located, f"sgfund: {summary}"]
    if isinstance(err, ClosureRefused):
        return [
            *(f"round {err.round_id}: {r}" for r in err.reasons),
            f"sgfund: round {err.round_id!r} cannot be closed ({len(err.reasons)} reason(s))",
        ]
    return [f"sgfund: {err}"]


class SgfundGroup(click.Group):
    """A group that reports sgfund's errors as problems (exit 1) and adds plugins' commands."""

    def _plugins(self, ctx: click.Context) -> dict[str, click.Command]:
        # Made once per invocation (kept in the context, not on the group), when a command
        # name is looked up or listed: --version never loads a plugin. Every installed
        # plugin's commands are offered (running one is the user's explicit choice); which
        # plugins judge a round is the fund's choice (`Session.pm`). The built-ins give no
        # commands, so they are not loaded for this.
        found: dict[str, click.Command] | None = ctx.meta.get(_COMMANDS)
        if found is None:
            from sgfund.cli.plugins import plugin_commands
            from sgfund.errors import PluginError
            from sgfund.manager import make_plugin_manager

            try:
                commands_pm = make_plugin_manager(defaults=False)
                found = plugin_commands(commands_pm, reserved=set(self.commands))
            except PluginError as err:
                problem(f"sgfund: plugins' commands are not available: {err}")
                found = {}
            ctx.meta[_COMMANDS] = found
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Sgfund's own commands and the plugins', by name."""
        return sorted({*self.commands, *self._plugins(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """One of sgfund's own commands, else a plugin's."""
        found = self.commands.get(cmd_name)
        if found is not None:
            return found
        return self._plugins(ctx).get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; sgfund's errors become problems on stderr and exit code 1."""
        from sgfund.errors import SgfundError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except SgfundError as err:
            if _debugging(ctx):
                raise
            for line in render_error(err):
                problem(line)
            ctx.exit(1)
        except OSError as err:
            if _debugging(ctx):
                raise
            problem(f"sgfund: {err.filename or ''}: {err.strerror or err}".replace(": : ", ": "))
            ctx.exit(1)
        except Exception as err:
            if _debugging(ctx):
                raise
            problem(
                f"sgfund: unexpected error: {type(err).__name__}: {err} "
                "(run with --debug to see where)"
            )
            ctx.exit(1)


def _debugging(ctx: click.Context) -> bool:
    session = ctx.find_object(Session)
    return bool(session and session.debug)


@click.group(cls=SgfundGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sgfund", message="%(prog)s %(version)s")
@click.option(
    "--db",
    envvar="SGFUND_DB",
    default="sgfund.db",
    show_default=True,
    metavar="PATH",
    help="The ledger file, or a postgresql:// URL (or set SGFUND_DB).",
)
@click.option(
    "--plugins",
    envvar="SGFUND_PLUGINS",
    default=None,
    metavar="NAMES",
    help="Which installed plugins judge rounds: entry-point names separated by commas, "
    "'all' or 'none' (or set SGFUND_PLUGINS). Default: those the fund file names, else all.",
)
@click.option("--debug", is_flag=True, help="Show a traceback for errors.")
@click.pass_context
def cli(ctx: click.Context, db: str, plugins: str | None, debug: bool) -> None:
    """Run a small grant fund: rounds, applications, eligibility plugins, an audited ledger,
    exact totals and 360Giving open data.

    Exit codes: 0 success, 1 problems with data or rules (each on stderr as
    file:row:column: message), 2 usage errors. See docs/cli.md.
    """  # noqa: D205 - click shows this as the help text
    ctx.obj = Session(db=db, debug=debug, context=ctx, plugins=plugins)


def _register() -> None:
    from sgfund.cli import admin, database, postaward, reports, steps

    for module in (steps, reports, admin, postaward, database):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (the ``sgfund`` console script)."""
    # Windows consoles and pipes may not be UTF-8; pound signs must print everywhere.
    if hasattr(sys.stdout, "reconfigure") and os.name == "nt":  # pragma: no cover
        sys.stdout.reconfigure(encoding="utf-8")
    cli.main(args=None if argv is None else list(argv), prog_name="sgfund")
