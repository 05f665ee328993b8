"""A demo plan: the steps an officer takes through a fund's example data, in order.

``examples/scf/demo.toml`` is one: the fund file to set up, then per round its sheet (and
mapping), when it was imported and assessed, the referrals the data is expected to raise and
how an officer resolved each, where the panel's decisions are, when they were made and when
the round closed; then the scopes to reconcile and the published figures to show.
`load_demo_plan` checks it (every problem as ``path:line: message``) and returns typed values;
`sgfund.workflow.run_demo` carries it out.
"""

from __future__ import annotations

import itertools
import os
import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from attrs import frozen

from sgfund._keylines import KeyLines
from sgfund._keylines import Path as KeyPath
from sgfund.dates import london_text
from sgfund.errors import DataError, Problem
from sgfund.fundfile.load import FundFile, FundFileError, load_fund_file
from sgfund.fundfile.reader import TomlReader, read_datetime, read_strings, read_text
from sgfund.io.files import read_limited

__all__ = [
    "DECISIONS_IN_SHEET",
    "DemoActors",
    "DemoPlan",
    "DemoReconciliation",
    "DemoResolution",
    "DemoRound",
    "load_demo_plan",
]

PLAN_FILE = "demo.toml"
# ``decisions = "sheet"``: the round's sheet holds the panel's decisions too.
DECISIONS_IN_SHEET = "sheet"
_MAX_BYTES = 1024 * 1024


@frozen(kw_only=True)
class DemoActors:
    """Who does what: sets the fund up, runs the rounds, records decisions, closes rounds."""

    fund_admin: str
    officer: str
    panel: str
    closer: str


@frozen(kw_only=True)
class DemoResolution:
    """An officer's resolution of one referred application, with the reason."""

    application_id: str
    eligible: bool
    reason: str
    at: datetime
    by: str


@frozen(kw_only=True)
class DemoRound:
    """One round's steps. ``decisions`` is None when the sheet holds the decisions."""

    round_id: str
    sheet: Path
    mapping: Path | None
    decisions: Path | None
    imported_at: datetime
    assessed_at: datetime
    resolutions: tuple[DemoResolution, ...]
    decided_at: datetime
    closed_at: datetime


@frozen(kw_only=True)
class DemoReconciliation:
    """A scope (round or fund-file scope id) to reconcile, and the published texts to show."""

    scope: str
    expect: tuple[str, ...]


@frozen(kw_only=True, eq=False)
class DemoPlan:
    """A checked demo plan, with its fund file loaded (``fund``)."""

    directory: Path
    fund_file: Path
    fund: FundFile
    set_up_at: datetime
    published_at: datetime
    actors: DemoActors
    rounds: tuple[DemoRound, ...]
    reconciliations: tuple[DemoReconciliation, ...]


_TOP = ("fund_file", "set_up_at", "published_at", "actors", "rounds", "reconcile")
_ACTORS = ("fund_admin", "officer", "panel", "closer")
_ROUND = (
    "id",
    "sheet",
    "mapping",
    "decisions",
    "imported_at",
    "assessed_at",
    "resolutions",
    "decided_at",
    "closed_at",
)
_RESOLUTION = ("id", "resolution", "reason", "at", "by")
_RECONCILE = ("scope", "expect")
_STEPS = ("imported_at", "assessed_at", "decided_at", "closed_at")


class _PlanReader(TomlReader):
    def __init__(self, file: str, lines: KeyLines, directory: Path) -> None:
        super().__init__(file, lines)
        self.directory = directory

    def file_at(self, path: KeyPath, table: Mapping[str, Any], key: str) -> Path | None:
        name = self.get(path, table, key, read_text, required=key in ("sheet", "fund_file"))
        if name is None:
            return None
        found = self.directory / name
        if not found.is_file():
            self.add((*path, key), f"there is no file {name!r} beside the plan", value=name)
            return None
        return found


def load_demo_plan(directory: str | os.PathLike[str]) -> DemoPlan:
    """Read and check ``demo.toml`` in ``directory`` and the fund file it names.

    Raises `FundFileError` (a `DataError`) listing every problem as ``path:line: message``:
    a missing key or file, a time without a date, steps out of order, a round or scope the
    fund file does not have, a resolution that is neither ``eligible`` nor ``ineligible``, an
    expected text that is none of the scope's declared figures; and the fund file's own.
    """
    where = Path(directory)
    plan_path = where / PLAN_FILE
    name = str(plan_path)
    try:
        text = read_limited(plan_path, limit=_MAX_BYTES, what="demo plan").decode("utf-8-sig")
        doc = tomllib.loads(text)
    except DataError as err:
        raise FundFileError(err.problems, file=name) from err
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        problem = Problem(f"not a TOML demo plan: {err}", file=name, expected="TOML in UTF-8")
        raise FundFileError([problem], file=name) from err
    reader = _PlanReader(name, KeyLines(text), where)
    reader.table((), doc, _TOP)
    fund_path = reader.file_at((), doc, "fund_file")
    fund = load_fund_file(fund_path) if fund_path is not None else None
    set_up_at = reader.get((), doc, "set_up_at", read_datetime)
    published_at = reader.get((), doc, "published_at", read_datetime)
    actors_table = reader.table(("actors",), doc.get("actors", {}), _ACTORS)
    actors = {k: reader.get(("actors",), actors_table, k, read_text) for k in _ACTORS}
    rounds = [
        _round(reader, ("rounds", i), raw, fund)
        for i, raw in enumerate(reader.tables(("rounds",), doc.get("rounds")))
    ]
    reconciliations = [
        _reconcile(reader, ("reconcile", i), raw, fund)
        for i, raw in enumerate(reader.tables(("reconcile",), doc.get("reconcile")))
    ]
    if reader.problems:
        raise FundFileError(reader.problems, file=name)
    if fund is None or fund_path is None or set_up_at is None or published_at is None:
        raise FundFileError([Problem("the plan is incomplete", file=name)], file=name)
    return DemoPlan(
        directory=where,
        fund_file=fund_path,
        fund=fund,
        set_up_at=set_up_at,
        published_at=published_at,
        actors=DemoActors(**{k: v for k, v in actors.items() if v is not None}),
        rounds=tuple(r for r in rounds if r is not None),
        reconciliations=tuple(r for r in reconciliations if r is not None),
    )


def _round(
    reader: _PlanReader, path: KeyPath, raw: Mapping[str, Any], fund: FundFile | None
) -> DemoRound | None:
    table = reader.table(path, raw, _ROUND)
    round_id = reader.get(path, table, "id", read_text)
    if round_id is not None and fund is not None and round_id not in {r.id for r in fund.rounds}:
        reader.add((*path, "id"), f"round {round_id!r} is not in the fund file", value=round_id)
    sheet = reader.file_at(path, table, "sheet")
    mapping = reader.file_at(path, table, "mapping")
    decisions: Path | None = None
    if table.get("decisions", DECISIONS_IN_SHEET) != DECISIONS_IN_SHEET:
        decisions = reader.file_at(path, table, "decisions")
    times = {k: reader.get(path, table, k, read_datetime) for k in _STEPS}
    known = [(k, t) for k, t in times.items() if t is not None]
    for (before, first), (after, second) in itertools.pairwise(known):
        if second < first:
            reader.add(
                (*path, after),
                f"{after} ({london_text(second)}) is before {before} ({london_text(first)})",
                value=second,
                expected="steps in order: imported, assessed, decided, closed",
            )
    resolutions = []
    for index, item in enumerate(reader.tables((*path, "resolutions"), table.get("resolutions"))):
        found = _resolution(reader, (*path, "resolutions", index), item, times)
        if found is not None:
            resolutions.append(found)
    if round_id is None or sheet is None or any(t is None for t in times.values()):
        return None
    return DemoRound(
        round_id=round_id,
        sheet=sheet,
        mapping=mapping,
        decisions=decisions,
        resolutions=tuple(resolutions),
        **times,  # type: ignore[arg-type]
    )


def _resolution(
    reader: _PlanReader,
    path: KeyPath,
    raw: Mapping[str, Any],
    times: Mapping[str, datetime | None],
) -> DemoResolution | None:
    table = reader.table(path, raw, _RESOLUTION)
    app_id = reader.get(path, table, "id", read_text)
    verdict = reader.get(path, table, "resolution", read_text)
    reason = reader.get(path, table, "reason", read_text)
    at = reader.get(path, table, "at", read_datetime)
    by = reader.get(path, table, "by", read_text)
    if verdict is not None and verdict not in ("eligible", "ineligible"):
        reader.add(
            (*path, "resolution"),
            f"{verdict!r} is not a resolution",
            value=verdict,
            expected="eligible or ineligible",
        )
        return None
    assessed, decided = times.get("assessed_at"), times.get("decided_at")
    if (
        at is not None
        and assessed is not None
        and decided is not None
        and not assessed <= at <= decided
    ):
        reader.add(
            (*path, "at"),
            "a referral is resolved after the round is assessed and before it is decided",
            value=at,
            expected=f"a time from {london_text(assessed)} to {london_text(decided)}",
        )
    if app_id is None or verdict is None or reason is None or at is None or by is None:
        return None
    return DemoResolution(
        application_id=app_id, eligible=verdict == "eligible", reason=reason, at=at, by=by
    )


def _reconcile(
    reader: _PlanReader, path: KeyPath, raw: Mapping[str, Any], fund: FundFile | None
) -> DemoReconciliation | None:
    table = reader.table(path, raw, _RECONCILE)
    scope = reader.get(path, table, "scope", read_text)
    expect = reader.get(path, table, "expect", read_strings, required=False) or ()
    if scope is None:
        return None
    if fund is not None:
        known = {r.id for r in fund.rounds} | set(fund.scopes)
        if scope not in known:
            reader.add(
                (*path, "scope"),
                f"{scope!r} is neither a round nor a scope of the fund file",
                value=scope,
            )
            return None
        published = {f.published_text for f in fund.declared_for(scope)}
        for text in expect:
            if text not in published:
                reader.add(
                    (*path, "expect"),
                    f"{text!r} is not a declared figure of {scope!r}",
                    value=text,
                    expected="one of " + ", ".join(sorted(published)),
                )
    return DemoReconciliation(scope=scope, expect=tuple(expect))
