"""Reading one cell: organisation types, outcomes, routes, themes, submission times, XLSX values."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgfund_westyorkshire import SAFEGUARDING_THEMES

from sgfund import AwardRoute, OrgType, Outcome, Vocabularies, london
from sgfund.errors import FieldError
from sgfund.examples_scf import GR2
from sgfund.io import cells
from sgfund.io.xlsx_reader import cell_text
from sgfund.money import parse_money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Registered charity", OrgType.REGISTERED_CHARITY),
        ("registered-charity", OrgType.REGISTERED_CHARITY),
        ("CIC", OrgType.CIC),
        ("Community Interest Company", OrgType.CIC),
        ("community group", OrgType.COMMUNITY_GROUP),
        ("unincorporated-community-group", OrgType.COMMUNITY_GROUP),
        ("C.I.O.", OrgType.CIO),
        ("Town Council", OrgType.PARISH_OR_TOWN_COUNCIL),
    ],
)
def test_organisation_types_by_value_or_usual_name(text, expected):
    assert cells.read_org_type(text) is expected


def test_every_org_type_value_reads_as_itself():
    assert all(cells.read_org_type(t.value) is t for t in OrgType)
    assert all(cells.read_outcome(o.value.upper()) is o for o in Outcome)
    assert all(cells.read_route(r.value) is r for r in AwardRoute)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Funded", Outcome.APPROVED),
        ("not funded", Outcome.REJECTED),
        ("Declined", Outcome.REJECTED),
    ],
)
def test_outcomes_by_usual_name(text, expected):
    assert cells.read_outcome(text) is expected


def test_an_unknown_name_lists_the_choices():
    with pytest.raises(FieldError) as caught:
        cells.read_outcome("Maybe")
    assert caught.value.expected.startswith("a decision outcome: one of approved, deferred,")


GR2_THEMES = Vocabularies(round_id=GR2.id, vocabularies=[SAFEGUARDING_THEMES])


def test_themes_by_slug_or_label_separated_by_semicolons():
    reader = cells.ThemeReader(GR2_THEMES)
    slugs, errors = reader.read(" Domestic Abuse ;stalking-harassment;; fraud and cyber crime ")
    assert slugs == {"domestic-abuse", "stalking-harassment", "fraud-cyber-crime"}
    assert errors == []


def test_each_unknown_theme_is_its_own_error():
    slugs, errors = cells.ThemeReader(GR2_THEMES).read("knife crime; domestic-abuse; ASB")
    assert slugs == {"domestic-abuse"}
    assert [e.value for e in errors] == ["knife crime", "ASB"]
    assert "a theme of round mayor-gr2: one of child-sexual-abuse-exploitation" in (
        errors[0].expected
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/06/2022 11:59", london(2022, 6, 10, 11, 59)),
        ("10/06/2022 09:05:30", london(2022, 6, 10, 9, 5).replace(second=30)),
        ("2022-06-10T10:59:00+00:00", london(2022, 6, 10, 11, 59)),
        ("2022-06-10 11:59", london(2022, 6, 10, 11, 59)),
    ],
)
def test_submission_times_in_london_unless_an_offset_is_given(text, expected):
    assert cells.read_submitted_at(text) == expected


@pytest.mark.parametrize("text", ["10/06/2022", "2022-06-10", "10 June 2022", " 10/06/2022 "])
def test_a_submission_date_without_a_time_is_a_day_with_no_time_made_up(text):
    found = cells.read_submitted_at(text)
    assert found == date(2022, 6, 10)
    assert not isinstance(found, datetime)  # no 00:00 or 23:59 invented


@pytest.mark.parametrize("text", ["12/13/2022", "10/06/22", "10/06/2022 25:00", "tomorrow"])
def test_a_submission_that_is_not_a_date_is_still_refused(text):
    with pytest.raises(FieldError):
        cells.read_submitted_at(text)


def test_amounts_positive_or_not_negative():
    assert cells.read_amount("£0", field="amount_awarded", positive=False) == Decimal("0.00")
    with pytest.raises(FieldError, match=r"more than £0\.00"):
        cells.read_amount("£0", field="amount_requested", positive=True)
    with pytest.raises(FieldError, match=r"£0\.00 or more"):
        cells.read_amount("-1", field="amount_awarded", positive=False)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (5950, "5950"),
        (5950.0, "5950"),
        (5950.5, "5950.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (True, "TRUE"),
        (datetime(2022, 6, 10, 0, 0), "2022-06-10"),  # noqa: DTZ001 - as openpyxl gives it
        (datetime(2022, 6, 10, 11, 59), "2022-06-10 11:59"),  # noqa: DTZ001
        (datetime(2022, 6, 10, 11, 59, 7), "2022-06-10 11:59:07"),  # noqa: DTZ001
        (date(2022, 6, 10), "2022-06-10"),
        (time(11, 59), "11:59:00"),
        ("  text ", "  text "),
    ],
)
def test_xlsx_values_become_exact_text(value, text):
    assert cell_text(value) == text


@given(pence=st.integers(0, 10**11))
def test_a_two_place_amount_stored_as_a_float_reads_back_exactly(pence):
    amount = Decimal(pence) / 100
    stored = float(amount)  # float-ok: what a workbook holds for a typed number
    assert parse_money(cell_text(stored)) == amount
