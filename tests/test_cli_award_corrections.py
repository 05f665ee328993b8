"""A round stays closable: awards are refused for approvals it could not close with, and a
decision is not changed under an award that cannot yet be taken back.

The example fund's first round, with one approved application (GR1-001) missing its project
summary, which the built-in required-fields rule fails.
"""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sgfund.cli import cli
from sgfund.examples_scf import example_dir

DATA = example_dir()
# The fund file's published figures include GR1-001's award.
PUBLISHED_DIFFER = ("--override-reason", "Published before GR1-001 was corrected.")
PANEL_COLUMNS = [
    "Application ref",
    "Outcome",
    "Amount awarded",
    "Decided on",
    "Decided by",
    "Reasons",
]


class Officer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.db = folder / "fund.db"
        self.runner = CliRunner()

    def run(self, *args: str, code: int = 0):
        result = self.runner.invoke(
            cli, ["--db", str(self.db), *args], env={"SGFUND_ACTOR": "officer-a"}
        )
        assert result.exit_code == code, (args, result.output, result.stderr)
        assert "Traceback" not in result.output
        return result

    def json(self, *args: str, code: int = 0):
        return json.loads(self.run(*args, "--json", code=code).stdout)

    def round(self) -> dict:
        return {r["id"]: r for r in self.json("rounds")["rounds"]}["mayor-gr1"]

    def panel(self, name: str, rows: list[list[str]]) -> Path:
        path = self.folder / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(PANEL_COLUMNS)
            writer.writerows(rows)
        return path


@pytest.fixture
def officer(tmp_path) -> Officer:
    """Imported, assessed (GR1-001 ineligible), decided by the panel, referrals resolved."""
    with (DATA / "mayor-gr1.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["Application ref"] == "GR1-001" and rows[0]["Outcome"] == "Approved"
    rows[0]["Project summary"] = ""
    sheet = tmp_path / "gr1.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    o = Officer(tmp_path)
    o.sheet = sheet
    o.run("init", str(DATA / "fund.toml"), "--as-of", "2021-11-01")
    o.run("import", str(sheet), "--as-of", "2021-12-17T14:00")
    o.assessed = o.json("assess", "mayor-gr1", "--as-of", "2021-12-17T15:00")
    o.assessed_text = o.run("assess", "mayor-gr1", "--as-of", "2021-12-17T15:05").stdout
    for app, verdict in (("GR1-008", "--eligible"), ("GR1-041", "--ineligible")):
        o.run("referrals", "resolve", app, verdict, "--reason", "checked", "--as-of", "2022-02-01")
    return o


def test_assess_lists_each_ineligible_application_with_its_failing_rules(officer):
    assert officer.assessed["counts"]["ineligible"] == 1
    [entry] = officer.assessed["ineligible"]
    assert entry["application_id"] == "GR1-001" and entry["round_id"] == "mayor-gr1"
    assert entry["organisation"] == "Dewsbury Neighbourhood Network"
    assert entry["title"] == "Safe Online Dewsbury"
    assert any("required-fields" in r and "missing: summary" in r for r in entry["reasons"])
    text = officer.assessed_text
    assert "ineligible: GR1-001 (Dewsbury Neighbourhood Network, 'Safe Online Dewsbury')" in text
    assert "required-fields" in text and "missing: summary" in text


def test_award_refuses_an_approval_of_an_ineligible_application_and_writes_nothing(officer):
    officer.run("decide", str(DATA / "mayor-gr1.csv"), "--round", "mayor-gr1")
    refused = officer.run("award", "mayor-gr1", code=1).stderr
    assert "no awards made" in refused
    assert "application GR1-001 is approved but was assessed ineligible: " in refused
    assert "required-fields" in refused and "missing: summary" in refused
    assert "sgfund decide" in refused
    stands = officer.round()
    assert (stands["state"], stands["awards"]) == ("assessed", 0)
    # Corrected by the panel, the round is awarded and closes.
    fix = officer.panel(
        "fix.csv", [["GR1-001", "Rejected", "", "01/03/2022", "Panel", "No summary"]]
    )
    officer.run("decide", str(fix), "--round", "mayor-gr1")
    made = officer.json("award", "mayor-gr1")
    assert made["awards"] == 38
    closed = officer.json("close", "mayor-gr1", "--as-of", "2022-07-01T12:00", *PUBLISHED_DIFFER)
    assert closed["awards"] == 38


def test_decide_refuses_to_take_the_approval_from_an_award_of_an_unclosed_round(officer):
    fix = officer.panel(
        "fix.csv", [["GR1-001", "Rejected", "", "01/03/2022", "Panel", "No summary"]]
    )
    officer.run("decide", str(DATA / "mayor-gr1.csv"), "--round", "mayor-gr1")
    officer.run("decide", str(fix), "--round", "mayor-gr1")
    officer.run("award", "mayor-gr1")
    before = officer.round()
    change = officer.panel(
        "change.csv", [["GR1-002", "Rejected", "", "02/03/2022", "Panel", "Changed our mind"]]
    )
    refused = officer.run("decide", str(change), "--round", "mayor-gr1", code=1).stderr
    assert str(change) in refused
    assert "application GR1-002 has award GR1-002-A; the sheet says rejected" in refused
    assert "sgfund offers make AWARD', 'sgfund payments withdraw AWARD" in refused
    assert officer.round() == before
    # The round can still close; the award is then withdrawn after closure.
    officer.run("close", "mayor-gr1", "--as-of", "2022-07-01T12:00", *PUBLISHED_DIFFER)
    officer.run("offers", "make", "GR1-002-A", "--as-of", "2022-07-02T12:00")
    officer.run(
        "payments",
        "withdraw",
        "GR1-002-A",
        "--reason",
        "Panel changed its mind",
        "--as-of",
        "2022-07-02T12:05",
    )


def test_importing_into_a_decided_round_names_the_file(officer):
    fix = officer.panel(
        "fix.csv", [["GR1-001", "Rejected", "", "01/03/2022", "Panel", "No summary"]]
    )
    officer.run("decide", str(DATA / "mayor-gr1.csv"), "--round", "mayor-gr1")
    officer.run("decide", str(fix), "--round", "mayor-gr1")
    officer.run("award", "mayor-gr1")
    refused = officer.run("import", str(officer.sheet), code=1).stderr
    assert refused.startswith(f"sgfund: {officer.sheet}: round 'mayor-gr1' is decided: ")


def test_resolving_an_awarded_referral_ineligible_is_refused(officer):
    fix = officer.panel(
        "fix.csv", [["GR1-001", "Rejected", "", "01/03/2022", "Panel", "No summary"]]
    )
    officer.run("decide", str(DATA / "mayor-gr1.csv"), "--round", "mayor-gr1")
    officer.run("decide", str(fix), "--round", "mayor-gr1")
    officer.run("award", "mayor-gr1")
    refused = officer.run(
        "referrals", "resolve", "GR1-008", "--ineligible", "--reason", "Outside the area", code=1
    ).stderr
    assert "round 'mayor-gr1': not recorded; after this resolution" in refused
    assert "application GR1-008 is approved but was assessed ineligible: resolved: " in refused
    [listed] = [
        r for r in officer.json("referrals")["referrals"] if r["application_id"] == "GR1-008"
    ]
    assert listed["resolution"]["eligible"] is True
    officer.run("close", "mayor-gr1", "--as-of", "2022-07-01T12:00", *PUBLISHED_DIFFER)
