"""Spreadsheet column titles of the 360Giving standard, and grants flattened to rows and back.

Titles come from the shipped schema's ``title`` keys, joined with ``:`` (``Recipient Org:Postal
Code``). An array the schema "rolls up" (recipient, funder, planned dates, beneficiary location,
programme) is written without an index when a grant has one item; other arrays are numbered
(``Classifications:0:Code``). Lists of codes are joined with ``;``. Fields without a title (the
transactions) and fields outside the standard keep their JSON name as the title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from attrs import field, frozen

from sgfund.io.files import neutralise_cell, restore_cell
from sgfund.io.threesixtygiving.schema import grant_schema

__all__ = [
    "FieldSpec",
    "ObjectSpec",
    "column_order",
    "flatten_grant",
    "flatten_into",
    "grant_spec",
    "read_cell",
    "spreadsheet_cell",
    "title_paths",
    "unflatten_row",
]

_LIST_SEPARATOR = ";"
# A number as a sheet holds it: no thousands commas, no NaN or infinity, ASCII digits only.
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,4})?")


@frozen(kw_only=True)
class FieldSpec:
    """One property of an object in the schema: its JSON key, title and kind."""

    key: str
    title: str
    position: int
    kind: str  # "object", "objects" (array of objects), "strings", "number" or "string"
    titled: bool = True
    rollup: frozenset[str] | None = None
    spec: ObjectSpec | None = None


@frozen(kw_only=True)
class ObjectSpec:
    """The properties of one object type, looked up by key or by title."""

    fields: Mapping[str, FieldSpec] = field(factory=dict)
    by_title: Mapping[str, FieldSpec] = field(factory=dict)


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: Mapping[str, Any] = root["$defs"][ref.removeprefix("#/$defs/")]
        return {**resolved, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _types(node: Mapping[str, Any]) -> set[str]:
    kind = node.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _object_spec(node: Mapping[str, Any], root: Mapping[str, Any]) -> ObjectSpec:
    fields = {}
    for position, (key, raw) in enumerate(node.get("properties", {}).items()):
        prop = _resolve(raw, root)
        types = _types(prop)
        title = prop.get("title") or key
        sub = None
        if "array" in types:
            items = _resolve(prop.get("items", {}), root)
            if "properties" in items:
                kind, sub = "objects", _object_spec(items, root)
            else:
                kind = "strings"
        elif "object" in types or "properties" in prop:
            kind, sub = "object", _object_spec(prop, root)
        elif "number" in types:
            kind = "number"
        else:
            kind = "string"
        rollup = prop.get("rollUp")
        fields[key] = FieldSpec(
            key=key,
            title=title,
            position=position,
            kind=kind,
            titled="title" in prop,
            rollup=frozenset(rollup) if rollup is not None else None,
            spec=sub,
        )
    return ObjectSpec(fields=fields, by_title={f.title: f for f in fields.values()})


@cache
def grant_spec() -> ObjectSpec:
    """The grant object of the shipped schema, with titles, kinds and roll-ups."""
    root = grant_schema()
    return _object_spec(root, root)


def title_paths() -> dict[str, str]:
    """Every leaf field as ``{"recipientOrganization/postalCode": "Recipient Org:Postal Code"}``.

    Untitled fields (the transactions) are left out, as in the standard's field-title table.
    """
    out: dict[str, str] = {}

    def walk(spec: ObjectSpec, keys: list[str], titles: list[str]) -> None:
        for f in spec.fields.values():
            if not f.titled:
                continue
            if f.spec is not None:
                walk(f.spec, [*keys, f.key], [*titles, f.title])
            else:
                out["/".join([*keys, f.key])] = ":".join([*titles, f.title])

    walk(grant_spec(), [], [])
    return out


_EMPTY = ObjectSpec()
SortKey = tuple[tuple[int, int, str], ...]


def _cell(value: Any) -> str | Decimal | int:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return value
    return str(value)


def flatten_grant(grant: Mapping[str, Any]) -> dict[str, tuple[SortKey, str | Decimal | int]]:
    """Flatten one grant to ``{title: (sort key, value)}``; numbers stay numbers."""
    values: dict[str, str | Decimal | int] = {}
    keys: dict[str, SortKey] = {}
    flatten_into(grant, values, keys)
    return {title: (keys[title], value) for title, value in values.items()}


def flatten_into(
    grant: Mapping[str, Any],
    values: dict[str, str | Decimal | int],
    keys: dict[str, SortKey],
) -> None:
    """Flatten one grant into ``values`` (``{title: value}``), adding to ``keys`` the sort key
    of each title not there yet (so a whole file's columns are gathered in one pass).
    """  # noqa: D205 - the summary needs both lines
    _walk(grant, grant_spec(), "", (), values, keys)


def _walk(
    obj: Mapping[str, Any],
    spec: ObjectSpec,
    prefix: str,
    key: SortKey,
    values: dict[str, str | Decimal | int],
    keys: dict[str, SortKey],
) -> None:
    # Titles are built as one prefix string per object, and a sort key is made only for a
    # title met for the first time: this runs for every value of every grant in a file.
    fields = spec.fields
    for name, value in obj.items():
        if value is None:
            continue
        f = fields.get(name)
        title, part = (f.title, (f.position, 0, "")) if f else (name, (10_000, 0, name))
        if isinstance(value, dict):
            sub = f.spec if f and f.spec else _EMPTY
            _walk(value, sub, f"{prefix}{title}:", (*key, part), values, keys)
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rolled = f is not None and f.rollup is not None and len(value) == 1
            sub = f.spec if f and f.spec else _EMPTY
            for i, item in enumerate(value):
                inner = f"{prefix}{title}:" if rolled else f"{prefix}{title}:{i}:"
                _walk(item, sub, inner, (*key, (part[0], i, part[2])), values, keys)
            continue
        column = prefix + title
        kind = type(value)
        if kind is str or kind is Decimal or kind is int:
            values[column] = value
        elif kind is list:
            values[column] = _LIST_SEPARATOR.join(str(_cell(v)) for v in value)
        else:
            values[column] = _cell(value)
        if column not in keys:
            keys[column] = (*key, part)


def column_order(keys: Mapping[str, SortKey]) -> list[str]:
    """Column titles in the schema's order (then by index, then unknown fields by name)."""
    return sorted(keys, key=lambda title: keys[title])


def spreadsheet_cell(value: str | Decimal | int) -> str:
    """Text for a CSV cell: numbers plainly (``5950.00``), text neutralised against formulas."""
    if isinstance(value, Decimal | int):
        return str(value)
    return neutralise_cell(value)


def read_cell(text: str) -> str:
    """Undo `spreadsheet_cell`: drop the quote put before a formula-like start."""
    return restore_cell(text)


class CellError(ValueError):
    """A cell that cannot be read as its field's type."""


def _leaf(f: FieldSpec | None, text: str) -> Any:
    if f is not None and f.kind == "number":
        cleaned = text.strip()
        if not _NUMBER.fullmatch(cleaned):
            raise CellError(f"expected a number such as 1234.5 (ASCII digits), got {text!r}")
        # Read exactly; whole numbers stay whole, as a JSON integer would.
        return int(cleaned) if cleaned.lstrip("-").isdigit() else Decimal(cleaned)
    if f is not None and f.kind == "strings":
        return [part.strip() for part in text.split(_LIST_SEPARATOR) if part.strip()]
    return text  # the sheet reader has already undone `spreadsheet_cell`


def _set(target: dict[str, Any], spec: ObjectSpec, segments: list[str], text: str) -> None:
    head, rest = segments[0], segments[1:]
    f = spec.by_title.get(head) or spec.fields.get(head)
    key = f.key if f else head
    if not rest:
        target[key] = _leaf(f, text)
        return
    sub_spec = f.spec if f and f.spec else _EMPTY
    if f is not None and f.kind == "object":
        _set(target.setdefault(key, {}), sub_spec, rest, text)
        return
    # An array of objects: a number picks the item; no number means the first item.
    index = 0
    if rest[0].isdigit():
        index, rest = int(rest[0]), rest[1:]
    if not rest:
        raise CellError(f"column {':'.join(segments)!r} names a list item but no field in it")
    items: dict[int, dict[str, Any]] = target.setdefault(key, {})
    _set(items.setdefault(index, {}), sub_spec, rest, text)


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        if value and all(isinstance(k, int) for k in value):
            return [_compact(value[i]) for i in sorted(value)]
        return {k: _compact(v) for k, v in value.items()}
    return value


def unflatten_row(
    row: Mapping[str, str], titles: Iterable[str] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Build one grant from a row of ``{title: text}``; empty cells are left out.

    Returns the grant and ``{title: message}`` for cells that could not be read.
    """
    grant: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for title in titles if titles is not None else row:
        text = row.get(title)
        if text is None or text.strip() == "":
            continue
        try:
            _set(grant, grant_spec(), title.split(":"), text)
        except CellError as err:
            errors[title] = str(err)
        except (AttributeError, TypeError):
            errors[title] = "column clashes with another column for the same field"
    return _compact(grant), errors
