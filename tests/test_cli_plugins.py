"""Plugins add commands to `sgfund` through the sgfund_register_commands hook."""

import sys
import textwrap

import pytest
from click.testing import CliRunner

from sgfund.cli import cli

GREETER = '''
import click

from sgfund import hookimpl
from sgfund.cli import pass_session


@hookimpl
def sgfund_register_commands():
    @click.command()
    @click.argument("name")
    @pass_session
    def greet(session, name):
        """Greet NAME and say which ledger the command would use."""
        click.echo(f"hello, {name}; ledger {session.db}")

    yield greet
'''


def install(target, module, name, code):
    """A plugin installed as pip would (a module and a dist-info with its entry point)."""
    (target / f"{module}.py").write_text(textwrap.dedent(code))
    info = target / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[sgfund]\n{name} = {module}\n")


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("sgfund_test_")]:
        del sys.modules[name]


def test_a_plugin_adds_a_command_that_runs_and_is_listed(site):
    install(site, "sgfund_test_greeter", "greeter", GREETER)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", "fund.db", "greet", "Calderdale"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "hello, Calderdale; ledger fund.db\n"
    listed = runner.invoke(cli, ["--help"])
    assert "greet" in listed.stdout and "Greet NAME" in listed.stdout


def test_a_plugin_command_named_like_sgfunds_own_is_refused_naming_the_plugin(site):
    install(site, "sgfund_test_clash", "clash", GREETER.replace("greet", "demo"))
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0  # sgfund's own commands still work
    assert "plugin 'clash' gives a command 'demo', which is sgfund's own" in result.stderr


def test_two_plugins_giving_one_command_are_both_named(site):
    install(site, "sgfund_test_one", "one", GREETER)
    install(site, "sgfund_test_two", "two", GREETER)
    result = CliRunner().invoke(cli, ["greet", "x"])
    assert result.exit_code == 2  # no such command, and why
    assert "command 'greet' is given by two plugins: 'one' and 'two'" in result.stderr


def test_version_loads_no_plugin(site):
    install(site, "sgfund_test_broken", "broken", "raise RuntimeError('never imported')\n")
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("sgfund ")
    assert "sgfund_test_broken" not in sys.modules
