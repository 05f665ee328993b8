"""`sgfund import` on sheets in an officer's own layout: nothing dropped without a word."""

import json
from pathlib import Path

from click.testing import CliRunner

from sgfund.cli import cli
from sgfund.examples_scf import example_dir

FUND_FILE = example_dir() / "fund.toml"
HEADER = (
    "Application ID,Round,Organisation,Organisation type,Companies House no,Postcode,Title,"
    "Summary,Amount requested,Start date,End date,Submitted,Officer's comments"
)
ROW = (
    "GR1-901,mayor-gr1,Kettle Lane CIC,CIC,09876543,LS1 1AA,Boxing nights,Weekly sessions,"
    '"£2,000",01/03/2022,28/02/2023,2021-12-01 10:00,keen'
)


def _run(db: Path, *args: str, code: int = 0):
    result = CliRunner().invoke(cli, ["--db", str(db), *args], env={"SGFUND_ACTOR": "officer"})
    assert result.exit_code == code, (args, result.output, result.stderr)
    return result


def test_import_names_the_columns_it_did_not_read(tmp_path):
    db = tmp_path / "fund.db"
    _run(db, "init", str(FUND_FILE), "--as-of", "2021-11-01")
    sheet = tmp_path / "gr1.csv"
    sheet.write_text(f"{HEADER}\r\n{ROW}\r\n", "utf-8")
    result = _run(db, "import", str(sheet), "--as-of", "2021-12-17T14:00", "--json")
    # "Companies House no" is not an alias of company_number: its numbers were not read
    assert json.loads(result.stdout)["columns_not_read"] == [
        "Companies House no",
        "Officer's comments",
    ]
    assert "columns not read: 'Companies House no', \"Officer's comments\"" in result.stderr


def test_columns_a_mapping_ignores_on_purpose_are_not_reported(tmp_path):
    db = tmp_path / "fund.db"
    _run(db, "init", str(FUND_FILE), "--as-of", "2021-11-01")
    sheet = tmp_path / "gr1.csv"
    sheet.write_text(f"{HEADER}\r\n{ROW}\r\n", "utf-8")
    mapping = tmp_path / "layout.toml"
    mapping.write_text(
        'notes = ["Officer\'s comments"]\n[columns]\ncompany_number = "Companies House no"\n',
        "utf-8",
    )
    result = _run(db, "import", str(sheet), "--mapping", str(mapping), "--as-of", "2021-12-17")
    assert "columns not read" not in result.stderr
    assert "imported 1 applications" in result.stdout


def test_a_panel_sheet_awarding_above_the_request_without_a_justification_is_refused(tmp_path):
    # The same rule as an applications sheet with decision columns: an award above the
    # amount requested (or the round's maximum) needs a recorded justification.
    db = tmp_path / "fund.db"
    _run(db, "init", str(FUND_FILE), "--as-of", "2021-11-01")
    sheet = tmp_path / "gr1.csv"
    sheet.write_text(f"{HEADER}\r\n{ROW}\r\n", "utf-8")
    _run(db, "import", str(sheet), "--as-of", "2021-12-17T14:00")
    panel = tmp_path / "panel.csv"
    head = "Application ID,Decision,Amount awarded,Decision date,Decided by"
    panel.write_text(f'{head}\r\nGR1-901,Approved,"£2,500",01/03/2022,Panel\r\n', "utf-8")
    refused = _run(db, "decide", str(panel), "--round", "mayor-gr1", "--json", code=1)
    assert refused.stdout == ""
    first = refused.stderr.splitlines()[0]
    assert first.startswith(f"{panel}:2:Amount awarded: amount_awarded: application GR1-901")
    assert "above the £2,000.00 requested and needs a recorded justification" in first
    panel.write_text(
        f'{head},Justification\r\nGR1-901,Approved,"£2,500",01/03/2022,Panel,Extra venue\r\n',
        "utf-8",
    )
    decided = json.loads(_run(db, "decide", str(panel), "--round", "mayor-gr1", "--json").stdout)
    assert decided["outcomes"] == {"approved": 1}
