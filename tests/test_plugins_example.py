"""The example plugin under examples/ installs and works as a third-party plugin."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sgfund import describe, make_plugin_manager
from sgfund.sample import GR2

EXAMPLE = Path(__file__).parents[1] / "examples" / "example_plugin"
MODULE = "sgfund_example_plugin"


def fake_install(target: Path) -> tuple[str, str]:
    """Install the example as pip would, minus the build: the module and a dist-info."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    shutil.copy(EXAMPLE / f"{MODULE}.py", target / f"{MODULE}.py")
    info = target / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = [f"{key} = {value}" for key, value in project["entry-points"]["sgfund"].items()]
    (info / "entry_points.txt").write_text("[sgfund]\n" + "\n".join(lines) + "\n")
    return name, version


@pytest.fixture
def installed(tmp_path, monkeypatch):
    dist = fake_install(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path, dist
    sys.modules.pop(MODULE, None)


def test_the_installed_example_appears_in_the_listing(installed):
    _, (name, version) = installed
    listing = describe(make_plugin_manager(), round=GR2)
    plugin = {p.name: p for p in listing.plugins}["example"]
    assert (plugin.distribution, plugin.version) == (name, version)
    assert "summary-length" in {r.item.id for r in listing.rules}


def test_the_examples_own_tests_pass_when_installed(installed):
    target, _ = installed
    shutil.copy(EXAMPLE / f"test_{MODULE}.py", target)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target)],
        cwd=target,
        env={"PYTHONPATH": str(target), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


@pytest.mark.slow
def test_pip_installs_the_example(tmp_path):
    pytest.importorskip("hatchling")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(tmp_path),
            str(EXAMPLE),
        ],
        check=True,
    )
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from sgfund import make_plugin_manager; "
            "print(make_plugin_manager().has_plugin('example'))",
        ],
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "True"
