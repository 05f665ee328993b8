"""`sgfund --help` and `--version` import none of the heavy modules (timed by benchmark B5)."""

import subprocess
import sys

import pytest

import sgfund

HEAVY = ("openpyxl", "jsonschema", "jsonschema_rs", "polars", "pandas", "msgspec")

PROBE = """
import sys
from sgfund.cli import cli
try:
    cli.main([{arg!r}], prog_name="sgfund")
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("arg", ["--help", "--version"])
def test_start_up_imports_no_heavy_module(arg):
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(arg=arg, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stderr.strip().splitlines()[-1] == "[]"
    assert "sgfund" in run.stdout


def test_python_dash_m_sgfund_is_the_command_line():
    run = subprocess.run(
        [sys.executable, "-m", "sgfund", "--version"], capture_output=True, text=True, check=True
    )
    assert run.stdout == f"sgfund {sgfund.__version__}\n"
