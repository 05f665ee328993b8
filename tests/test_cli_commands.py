"""Every `sgfund` command through click's runner: text, --json shapes and exit codes.

One officer's journey through a round: a sheet without decisions, a late application
referred and resolved, a panel's decisions sheet, awards, closing, reconciling, publishing.
"""

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from sgfund.cli import cli
from sgfund.examples_scf import GR1, GR2, SCF
from sgfund.ledger import Ledger
from sgfund.workflow import setup_fund

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data"
DECISION_COLUMNS = ["Outcome", "Amount awarded", "Decided on", "Decided by", "Reasons"]
LATE = "GR1-041"  # a rejected application, received after the round closed


def split_sheet(folder: Path) -> tuple[Path, Path]:
    """gr1.csv as two sheets: applications (one received late) and the panel's decisions."""
    with (DATA / "gr1.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    apps, panel = folder / "gr1-applications.csv", folder / "gr1-panel.csv"
    app_columns = [c for c in rows[0] if c not in DECISION_COLUMNS]
    with apps.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, app_columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            if row["Application ref"] == LATE:
                row = {**row, "Date received": "20/12/2021 10:00"}
            writer.writerow(row)
    with panel.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["Application ref", *DECISION_COLUMNS], extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    return apps, panel


class Journey:
    def __init__(self, folder: Path):
        self.folder = folder
        self.db = folder / "fund.db"
        self.runner = CliRunner()
        with Ledger.open(self.db) as ledger:
            setup_fund(
                ledger, SCF, [GR1, GR2], actor="fund-admin", at=datetime(2021, 11, 1, tzinfo=UTC)
            )

    def run(self, *args: str, code: int = 0):
        result = self.runner.invoke(
            cli, ["--db", str(self.db), *args], env={"SGFUND_ACTOR": "officer-a"}
        )
        assert result.exit_code == code, (args, result.output, result.stderr)
        return result

    def json(self, *args: str, code: int = 0):
        return json.loads(self.run(*args, "--json", code=code).stdout)


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    folder = tmp_path_factory.mktemp("journey")
    j = Journey(folder)
    j.apps, j.panel = split_sheet(folder)
    j.results = {}
    r = j.results
    r["rounds-before"] = j.json("rounds")
    r["import"] = j.json("import", str(j.apps), "--as-of", "2021-12-17T14:00")
    r["assess"] = j.json("assess", "mayor-gr1", "--as-of", "2021-12-17T15:00")
    r["referrals"] = j.json("referrals", "--pending")
    r["referrals-text"] = j.run("referrals").stdout
    r["decide"] = j.json(
        "decide", str(j.panel), "--round", "mayor-gr1", "--as-of", "2022-03-01T10:00"
    )
    r["award"] = j.json("award", "mayor-gr1", "--as-of", "2022-03-01T10:00")
    r["close-refused"] = j.run("close", "mayor-gr1", "--as-of", "2022-03-01T11:00", code=1)
    r["resolve"] = j.json(
        "referrals",
        "resolve",
        LATE,
        "--ineligible",
        "--reason",
        "Arrived after the deadline.",
        "--as-of",
        "2022-03-01T11:30",
    )
    r["close"] = j.json(
        "close",
        "mayor-gr1",
        "--declared",
        str(DATA / "declared-figures.csv"),
        "--as-of",
        "2022-03-01T12:00",
    )
    r["rounds-after"] = j.json("rounds")
    return j


def test_rounds_lists_every_round_with_its_state_and_counts(journey):
    before = {r["id"]: r for r in journey.results["rounds-before"]["rounds"]}
    assert before["mayor-gr1"]["state"] == "draft" and before["mayor-gr1"]["applications"] == 0
    after = {r["id"]: r for r in journey.results["rounds-after"]["rounds"]}
    assert after["mayor-gr1"] == {
        "id": "mayor-gr1",
        "name": GR1.name,
        "era": "mayor",
        "funder": GR1.era.funder_name,
        "state": "closed",
        "applications": 52,
        "decisions": 52,
        "awards": 39,
        "awarded": "208253.16",
        "referrals_pending": 0,
    }
    text = journey.run("rounds").stdout
    assert "mayor-gr1    closed" in text and "39 awards, £208,253.16" in text


def test_import_reports_what_it_added(journey):
    assert journey.results["import"] == {
        "file": str(journey.apps),
        "rows": 52,
        "applications": 52,
        "decisions": 0,
        "rounds": ["mayor-gr1"],
    }


def test_assess_counts_and_names_the_referred(journey):
    assessed = journey.results["assess"]
    assert assessed["round"] == "mayor-gr1" and assessed["as_of"] == "2021-12-17"
    assert assessed["counts"] == {"eligible": 51, "ineligible": 0, "refer": 1}
    assert assessed["referred"] == [LATE]
    assert assessed["rule_versions"]["submitted-in-window"]


def test_referrals_list_the_queue_with_the_rules_reasons(journey):
    (referral,) = journey.results["referrals"]["referrals"]
    assert referral["application_id"] == LATE and referral["resolution"] is None
    assert any("submitted-in-window" in reason for reason in referral["reasons"])
    assert f"{LATE} (mayor-gr1)" in journey.results["referrals-text"]
    assert "[pending]" in journey.results["referrals-text"]


def test_decide_records_the_panels_sheet(journey):
    assert journey.results["decide"] == {
        "file": str(journey.panel),
        "round": "mayor-gr1",
        "decisions": 52,
        "outcomes": {"approved": 39, "rejected": 13},
    }


def test_award_makes_the_approved_awards(journey):
    assert journey.results["award"] == {"round": "mayor-gr1", "awards": 39, "awarded": "208253.16"}


def test_close_is_refused_with_every_reason_until_the_referral_is_resolved(journey):
    refused = journey.results["close-refused"]
    assert f"round mayor-gr1: application {LATE} was referred and the referral is unresolved" in (
        refused.stderr
    )
    assert "Traceback" not in refused.stderr and refused.stdout == ""


def test_resolve_records_the_officers_reason_and_name(journey):
    assert journey.results["resolve"] == {
        "resolution": {
            "application_id": LATE,
            "eligible": False,
            "reason": "Arrived after the deadline.",
            "resolved_by": "officer-a",
            "resolved_on": "2022-03-01",
        }
    }
    listed = journey.json("referrals")["referrals"][0]["resolution"]
    assert listed["resolved_by"] == "officer-a"


def test_close_seals_the_round_and_gives_its_anchor(journey):
    closed = journey.results["close"]
    assert (closed["applications"], closed["awards"], closed["awarded"]) == (52, 39, "208253.16")
    assert closed["anchor"].startswith("sgfund-anchor:v1:")
    assert journey.json("audit", "anchor", "mayor-gr1") == {
        "round": "mayor-gr1",
        "anchor": closed["anchor"],
    }


def test_reconcile_against_published_figures(journey):
    declared = str(DATA / "declared-figures.csv")
    report = journey.json("reconcile", "mayor-gr1", "--declared", declared)
    assert report["ok"] and report["totals"]["awards"] == {"count": 39, "total": "208253.16"}
    text = journey.run("reconcile", "mayor-gr1").stdout
    assert "Result: reconciled" in text and "(none declared)" in text


def test_reconcile_exits_1_when_a_published_figure_disagrees(journey, tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        "scope,figure,published_text,value,precision\nmayor-gr1,projects,40 projects,40,exact\n",
        encoding="utf-8",
    )
    result = journey.run("reconcile", "mayor-gr1", "--declared", str(wrong), code=1)
    assert "DISCREPANCY" in result.stdout


def test_totals_of_a_scope(journey):
    found = journey.json("totals", "mayor-gr1")
    assert found["scope"]["rounds"] == ["mayor-gr1"]
    assert found["totals"]["awards"] == {"count": 39, "total": "208253.16"}
    text = journey.run("totals", "mayor-gr1").stdout
    assert text.startswith("Totals: mayor-gr1") and "£208,253.16" in text


def test_export_360giving_writes_valid_files_in_each_format(journey, tmp_path):
    from sgfund.io.threesixtygiving import read_360giving

    written = journey.json(
        "export",
        "360giving",
        "mayor-gr1",
        "--format",
        "json",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path),
        "--prefix",
        "360G-example",
        "--publisher",
        "Example",
        "--as-of",
        "2022-04-01",
    )
    names = sorted(Path(p).name for p in written["files"])
    assert names == ["mayor-gr1-xi-sgfund-wyca.json", "mayor-gr1-xi-sgfund-wyca.xlsx"]
    assert written["grants"] == {"XI-SGFUND-WYCA": 39}
    for path in written["files"]:
        grants = read_360giving(path)
        assert len(grants.records) == 39 and not grants.problems


@pytest.mark.parametrize(
    ("table", "rows"), [("transparency", 39), ("applications", 52), ("awards", 39)]
)
def test_export_tables(journey, tmp_path, table, rows):
    out = tmp_path / f"{table}.csv"
    assert journey.json("export", table, "mayor-gr1", "--out", str(out)) == {"files": [str(out)]}
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == rows + 1


def test_audit_verify_checks_the_ledger_and_anchors(journey):
    anchor = journey.results["close"]["anchor"]
    report = journey.json("audit", "verify", "--anchor", anchor)
    assert report["ok"] and report["anchors_checked"] == 1 and report["problems"] == []
    assert "the chain is whole" in journey.run("audit", "verify").stdout


def test_audit_verify_exits_1_on_an_anchor_not_in_the_chain(journey):
    fake = "sgfund-anchor:v1:3:" + "0" * 64
    result = journey.run("audit", "verify", "--anchor", fake, code=1)
    assert str(journey.db) in result.stderr
    report = journey.json("audit", "verify", "--anchor", fake, code=1)
    assert not report["ok"] and report["problems"]


def test_plugins_lists_rules_with_versions_and_who_gave_them(journey):
    listing = journey.json("plugins", "--round", "mayor-gr1")
    assert listing["round"] == "mayor-gr1"
    assert {"name": "westyorkshire"}.items() <= {
        k: v for p in listing["plugins"] if p["name"] == "westyorkshire" for k, v in p.items()
    }.items()
    rules = {r["id"]: r for r in listing["rules"]}
    assert rules["submitted-in-window"]["plugin"] == "sgfund.plugins.rules"
    assert rules["submitted-in-window"]["version"]
    assert listing["vocabularies"][0]["id"] == "wy-safeguarding"
    assert listing["checks"] and listing["areas"] and listing["classifiers"]
    assert "## Eligibility rules" in journey.run("plugins").stdout


def test_criteria_are_markdown_from_the_rounds_rules(journey):
    text = journey.run("criteria", "mayor-gr2").stdout
    assert text.startswith(f"# {GR2.name}: eligibility criteria")
    assert "- Largest grant: £6,000.00" in text
    assert "- Closes: 10 June 2022 12:00 (UK time)" in text
    assert "**submitted-in-window** (version 2" in text
    assert journey.json("criteria", "mayor-gr2")["markdown"] == text


def test_a_bad_sheet_lists_every_problem_located_and_writes_nothing(journey, tmp_path):
    lines = (DATA / "gr2.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    lines[1] = lines[1].replace('"£6,000.00"', "lots", 1)
    lines[2] = lines[2].replace("01/11/2022", "31/02/2022", 1)
    bad.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    result = journey.run("import", str(bad), code=1)
    problems = result.stderr.splitlines()
    assert problems[0].startswith(f"{bad}:2:Amount requested: ")
    assert problems[1].startswith(f"{bad}:3:Project start: ")
    assert "nothing was imported" in problems[-1]
    assert "Traceback" not in result.stderr
    assert journey.json("rounds")["rounds"][1]["applications"] == 0


def test_expected_errors_exit_1_without_a_traceback_unless_debug(journey):
    result = journey.run("assess", "no-such-round", code=1)
    assert result.stderr == "sgfund: round 'no-such-round' is not in the ledger\n"
    debug = journey.runner.invoke(cli, ["--db", str(journey.db), "--debug", "assess", "nope"])
    assert debug.exit_code == 1 and debug.exception is not None


def test_a_missing_ledger_is_an_error_not_a_new_file(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "rounds"])
    assert result.exit_code == 1 and "there is no ledger here" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_the_ledger_comes_from_sgfund_db_when_no_option_is_given(journey):
    result = CliRunner().invoke(cli, ["rounds", "--json"], env={"SGFUND_DB": str(journey.db)})
    assert result.exit_code == 0 and json.loads(result.stdout)["rounds"]


@pytest.mark.parametrize(
    "args",
    [
        ["assess"],  # a missing argument
        ["referrals", "resolve", "X", "--reason", "r"],  # neither --eligible nor --ineligible
        ["import", "x.csv", "--as-of", "31/02/2022"],  # not a date
        ["no-such-command"],
        [
            "export",
            "360giving",
            "mayor-gr1",
            "--format",
            "pdf",
            "--prefix",
            "p",
            "--publisher",
            "n",
        ],
    ],
)
def test_usage_errors_exit_2(journey, args):
    result = journey.runner.invoke(cli, ["--db", str(journey.db), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_no_color_turns_colour_off(journey):
    result = journey.runner.invoke(
        cli, ["--db", str(journey.db), "assess", "nope"], env={"NO_COLOR": "1"}, color=True
    )
    assert result.exit_code == 1 and "\x1b[" not in result.stderr
    coloured = journey.runner.invoke(cli, ["--db", str(journey.db), "assess", "nope"], color=True)
    assert "\x1b[31m" in coloured.stderr
