"""Click options that several commands share, each declared once.

`step_options` is what every step that changes the ledger takes (``--as-of``, ``--actor``,
``--json``); `round_option` names a round; `parse_money` and `parse_day` turn an option's text
into a value at the edge, as a usage error (exit 2) naming the option when it is not one.
The single options themselves live in `sgfund.cli.session`, which plugins' commands import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from sgfund.cli.session import actor_option, as_of_option, json_option

__all__ = ["parse_day", "parse_money", "round_option", "step_options"]

F = TypeVar("F", bound=Callable[..., Any])


def step_options(func: F) -> F:
    """``--as-of``, ``--actor`` and ``--json``, in that order in the help."""
    return as_of_option(actor_option(json_option(func)))


def round_option(help_text: str, *, required: bool = False) -> Callable[[F], F]:
    """``--round ROUND`` (as ``round_id``), with the command's own help text."""
    return click.option(
        "--round", "round_id", required=required, default=None, metavar="ROUND", help=help_text
    )


def parse_money(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """A click callback: the option's text as money (None when not given)."""
    if value is None:
        return None
    from sgfund.money import parse_money as money

    return _parsed(ctx, param, value, money, "amount")


def parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """A click callback: the option's text as a date (None when not given)."""
    if value is None:
        return None
    from sgfund.dates import parse_date

    return _parsed(ctx, param, value, parse_date, "date")


def _parsed(
    ctx: click.Context, param: click.Parameter, value: str, parse: Callable[..., Any], field: str
) -> Any:
    from sgfund.errors import FieldError

    try:
        return parse(value, field=param.name or field)
    except FieldError as err:
        raise click.BadParameter(f"{value!r}: expected {err.expected}", ctx, param) from None
