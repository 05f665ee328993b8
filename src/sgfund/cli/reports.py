"""Commands for the officer's steps, each over one `sgfund.workflow` function."""

from __future__ import annotations

import click

__all__ = ["COMMANDS"]

COMMANDS: tuple[click.Command, ...] = ()
