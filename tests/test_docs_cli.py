"""docs/cli.md documents every command and option, and its Python example runs."""

import re
from pathlib import Path

import click
import pytest

from sgfund.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def commands(group=cli, prefix="sgfund"):
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from commands(command, path)


def headings():
    return re.findall(r"^### `([^`]*)`", DOC, re.MULTILINE)


@pytest.mark.parametrize(("path", "command"), list(commands()), ids=lambda x: str(x))
def test_every_command_and_option_is_documented(path, command):
    words = path.split()[1:]
    documented = [h for h in headings() if _names(h, words)]
    assert documented, f"docs/cli.md has no section for {path}"
    section = "\n".join(documented)
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert any(opt in section for opt in param.opts), f"{path}: {param.opts}"


def _names(heading, words):
    # "sgfund export transparency|applications|awards SCOPE" names all three tables.
    parts = heading.split()
    if len(parts) < len(words) + 1 or parts[0] != "sgfund":
        return False
    return all(word in parts[i + 1].split("|") for i, word in enumerate(words))


def test_the_python_example_runs(tmp_path, monkeypatch):
    block = DOC.split("## The same from Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", block, re.S)[1]
    code = code.replace('"examples/', f'"{ROOT}/examples/')
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/cli.md", "exec"), {})  # noqa: S102 - our own docs
    assert (tmp_path / "fund.db").exists()
