"""Read a fund file: the fund, its eras and publishers, rounds, scopes and declared figures.

A fund file is TOML (docs/fund-file.md describes every key, with the Safer Communities Fund
as the example). `load_fund_file` checks all of it and either returns a `FundFile` or raises
`FundFileError` listing every problem as ``path:line: message``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import partial
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from sgfund._keylines import KeyLines, Path
from sgfund.dates import LONDON
from sgfund.errors import DataError, FieldError, Problem
from sgfund.fundfile.reader import (
    TomlReader,
    key_text,
    read_date,
    read_datetime,
    read_money,
    read_strings,
    read_text,
    read_url,
    read_whole,
)
from sgfund.funds import Era, Fund, Round
from sgfund.io.declared import DeclaredFigures, parse_precision
from sgfund.io.files import read_limited
from sgfund.io.threesixtygiving import CC_BY_4, Publisher
from sgfund.organisations import OrgType
from sgfund.scope import DeclaredFigure, Figure, Scope

__all__ = [
    "MAX_FUND_FILE_BYTES",
    "FundFile",
    "FundFileError",
    "load_fund_file",
    "loads_fund_file",
]

# A fund file is a few hundred lines; anything far larger is not one.
MAX_FUND_FILE_BYTES = 1024 * 1024


class FundFileError(DataError):
    """A fund file that cannot be used; ``problems`` lists every one, each with its line.

    ``str(error)`` is one line per problem, ``path:line: message``, as `lines` gives them.
    """

    def __init__(self, problems: Iterable[Problem], *, file: str) -> None:
        listed = sorted(problems, key=lambda p: (p.row or 0, p.message))
        super().__init__(listed, f"{file}: {len(listed)} problem(s) in the fund file", file=file)
        self.args = ("\n".join(self.lines),)

    @property
    def lines(self) -> list[str]:
        """Every problem as ``path:line: message`` (``path: message`` when no line is known)."""
        out = []
        for p in self.problems:
            where = f"{p.file}:{p.row}" if p.row is not None else f"{p.file}"
            out.append(f"{where}: {p.message}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines)


def _mapping(values: Mapping[str, Publisher] | Mapping[str, Scope]) -> Mapping[str, Any]:
    return MappingProxyType(dict(values))


@frozen(kw_only=True, eq=False)
class FundFile:
    """A checked fund file.

    ``publishers`` maps each era's id to the 360Giving publisher of that era's funder;
    ``scopes`` maps a scope id to its rounds and declared figures; ``declared`` holds every
    declared figure by scope key (a round id or a scope id) and, in ``skipped``, the lines
    of figures sgfund does not compute (a completion date, one award), with the reason.
    ``plugins`` names the installed plugins (entry-point names) that judge the fund's rounds,
    so other installed plugins cannot change its figures; ``()`` means sgfund's built-ins
    only and None (the key left out) every installed plugin.
    ``source`` is the file's text as read, so the ledger can keep what was applied.
    """

    fund: Fund
    eras: tuple[Era, ...]
    rounds: tuple[Round, ...]
    publishers: Mapping[str, Publisher] = field(converter=_mapping)
    scopes: Mapping[str, Scope] = field(converter=_mapping)
    declared: DeclaredFigures
    source: str
    path: str
    plugins: tuple[str, ...] | None = None

    def round(self, round_id: str) -> Round:
        """The round with this id; `KeyError` if the file has none."""
        for rnd in self.rounds:
            if rnd.id == round_id:
                return rnd
        raise KeyError(round_id)

    def era(self, era_id: str) -> Era:
        """The era with this id; `KeyError` if the file has none."""
        for era in self.eras:
            if era.id == era_id:
                return era
        raise KeyError(era_id)

    def declared_for(self, scope_key: str) -> tuple[DeclaredFigure, ...]:
        """The declared figures of a round or scope (none if the file declares none)."""
        return tuple(self.declared.by_scope.get(scope_key, ()))


_TOP = ("fund", "eras", "rounds", "scopes", "declared")
_FUND = ("id", "name", "plugins")
_ERA = ("id", "funder_id", "funder_name", "start", "end", "publisher")
_PUBLISHER = ("prefix", "name", "website", "identifier", "licence", "data_source")
_ROUND = (
    "id",
    "era",
    "name",
    "opens_at",
    "closes_at",
    "advertised_pot",
    "min_grant",
    "max_grant",
    "max_project_months",
    "eligible_org_types",
    "theme_vocabularies",
    "area",
)
_SCOPE = ("id", "label", "rounds")
_DECLARED = (
    "scope",
    "figure",
    "published_text",
    "value",
    "precision",
    "published",
    "source",
    "note",
)


def loads_fund_file(text: str, *, path: str = "<fund file>") -> FundFile:
    """Check a fund file's text (``path`` names it in messages); see `load_fund_file`."""
    lines = KeyLines(text)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"line (\d+)", str(err))
        problem = Problem(
            f"not valid TOML: {err}",
            file=path,
            row=int(found[1]) if found else None,
            expected="a TOML document",
        )
        raise FundFileError([problem], file=path) from err
    reader = TomlReader(path, lines)
    reader.table((), doc, _TOP)
    fund = _fund(reader, doc)
    plugins = _plugins(reader, doc)
    eras, publishers = _eras(reader, doc)
    rounds = _rounds(reader, doc, fund, eras)
    scopes = _scopes(reader, doc, rounds, _named(doc, "rounds"))
    declared = _declared(reader, doc, _named(doc, "rounds") | _named(doc, "scopes"))
    if reader.problems or fund is None:
        raise FundFileError(reader.problems, file=path)
    by_scope: dict[str, list[DeclaredFigure]] = {}
    for key, figure in declared[0]:
        by_scope.setdefault(key, []).append(figure)
    full_scopes = {
        s.id: Scope(id=s.id, label=s.label, rounds=s.rounds, declared=by_scope.get(s.id, ()))
        for s in scopes.values()
    }
    return FundFile(
        fund=fund,
        eras=tuple(eras.values()),
        rounds=tuple(rounds.values()),
        publishers=publishers,
        scopes=full_scopes,
        declared=DeclaredFigures(by_scope=by_scope, skipped=declared[1]),
        source=text,
        path=path,
        plugins=plugins,
    )


def load_fund_file(path: str | os.PathLike[str]) -> FundFile:
    """Read and check a fund file.

    Raises `FundFileError` (a `DataError`) listing every problem as ``path:line: message``:
    a path that is not a readable UTF-8 file of at most 1 MiB, TOML that does not parse, an
    unknown or missing key, a value of the wrong kind (money as a float, a window without a
    time), a round whose era is not in the file or that opens outside its era, a repeated id,
    a scope naming an unknown round, a declared figure whose scope is neither a round nor a
    scope, and every refusal of the models themselves (`Round`, `Era`, `Publisher`, ...).
    """
    name = str(path)
    try:
        data = read_limited(path, limit=MAX_FUND_FILE_BYTES, what="fund file")
    except DataError as err:
        raise FundFileError(err.problems, file=name) from err
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        problem = Problem(
            f"the fund file is not UTF-8: byte 0x{data[err.start]:02X} at byte offset {err.start}",
            file=name,
            row=data[: err.start].count(b"\n") + 1,
            expected="a TOML file in UTF-8",
        )
        raise FundFileError([problem], file=name) from err
    return loads_fund_file(text, path=name)


def _fund(reader: TomlReader, doc: Mapping[str, Any]) -> Fund | None:
    if "fund" not in doc:
        reader.add((), "the [fund] table is missing", expected="[fund] with id and name")
        return None
    table = reader.table(("fund",), doc["fund"], _FUND)
    path: Path = ("fund",)
    fund_id = reader.get(path, table, "id", read_text)
    name = reader.get(path, table, "name", read_text)
    if fund_id is None or name is None:
        return None
    return reader.build(path, lambda: Fund(id=fund_id, name=name), {})


# An entry-point name as sgfund's plugins use them: no spaces, commas or "=".
_PLUGIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _plugins(reader: TomlReader, doc: Mapping[str, Any]) -> tuple[str, ...] | None:
    table = doc.get("fund")
    if not isinstance(table, dict) or "plugins" not in table:
        return None
    path: Path = ("fund",)
    names = reader.get(path, table, "plugins", partial(read_strings, example='["westyorkshire"]'))
    if names is None:
        return None
    seen: set[str] = set()
    for name in names:
        if not _PLUGIN_NAME.fullmatch(name):
            reader.add(
                (*path, "plugins"),
                f"{name!r} is not a plugin's entry-point name",
                value=name,
                expected='an entry-point name as `sgfund plugins` lists it, e.g. "westyorkshire"',
            )
        elif name in seen:
            reader.add((*path, "plugins"), f"plugin {name!r} is named twice", value=name)
        seen.add(name)
    return tuple(sorted(seen))


def _unique(reader: TomlReader, path: Path, seen: dict[str, Path], item_id: str, what: str) -> bool:
    first = seen.setdefault(item_id, path)
    if first != path:
        line = reader.lines.line((*first, "id"))
        reader.add(
            (*path, "id"),
            f"{what} {item_id!r} is already defined at line {line}",
            value=item_id,
            expected=f"each {what} id once",
        )
        return False
    return True


def _eras(
    reader: TomlReader, doc: Mapping[str, Any]
) -> tuple[dict[str, Era], dict[str, Publisher]]:
    eras: dict[str, Era] = {}
    publishers: dict[str, Publisher] = {}
    seen: dict[str, Path] = {}
    listed = reader.tables(("eras",), doc.get("eras"))
    if not listed:
        reader.add((), "no [[eras]] given", expected="at least one era: who funded the fund when")
    for index, raw in enumerate(listed):
        path: Path = ("eras", index)
        table = reader.table(path, raw, _ERA)
        values = {
            "id": reader.get(path, table, "id", read_text),
            "funder_id": reader.get(path, table, "funder_id", read_text),
            "funder_name": reader.get(path, table, "funder_name", read_text),
            "start": reader.get(path, table, "start", read_date),
            "end": reader.get(path, table, "end", read_date, required=False),
        }
        publisher = _publisher(reader, path, table)
        if any(values[k] is None for k in ("id", "funder_id", "funder_name", "start")):
            continue
        era = reader.build(path, lambda v=values: Era(**v), {})  # type: ignore[misc]
        if era is None or not _unique(reader, path, seen, era.id, "era"):
            continue
        eras[era.id] = era
        if publisher is not None:
            publishers[era.id] = publisher
    return eras, publishers


def _publisher(reader: TomlReader, path: Path, table: Mapping[str, Any]) -> Publisher | None:
    if "publisher" not in table:
        reader.add(
            path,
            "the era's [eras.publisher] table is missing",
            expected="the 360Giving publisher of this era's funder: prefix, name, licence",
        )
        return None
    here: Path = (*path, "publisher")
    raw = reader.table(here, table["publisher"], _PUBLISHER)
    values = {
        "prefix": reader.get(here, raw, "prefix", read_text),
        "name": reader.get(here, raw, "name", read_text),
        "website": reader.get(here, raw, "website", read_url, required=False),
        "identifier": reader.get(here, raw, "identifier", read_text, required=False),
        "licence": reader.get(here, raw, "licence", read_url, required=False) or CC_BY_4,
        "data_source": reader.get(here, raw, "data_source", read_url, required=False),
    }
    if values["prefix"] is None or values["name"] is None:
        return None
    return reader.build(here, lambda: Publisher(**values), {})  # type: ignore[arg-type]


def _org_types(path: Path, value: object) -> tuple[str, ...]:
    names = read_strings(path, value)
    known = {t.value for t in OrgType}
    for name in names:
        if name not in known:
            raise FieldError(
                key_text(path), name, "organisation types: " + ", ".join(sorted(known))
            )
    return names


def _named(doc: Mapping[str, Any], section: str) -> set[str]:
    """Ids written in an array of tables, usable or not: a table whose other values are bad
    is reported once, not again by everything that names it.
    """  # noqa: D205 - the summary needs both lines
    listed = doc.get(section)
    if not isinstance(listed, list):
        return set()
    return {t["id"] for t in listed if isinstance(t, dict) and isinstance(t.get("id"), str)}


def _rounds(
    reader: TomlReader, doc: Mapping[str, Any], fund: Fund | None, eras: Mapping[str, Era]
) -> dict[str, Round]:
    rounds: dict[str, Round] = {}
    seen: dict[str, Path] = {}
    named_eras = _named(doc, "eras")
    # Rounds are checked even when the fund is unusable, so their problems are listed too.
    fund_id = fund.id if fund is not None else "fund"
    for index, raw in enumerate(reader.tables(("rounds",), doc.get("rounds"))):
        path: Path = ("rounds", index)
        table = reader.table(path, raw, _ROUND)
        got = {
            "id": reader.get(path, table, "id", read_text),
            "name": reader.get(path, table, "name", read_text),
            "opens_at": reader.get(path, table, "opens_at", read_datetime),
            "closes_at": reader.get(path, table, "closes_at", read_datetime),
            "advertised_pot": reader.get(path, table, "advertised_pot", read_money, required=False),
            "min_grant": reader.get(path, table, "min_grant", read_money, required=False),
            "max_grant": reader.get(path, table, "max_grant", read_money, required=False),
            "max_project_months": reader.get(
                path, table, "max_project_months", read_whole, required=False
            ),
            "eligible_org_types": reader.get(
                path, table, "eligible_org_types", _org_types, required=False
            ),
            "theme_vocabularies": reader.get(
                path, table, "theme_vocabularies", read_strings, required=False
            ),
            "area": reader.get(path, table, "area", read_text, required=False),
        }
        era_id = reader.get(path, table, "era", read_text)
        era = None if era_id is None else eras.get(era_id)
        if era_id is not None and era_id not in named_eras:
            reader.add(
                (*path, "era"),
                f"era {era_id!r} is not one of the file's eras",
                value=era_id,
                expected="one of " + (", ".join(sorted(named_eras)) or "the [[eras]] ids"),
            )
        round_id = got["id"]
        if isinstance(round_id, str) and not _unique(reader, path, seen, round_id, "round"):
            continue
        opens_at = got["opens_at"]
        if era is not None and isinstance(opens_at, datetime):
            _within_era(reader, path, era, opens_at)
        if era is None or any(got[k] is None for k in ("id", "name", "opens_at", "closes_at")):
            continue
        given: dict[str, Any] = {k: v for k, v in got.items() if v is not None}
        rnd = reader.build(path, partial(Round, fund_id=fund_id, era=era, **given), {})
        if rnd is not None:
            rounds[rnd.id] = rnd
    return rounds


def _within_era(reader: TomlReader, path: Path, era: Era, opens_at: datetime) -> None:
    opens = opens_at.astimezone(LONDON).date()
    if opens < era.start or (era.end is not None and opens > era.end):
        until = f" to {era.end}" if era.end else " on"
        reader.add(
            (*path, "opens_at"),
            f"the round opens on {opens}, outside its era {era.id!r} ({era.start}{until})",
            value=opens_at,
            expected="a round that opens while its era's funder ran the fund",
        )


def _scopes(
    reader: TomlReader, doc: Mapping[str, Any], rounds: Mapping[str, Round], named: set[str]
) -> dict[str, Scope]:
    scopes: dict[str, Scope] = {}
    seen: dict[str, Path] = {}
    for index, raw in enumerate(reader.tables(("scopes",), doc.get("scopes"))):
        path: Path = ("scopes", index)
        table = reader.table(path, raw, _SCOPE)
        scope_id = reader.get(path, table, "id", read_text)
        label = reader.get(path, table, "label", read_text)
        ids = reader.get(path, table, "rounds", read_strings)
        if scope_id is None or label is None or ids is None:
            continue
        if scope_id in named:
            reader.add(
                (*path, "id"),
                f"scope {scope_id!r} has the id of a round",
                value=scope_id,
                expected="an id no round has (a round is its own scope already)",
            )
            continue
        unknown = [r for r in ids if r not in named]
        for missing in unknown:
            reader.add(
                (*path, "rounds"),
                f"round {missing!r} is not one of the file's rounds",
                value=missing,
                expected="ids of [[rounds]] in this file",
            )
        if unknown or not all(r in rounds for r in ids):
            continue
        chosen = [rounds[r] for r in ids]
        scope = reader.build(path, partial(Scope, id=scope_id, label=label, rounds=chosen), {})
        if scope is not None and _unique(reader, path, seen, scope.id, "scope"):
            scopes[scope.id] = scope
    return scopes


_DECLARED_KEYS = {"figure": "figure", "value": "value", "unit": "precision"}


def _declared(
    reader: TomlReader, doc: Mapping[str, Any], scope_keys: set[str]
) -> tuple[list[tuple[str, DeclaredFigure]], list[tuple[int, str]]]:
    figures: list[tuple[str, DeclaredFigure]] = []
    skipped: list[tuple[int, str]] = []
    for index, raw in enumerate(reader.tables(("declared",), doc.get("declared"))):
        path: Path = ("declared", index)
        table = reader.table(path, raw, _DECLARED)
        scope = reader.get(path, table, "scope", read_text)
        figure = reader.get(path, table, "figure", read_text)
        text = reader.get(path, table, "published_text", read_text)
        value = table.get("value")
        precision_text = reader.get(path, table, "precision", read_text)
        published = reader.get(path, table, "published", _published, required=False)
        source = reader.get(path, table, "source", read_text, required=False)
        note = reader.get(path, table, "note", read_text, required=False)
        if scope is not None and scope not in scope_keys:
            reader.add(
                (*path, "scope"),
                f"{scope!r} is neither a round nor a scope of this file",
                value=scope,
                expected="a round id or a [[scopes]] id",
            )
            scope = None
        if figure is not None and figure not in {f.value for f in Figure}:
            why = f"{figure!r} is not a figure sgfund computes"
            skipped.append((reader.lines.line(path) or 0, why))
            continue
        if "value" not in table:
            reader.add(path, "'value' is missing", expected="the figure as a number")
            continue
        if isinstance(value, float):
            reader.add(
                (*path, "value"),
                'a TOML float is not exact: write the value in quotes ("326032.84") or as a '
                "whole number",
                value=value,
            )
            continue
        precision = None
        if precision_text is not None:
            precision = parse_precision(precision_text)
            if precision is None:
                reader.add(
                    (*path, "precision"),
                    f"unknown precision {precision_text!r}",
                    value=precision_text,
                    expected="exact, lower bound, upper bound or rounded to £<unit>",
                )
        if scope is None or figure is None or text is None or precision is None:
            continue
        made = reader.build(
            path,
            partial(
                DeclaredFigure,
                figure=figure,
                value=table["value"],
                precision=precision[0],
                unit=precision[1],
                published_text=text,
                source="; ".join(x for x in (source, note) if x),
                published=published or "",
            ),
            _DECLARED_KEYS,
        )
        if made is not None:
            figures.append((scope, made))
    return figures, skipped


def _published(path: Path, value: object) -> str:
    """When a figure was published: a TOML date, or text such as "2023-01"."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return read_text(path, value)
