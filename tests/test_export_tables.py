"""Generic CSV/XLSX exports of filtered applications and awards, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sgfund.errors import FieldError, SgfundError
from sgfund.examples_scf import GR1, GR2, sample_records
from sgfund.io.export import (
    Filter,
    Table,
    application_table,
    award_table,
    csv_cell,
    write_csv,
    write_xlsx,
)
from sgfund.io.files import FORMULA_STARTS
from sgfund.organisations import OrgType
from sgfund.testing import strategies as sst

GR1_RECORDS, GR2_RECORDS = sample_records(GR1), sample_records(GR2)
APPS = [*GR1_RECORDS.applications, *GR2_RECORDS.applications]
AWARDS = [*GR1_RECORDS.awards, *GR2_RECORDS.awards]


def _read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_all_applications_and_awards_by_default(tmp_path):
    assert len(application_table(APPS).rows) == len(APPS)
    table = award_table(AWARDS, APPS)
    assert len(table.rows) == 100
    rows = _read_csv(write_csv(tmp_path / "awards.csv", table))
    assert sum(Decimal(r["Amount awarded"]) for r in rows) == Decimal("534286.00")
    assert all(r["Recipient"] for r in rows)


def test_filters_combine():
    only = Filter(round_ids={"mayor-gr2"}, districts={"Leeds"}, themes={"domestic-abuse"})
    table = award_table(AWARDS, APPS, only=only)
    by_id = {a.id: a for a in APPS}
    expected = [
        a.id
        for a in AWARDS
        if a.round_id == "mayor-gr2"
        and by_id[a.application_id].organisation.district == "Leeds"
        and "domestic-abuse" in a.themes
    ]
    assert [r[0] for r in table.rows] == sorted(expected)
    assert expected  # the sample has such awards, so the filter is really tested


def test_amount_date_type_and_predicate_filters():
    big = award_table(AWARDS, APPS, only=Filter(min_amount=Decimal("5000.00")))
    assert all(r[6] >= Decimal("5000.00") for r in big.rows)
    assert 0 < len(big.rows) < 100
    gr1_dates = award_table(AWARDS, APPS, only=Filter(until=date(2022, 6, 1)))
    assert {r[2] for r in gr1_dates.rows} == {"mayor-gr1"}
    cics = application_table(APPS, only=Filter(org_types={OrgType.CIC}))
    assert {r[3] for r in cics.rows} == {"cic"}
    named = application_table(APPS, only=Filter(where=lambda a: "Leeds" in a.organisation.name))
    assert all("Leeds" in r[2] for r in named.rows)


def test_award_filters_on_applicants_need_the_applications():
    assert award_table(AWARDS, only=Filter(districts={"Leeds"})).rows == ()
    assert len(award_table(AWARDS, only=Filter(round_ids={"mayor-gr1"})).rows) == 39


@settings(max_examples=200)
@given(text=st.text(max_size=20))
def test_no_text_cell_starts_like_a_formula(text):
    cell = csv_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)


@given(amount=sst.money(Decimal("-10000.00"), Decimal("10000.00")))
def test_numbers_stay_numbers(amount):
    assert Decimal(csv_cell(amount)) == amount


def test_formula_text_is_neutralised_in_csv_and_typed_as_text_in_xlsx(tmp_path):
    apps = list(APPS)
    apps[0] = attrs.evolve(apps[0], title="=cmd|'/c calc'!A1", summary="@SUM(1+1)")
    apps[1] = attrs.evolve(apps[1], title="+44 113 000 0000")
    table = application_table(apps)
    rows = _read_csv(write_csv(tmp_path / "apps.csv", table))
    titles = {r["Application"]: r for r in rows}
    assert titles[apps[0].id]["Title"] == "'=cmd|'/c calc'!A1"
    assert titles[apps[0].id]["Summary"] == "'@SUM(1+1)"
    assert titles[apps[1].id]["Title"] == "'+44 113 000 0000"
    assert titles[apps[0].id]["Amount requested"] == str(apps[0].amount_requested)
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(write_xlsx(tmp_path / "apps.xlsx", table))["Applications"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Title") + 1)
    assert (cell.value, cell.data_type) == ("=cmd|'/c calc'!A1", "s")
    amount = sheet.cell(row=2, column=header.index("Amount requested") + 1)
    assert amount.data_type == "n"
    assert Decimal(str(amount.value)) == apps[0].amount_requested


def test_xlsx_holds_several_sheets(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = write_xlsx(tmp_path / "both.xlsx", [application_table(APPS), award_table(AWARDS, APPS)])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Applications", "Awards"]
    assert book["Awards"].max_row == 101


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    import sgfund.io.export as export_module

    target = tmp_path / "apps.csv"
    target.write_text("old", encoding="utf-8")
    calls = []

    def failing(value):
        calls.append(value)
        if len(calls) > 200:
            raise OSError("disk full")
        return str(value)

    monkeypatch.setattr(export_module, "csv_cell", failing)
    with pytest.raises(OSError, match="disk full"):
        write_csv(target, application_table(APPS))
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["apps.csv"]


def test_rows_must_match_the_columns():
    with pytest.raises(FieldError, match="cells in every row"):
        Table(title="T", columns=["A", "B"], rows=[["x"]])


def test_missing_openpyxl_says_what_to_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(SgfundError, match=r'pip install "sgfund\[xlsx\]"'):
        write_xlsx(tmp_path / "x.xlsx", application_table(APPS[:1]))
