"""`sgfund demo`: the whole job on the example fund, through the command line's own steps."""

import json
import re

import pytest
from click.testing import CliRunner

from sgfund.cli import cli
from sgfund.errors import WorkflowError
from sgfund.workflow import DEMO_STEPS, DemoStep, demo_plugin_manager, run_demo


@pytest.fixture(scope="module")
def demo_json(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "out"
    result = CliRunner().invoke(cli, ["demo", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), folder


def test_the_demo_reproduces_both_mayors_rounds(demo_json):
    data, _ = demo_json
    rounds = {r["id"]: r for r in data["rounds"]}
    assert (rounds["mayor-gr1"]["awards"], rounds["mayor-gr1"]["awarded"]) == (39, "208253.16")
    assert (rounds["mayor-gr2"]["awards"], rounds["mayor-gr2"]["awarded"]) == (61, "326032.84")
    assert all(r["anchor"].startswith("sgfund-anchor:v1:") for r in rounds.values())
    (scf,) = data["reconciliations"]
    assert scf["ok"] and scf["totals"]["awards"] == {"count": 100, "total": "534286.00"}
    published = {f["published_text"]: f["matched"] for f in scf["figures"]}
    assert published["100 projects"] and published["£534,286"]
    assert data["ok"] and data["verified"]


def test_the_demo_writes_valid_360giving_files_and_the_transparency_table(demo_json):
    from sgfund.io.threesixtygiving import read_360giving

    data, folder = demo_json
    files = sorted(p.rsplit("/", 1)[-1] for p in data["files"])
    assert files == [
        "mayor-scf-2022-report.html",
        "mayor-scf-2022-report.md",
        "scf-transparency.csv",
        "scf-xi-sgfund-wyca.csv",
        "scf-xi-sgfund-wyca.json",
    ]
    grants = read_360giving(folder / "scf-xi-sgfund-wyca.json")
    assert len(grants.records) == 100
    # GR2's grants are published as varied after the award: one varied by £250 more, one
    # with £412.50 of underspend clawed back (tests/test_postaward_cli.py has the rest).
    assert str(grants.total) == "534123.50"
    assert not grants.problems
    table = (folder / "scf-transparency.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(table) == 101  # a header and one row per award


def test_the_demo_writes_the_committee_report(demo_json):
    _, folder = demo_json
    page = (folder / "mayor-scf-2022-report.html").read_text(encoding="utf-8")
    first = re.search(r'<p class="headline" id="headline">(.*?)</p>', page)[1]
    assert "100 projects" in first and "£534,286" in first
    assert "Every declared figure matches the ledger (5 checked)." in page
    assert "Every round is closed." in page
    markdown = (folder / "mayor-scf-2022-report.md").read_text(encoding="utf-8")
    assert "awarded £534,286 to 100 projects." in markdown


def test_the_demo_runs_twice_in_the_same_folder(demo_json):
    _, folder = demo_json
    again = CliRunner().invoke(cli, ["demo", str(folder)])
    assert again.exit_code == 0, again.output
    assert "100 projects, £534,286.00 awarded" in again.stdout
    # The anchors are the same: the same steps at the same times give the same chain.
    first = json.loads(CliRunner().invoke(cli, ["demo", str(folder), "--json"]).stdout)
    assert [r["anchor"] for r in first["rounds"]] == [r["anchor"] for r in demo_json[0]["rounds"]]


def test_a_step_added_to_the_demo_runs_in_order_and_reports(tmp_path):
    def count_awards(run):
        run.extra["awards"] = sum(
            len(run.ledger.round_records(r).awards) for r in run.ledger.rounds()
        )

    summary = run_demo(
        tmp_path,
        pm=demo_plugin_manager(),
        steps_to_run=[*DEMO_STEPS, DemoStep("count", count_awards)],
    )
    assert summary.extra["awards"] == 100
    assert summary.to_dict()["extra"]["awards"] == 100


def test_the_demo_says_when_the_west_yorkshire_plugin_is_missing(tmp_path, monkeypatch):
    import sgfund.manager

    monkeypatch.setattr(sgfund.manager, "installed_plugins", lambda: ())
    with pytest.raises(WorkflowError, match="needs the West Yorkshire plugin"):
        demo_plugin_manager()
    result = CliRunner().invoke(cli, ["demo", str(tmp_path)])
    assert result.exit_code == 1
    assert "pip install" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "sgfund.db").exists()
