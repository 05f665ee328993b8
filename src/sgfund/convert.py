"""Serialisation: one private cattrs converter, built by `make_converter`.

Models carry no serialisation code. Every rule the converter adds is stated here:

- ``Decimal`` money <-> text such as ``"326032.84"`` (floats are refused on the way in);
- ``date`` <-> ISO ``"2022-06-10"``; aware ``datetime`` <-> ISO with its offset; a field that
  takes either (a receipt known only to the day) reads ``"2022-06-10"`` as a date and
  ``"2022-06-10T11:59:00+01:00"`` as a datetime;
- money is text; a JSON number (int or float) where money belongs is refused;
- ``frozenset`` -> sorted list (so output is stable), list -> ``frozenset``;
- enums <-> their values; unknown keys are errors.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError

from sgfund.dates import LONDON, require_aware
from sgfund.errors import FieldError, MoneyTypeError, Problem, ValidationError
from sgfund.money import to_money

__all__ = ["dumps", "loads", "make_converter", "structure", "unstructure"]

T = TypeVar("T")


_MONEY_TEXT = 'money as text such as "5950.00" (a JSON number is refused)'


def _structure_decimal(value: Any, _type: type) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        raise FieldError("", value, _MONEY_TEXT)
    return to_money(value, field="amount")


def _structure_date(value: Any, _type: type) -> date:
    if not isinstance(value, str):
        raise FieldError("", value, "an ISO date string such as 2022-06-10")
    return date.fromisoformat(value)


def _structure_datetime(value: Any, _type: type) -> datetime:
    if not isinstance(value, str):
        raise FieldError("", value, "an ISO datetime with offset")
    # Read back in London time, the zone every sgfund datetime is meant in.
    return require_aware(datetime.fromisoformat(value), field="").astimezone(LONDON)


def _structure_day_or_time(value: Any, _type: type) -> datetime | date:
    if isinstance(value, str) and len(value.strip()) == len("2022-06-10"):
        return _structure_date(value, date)
    return _structure_datetime(value, datetime)


def _structure_str(value: Any, _type: type) -> str:
    if not isinstance(value, str):
        raise FieldError("", value, "text")
    return value


def _structure_int(value: Any, _type: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError("", value, "a whole number")
    return value


def _structure_bool(value: Any, _type: type) -> bool:
    if not isinstance(value, bool):
        raise FieldError("", value, "true or false")
    return value


def _describe(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, MoneyTypeError):
        return f"{_FLOAT}{_SEP}{type(exc.value).__name__} {exc.value!r}"
    if isinstance(exc, FieldError):
        # A model's own validator failed: name the field inside the object.
        return f"{exc.field}{_SEP}expected {exc.expected}, got {exc.value!r}"
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ValueError | TypeError) and str(exc):
        return f"invalid value ({exc})"
    return cattrs.v.format_exception(exc, type_)


_SEP = "\x1f"
_FLOAT = "\x1efloat"


def _structure_optional_decimal(value: Any, _type: type) -> Decimal | None:
    return None if value is None else _structure_decimal(value, Decimal)


def make_converter() -> cattrs.Converter:
    """Build the converter sgfund uses for every model (private: use the functions below)."""
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_structure_hook(Decimal | None, _structure_optional_decimal)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(date, _structure_date)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(datetime | date, _structure_day_or_time)
    # Strict scalars: cattrs would otherwise call str()/int() on anything.
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_unstructure_hook_func(
        lambda t: getattr(t, "__origin__", None) is frozenset or t is frozenset,
        lambda values: sorted(converter.unstructure(x) for x in values),
    )
    return converter


@cache
def _converter() -> cattrs.Converter:
    return make_converter()


def unstructure(obj: object) -> Any:
    """Turn a model into plain JSON-ready data."""
    return _converter().unstructure(obj)


def structure(data: Any, cls: type[T]) -> T:
    """Build a model from plain data; problems raise `ValidationError` with readable paths."""
    try:
        return _converter().structure(data, cls)
    except (ClassValidationError, IterableValidationError) as err:
        messages = cattrs.transform_error(err, path=cls.__name__, format_exception=_describe)
        problems = []
        for message in messages:
            text, _, path = message.rpartition(" @ ")
            inner, sep, text = text.rpartition(_SEP)
            if inner == _FLOAT:
                # Float money is a type error wherever it enters, the converter included.
                raise MoneyTypeError(text, path) from err
            if sep and inner:
                path = f"{path}.{inner}"
            problems.append(Problem(text, field=path))
        problems += _unreached_validators(data, cls, {p.field for p in problems})
        raise ValidationError(problems, f"cannot read {cls.__name__}") from err


def _unreached_validators(data: Any, cls: type, reported: set[str | None]) -> list[Problem]:
    """Field validators that never ran because another field of ``data`` could not be read.

    cattrs builds the object only once every field has been read, and the object's validators
    run only then: without this, a missing name would hide an invalid id in the same record.
    """
    if not attrs.has(cls) or not isinstance(data, dict):
        return []
    problems = []
    for field in attrs.fields(cls):
        path = f"{cls.__name__}.{field.name}"
        if field.validator is None or field.name not in data or path in reported:
            continue
        try:
            value = _converter().structure(data[field.name], field.type)
            convert = field.converter
            if isinstance(convert, attrs.Converter):
                continue  # a converter that needs the record: it runs once the record is read
            if convert is not None:
                value = convert(value)
            field.validator(None, field, value)
        except FieldError as exc:
            problems.append(Problem(f"expected {exc.expected}, got {exc.value!r}", field=path))
        except (ValueError, TypeError) as exc:
            problems.append(Problem(f"invalid value ({exc})", field=path))
        except AttributeError:  # a validator that needs the whole record: it runs once read
            continue
    return problems


def dumps(obj: object, *, indent: int | None = None) -> str:
    """Serialise a model to JSON text with sorted keys."""
    return json.dumps(unstructure(obj), indent=indent, sort_keys=True, ensure_ascii=False)


def loads(text: str | bytes, cls: type[T]) -> T:
    """Read a model from JSON text.

    Money must be JSON text (``"5950.00"``): a JSON number is refused, a float with
    `MoneyTypeError` and an integer with `ValidationError`, both naming the path.
    """
    return structure(json.loads(text), cls)
