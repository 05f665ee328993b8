"""Every door money comes in by refuses the same things, naming the field."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from sgfund import Application, Round
from sgfund.convert import dumps, loads
from sgfund.errors import DataError, FieldError, MoneyTypeError, SgfundError, ValidationError
from sgfund.examples_scf import GR2
from sgfund.io.declared import read_declared_figures
from sgfund.io.export import Filter
from sgfund.money import MAX_MONEY, parse_money, to_money
from sgfund.scope import DeclaredFigure

FLOATS = [5950.5, 1e3, float("nan"), float("inf"), True]
TEXTS = ["1e3", "1E+400", "NaN", "Infinity", "-Infinity", "12.345", "\uff11\uff12\uff13"]


def _figure(value: object) -> DeclaredFigure:
    return DeclaredFigure(
        figure="total_awarded", value=value, precision="exact", published_text="£5"
    )


DOORS = {
    "to_money": lambda v: to_money(v, field="amount"),
    "DeclaredFigure.value": _figure,
    "DeclaredFigure.unit": lambda v: DeclaredFigure(
        figure="total_awarded", value="5", precision="rounded", unit=v, published_text="£5"
    ),
    "Filter.min_amount": lambda v: Filter(min_amount=v),
    "Filter.max_amount": lambda v: Filter(max_amount=v),
}


@pytest.mark.parametrize("door", sorted(DOORS))
@pytest.mark.parametrize("value", FLOATS, ids=repr)
def test_floats_and_bools_are_a_type_error_naming_the_field(door, value):
    with pytest.raises(MoneyTypeError) as caught:
        DOORS[door](value)
    assert isinstance(caught.value, TypeError)
    assert caught.value.field == door.rpartition(".")[2] if "." in door else "amount"


@pytest.mark.parametrize("door", sorted(DOORS))
@pytest.mark.parametrize("value", [*TEXTS, Decimal("NaN"), Decimal("Infinity"), Decimal("1E+400")])
def test_nan_infinity_exponents_and_sub_penny_are_field_errors(door, value):
    with pytest.raises(FieldError) as caught:
        DOORS[door](value)
    assert caught.value.field == (door.rpartition(".")[2] if "." in door else "amount")


@pytest.mark.parametrize("text", ["1" + "0" * 28, "1" + "0" * 12, "£1,000,000,000,000", "9" * 500])
def test_amounts_beyond_the_maximum_are_a_field_error_never_a_decimal_exception(text):
    with pytest.raises(FieldError, match=r"at most £999,999,999,999\.99"):
        parse_money(text)
    with pytest.raises(FieldError, match="at most"):
        to_money(Decimal(text.replace(",", "").lstrip("£")))
    with pytest.raises(FieldError, match="at most"):
        to_money(int(text.replace(",", "").lstrip("£")))


def test_the_maximum_itself_is_money():
    assert to_money(MAX_MONEY) == MAX_MONEY
    assert parse_money("£999,999,999,999.99") == MAX_MONEY
    assert to_money(-MAX_MONEY) == -MAX_MONEY


def test_parse_money_of_a_float_is_a_type_error_not_an_attribute_error():
    with pytest.raises(MoneyTypeError, match=r"float 5950\.5"):
        parse_money(5950.5)  # type: ignore[arg-type]


def test_a_positive_exponent_decimal_that_is_whole_pence_is_exact_money():
    assert to_money(Decimal("5E+3")) == Decimal("5000.00")


def test_loads_refuses_a_json_integer_as_money_naming_the_path():
    data = json.loads(dumps(GR2))
    data["max_grant"] = 6000
    with pytest.raises(ValidationError) as caught:
        loads(json.dumps(data), Round)
    [problem] = caught.value.problems
    assert problem.field == "Round.max_grant"
    assert "money as text" in problem.message


def test_loads_refuses_a_json_float_as_money_with_a_type_error():
    data = json.loads(dumps(GR2))
    data["max_grant"] = 6000.5
    with pytest.raises(MoneyTypeError, match=r"Round\.max_grant"):
        loads(json.dumps(data), Round)


def test_loads_reads_money_as_text(sample_app):
    assert loads(dumps(sample_app), Application) == sample_app


def _declared(tmp_path: Path, value: str) -> Path:
    path = tmp_path / "declared.csv"
    path.write_text(
        f"scope,figure,published_text,value,precision\nmayor-gr2,total_awarded,£5,{value},exact\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("value", ["Infinity", "NaN", "1e3", "1E+400", "12.345", "1" + "0" * 30])
def test_declared_figures_refuse_what_is_not_money_with_row_and_column(tmp_path, value):
    path = _declared(tmp_path, value)
    with pytest.raises(DataError) as caught:
        read_declared_figures(path)
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "value", value)


def test_declared_figures_read_whole_numbers_without_pence(tmp_path):
    [figure] = read_declared_figures(_declared(tmp_path, "534286")).by_scope["mayor-gr2"]
    assert str(figure.value) == "534286"
    [figure] = read_declared_figures(_declared(tmp_path, "326032.84")).by_scope["mayor-gr2"]
    assert figure.value == Decimal("326032.84")


def test_a_declared_figures_file_that_is_not_utf8_is_a_data_error(tmp_path):
    path = tmp_path / "declared.csv"
    path.write_bytes(b"scope,figure,value\n\xff\xfe,x,1\n")
    with pytest.raises(DataError, match="not UTF-8"):
        read_declared_figures(path)


def test_every_refusal_is_an_sgfund_error():
    for door in DOORS.values():
        for value in [*FLOATS, *TEXTS, [], object()]:
            with pytest.raises(SgfundError):
                door(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("1E+400")])
def test_rounding_and_formatting_refuse_what_is_not_money(value):
    from sgfund.money import apportion, format_money, round_money

    for call in (round_money, format_money):
        with pytest.raises(FieldError):
            call(value)
    if not value.is_finite():  # a huge weight is still a weight
        with pytest.raises(FieldError):
            apportion(Decimal(5), [value])
