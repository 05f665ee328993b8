"""The transparency table: recipient, amount, purpose, date and reasons for every award."""

from __future__ import annotations

import csv
from decimal import Decimal

import attrs
import pytest

from sgfund.errors import ExportError
from sgfund.examples_scf import GR1, GR2, sample_records
from sgfund.io.export import write_csv, write_xlsx
from sgfund.io.transparency import (
    INDIVIDUAL_RECIPIENT,
    transparency_rows,
    transparency_table,
)
from sgfund.organisations import OrgType
from sgfund.scope import Scope

SCOPE = Scope(id="scf-2022", label="SCF 2022", rounds=(GR1, GR2))
GR1_RECORDS, GR2_RECORDS = sample_records(GR1), sample_records(GR2)
APPS = [*GR1_RECORDS.applications, *GR2_RECORDS.applications]
DECISIONS = [*GR1_RECORDS.decisions, *GR2_RECORDS.decisions]
AWARDS = [*GR1_RECORDS.awards, *GR2_RECORDS.awards]


def test_one_row_per_award_with_amount_purpose_date_and_reasons():
    rows = transparency_rows(SCOPE, APPS, DECISIONS, AWARDS)
    assert len(rows) == 100
    assert sum(r.amount for r in rows) == Decimal("534286.00")
    first = next(r for r in rows if r.round_id == "mayor-gr2")
    award = next(
        a
        for a in GR2_RECORDS.awards
        if next(p for p in APPS if p.id == a.application_id).organisation.name == first.recipient
    )
    app = next(p for p in APPS if p.id == award.application_id)
    assert first.purpose.startswith(app.title)
    assert first.reasons == "Meets the round's priorities; clear plan and costs."
    assert first.funder == GR2.era.funder_name
    assert first.registered_id == app.organisation.registered_id


def test_rows_follow_round_then_date():
    rows = transparency_rows(SCOPE, APPS, DECISIONS, AWARDS)
    keys = [(r.round_id, r.awarded_on) for r in rows]
    assert keys == sorted(keys)
    assert {r.round_id for r in rows[:39]} == {"mayor-gr1"}


def test_rejected_applications_do_not_appear():
    rows = transparency_rows(SCOPE, APPS, DECISIONS, AWARDS)
    rejected = {d.application_id for d in DECISIONS if d.outcome != "approved"}
    names = {p.organisation.name for p in APPS if p.id in rejected} - {
        p.organisation.name for p in APPS if p.id not in rejected
    }
    assert not names & {r.recipient for r in rows}


def test_an_award_without_an_approved_decision_is_refused():
    decisions = [d for d in DECISIONS if d.application_id != AWARDS[0].application_id]
    with pytest.raises(ExportError, match=f"award {AWARDS[0].id}: no approved decision"):
        transparency_rows(SCOPE, APPS, decisions, AWARDS)


def test_individuals_are_not_named():
    apps = list(APPS)
    target = next(i for i, a in enumerate(apps) if a.id == AWARDS[0].application_id)
    apps[target] = attrs.evolve(
        apps[target],
        organisation=attrs.evolve(
            apps[target].organisation, type=OrgType.INDIVIDUAL, name="Jo Bloggs"
        ),
    )
    rows = transparency_rows(SCOPE, apps, DECISIONS, AWARDS)
    assert "Jo Bloggs" not in {r.recipient for r in rows}
    assert sum(r.recipient == INDIVIDUAL_RECIPIENT for r in rows) == 1
    assert not any(
        apps[target].title in r.purpose for r in rows if r.recipient == INDIVIDUAL_RECIPIENT
    )


def test_transparency_csv_and_xlsx(tmp_path):
    table = transparency_table(SCOPE, APPS, DECISIONS, AWARDS)
    path = write_csv(tmp_path / "transparency.csv", table)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 100
    assert sum(Decimal(r["Amount awarded"]) for r in rows) == Decimal("534286.00")
    assert rows[0]["Reasons for the award"]
    openpyxl = pytest.importorskip("openpyxl")
    book = write_xlsx(tmp_path / "transparency.xlsx", table)
    sheet = openpyxl.load_workbook(book)["Transparency"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Round", "Funder", "Recipient"]
    amounts = [
        row[header.index("Amount awarded")] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert sum(Decimal(str(a)) for a in amounts) == Decimal("534286.00")
