"""Money: ``Decimal`` with two places, in pounds sterling, and nothing else.

Floats and bools are refused wherever money enters, because neither can hold a penny exactly.
Every door for money goes through `to_money` (values) or `parse_money` (text), so the same
things are refused everywhere: floats, bools, NaN, infinities, exponents, fractions of a
penny, digits other than ASCII 0-9, and amounts beyond `MAX_MONEY`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sgfund._text import non_ascii_digit
from sgfund.errors import FieldError, MoneyTypeError

__all__ = [
    "CENT",
    "CURRENCY",
    "MAX_MONEY",
    "ZERO",
    "apportion",
    "format_money",
    "parse_money",
    "round_money",
    "sum_money",
    "to_money",
]

CURRENCY = "GBP"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount sgfund takes, in either direction: a penny under a trillion pounds. It is
# far above any grant or fund, and keeps every sum exact within Decimal's 28 digits.
MAX_MONEY = Decimal("999999999999.99")

# Optional sign, optional pound sign, then either plain digits or digits grouped by
# thousands commas, then at most two decimal places. Anything else is ambiguous. The pound
# sign may be the full-width one (U+FFE1) that East Asian keyboards and some PDFs give: it
# means nothing else, unlike full-width digits, which are refused with the other non-ASCII ones.
_MONEY_TEXT = re.compile(
    r"""^(?P<sign>-)?\s*(?:[£\uffe1]|GBP\s*)?\s*
        (?P<whole>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)
        (?:\.(?P<pence>[0-9]{1,2}))?""",
    re.VERBOSE | re.IGNORECASE,
)


def parse_money(text: str, *, field: str = "amount") -> Decimal:
    """Turn an officer's text such as ``"£1,234.50"`` or ``" £6,000 "`` into exact money.

    Refuses forms that could mean two things (``"1.234,50"``, ``"£1,23"``) or that carry
    fractions of a penny (``"12.345"``), exponents (``"1e3"``), digits other than ASCII 0-9
    (full-width or Arabic-Indic digits) or more than `MAX_MONEY`, with a `FieldError` naming
    ``field``; anything but text raises `MoneyTypeError` (a ``TypeError``).
    """
    if not isinstance(text, str):
        raise MoneyTypeError(text, field)
    odd = non_ascii_digit(text)
    if odd is not None:
        raise FieldError(field, text, f"an amount in ASCII digits 0-9 ({odd} is not one)")
    match = _MONEY_TEXT.fullmatch(text.strip())
    if match is None:
        raise FieldError(
            field,
            text,
            "an amount in pounds such as 1234.50, £1,234.50 or 1,234 "
            "(commas only between thousands, at most two decimal places)",
        )
    whole = match["whole"].replace(",", "").lstrip("0") or "0"
    if len(whole) > len(str(int(MAX_MONEY))):
        raise FieldError(field, text, _AT_MOST)
    pence = (match["pence"] or "").ljust(2, "0")
    amount = Decimal(f"{whole}.{pence}")
    if amount > MAX_MONEY:
        raise FieldError(field, text, _AT_MOST)
    return -amount if match["sign"] else amount


_AT_MOST = f"an amount of at most £{MAX_MONEY:,} either way"


def to_money(value: object, *, field: str = "amount") -> Decimal:
    """Accept a ``Decimal``, an ``int`` or money text and return two-place ``Decimal``.

    Raises `MoneyTypeError` (a ``TypeError``) for floats, bools and other types, and
    `FieldError` for fractions of a penny, NaN, infinity or more than `MAX_MONEY` either way.
    Text goes through `parse_money`.
    """
    if isinstance(value, float | bool):
        raise MoneyTypeError(value, field)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise FieldError(field, value, "a finite amount")
        if abs(value) > MAX_MONEY:
            raise FieldError(field, value, _AT_MOST)
        try:
            exact = value.quantize(CENT)
        except InvalidOperation as err:  # pragma: no cover - within MAX_MONEY it cannot fail
            raise FieldError(field, value, _AT_MOST) from err
        if exact != value:
            raise FieldError(field, value, "whole pence (at most two decimal places)")
        return _unsigned_zero(exact)
    if isinstance(value, int):
        if abs(value) > MAX_MONEY:
            raise FieldError(field, value, _AT_MOST)
        return Decimal(value).quantize(CENT)
    if isinstance(value, str):
        return parse_money(value, field=field)
    raise MoneyTypeError(value, field)


def _in_range(value: Decimal | int, field: str) -> None:
    # Decimals that are not money (NaN, infinities, beyond MAX_MONEY) would make quantize or a
    # comparison raise decimal's own exceptions; say what was wrong instead.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise MoneyTypeError(value, field)
    if isinstance(value, Decimal) and not value.is_finite():
        raise FieldError(field, value, "a finite amount")
    if Decimal(value).copy_abs() > MAX_MONEY:
        raise FieldError(field, value, _AT_MOST)


def _unsigned_zero(amount: Decimal) -> Decimal:
    # Decimal keeps the sign of zero: "-0.00" must not reach a report or an export.
    return ZERO if amount.is_zero() else amount


def round_money(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round to the penny on purpose, with an explicit rounding mode (never to -£0.00)."""
    _in_range(value, "amount")
    return _unsigned_zero(Decimal(value).quantize(CENT, rounding=rounding))


def sum_money(amounts: Iterable[Decimal]) -> Decimal:
    """Add money exactly, starting from £0.00 so an empty sum is still money."""
    return sum(amounts, start=ZERO)


def format_money(amount: Decimal | int, *, pence: bool = True) -> str:
    """Format as ``"£534,286.00"``, or ``"£534,286"`` with ``pence=False`` (rounded half up)."""
    _in_range(amount, "amount")  # floats and bools too: MoneyTypeError naming the field
    places = CENT if pence else Decimal(1)
    value = Decimal(amount).quantize(places, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    text = f"{abs(value):,.2f}" if pence else f"{abs(value):,.0f}"
    return f"{sign}£{text}"


def apportion(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` across ``weights`` by largest remainder, in whole pence.

    The parts always add up to ``total`` exactly. Ties in the remainder go to the earlier
    weight, so the split is deterministic. Weights must be non-negative with a positive sum.
    """
    total = to_money(total, field="total")
    if not weights:
        raise FieldError("weights", weights, "at least one weight")
    exact_weights = []
    for weight in weights:
        if isinstance(weight, bool) or not isinstance(weight, Decimal | int):
            raise MoneyTypeError(weight, "weights")
        if isinstance(weight, Decimal) and not weight.is_finite():
            raise FieldError("weights", weight, "finite weights")
        if weight < 0:
            raise FieldError("weights", weight, "weights of zero or more")
        exact_weights.append(Decimal(weight))
    weight_sum = sum(exact_weights, start=Decimal(0))
    if weight_sum == 0:
        raise FieldError("weights", weights, "weights with a positive sum")

    pennies = int(total / CENT)
    sign = -1 if pennies < 0 else 1
    pennies = abs(pennies)
    shares = [pennies * w / weight_sum for w in exact_weights]
    floors = [int(share) for share in shares]
    left = pennies - sum(floors)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [(sign * f * CENT).quantize(CENT) for f in floors]
