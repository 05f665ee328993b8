"""Reading values out of a parsed TOML document, collecting every problem with its line.

Shared by the fund file and the demo plan: each ``read_*`` function turns one value into
what sgfund keeps or raises `FieldError`; `TomlReader` locates each problem at its key's line
(`sgfund._keylines.KeyLines`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sgfund._keylines import KeyLines, Path
from sgfund.dates import LONDON, parse_datetime
from sgfund.errors import FieldError, MoneyTypeError, Problem
from sgfund.money import to_money

__all__ = [
    "DATETIME",
    "TomlReader",
    "explain",
    "key_text",
    "read_date",
    "read_datetime",
    "read_money",
    "read_strings",
    "read_text",
    "read_url",
    "read_whole",
]

_T = TypeVar("_T")

DATETIME = "a TOML date and time such as 2022-05-09T09:00 (London time) or with an offset"


def key_text(path: Path) -> str:
    """A key path as written in TOML: ``rounds[2].max_grant``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class TomlReader:
    """Turns the parsed document into models, collecting every problem with its line."""

    def __init__(self, file: str, lines: KeyLines) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str, *, value: object = None, expected: str = "") -> None:
        """Record a problem at ``path``'s line."""
        self.problems.append(
            Problem(
                f"{key_text(path)}: {message}" if path else message,
                file=self.file,
                row=self.lines.line(path),
                field=key_text(path) or None,
                value=value,
                expected=expected or None,
            )
        )

    def table(self, path: Path, value: object, allowed: tuple[str, ...]) -> dict[str, Any]:
        """The table at ``path``; each key not in ``allowed`` is a problem."""
        if not isinstance(value, dict):
            self.add(path, f"expected a table, got {value!r}", value=value, expected="a table")
            return {}
        for key in value:
            if key not in allowed:
                self.add(
                    (*path, key),
                    f"{key!r} is not a key sgfund knows here",
                    value=key,
                    expected="one of " + ", ".join(allowed),
                )
        return value

    def tables(self, path: Path, value: object) -> list[dict[str, Any]]:
        """The array of tables at ``path`` (none if absent)."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            self.add(path, "expected tables written [[" + key_text(path) + "]]", value=value)
            return []
        return value

    def get(
        self,
        path: Path,
        table: Mapping[str, Any],
        key: str,
        read: Callable[[Path, object], _T],
        *,
        required: bool = True,
    ) -> _T | None:
        """``table[key]`` read by ``read``; None (with a problem if required) when unusable."""
        if key not in table:
            if required:
                self.add(path, f"{key!r} is missing", expected=f"a value for {key}")
            return None
        try:
            return read((*path, key), table[key])
        except (FieldError, MoneyTypeError) as err:
            self.add((*path, key), explain(err), value=table[key])
            return None

    def build(self, path: Path, make: Callable[[], _T], keys: Mapping[str, str]) -> _T | None:
        """Build a model, locating a refusal at the key of the field it names."""
        try:
            return make()
        except (FieldError, MoneyTypeError) as err:
            name = err.field or ""
            self.add((*path, keys.get(name, name)), explain(err), value=err.value)
            return None


def explain(err: FieldError | MoneyTypeError) -> str:
    """A model's refusal as the message after the key."""
    if isinstance(err, FieldError):
        return f"expected {err.expected}, got {err.value!r}"
    return str(err).split(": ", 1)[-1]


def read_text(path: Path, value: object) -> str:
    """Text in quotes, trimmed."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(key_text(path), value, "text in quotes")
    return value.strip()


def read_money(path: Path, value: object) -> Decimal:
    """Money as text or a whole number; a TOML float is never exact."""
    if isinstance(value, float):
        raise FieldError(
            key_text(path),
            value,
            'money as text in quotes ("6000.00") or a whole number: a TOML float is not exact',
        )
    return to_money(value, field=key_text(path))


def read_whole(path: Path, value: object) -> int:
    """A whole number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(key_text(path), value, "a whole number")
    return value


def read_date(path: Path, value: object) -> date:
    """A TOML date (not a date and time)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise FieldError(key_text(path), value, "a TOML date such as 2021-11-15 (no quotes)")
    return value


def read_datetime(path: Path, value: object) -> datetime:
    """A TOML date and time: London time without an offset, converted to London with one."""
    if not isinstance(value, datetime):
        raise FieldError(key_text(path), value, DATETIME)
    if value.tzinfo is None:
        return parse_datetime(value.isoformat(), field=key_text(path))
    return value.astimezone(LONDON)


def read_strings(path: Path, value: object, *, example: str = '["cic", "cio"]') -> tuple[str, ...]:
    """A list of text (``example`` shows one in the message)."""
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise FieldError(key_text(path), value, f"a list of text, such as {example}")
    return tuple(value)


def read_url(path: Path, value: object) -> str:
    """An http(s) URL."""
    text = read_text(path, value)
    if not re.fullmatch(r"https?://\S+", text):
        raise FieldError(key_text(path), value, "an http(s) URL")
    return text
