"""Exports never crash on odd text, never name an individual's reasons, and read back as written."""

from __future__ import annotations

import csv

import attrs
import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.errors import ExportError, FieldError
from sgfund.examples_scf import GR2, sample_records
from sgfund.io.export import Table, application_table, write_xlsx
from sgfund.io.importer import read_applications
from sgfund.io.transparency import INDIVIDUAL_REASONS, transparency_rows
from sgfund.organisations import OrgType

# The built-in plugins and the vocabulary and districts the example rounds need; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)

RECORDS = sample_records(GR2)


@pytest.mark.parametrize(
    "title", ["GR2: awards", "Leeds/Bradford", "a" * 32, "[x]", "Q?", " ", "'x'"]
)
def test_a_title_a_workbook_cannot_name_a_sheet_with_is_refused_clearly(title):
    with pytest.raises(FieldError, match=r"a title a workbook can name a sheet with|a table title"):
        Table(title=title, columns=["a"], rows=[])


def test_two_tables_with_one_title_are_refused(tmp_path):
    tables = [
        Table(title="Awards", columns=["a"], rows=[]),
        Table(title="awards", columns=["a"], rows=[]),
    ]
    with pytest.raises(ExportError, match="two tables are titled 'awards'"):
        write_xlsx(tmp_path / "t.xlsx", tables)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("odd", ["\x07", "\x1b", "\x00", "\ud800", "\x85"])
def test_text_a_workbook_cannot_hold_is_refused_cell_by_cell_and_nothing_written(tmp_path, odd):
    pytest.importorskip("openpyxl")
    app = attrs.evolve(RECORDS.applications[0], title=f"Safe{odd}home")
    table = application_table([app, *RECORDS.applications[1:3]])
    path = tmp_path / "apps.xlsx"
    with pytest.raises(ExportError) as caught:
        write_xlsx(path, table)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "Title")
    assert "a workbook cannot store" in problem.message
    assert not path.exists()


def test_tab_and_line_breaks_are_written(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    app = attrs.evolve(RECORDS.applications[0], summary="line one\nline two\tand a tab")
    path = write_xlsx(tmp_path / "apps.xlsx", application_table([app]))
    sheet = openpyxl.load_workbook(path)["Applications"]
    assert sheet.cell(row=2, column=9).value == "line one\nline two\tand a tab"


def test_the_transparency_table_never_prints_an_individuals_reasons():
    target = RECORDS.awards[0].application_id
    apps = [
        attrs.evolve(
            a,
            organisation=attrs.evolve(a.organisation, type=OrgType.INDIVIDUAL, name="Jo Bloggs"),
        )
        if a.id == target
        else a
        for a in RECORDS.applications
    ]
    decisions = [
        attrs.evolve(d, reasons="Jo Bloggs of 12 Acacia Avenue needs a new door lock")
        if d.application_id == target
        else d
        for d in RECORDS.decisions
    ]
    rows = transparency_rows([GR2], apps, decisions, RECORDS.awards)
    individual = [r for r in rows if r.recipient == "Individual recipient"]
    assert [r.reasons for r in individual] == [INDIVIDUAL_REASONS]
    assert not any("Acacia" in r.reasons or "Bloggs" in r.reasons for r in rows)


def test_the_errors_csv_reimports_to_the_same_values(tmp_path):
    path = tmp_path / "gr2.csv"
    header = (
        "application_id,round_id,organisation_name,organisation_type,postcode,project_title,"
        "project_summary,amount_requested,project_start,project_end,submitted_at\r\n"
    )
    path.write_text(
        header + "GR2-1,mayor-gr2,=Fun run 2,Community group,LS1 1AA,@home safe,-dash,lots,"
        "01/11/2022,31/10/2023,10/06/2022\r\n",
        encoding="utf-8",
    )
    result = read_applications(path, pm=PM, rounds=[GR2], bad_rows="set-aside")
    errors = result.errors_file
    with errors.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[1][3] == "'=Fun run 2"  # neutralised on the way out
    # Correct the amount in the errors file and read it as it stands.
    written[1][8] = "£500"
    with errors.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(written)
    [app] = read_applications(errors, pm=PM, rounds=[GR2]).applications
    assert app.organisation.name == "=Fun run 2"  # the apostrophe is gone on the way back in
    assert app.title == "@home safe"
    assert app.summary == "-dash"
