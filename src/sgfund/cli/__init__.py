"""The ``sgfund`` command line: thin over `sgfund.workflow` (docs/cli.md).

Each command parses its arguments, calls one workflow step and prints what it did (or, with
``--json``, a documented JSON object). Heavy modules are imported by the commands that use
them, so ``sgfund --help`` and ``sgfund --version`` stay fast.
"""

from __future__ import annotations

from sgfund.cli.main import cli, main
from sgfund.cli.session import Session, pass_session

__all__ = ["Session", "cli", "main", "pass_session"]
