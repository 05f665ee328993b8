"""Messy but valid officer spreadsheets import exactly; a whole GR2 round survives the trip."""

from __future__ import annotations

import csv
import shutil
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgfund_westyorkshire import DATA_PLUGINS, SAFEGUARDING_THEMES

from sgfund import (
    Application,
    Decision,
    Organisation,
    OrgType,
    Outcome,
    hookimpl,
    london,
    make_plugin_manager,
)
from sgfund.dates import LONDON
from sgfund.errors import DataError, MissingExtraError
from sgfund.examples_scf import GR1, GR2, sample_records
from sgfund.io.cells import ORG_TYPE_NAMES
from sgfund.io.importer import read_applications, read_decisions
from sgfund.money import sum_money
from sgfund.testing import strategies as sgst
from sgfund.vocabulary import Theme, ThemeVocabulary

GOOD = Path(__file__).parent / "data" / "good"
BAD = Path(__file__).parent / "data" / "bad"


# The built-in plugins and the vocabulary the example rounds name; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)


def _app(id, org, title, amount, start, end, submitted, themes, summary=""):
    return Application(
        id=id,
        round_id="mayor-gr2",
        organisation=org,
        title=title,
        summary=summary,
        amount_requested=amount,
        project_start=start,
        project_end=end,
        submitted_at=submitted,
        declared_themes=themes,
    )


EXPECTED_APPLICATIONS = [
    _app(
        "GR2-001",
        Organisation(
            name="Calder Valley Women\u2019s Refuge",
            type=OrgType.REGISTERED_CHARITY,
            charity_number="1012345",
            postcode="HX1 1AA",
            district="Calderdale",
        ),
        "Safe at home",
        Decimal("5950.00"),
        date(2022, 11, 1),
        date(2023, 10, 31),
        london(2022, 6, 10, 11, 59),
        {"domestic-abuse", "stalking-harassment"},
        "Target hardening for survivors",
    ),
    _app(
        "GR2-002",
        Organisation(
            name="Keighley Street Watch",
            type=OrgType.COMMUNITY_GROUP,
            postcode="BD21 3AA",
            district="Bradford",
        ),
        "Street watch",
        Decimal("2400.00"),
        date(2022, 12, 1),
        date(2023, 11, 30),
        london(2022, 6, 9, 16, 5),
        {"stalking-harassment"},
        "Volunteer patrols",
    ),
    _app(
        "GR2-003",
        Organisation(
            name="Wakefield Youth Boxing CIC",
            type=OrgType.CIC,
            company_number="01234567",
            postcode="WF1 2AB",
            district="Wakefield",
        ),
        "Gloves not knives",
        Decimal("4000.00"),
        date(2022, 11, 1),
        date(2023, 10, 31),
        london(2022, 6, 8, 9, 30),
        {"child-sexual-abuse-exploitation"},
    ),
    _app(
        "GR2-004",
        Organisation(
            name="Kirklees Safe Haven",
            type=OrgType.CIO,
            charity_number="SC012345",
            postcode="HD1 1AB",
            district="Kirklees",
        ),
        "Haven",
        Decimal("6000.00"),
        date(2023, 1, 1),
        date(2023, 12, 31),
        london(2022, 6, 10, 9, 0),
        {"honour-based-abuse", "fraud-cyber-crime"},
        "Advocacy",
    ),
]
EXPECTED_DECISIONS = [
    Decision(
        application_id="GR2-001",
        outcome=Outcome.APPROVED,
        amount_awarded="5950.00",
        decided_on=date(2022, 9, 14),
        decided_by="Grants panel",
    ),
    Decision(
        application_id="GR2-002",
        outcome=Outcome.REJECTED,
        decided_on=date(2022, 9, 14),
        decided_by="Grants panel",
    ),
    Decision(
        application_id="GR2-004",
        outcome=Outcome.APPROVED,
        amount_awarded="4500.50",
        decided_on=date(2022, 9, 14),
        decided_by="Grants panel",
    ),
]


@pytest.mark.parametrize(
    ("name", "mapping", "encoding", "delimiter", "blank_rows"),
    [
        ("gr2-messy.csv", None, "utf-8-sig", ",", 5),
        ("gr2-messy.xlsx", None, None, None, 4),
        ("gr2-windows-1252.csv", None, "cp1252", ";", 0),
        ("gr2-other-layout.csv", "gr2-other-layout.json", "utf-8", "\t", 0),
        ("gr2-other-layout.csv", "gr2-other-layout.toml", "utf-8", "\t", 0),
    ],
)
def test_messy_gr2_spreadsheets_import_exactly(name, mapping, encoding, delimiter, blank_rows):
    result = read_applications(
        GOOD / name, pm=PM, rounds=[GR1, GR2], mapping=GOOD / mapping if mapping else None
    )
    assert list(result.applications) == EXPECTED_APPLICATIONS
    assert list(result.decisions) == EXPECTED_DECISIONS
    assert (result.encoding, result.delimiter) == (encoding, delimiter)
    assert (result.rows, result.good_rows, result.bad_rows) == (4, 4, 0)
    assert result.blank_rows == blank_rows
    assert result.ignored_columns == ("Notes",)
    assert result.problems == ()
    assert result.errors_file is None
    assert sum_money(d.amount_awarded for d in result.decisions) == Decimal("10450.50")


def test_columns_report_the_files_own_headers():
    result = read_applications(GOOD / "gr2-messy.csv", pm=PM, rounds=[GR2])
    assert result.columns["amount_requested"] == "Amount requested (£)"
    assert result.columns["organisation_type"] == "Type of organisation"
    assert result.columns["submitted_at"] == "Date received"
    assert "delivery_postcode" not in result.columns


def test_reading_writes_nothing(tmp_path):
    for name in ("gr2-messy.csv", "gr2-messy.xlsx"):
        shutil.copyfile(GOOD / name, tmp_path / name)
        read_applications(tmp_path / name, pm=PM, rounds=[GR2], bad_rows="set-aside")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gr2-messy.csv", "gr2-messy.xlsx"]


def test_validate_only_checks_and_counts_but_keeps_nothing():
    result = read_applications(GOOD / "gr2-messy.csv", pm=PM, rounds=[GR2], validate_only=True)
    assert (result.rows, result.good_rows) == (4, 4)
    assert result.applications == ()
    assert result.decisions == ()
    with pytest.raises(DataError):
        read_applications(BAD / "negative-amount.csv", pm=PM, rounds=[GR2], validate_only=True)


def test_an_unknown_round_is_a_problem_when_no_rounds_are_given():
    with pytest.raises(DataError) as caught:
        read_applications(GOOD / "gr2-messy.csv", pm=PM, rounds=[])
    assert [p.row for p in caught.value.problems] == [2, 3, 6, 7]  # rows 4, 5 are blank
    assert all("known round: one of (none)" in p.message for p in caught.value.problems)


def test_an_archived_theme_is_read_and_left_to_the_rule():
    themes = tuple(
        attrs.evolve(t, archived=t.slug == "stalking-harassment")
        for t in SAFEGUARDING_THEMES.themes
    )
    vocabulary = attrs.evolve(SAFEGUARDING_THEMES, version="2023", themes=themes)

    class Archived:
        @hookimpl
        def sgfund_theme_vocabularies(self, round):
            return [vocabulary]

    pm = make_plugin_manager(entry_points=False, plugins=[Archived()])
    result = read_applications(GOOD / "gr2-messy.csv", pm=pm, rounds=[GR2])
    assert "stalking-harassment" in result.applications[0].declared_themes


def test_text_naming_no_theme_of_the_round_cannot_be_read():
    other = ThemeVocabulary(
        id="wy-safeguarding", label="Other", version="1", themes=[Theme(slug="x", label="X")]
    )

    class Other:
        @hookimpl
        def sgfund_theme_vocabularies(self, round):
            return [other]

    pm = make_plugin_manager(entry_points=False, plugins=[Other()])
    with pytest.raises(DataError) as caught:
        read_applications(GOOD / "gr2-messy.csv", pm=pm, rounds=[GR2])
    assert (2, "Themes", "Stalking and Harassment") in [
        (p.row, p.column, p.value) for p in caught.value.problems
    ]


def test_the_errors_file_can_be_corrected_and_imported_as_it_stands(tmp_path):
    path = tmp_path / "missing-values.csv"
    shutil.copyfile(BAD / "missing-values.csv", path)
    first = read_applications(path, pm=PM, rounds=[GR2], bad_rows="set-aside")
    assert [a.id for a in first.applications] == ["GR2-001"]
    errors = first.errors_file
    assert errors is not None
    with errors.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[1][header.index("project_title")] = "Street watch"
    rows[1][header.index("amount_requested")] = "£2,400"
    with errors.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    second = read_applications(errors, pm=PM, rounds=[GR2])
    assert [a.id for a in second.applications] == ["GR2-002"]
    assert second.applications[0].amount_requested == Decimal("2400.00")
    assert set(second.ignored_columns) == {"source_row", "problems"}


def test_rows_sharing_an_id_are_all_set_aside(tmp_path):
    path = tmp_path / "apps.csv"
    text = (BAD / "duplicate-application-id.csv").read_text()
    lines = text.splitlines(keepends=True)
    path.write_text("".join([*lines, lines[1]]), newline="")  # GR2-001 a third time, row 5
    result = read_applications(path, pm=PM, rounds=[GR2], bad_rows="set-aside")
    assert [a.id for a in result.applications] == ["GR2-002"]
    with result.errors_file.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [r["source_row"] for r in written] == ["2", "4", "5"]
    assert written[0]["application_id"] == "GR2-001"
    assert "repeated at row 4" in written[0]["problems"]
    assert "repeated at row 5" in written[0]["problems"]
    assert "already at row 2" in written[2]["problems"]


def test_error_csv_cells_are_never_run_as_formulas(tmp_path):
    path = tmp_path / "apps.csv"
    shutil.copyfile(BAD / "formula-text-in-amount.csv", path)
    result = read_applications(path, pm=PM, rounds=[GR2], bad_rows="set-aside")
    with result.errors_file.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert written[0]["amount_requested"] == "'=SUM(I2:I9)"


def test_decisions_can_be_read_on_their_own():
    result = read_decisions(GOOD / "gr2-messy.csv")
    assert list(result.decisions) == EXPECTED_DECISIONS
    assert result.applications == ()
    assert result.rows == 4  # GR2-003 has no decision yet: its row gives none


def test_a_named_sheet_is_read_and_a_missing_one_is_refused():
    result = read_applications(
        GOOD / "gr2-messy.xlsx", pm=PM, rounds=[GR2], sheet="GR2 applications"
    )
    assert len(result.applications) == 4
    with pytest.raises(DataError) as caught:
        read_applications(GOOD / "gr2-messy.xlsx", pm=PM, rounds=[GR2], sheet="Sheet2")
    assert "the workbook has no sheet named 'Sheet2'" in str(caught.value)
    assert "'GR2 applications'" in caught.value.problems[0].expected


def test_without_openpyxl_the_message_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingExtraError) as caught:
        read_applications(GOOD / "gr2-messy.xlsx", pm=PM, rounds=[GR2])
    assert 'pip install "sgfund[xlsx]"' in str(caught.value)
    assert isinstance(caught.value, ImportError)
    # CSV needs nothing extra.
    assert len(read_applications(GOOD / "gr2-messy.csv", pm=PM, rounds=[GR2]).applications) == 4


# --- A whole round, written the way officers write it ---------------------------------------

_FRIENDLY = {t: name for name, t in reversed(ORG_TYPE_NAMES.items())}
_LABELS = {t.slug: t.label for t in SAFEGUARDING_THEMES.themes}
MESSY_HEADER = [
    "App ID", "Grant round", "Organisation", "Legal status", "Charity no", "Company no",
    "Postcode", "Local authority", "Project name", "Description", "Amount requested (£)",
    "Start date", "End date", "Date received", "Safeguarding themes", "Outcome",
    "Amount awarded (£)", "Decision date", "Decision maker", "Reasons", "Award route",
    "Direct award justification",
]  # fmt: skip


def _money(amount: Decimal, i: int) -> str:
    return (f"£{amount:,.2f}", f"{amount:,.2f}", f"{amount}", f" £{amount:.2f} ")[i % 4]


def _day(day: date, i: int) -> str:
    return (f"{day:%d/%m/%Y}", day.isoformat(), f"{day.day} {day:%B %Y}")[i % 3]


def _when(moment: datetime, i: int) -> str:
    local = moment.astimezone(LONDON)
    ambiguous = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()
    if i % 2 or ambiguous:
        return moment.isoformat()
    return f"{local:%d/%m/%Y %H:%M:%S}" if local.second else f"{local:%d/%m/%Y %H:%M}"


def messy_row(app: Application, decision: Decision | None, i: int) -> list[str]:
    org = app.organisation
    themes = [
        _LABELS[s] if (i + n) % 2 else s.upper() for n, s in enumerate(sorted(app.declared_themes))
    ]
    company = org.company_number or ""
    if company.startswith("0") and i % 2:
        company = company[1:]  # as a spreadsheet drops a leading zero
    org_type = _FRIENDLY.get(org.type, org.type.value) if i % 2 else org.type.value
    cells = [
        app.id, app.round_id, org.name, org_type,
        org.charity_number or "", company, (org.postcode or "").lower().replace(" ", ""),
        org.district or "", app.title, app.summary, _money(app.amount_requested, i),
        _day(app.project_start, i), _day(app.project_end, i + 1), _when(app.submitted_at, i),
        " ; ".join(themes),
    ]  # fmt: skip
    if decision is None:
        return [*cells, "", "", "", "", "", "", ""]
    awarded = _money(decision.amount_awarded, i + 1) if decision.amount_awarded else ""
    outcome = decision.outcome.value.title() if i % 2 else decision.outcome.value
    route = "Direct award" if decision.route.value == "direct" and i % 2 else decision.route.value
    return [
        *cells, outcome, awarded, _day(decision.decided_on, i), decision.decided_by,
        decision.reasons, route, decision.justification or "",
    ]  # fmt: skip


def write_messy(path: Path, apps, decisions) -> None:
    by_id = {d.application_id: d for d in decisions}
    rows = [MESSY_HEADER, *(messy_row(a, by_id.get(a.id), i) for i, a in enumerate(apps))]
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.active.append([])
        book.save(path)
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([*rows, [], ["", " "]])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_whole_of_gr2_imports_from_a_messy_spreadsheet(tmp_path, suffix):
    records = sample_records(GR2)
    path = tmp_path / f"gr2{suffix}"
    write_messy(path, records.applications, records.decisions)
    result = read_applications(path, pm=PM, rounds=[GR1, GR2])
    assert list(result.applications) == list(records.applications)
    assert list(result.decisions) == list(records.decisions)
    approved = [d for d in result.decisions if d.outcome is Outcome.APPROVED]
    assert len(approved) == 61
    assert sum_money(d.amount_awarded for d in approved) == Decimal("326032.84")


@given(data=st.data())
def test_any_valid_application_survives_a_messy_csv(tmp_path_factory, data):
    round_ = data.draw(sgst.rounds(vocabulary_ids=("wy-safeguarding",)))
    themes = SAFEGUARDING_THEMES.active_slugs
    apps = data.draw(
        st.lists(
            sgst.applications(round_, themes=themes),
            min_size=1,
            max_size=4,
            unique_by=lambda a: a.id,
        )
    )
    decisions = [data.draw(sgst.decisions(a)) for a in apps if data.draw(st.booleans())]
    path = tmp_path_factory.mktemp("messy") / "apps.csv"
    write_messy(path, apps, decisions)
    result = read_applications(path, pm=PM, rounds=[round_])
    assert list(result.applications) == apps
    assert sorted(result.decisions, key=lambda d: d.application_id) == sorted(
        decisions, key=lambda d: d.application_id
    )


def test_a_good_rows_postcodes_and_numbers_are_normalised_once(monkeypatch):
    # One home: the models normalise registered numbers and postcodes; the reader checks
    # them on its own only for a row whose application cannot be built.
    import sgfund.io.row_models
    import sgfund.organisations

    calls = []
    for name in ("normalise_postcode", "normalise_charity_number", "normalise_company_number"):
        real = getattr(sgfund.organisations, name)

        def counted(value, _real=real, _name=name, **field):
            calls.append((_name, value))
            return _real(value, **field)

        for module in (sgfund.organisations, sgfund.io.row_models):
            monkeypatch.setattr(module, name, counted)
    result = read_applications(GOOD / "gr2-messy.csv", pm=PM, rounds=[GR2])
    expected = [
        *((a.organisation.postcode, a.organisation.charity_number) for a in result.applications),
    ]
    postcodes = [v for n, v in calls if n == "normalise_postcode"]
    charities = [v for n, v in calls if n == "normalise_charity_number"]
    assert len(postcodes) == sum(p is not None for p, _ in expected)
    assert len(charities) == sum(c is not None for _, c in expected)
