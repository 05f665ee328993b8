"""Mapping files: how an officer's own spreadsheet layout maps onto sgfund's columns.

A mapping file is TOML or JSON. It can name the header of any canonical column
(``columns``), give a value for every row where the sheet has no column (``constants``),
translate the sheet's own labels for closed lists (``values``), keep free-text columns as
notes (``notes``) and leave columns out on purpose (``ignore``). docs/data-formats.md
describes the format with a worked example; this module reads and checks it.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from attrs import field, frozen

from sgfund._keylines import JsonKeyLines, KeyLines
from sgfund._keylines import Path as KeyPath
from sgfund._text import bad_character
from sgfund._validate import within_depth
from sgfund.errors import DataError, FieldError, Problem
from sgfund.io import cells
from sgfund.io.columns import APPLICATION_COLUMNS, DECISION_COLUMNS, normalise_header
from sgfund.io.files import read_limited

__all__ = [
    "CONSTANT_FIELDS",
    "MAX_MAPPING_BYTES",
    "MAX_MAPPING_DEPTH",
    "VALUE_FIELDS",
    "SheetMapping",
    "load_mapping",
]

MappingSource = str | os.PathLike[str] | Mapping[str, Any]

KNOWN_NAMES = tuple(c.name for c in (*APPLICATION_COLUMNS, *DECISION_COLUMNS))
# Every canonical column may be a constant but the application id: one id for every row
# would make every row but the first a repeat.
CONSTANT_FIELDS = tuple(n for n in KNOWN_NAMES if n != "application_id")
# Columns whose values come from closed lists (and districts, whose names vary by hand).
VALUE_FIELDS = ("organisation_type", "outcome", "route", "themes", "district")
_KEYS = ("columns", "constants", "values", "notes", "ignore")
MAX_MAPPING_BYTES = 1024 * 1024
MAX_MAPPING_DEPTH = 4  # top level, a table, a value table, a label


@frozen(kw_only=True)
class SheetMapping:
    """A checked mapping file.

    ``columns`` maps a canonical name to the sheet's header; ``constants`` a canonical name
    to the text every row takes (read exactly as a cell would be); ``values`` a canonical
    name to ``{label: value}`` with labels already reduced by `normalise_header` (so case,
    spaces and punctuation do not matter); ``notes`` and ``ignore`` are headers. ``file`` is
    where it came from, and ``lines`` where in it each key is, for messages.
    """

    columns: Mapping[str, str] = field(factory=dict)
    constants: Mapping[str, str] = field(factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(factory=dict)
    notes: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    file: str | None = None
    lines: KeyLines | JsonKeyLines | None = field(default=None, eq=False, repr=False)

    def line(self, *path: str | int) -> int | None:
        """The line of the mapping file that gives ``path`` (``"constants", "round_id"``)."""
        return None if self.lines is None else self.lines.line(path)

    def locate(self, problems: Iterable[Problem]) -> list[Problem]:
        """``problems`` with those about this mapping's constants given the constant's line.

        For problems found while using the mapping (a constant that is not a known round),
        which are reported against the mapping file, by field, without a line.
        """
        located = []
        for p in problems:
            line = None
            if p.file == self.file and p.row is None and p.field in self.constants:
                line = self.line("constants", str(p.field))
            if line is None:
                located.append(p)
                continue
            located.append(
                Problem(
                    p.message,
                    file=p.file,
                    row=line,
                    column=p.column,
                    field=p.field,
                    value=p.value,
                    expected=p.expected,
                )
            )
        return located

    def translate(self, name: str, text: str) -> str:
        """The sheet's ``text`` in column ``name`` as sgfund reads it (unchanged if unmapped)."""
        table = self.values.get(name)
        if not table:
            return text
        return table.get(normalise_header(text), text)


# tomllib says where in its message only: "Invalid value (at line 2, column 5)".
_TOML_AT = re.compile(r"\(at line (?P<line>[0-9]+), column [0-9]+\)")


def _parse(data: bytes, suffix: str, name: str) -> tuple[object, str]:
    """The parsed document and its text; a file that does not parse names the line."""

    def unreadable(why: str, line: int | None = None) -> DataError:
        problem = Problem(
            f"the mapping file cannot be read: {why}",
            file=name,
            row=line,
            expected="a JSON object or TOML document with a 'columns' table",
        )
        return DataError([problem], f"{name}: not a mapping file", file=name)

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise unreadable(f"it is not UTF-8 (byte 0x{data[err.start]:02X})", line) from err
    try:
        if suffix == ".toml":
            return tomllib.loads(text), text
        return json.loads(text), text
    except json.JSONDecodeError as err:
        raise unreadable(str(err), err.lineno) from err
    except tomllib.TOMLDecodeError as err:
        at = _TOML_AT.search(str(err))
        raise unreadable(str(err), int(at["line"]) if at else None) from err
    except RecursionError as err:
        raise unreadable(f"it nests tables or lists more than {MAX_MAPPING_DEPTH} deep") from err


def load_mapping(source: MappingSource) -> SheetMapping:
    """Read and check a mapping: a JSON or TOML file, or the same structure as a dict.

    Raises `DataError` naming the file and listing every problem: a path that is not a
    readable file, a file over 1 MiB or nested too deep, a key that is not one of
    ``columns``, ``constants``, ``values``, ``notes`` and ``ignore``, a name that is not a
    canonical column, two fields given the same header, a constant or label value sgfund
    cannot read, and so on.
    """
    if isinstance(source, Mapping):
        return _check(source, file=None)
    name = str(source)
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in (".json", ".toml"):
        problem = Problem(
            "a mapping file must end in .json or .toml",
            file=name,
            value=suffix or "(no extension)",
            expected=".json or .toml",
        )
        raise DataError([problem], f"{name}: not a mapping file", file=name)
    data, text = _parse(
        read_limited(source, limit=MAX_MAPPING_BYTES, what="mapping file"), suffix, name
    )
    lines = JsonKeyLines(text) if suffix == ".json" else KeyLines(text)
    return _check(data, file=name, lines=lines)


def _check(
    data: object, *, file: str | None, lines: KeyLines | JsonKeyLines | None = None
) -> SheetMapping:
    if not within_depth(data, MAX_MAPPING_DEPTH):
        problem = Problem(
            f"the mapping nests tables or lists more than {MAX_MAPPING_DEPTH} deep",
            file=file,
            row=None if lines is None else _too_deep(lines),
            expected="the tables columns, constants, values, and the lists notes and ignore",
        )
        raise DataError([problem], "the column mapping is not valid", file=file)
    if not isinstance(data, Mapping):
        problem = Problem(
            "a mapping holds the tables 'columns', 'constants' and 'values' and the lists "
            "'notes' and 'ignore'",
            file=file,
            row=None if lines is None else 1,
            value=type(data).__name__,
            expected="a JSON object or a TOML document",
        )
        raise DataError([problem], "the column mapping is not valid", file=file)
    checker = _Checker(file, lines)
    for key in data:
        if key not in _KEYS:
            checker.add(
                (key,),
                f"{key!r} is not part of a mapping",
                value=key,
                expected="columns, constants, values, notes or ignore",
            )
    mapping = SheetMapping(
        columns=checker.columns(data.get("columns", {})),
        constants=checker.constants(data.get("constants", {})),
        values=checker.values(data.get("values", {})),
        notes=checker.headers("notes", data.get("notes", [])),
        ignore=checker.headers("ignore", data.get("ignore", [])),
        file=file,
        lines=lines,
    )
    checker.overlaps(mapping, data)
    if checker.problems:
        # In the file's order, so an officer can work down it.
        problems = sorted(checker.problems, key=lambda p: p.row or 0)
        raise DataError(problems, "the column mapping is not valid", file=file)
    return mapping


def _too_deep(lines: KeyLines | JsonKeyLines) -> int | None:
    # A key inside a table nested too deep; else (an empty one) the too-deep table itself.
    return lines.first_deeper(MAX_MAPPING_DEPTH) or lines.first_deeper(MAX_MAPPING_DEPTH - 1)


class _Checker:
    """Collects every problem in a mapping, each at the line of the key it is about."""

    def __init__(self, file: str | None, lines: KeyLines | JsonKeyLines | None) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def add(
        self,
        path: KeyPath,
        message: str,
        *,
        field: str | None = None,
        value: object,
        expected: str,
    ) -> None:
        line = None if self.lines is None else self.lines.line(path)
        self.problems.append(
            Problem(message, file=self.file, row=line, field=field, value=value, expected=expected)
        )

    def _table(self, path: KeyPath, table: object) -> Mapping[str, Any]:
        if isinstance(table, Mapping):
            return table
        key = ".".join(str(p) for p in path)
        self.add(path, f"{key!r} must be a table", value=table, expected=f"a table of {key}")
        return {}

    def _known(self, key: str, name: str, allowed: tuple[str, ...]) -> bool:
        if name in allowed:
            return True
        what = "a canonical column name" if name not in KNOWN_NAMES else f"allowed in {key}"
        self.add(
            (key, name),
            f"{name!r} in {key} is not {what}",
            field=name,
            value=name,
            expected="one of " + ", ".join(allowed),
        )
        return False

    def _header(self, path: KeyPath, key: str, name: str, header: object) -> str | None:
        if isinstance(header, str) and normalise_header(header) and not bad_character(header):
            return header
        self.add(
            path,
            f"the header given for {name} in {key} is not a header",
            field=name,
            value=header,
            expected="the column's header as text",
        )
        return None

    def columns(self, table: object) -> dict[str, str]:
        checked: dict[str, str] = {}
        by_header: dict[str, str] = {}
        for name, header in self._table(("columns",), table).items():
            if not self._known("columns", name, KNOWN_NAMES):
                continue
            text = self._header(("columns", name), "columns", name, header)
            if text is None:
                continue
            other = by_header.setdefault(normalise_header(text), name)
            if other != name:
                self.add(
                    ("columns", name),
                    f"{other} and {name} are both mapped to the header {text!r}; "
                    "a column holds one field",
                    field=name,
                    value=text,
                    expected="a different header for each field",
                )
                continue
            checked[name] = text
        return checked

    def constants(self, table: object) -> dict[str, str]:
        checked: dict[str, str] = {}
        for name, value in self._table(("constants",), table).items():
            if not self._known("constants", name, CONSTANT_FIELDS):
                continue
            text = _constant_text(value)
            if text is None or not text.strip() or bad_character(text):
                self.add(
                    ("constants", name),
                    f"the constant for {name} is not a value a cell could hold",
                    field=name,
                    value=value,
                    expected='text (or a TOML date) such as "mayor-gr2" or "06/10/2022"',
                )
                continue
            checked[name] = text.strip()
        return checked

    def values(self, table: object) -> dict[str, dict[str, str]]:
        checked: dict[str, dict[str, str]] = {}
        for name, labels in self._table(("values",), table).items():
            if not self._known("values", name, VALUE_FIELDS):
                continue
            checked[name] = self._labels(name, self._table(("values", name), labels))
        return checked

    def _labels(self, name: str, labels: Mapping[str, Any]) -> dict[str, str]:
        found: dict[str, str] = {}
        originals: dict[str, str] = {}
        for label, value in labels.items():
            path = ("values", name, label)
            key = normalise_header(label)
            if not key or not isinstance(value, str) or not value.strip() or bad_character(value):
                self.add(
                    path,
                    f"values.{name}: {label!r} = {value!r} is not a label and a value",
                    field=name,
                    value={label: value},
                    expected="the sheet's label as the key and sgfund's value as text",
                )
                continue
            if key in found and found[key] != value.strip():
                self.add(
                    path,
                    f"values.{name}: {originals[key]!r} and {label!r} are the same label "
                    "(case, spaces and punctuation aside) with different values",
                    field=name,
                    value=label,
                    expected="each label once",
                )
                continue
            problem = _value_problem(name, value.strip())
            if problem is not None:
                self.add(
                    path,
                    f"values.{name}: {label!r} maps to {value!r}, which is not {problem}",
                    field=name,
                    value=value,
                    expected=problem,
                )
                continue
            found[key] = value.strip()
            originals[key] = label
        return found

    def headers(self, key: str, headers: object) -> tuple[str, ...]:
        if not isinstance(headers, list):
            self.add((key,), f"{key!r} must be a list of headers", value=headers, expected="a list")
            return ()
        checked = []
        for index, header in enumerate(headers):
            text = self._header((key, index), key, key, header)
            if text is not None:
                checked.append(text)
        return tuple(checked)

    def overlaps(self, mapping: SheetMapping, data: Mapping[str, Any]) -> None:
        for name in sorted(set(mapping.columns) & set(mapping.constants)):
            self.add(
                ("constants", name),
                f"{name} has both a column ({mapping.columns[name]!r}) and a constant",
                field=name,
                value=mapping.constants[name],
                expected="a column or a constant, not both",
            )
        claimed = {normalise_header(h): f"columns.{n}" for n, h in mapping.columns.items()}
        for key in ("notes", "ignore"):
            given = data.get(key)
            listed = given if isinstance(given, list) else []
            for header in getattr(mapping, key):
                other = claimed.setdefault(normalise_header(header), key)
                if other != key:
                    self.add(
                        (key, listed.index(header)),
                        f"the header {header!r} is in {key} and in {other}",
                        field=key,
                        value=header,
                        expected="each header in one place",
                    )


def _constant_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None  # floats (money must be exact), booleans, tables, lists


def _value_problem(name: str, value: str) -> str | None:
    """What a mapped value must be, if ``value`` is not one (None when it is fine)."""
    readers = {
        "organisation_type": cells.read_org_type,
        "outcome": cells.read_outcome,
        "route": cells.read_route,
    }
    reader = readers.get(name)
    if reader is None:
        return None  # themes are checked against each row's round, districts are names
    try:
        reader(value, field=name)
    except FieldError as err:
        return err.expected
    return None
