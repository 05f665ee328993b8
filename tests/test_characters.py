"""Only ASCII digits count as digits; identifiers end where they end (no trailing line break)."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgfund.dates import parse_date, parse_datetime
from sgfund.errors import FieldError
from sgfund.examples_scf import GR2
from sgfund.money import parse_money
from sgfund.organisations import (
    Organisation,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)

# Digits Python's \d, int() and Decimal() read, which sgfund must not.
OTHER_DIGITS = st.characters(categories=["Nd", "No", "Nl"], exclude_characters="0123456789").filter(
    lambda c: c.isdigit() or c.isnumeric()
)


@pytest.mark.parametrize(
    "read",
    [
        lambda t: parse_money(f"£1{t}34"),
        lambda t: parse_date(f"1{t}/06/2022"),
        lambda t: parse_datetime(f"10/06/2022 1{t}:00"),
        lambda t: normalise_charity_number(f"101234{t}"),
        lambda t: normalise_company_number(f"0123456{t}"),
        lambda t: normalise_postcode(f"LS{t} 1AA"),
    ],
    ids=["money", "date", "datetime", "charity", "company", "postcode"],
)
@given(digit=OTHER_DIGITS)
def test_a_digit_that_is_not_ascii_is_refused_naming_it(read, digit):
    with pytest.raises(FieldError) as caught:
        read(digit)
    assert f"U+{ord(digit):04X}" in caught.value.expected


@pytest.mark.parametrize("field", ["id", "round_id"])
@pytest.mark.parametrize("tail", ["\n", "\r\n", " "])
def test_ids_with_a_trailing_line_break_are_refused(sample_app, field, tail):
    with pytest.raises(FieldError):
        attrs.evolve(sample_app, **{field: getattr(sample_app, field) + tail})


def test_round_and_organisation_ids_too(sample_app):
    with pytest.raises(FieldError):
        attrs.evolve(GR2, id="mayor-gr2\n")
    # An organisation's own reference is trimmed like any text; a break inside is refused.
    assert Organisation(name="X", type="cic", id="ORG-1\n").id == "ORG-1"
    with pytest.raises(FieldError):
        Organisation(name="X", type="cic", id="ORG\n1")
