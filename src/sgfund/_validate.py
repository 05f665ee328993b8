"""Field validators and converters shared by the domain classes (private)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from sgfund.dates import require_aware
from sgfund.errors import FieldError
from sgfund.money import to_money

# Anchored with \A...\Z, not ^...$: "$" also matches before a trailing line break, which
# would let "GR2-001\n" through. Use them with fullmatch or match alike.
SLUG = re.compile(r"\A[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")
# Identifiers end up in 360Giving grant ids: no spaces, slashes or line breaks.
IDENTIFIER = re.compile(r"\A[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
VERSION = re.compile(r"\A[0-9A-Za-z][0-9A-Za-z.+-]*\Z")


MoneyIn = Decimal | int | str


def money(value: MoneyIn) -> Decimal:
    """Convert money (replaced per field by `name_money_fields` so errors name the field)."""
    return to_money(value)


def optional_money(value: MoneyIn | None) -> Decimal | None:
    """Convert optional money (replaced per field, as `money`)."""
    return None if value is None else to_money(value)


def _named_money(value: object, field: attrs.Attribute[Any]) -> Decimal:
    return to_money(value, field=field.name)


def _named_optional_money(value: object, field: attrs.Attribute[Any]) -> Decimal | None:
    return None if value is None else to_money(value, field=field.name)


def name_money_fields(_cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """Give money converters the field's name, so a float is refused naming its field.

    Classes declare ``converter=v.money`` (which type checkers understand); this
    ``field_transformer`` swaps in a converter that knows which field it converts.
    """
    swapped = []
    for attribute in fields:
        converter: object = attribute.converter
        if converter is money:
            attribute = attribute.evolve(converter=attrs.Converter(_named_money, takes_field=True))
        elif converter is optional_money:
            attribute = attribute.evolve(
                converter=attrs.Converter(_named_optional_money, takes_field=True)
            )
        swapped.append(attribute)
    return swapped


def non_negative(_inst: object, attribute: attrs.Attribute[Any], value: Decimal | None) -> None:
    """Money can be zero but never negative."""
    if value is not None and value < 0:
        raise FieldError(attribute.name, value, "an amount of £0.00 or more")


def positive(_inst: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    """Amounts requested and awarded are more than nothing."""
    if value <= 0:
        raise FieldError(attribute.name, value, "an amount of more than £0.00")


def slug(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Lower-case words joined by hyphens or underscores, e.g. ``mayor-gr2``."""
    if not isinstance(value, str) or not SLUG.match(value):
        raise FieldError(attribute.name, value, "a slug of lower-case letters, digits and hyphens")


def identifier(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Letters, digits, dots, hyphens and underscores; no spaces, slashes or line breaks."""
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        raise FieldError(
            attribute.name,
            value,
            "an identifier of letters, digits, '.', '_' and '-' (no spaces or slashes)",
        )


def version(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """A version label such as ``1``, ``2.1`` or ``2024-05``."""
    if not isinstance(value, str) or not VERSION.match(value):
        raise FieldError(attribute.name, value, "a version such as '1' or '2.1'")


def text(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Non-blank text."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(attribute.name, value, "some text")


def aware(_inst: object, attribute: attrs.Attribute[Any], value: datetime) -> None:
    """Timezone-aware datetimes only."""
    if not isinstance(value, datetime):
        raise FieldError(attribute.name, value, "a timezone-aware datetime")
    require_aware(value, field=attribute.name)


def is_date(_inst: object, attribute: attrs.Attribute[Any], value: date | None) -> None:
    """A calendar date, not a datetime."""
    if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
        raise FieldError(attribute.name, value, "a date (datetime.date)")


T = TypeVar("T")


def trusted(cls: type[T], **values: object) -> T:
    """Build a frozen model from values the core has validated already, skipping its checks.

    For records made once per application in the core's loops (findings, theme matches),
    from parts that were validated when the rule or classifier was made.
    """
    obj = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(obj, name, value)
    return obj


def as_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """Any iterable as a tuple (for fields whose items are checked elsewhere)."""
    return tuple(values)


def strings(values: Iterable[str], field: str = "values") -> frozenset[str]:
    """Accept any iterable of strings (but not a lone string) as a frozenset."""
    if isinstance(values, str):
        raise FieldError(field, values, "a collection of strings, not one string")
    return frozenset(values)


def theme_slugs(values: Iterable[str]) -> frozenset[str]:
    """Theme slugs as a frozenset; one string on its own is refused (it is not a set)."""
    return strings(values, "themes")


def stripped(value: str) -> str:
    """Trim surrounding white space from text."""
    return value.strip() if isinstance(value, str) else value


def optional_stripped(value: str | None) -> str | None:
    """Trim text, and treat blank as missing."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def within_depth(value: object, limit: int) -> bool:
    """True when lists and dicts in ``value`` nest no deeper than ``limit`` (no recursion)."""
    # Only containers go on the stack: a parsed file is mostly scalars.
    stack: list[tuple[dict[object, object] | list[object], int]] = []
    if isinstance(value, dict | list):
        stack.append((value, 1))
    while stack:
        item, level = stack.pop()
        if level > limit:
            return False
        below = level + 1
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, below))
    return True
