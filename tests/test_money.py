from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgfund import (
    Application,
    Award,
    Decision,
    Round,
    apportion,
    format_money,
    parse_money,
    to_money,
)
from sgfund.errors import FieldError, MoneyTypeError
from sgfund.examples_scf import GR2
from sgfund.testing import strategies as sst


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("£1,234.50", "1234.50"),
        ("1234.5", "1234.50"),
        ("1,234", "1234.00"),
        (" £6,000 ", "6000.00"),
        ("£534,286", "534286.00"),
        ("0.01", "0.01"),
        ("-£5.00", "-5.00"),
        ("GBP 12", "12.00"),
        ("1,234,567.89", "1234567.89"),
    ],
)
def test_parse_money_reads_officers_text(text, expected):
    assert parse_money(text) == Decimal(expected)
    assert str(parse_money(text)) == expected


@pytest.mark.parametrize(
    "text",
    ["1.234,50", "£1,23", "12.345", "1,2345", "", "£", "abc", "1 234", "$5", "5e3", "1,23.00"],
)
def test_parse_money_refuses_ambiguous_or_broken_text(text):
    with pytest.raises(FieldError) as err:
        parse_money(text, field="amount_requested")
    assert err.value.field == "amount_requested"
    assert "amount_requested" in str(err.value)


@pytest.mark.parametrize("bad", [1.5, 0.1, True, False, float("nan")])
def test_floats_and_bools_are_type_errors(bad):
    with pytest.raises(TypeError) as err:
        to_money(bad, field="advertised_pot")
    assert "advertised_pot" in str(err.value)
    assert isinstance(err.value, MoneyTypeError)


def test_to_money_refuses_fractions_of_a_penny_and_nan():
    with pytest.raises(FieldError, match="whole pence"):
        to_money(Decimal("1.234"))
    with pytest.raises(FieldError, match="finite"):
        to_money(Decimal("NaN"))
    assert to_money(Decimal("1.2")) == Decimal("1.20")
    assert to_money(7) == Decimal("7.00")


def test_float_money_is_refused_naming_the_field_in_every_model(sample_app):
    with pytest.raises(TypeError, match="amount_requested"):
        Application(**{**_fields(sample_app), "amount_requested": 5950.0})
    with pytest.raises(TypeError, match="max_grant"):
        Round(**{**_fields(GR2), "max_grant": 6000.0})
    with pytest.raises(TypeError, match="advertised_pot"):
        Round(**{**_fields(GR2), "advertised_pot": 270000.0})
    with pytest.raises(TypeError, match="min_grant"):
        Round(**{**_fields(GR2), "min_grant": 0.0})
    with pytest.raises(TypeError, match="amount_awarded"):
        Decision(
            application_id="A-1",
            outcome="approved",
            decided_on=sample_app.project_start,
            decided_by="panel",
            amount_awarded=100.0,
        )
    with pytest.raises(TypeError, match="amount"):
        Award(
            id="A-1",
            application_id="A-1",
            round_id="mayor-gr2",
            amount=5.5,
            awarded_on=sample_app.project_start,
            start=sample_app.project_start,
            end=sample_app.project_end,
        )
    with pytest.raises(TypeError, match="total"):
        apportion(10.0, [1, 1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="weights"):
        apportion(Decimal(10), [0.5, 0.5])  # type: ignore[list-item]


def _fields(obj):
    import attrs

    return {a.name: getattr(obj, a.name) for a in attrs.fields(type(obj))}


def test_format_money():
    assert format_money(Decimal("534286")) == "£534,286.00"
    assert format_money(Decimal("534286"), pence=False) == "£534,286"
    assert format_money(Decimal("326032.84")) == "£326,032.84"
    assert format_money(Decimal("326032.84"), pence=False) == "£326,033"
    assert format_money(Decimal("-5")) == "-£5.00"
    assert format_money(Decimal("0.005")) == "£0.01"


def test_apportion_example():
    assert apportion(Decimal("100.00"), [1, 1, 1]) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert apportion(Decimal("0.02"), [1, 1, 1]) == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
    ]
    with pytest.raises(FieldError):
        apportion(Decimal(1), [0, 0])
    with pytest.raises(FieldError):
        apportion(Decimal(1), [])
    with pytest.raises(FieldError):
        apportion(Decimal(1), [-1, 2])


@given(
    total=sst.money(Decimal("-100000"), Decimal("1000000")),
    weights=st.lists(st.integers(0, 1000), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
)
def test_apportion_always_sums_to_the_whole(total, weights):
    parts = apportion(total, weights)
    assert sum(parts, start=Decimal(0)) == total
    assert len(parts) == len(weights)
    assert all(p == p.quantize(Decimal("0.01")) for p in parts)
    # Zero weight gets nothing; every part is within a penny of its exact share.
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / sum(weights)
        assert abs(part - exact) < Decimal("0.01")
        if weight == 0:
            assert part == 0


@given(sst.money(Decimal("0"), Decimal("100000000")))
def test_parsing_a_formatted_amount_gives_it_back(amount):
    assert parse_money(format_money(amount)) == amount
    assert parse_money(str(amount)) == amount


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_always_refused(value):
    with pytest.raises(TypeError):
        to_money(value)
