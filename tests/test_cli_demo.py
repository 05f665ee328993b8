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


def test_the_demo_reproduces_both_eras_of_the_fund(demo_json):
    data, _ = demo_json
    rounds = {r["id"]: r for r in data["rounds"]}
    assert list(rounds) == ["pcc-r16", "pcc-r19", "pcc-r20", "mayor-gr1", "mayor-gr2"]
    assert (rounds["mayor-gr1"]["awards"], rounds["mayor-gr1"]["awarded"]) == (39, "208253.16")
    assert (rounds["mayor-gr2"]["awards"], rounds["mayor-gr2"]["awarded"]) == (61, "326032.84")
    assert (rounds["pcc-r20"]["awards"], rounds["pcc-r20"]["awarded"]) == (33, "176272.82")
    # The 2019 Safeguarding Communications Group award.
    assert (rounds["pcc-r16"]["awards"], rounds["pcc-r16"]["awarded"]) == (1, "6000.00")
    assert all(r["anchor"].startswith("sgfund-anchor:v1:") for r in rounds.values())
    assert data["ok"] and data["verified"] and data["unmatched"] == []


def test_the_demo_reconciles_the_published_figures(demo_json):
    data, _ = demo_json
    by_scope = {r["scope"]["id"]: r for r in data["reconciliations"]}
    scf, r20 = by_scope["mayor-scf-2022"], by_scope["pcc-r20"]
    assert scf["ok"] and scf["totals"]["awards"] == {"count": 100, "total": "534286.00"}
    assert r20["ok"] and r20["totals"]["awards"] == {"count": 33, "total": "176272.82"}
    matched = {f["published_text"]: f["matched"] for r in (scf, r20) for f in r["figures"]}
    assert all(matched[t] for t in ("100 projects", "£534,286", "33 grants", "£176,272.82"))


def test_the_demo_resolves_the_expected_referrals_with_reasons(demo_json):
    from sgfund.ledger import Ledger
    from sgfund.workflow import list_referrals

    data, _ = demo_json
    resolved = {r["id"]: r["referrals_resolved"] for r in data["rounds"]}
    assert resolved == {"pcc-r16": 0, "pcc-r19": 0, "pcc-r20": 1, "mayor-gr1": 2, "mayor-gr2": 3}
    with Ledger.open(data["ledger"]) as ledger:
        queue = list_referrals(ledger)
    assert len(queue) == 6 and all(r.resolution and r.resolution.reason for r in queue)


def test_the_demo_writes_one_valid_360giving_file_per_funder_and_the_transparency_table(
    demo_json,
):
    from sgfund.io.threesixtygiving import read_360giving

    data, folder = demo_json
    files = sorted(p.rsplit("/", 1)[-1] for p in data["files"])
    assert files == [
        "mayor-scf-2022-report.html",
        "mayor-scf-2022-report.md",
        "pcc-r20-report.html",
        "pcc-r20-report.md",
        "wy-scf-transparency.csv",
        "wy-scf-xi-sgfund-wy-pcc.csv",
        "wy-scf-xi-sgfund-wy-pcc.json",
        "wy-scf-xi-sgfund-wyca.csv",
        "wy-scf-xi-sgfund-wyca.json",
    ]
    mayor = read_360giving(folder / "wy-scf-xi-sgfund-wyca.json")
    assert len(mayor.records) == 100
    # GR2's grants are published as varied after the award: one varied by £250 more, one
    # with £412.50 of underspend clawed back (tests/test_postaward_cli.py has the rest).
    assert str(mayor.total) == "534123.50"
    assert [f.id for f in mayor.funders] == ["XI-SGFUND-WYCA"]
    pcc = read_360giving(folder / "wy-scf-xi-sgfund-wy-pcc.json")
    assert len(pcc.records) == 1 + 36 + 33
    assert [f.id for f in pcc.funders] == ["XI-SGFUND-WY-PCC"]
    assert not mayor.problems and not pcc.problems
    # Each funder's file carries the anchors of its own closed rounds, as the demo printed them.
    anchors = {r["id"]: r["anchor"] for r in data["rounds"]}
    assert dict(pcc.metadata["sgfundAnchors"]) == {
        rid: anchors[rid] for rid in ("pcc-r16", "pcc-r19", "pcc-r20")
    }
    assert dict(mayor.metadata["sgfundAnchors"]) == {
        rid: anchors[rid] for rid in ("mayor-gr1", "mayor-gr2")
    }
    table = (folder / "wy-scf-transparency.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(table) == 1 + 170  # a header and one row per award


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
    assert summary.extra["awards"] == 170
    assert summary.to_dict()["extra"]["awards"] == 170


def test_the_demo_says_when_the_west_yorkshire_plugin_is_missing(tmp_path, monkeypatch):
    import sgfund.manager

    monkeypatch.setattr(sgfund.manager, "installed_plugins", lambda: ())
    with pytest.raises(WorkflowError, match="needs the West Yorkshire plugin"):
        demo_plugin_manager()
    result = CliRunner().invoke(cli, ["demo", str(tmp_path)])
    assert result.exit_code == 1
    assert "pip install" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "sgfund.db").exists()
