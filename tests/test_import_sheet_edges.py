"""The top and bottom of an officer's sheet: title rows above the header, nothing below it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.errors import DataError
from sgfund.examples_scf import GR1, GR2
from sgfund.io.importer import TITLE_LOOKAHEAD, read_applications, read_decisions

PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)

HEADER = [
    "Application ID",
    "Round",
    "Organisation",
    "Organisation type",
    "Postcode",
    "Title",
    "Summary",
    "Amount requested",
    "Start date",
    "End date",
    "Submitted",
]


def _row(app_id: str, amount: object = "£1,250") -> list[object]:
    return [
        app_id,
        "mayor-gr2",
        "Ashby Road Residents",
        "Community group",
        "LS1 1AA",
        "Safer alleys",
        "Gating two alleys",
        amount,
        date(2022, 11, 1),
        date(2023, 10, 31),
        datetime(2022, 6, 1, 10, 15),  # noqa: DTZ001 (a workbook's date-time is naive)
    ]


def _workbook(path: Path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return path


def test_merged_title_rows_above_the_header_are_passed_over_and_rows_keep_their_numbers(
    tmp_path,
):
    path = _workbook(
        tmp_path / "officer.xlsx",
        [
            ["Northshire Community Safety Fund: applications"],
            ["Officer's copy, do not circulate"],
            [],
            HEADER,
            _row("NCS-001"),
            _row("NCS-002", "lots"),
        ],
        merges=("A1:K1", "A2:K2"),
    )
    with pytest.raises(DataError) as caught:
        read_applications(path, rounds=[GR1, GR2], pm=PM)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (6, "Amount requested")

    path = _workbook(
        tmp_path / "good.xlsx",
        [["Northshire Community Safety Fund"], ["as at 5 June"], [], HEADER, _row("NCS-001")],
        merges=("A1:K1",),
    )
    result = read_applications(path, rounds=[GR1, GR2], pm=PM)
    assert [a.id for a in result.applications] == ["NCS-001"]
    assert result.title_rows == (1, 2)
    assert result.blank_rows == 1
    assert result.columns["application_id"] == "Application ID"


def test_a_title_row_in_a_csv_is_passed_over_too(tmp_path):
    path = tmp_path / "titled.csv"
    lines = ["Round 2 applications,,,", ",".join(HEADER), "NCS-001,mayor-gr2,Org,Community group,"]
    path.write_text("\r\n".join(lines) + "\r\n", "utf-8")
    with pytest.raises(DataError) as caught:
        read_applications(path, rounds=[GR1, GR2], pm=PM)
    # the header is row 2; the data row's problems are on row 3, none on the title
    assert {p.row for p in caught.value.problems} == {3}


def test_a_first_row_of_one_cell_stays_the_header_when_no_wider_row_follows_soon(tmp_path):
    # A one-column file: its header is its first row, as always, so it says what is missing.
    path = tmp_path / "one-column.csv"
    rows = ["Application ID", *(f"A-{n}" for n in range(TITLE_LOOKAHEAD + 2)), "A-x,stray"]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    with pytest.raises(DataError) as caught:
        read_applications(path, rounds=[GR1, GR2], pm=PM)
    missing = [p for p in caught.value.problems if "is missing" in p.message]
    assert missing and {p.row for p in missing} == {1}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_sheet_with_a_header_and_no_rows_is_refused_not_imported_as_nothing(tmp_path, suffix):
    if suffix == ".csv":
        path = tmp_path / "template.csv"
        path.write_text(",".join(HEADER) + "\r\n\r\n,,\r\n", "utf-8")
    else:
        path = _workbook(tmp_path / "template.xlsx", [[], HEADER, [], []])
    header_row = 1 if suffix == ".csv" else 2
    with pytest.raises(DataError, match="nothing to read") as caught:
        read_applications(path, rounds=[GR1, GR2], pm=PM)
    (problem,) = caught.value.problems
    assert problem.row == header_row
    assert f"has a header (row {header_row}) but no rows of data below it" in problem.message
    assert not list(tmp_path.glob("*.errors.csv"))


def test_a_decisions_sheet_with_no_rows_is_refused(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("Application ID,Decision,Decision date,Decided by\n", "utf-8")
    with pytest.raises(DataError, match="no rows of data"):
        read_decisions(path)


def _two_sheets(path: Path) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active.append(["Read me: the applications are on the next sheet"])
    apps = wb.create_sheet("Apps")
    apps.append(HEADER)
    apps.append(_row("NCS-001"))
    wb.save(path)
    return path


def test_a_workbook_whose_first_sheet_is_not_the_data_names_its_other_sheets(tmp_path):
    path = _two_sheets(tmp_path / "two.xlsx")
    with pytest.raises(DataError) as caught:
        read_applications(path, rounds=[GR1, GR2], pm=PM)
    hint = caught.value.problems[-1]
    assert "sheet 'Cover'; it also has 'Apps'" in hint.message
    assert "--sheet-name" in hint.message
    # Excel's sheet names ignore case, so 'apps' is the sheet shown as 'Apps'
    result = read_applications(path, rounds=[GR1, GR2], pm=PM, sheet="apps")
    assert [a.id for a in result.applications] == ["NCS-001"]
    with pytest.raises(DataError, match="no sheet named 'Nope'"):
        read_applications(path, rounds=[GR1, GR2], pm=PM, sheet="Nope")


@pytest.mark.parametrize("text", ["yesterday", "31/02/2023", "45200"])
def test_a_bad_receipt_says_a_time_may_be_given_too(text):
    from sgfund.errors import FieldError
    from sgfund.io.cells import read_submitted_at

    with pytest.raises(FieldError) as caught:
        read_submitted_at(text)
    assert caught.value.field == "submitted_at"
    assert "or a date and time such as 10/06/2022 11:59 (London time)" in caught.value.expected
    assert str(caught.value).endswith(f"got {text!r}")


def test_an_id_the_ledger_already_holds_is_located_in_the_sheet_not_the_batch(tmp_path):
    from datetime import UTC

    from sgfund.examples_scf import SCF
    from sgfund.io.importer import import_applications
    from sgfund.ledger import Ledger

    def sheet(name: str, ids: list[str]) -> Path:
        path = tmp_path / name
        rows = [HEADER, *(_row(i) for i in ids)]
        _workbook(path, rows)
        return path

    at = datetime(2022, 6, 13, 9, tzinfo=UTC)
    with Ledger.open(tmp_path / "l.db", clock=lambda: at) as ledger:
        ledger.add_fund(SCF, actor="admin")
        ledger.add_round(GR2, actor="admin")
        ledger.set_round_state(GR2.id, "open", actor="admin")
        import_applications(ledger, sheet("first.xlsx", ["A-1", "A-2"]), actor="o", pm=PM)
        again = sheet("again.xlsx", ["A-9", "A-2"])
        with pytest.raises(DataError, match="the ledger refused; nothing was imported") as caught:
            import_applications(ledger, again, actor="o", pm=PM)
        (problem,) = caught.value.problems
        # A-2 is item 2 of the batch, and row 3 of the sheet under its own header
        assert (problem.file, problem.row, problem.column) == (str(again), 3, "Application ID")
        assert problem.field == "application_id" and problem.value == "A-2"
        assert "is already in the ledger (round mayor-gr2)" in problem.message
        assert {a.id for a in ledger.round_records(GR2.id).applications} == {"A-1", "A-2"}
