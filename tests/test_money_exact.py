"""Money at its edges: rounding on purpose, formatting zero and negatives, and splits by hand.

The largest-remainder table below is worked out by hand, so a change to which part gets the
leftover pennies (or to their sign) shows up as a wrong figure, not only as a wrong sum.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import pytest

from sgfund.errors import FieldError, MoneyTypeError
from sgfund.money import MAX_MONEY, apportion, format_money, parse_money, round_money, to_money

D = Decimal


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (D("2.345"), None, "2.35"),  # half up by default
        (D("2.344"), None, "2.34"),
        (D("-2.345"), None, "-2.35"),  # half up is away from zero
        (D("2.345"), ROUND_HALF_EVEN, "2.34"),
        (D("2.355"), ROUND_HALF_EVEN, "2.36"),
        (D("2.349"), ROUND_DOWN, "2.34"),
        (D("-0.004"), None, "0.00"),  # never "-0.00"
        (D("-0.005"), None, "-0.01"),
        (7, None, "7.00"),
        (MAX_MONEY, None, "999999999999.99"),
    ],
)
def test_round_money(value, rounding, expected):
    rounded = round_money(value) if rounding is None else round_money(value, rounding)
    assert str(rounded) == expected


@pytest.mark.parametrize("value", [MAX_MONEY + D("0.01"), -MAX_MONEY - D("0.01"), 10**12])
def test_round_money_refuses_amounts_beyond_the_maximum(value):
    with pytest.raises(FieldError, match="at most"):
        round_money(value)


@pytest.mark.parametrize("value", ["1.00", 1.0, None, True])
def test_round_money_refuses_what_is_not_a_number_naming_the_field(value):
    with pytest.raises(MoneyTypeError, match="amount"):
        round_money(value)


@pytest.mark.parametrize(
    ("amount", "pence", "expected"),
    [
        (0, True, "£0.00"),
        (D("0"), False, "£0"),
        (D("-0.00"), True, "£0.00"),
        (D("-0.004"), True, "£0.00"),
        (D("-0.4"), False, "£0"),
        (D("-0.5"), False, "-£1"),
        (D("-1234.5"), True, "-£1,234.50"),
        (D("-1234.5"), False, "-£1,235"),
        (D("1234.49"), False, "£1,234"),
        (D("999.995"), True, "£1,000.00"),
        (5, True, "£5.00"),
        (MAX_MONEY, True, "£999,999,999,999.99"),
        (-MAX_MONEY, False, "-£1,000,000,000,000"),
    ],
)
def test_format_money_of_zero_negatives_and_ints(amount, pence, expected):
    assert format_money(amount, pence=pence) == expected


@pytest.mark.parametrize("value", [1.0, True, "5.00", None])
def test_format_money_refuses_what_is_not_money(value):
    with pytest.raises(MoneyTypeError, match=r"^amount: money must be"):
        format_money(value)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("£\uff11\uff12\uff13", "U+FF11 FULLWIDTH DIGIT ONE"),
        ("\u0661\u0662", "U+0661 ARABIC-INDIC DIGIT ONE"),
        ("12\u00b3", "U+00B3 SUPERSCRIPT THREE"),
    ],
)
def test_digits_other_than_ascii_are_named_so_an_officer_can_find_them(text, named):
    with pytest.raises(FieldError, match="an amount in ASCII digits 0-9") as caught:
        parse_money(text, field="amount_requested")
    assert named in str(caught.value)


def test_zero_comes_back_unsigned_from_every_door():
    assert str(to_money(D("-0"))) == "0.00"
    assert str(to_money(D("-0.000"))) == "0.00"
    assert str(parse_money("-£0.00")) == "0.00"
    assert str(to_money("-0")) == "0.00"
    assert str(to_money(-5)) == "-5.00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\uffe11,234.50", "1234.50"),
        (" \uffe1 6,000 ", "6000.00"),
        ("-\uffe15", "-5.00"),
    ],
)
def test_the_full_width_pound_sign_is_a_pound_sign(text, expected):
    assert str(parse_money(text)) == expected


@pytest.mark.parametrize("text", ["\uffe1\uff11\uff12", "$5", "\u20ac5", "\uffe0 5", "££5"])
def test_other_currency_signs_and_full_width_digits_are_refused(text):
    with pytest.raises(FieldError) as caught:
        parse_money(text, field="amount_requested")
    assert caught.value.field == "amount_requested"


@pytest.mark.parametrize("value", [[], None, b"5.00", object(), complex(1, 0)])
def test_to_money_refuses_other_types_naming_the_field(value):
    with pytest.raises(MoneyTypeError, match="max_grant"):
        to_money(value, field="max_grant")


@pytest.mark.parametrize(
    "value", [MAX_MONEY + D("0.01"), -MAX_MONEY - D("0.01"), 10**12, -(10**12), "1000000000000"]
)
def test_to_money_refuses_a_penny_beyond_the_maximum_either_way(value):
    with pytest.raises(FieldError, match=r"at most £999,999,999,999\.99 either way"):
        to_money(value, field="amount")


@pytest.mark.parametrize("value", [MAX_MONEY, -MAX_MONEY, 10**12 - 1, -(10**12) + 1])
def test_the_maximum_either_way_is_money(value):
    assert abs(to_money(value)) <= MAX_MONEY


# --- apportion: largest remainder, worked by hand ---------------------------------------------
#
# £1.00 over weights 3:3:1 is 42.857p, 42.857p and 14.286p: floors 42 + 42 + 14 = 98p, so the
# two largest remainders (.857, .857) get the two pennies left over.
HAND_WORKED = [
    ("1.00", [3, 3, 1], ["0.43", "0.43", "0.14"]),
    ("1.00", [1, 3, 3], ["0.14", "0.43", "0.43"]),
    # 28.571p and 71.429p: the smaller weight has the larger remainder and gets the penny.
    ("1.00", [2, 5], ["0.29", "0.71"]),
    ("1.00", [5, 2], ["0.71", "0.29"]),
    # 16.667p, 33.333p, 50p: one penny left, to the first (.667 beats .333 and 0).
    ("1.00", [1, 2, 3], ["0.17", "0.33", "0.50"]),
    # Ties go to the earlier weight.
    ("0.02", [1, 1, 1], ["0.01", "0.01", "0.00"]),
    ("0.01", [0, 1, 1], ["0.00", "0.01", "0.00"]),
    ("100.00", [1, 1, 1], ["33.34", "33.33", "33.33"]),
    # Exact shares need no leftovers; a zero weight gets nothing.
    ("10.00", [1, 2, 3, 4], ["1.00", "2.00", "3.00", "4.00"]),
    ("10.00", [0, 1], ["0.00", "10.00"]),
    ("0.00", [1, 2], ["0.00", "0.00"]),
    # Decimal weights, and one weight alone.
    ("1.00", [D("0.5"), D("1.5")], ["0.25", "0.75"]),
    ("5950.00", [7], ["5950.00"]),
    # A negative amount splits the same way with every part negative (or zero).
    ("-1.00", [3, 3, 1], ["-0.43", "-0.43", "-0.14"]),
    ("-1.00", [2, 5], ["-0.29", "-0.71"]),
    ("-0.02", [1, 1, 1], ["-0.01", "-0.01", "0.00"]),
]


@pytest.mark.parametrize(("total", "weights", "expected"), HAND_WORKED)
def test_apportion_by_largest_remainder(total, weights, expected):
    parts = apportion(D(total), weights)
    assert [str(p) for p in parts] == expected
    assert sum(parts, start=D(0)) == D(total)


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        ("1.00", [], "at least one weight"),
        ("1.00", [0, 0], "a positive sum"),
        ("1.00", [-1, 2], "zero or more"),
        ("1.00", [D("NaN")], "finite"),
        ("1.00", [D("-Infinity"), 1], "finite"),
        ("1.001", [1], "whole pence"),
    ],
)
def test_apportion_refuses_weights_and_totals_that_cannot_be_split(total, weights, message):
    with pytest.raises(FieldError, match=message) as caught:
        apportion(D(total), weights)
    assert caught.value.field in {"weights", "total"}


@pytest.mark.parametrize("weight", [0.5, True, "1", None])
def test_apportion_refuses_weights_that_are_not_numbers(weight):
    with pytest.raises(MoneyTypeError, match="weights"):
        apportion(D("1.00"), [1, weight])
