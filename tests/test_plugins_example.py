"""The example plugin under examples/ installs and works as a third-party plugin.

It adds a theme vocabulary and a classifier, and its themes reach the awards, the totals by
theme and the 360Giving classifications. With it and a plugin that refers every application
installed, sgfund's own examples give the same figures: they name the plugins they use.
"""

import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from datetime import date
from pathlib import Path

import attrs
import pytest

from sgfund import (
    Award,
    Outcome,
    Publisher,
    Scope,
    assess,
    compute_totals,
    describe,
    make_plugin_manager,
)
from sgfund.examples_scf import GR2, sample_records
from sgfund.io.threesixtygiving import build_package

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "example_plugin"
MODULE = "sgfund_example_plugin"

# A third-party plugin that refers every application of every round, in every way it can.
REFER_ALL = """
from sgfund import Rule, hookimpl, refer


def always(app, round, as_of):
    return refer("this plugin refers everything")


@hookimpl
def sgfund_eligibility_rules(round):
    return [Rule(id="refer-everything", version="1", description="Refers all.", check=always)]
"""


def dist_info(target: Path, name: str, version: str, entry_points: dict[str, str]) -> None:
    """A ``*.dist-info`` as pip writes it, so importlib.metadata finds the entry points."""
    info = target / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = [f"{key} = {value}" for key, value in entry_points.items()]
    (info / "entry_points.txt").write_text("[sgfund]\n" + "\n".join(lines) + "\n")


def fake_install(target: Path) -> tuple[str, str]:
    """Install the example as pip would, minus the build: the package and a dist-info."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    shutil.copytree(EXAMPLE / "src" / MODULE, target / MODULE)
    dist_info(target, name, version, project["entry-points"]["sgfund"])
    return name, version


def install_refer_all(target: Path) -> None:
    (target / "sgfund_refer_all.py").write_text(textwrap.dedent(REFER_ALL))
    dist_info(target, "sgfund-refer-all", "9.9", {"referall": "sgfund_refer_all"})


@pytest.fixture
def installed(tmp_path, monkeypatch):
    dist = fake_install(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path, dist
    for name in [m for m in sys.modules if m.startswith(MODULE)]:
        del sys.modules[name]


PLAN_GR2 = attrs.evolve(GR2, theme_vocabularies=("wy-safeguarding", "pcp-priorities"))


def test_the_installed_example_appears_in_the_listing(installed):
    _, (name, version) = installed
    plan_only = attrs.evolve(GR2, theme_vocabularies=("pcp-priorities",))
    listing = describe(make_plugin_manager(entry_points=["example"]), round=plan_only)
    plugin = {p.name: p for p in listing.plugins}["example"]
    assert (plugin.distribution, plugin.version) == (name, version)
    assert "summary-length" in {r.item.id for r in listing.rules}
    assert [v.item.id for v in listing.vocabularies] == ["pcp-priorities"]
    assert "plugin example" in listing.to_markdown()


def test_the_plugins_themes_reach_awards_totals_and_360giving(installed):
    pm = make_plugin_manager(entry_points=["example", "westyorkshire"])
    records = sample_records(PLAN_GR2)
    apps = list(records.applications)
    # Two funded projects that speak of the plan's priorities.
    apps[0] = attrs.evolve(apps[0], summary=apps[0].summary + " We support victims of crime.")
    apps[1] = attrs.evolve(apps[1], summary=apps[1].summary + " Safer streets for everyone.")
    assessed = assess(PLAN_GR2, apps, pm=pm, as_of=date(2022, 6, 30))
    records = attrs.evolve(records, applications=apps, assessments=assessed)
    by_id = {a.id: a for a in apps}
    themes = records.final_themes()
    awards = [
        Award.from_decision(
            d,
            by_id[d.application_id],
            themes=themes[d.application_id],
            award_id=f"{d.application_id}-A",
        )
        for d in records.decisions
        if d.outcome is Outcome.APPROVED
    ]
    first, second = awards[0], awards[1]
    assert "victims-witnesses" in first.themes
    assert "safer-places" in second.themes
    assert first.theme_source.value == "classifier"

    totals = compute_totals(PLAN_GR2, apps, awards)
    assert totals.by_theme_touching["victims-witnesses"].total >= first.amount
    assert totals.by_theme_touching["safer-places"].count >= 1

    publisher = Publisher(prefix="360G-example", name="Example publisher")
    scope = Scope(id="gr2-plan", label="GR2 with the plan's priorities", rounds=(PLAN_GR2,))
    package = build_package(
        scope, apps, awards, publisher=publisher, as_of=date(2023, 4, 1), pm=pm
    ).package
    grant = next(g for g in package["grants"] if g["id"].endswith(first.id))
    assert {
        "vocabulary": "360G-example-pcp-priorities",
        "code": "victims-witnesses",
        "title": "Supporting Victims and Witnesses",
    } in grant["classifications"]


def test_the_examples_own_tests_pass_when_installed(installed):
    target, _ = installed
    shutil.copytree(EXAMPLE / "tests", target / "tests")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target / "tests")],
        cwd=target,
        env={"PYTHONPATH": str(target), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout


def run_example(script: str, cwd: Path, plugins: Path | None) -> str:
    env = {"PATH": "", **({"PYTHONPATH": str(plugins)} if plugins else {})}
    script, *args = script.split()
    # "sgfund ..." is the command line; anything else is a script in examples/.
    program = ["-m", "sgfund"] if script == "sgfund" else [str(ROOT / "examples" / script)]
    run = subprocess.run(
        [sys.executable, *program, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout


def test_other_installed_plugins_change_nothing_in_sgfunds_examples(tmp_path, main_job_run):
    plugins = tmp_path / "site"
    plugins.mkdir()
    fake_install(plugins)
    install_refer_all(plugins)
    found = subprocess.run(
        [sys.executable, "-c", "import sgfund; print(sgfund.installed_plugins())"],
        env={"PYTHONPATH": str(plugins), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "'example'" in found.stdout and "'referall'" in found.stdout
    (tmp_path / "plain").mkdir()
    (tmp_path / "busy").mkdir()
    # The README's main command (the demo), and the close-a-round example.
    assert run_example("sgfund demo", tmp_path / "busy", plugins) == main_job_run[0]
    plain = run_example("close_gr2.py", tmp_path / "plain", None)
    assert run_example("close_gr2.py", tmp_path / "busy", plugins) == plain
    assert "Result: reconciled" in plain
    # Asked to, the demo does use every installed plugin, and the referrals stop it.
    with pytest.raises(subprocess.CalledProcessError) as refused:
        run_example("sgfund demo --all-plugins", tmp_path / "busy", plugins)
    assert "refer-everything v1 (plugin referall)" in refused.value.stderr
    assert "Traceback" not in refused.value.stderr


@pytest.mark.slow
def test_sgfunds_suite_passes_with_other_plugins_installed(tmp_path):
    plugins = tmp_path / "site"
    plugins.mkdir()
    fake_install(plugins)
    install_refer_all(plugins)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not slow",
            "--deselect",
            "tests/test_plugins_example.py::test_other_installed_plugins_change_nothing_in_sgfunds_examples",
        ],
        cwd=ROOT,
        # PATH as the outer run has it: the CLI tour and the PostgreSQL cluster run programs.
        env={
            "PYTHONPATH": str(plugins),
            "PATH": os.environ.get("PATH", ""),
            "SGFUND_HYPOTHESIS_PROFILE": "dev",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-5000:]
    assert " failed" not in run.stdout


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
