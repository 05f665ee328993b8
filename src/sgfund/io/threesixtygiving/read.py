"""Reading 360Giving files (JSON packages, CSV or XLSX sheets) for analysis and checks.

Two modes. **Strict** (the default for sgfund's own exports, i.e. when ``prefix`` is given):
the file must pass the schema and the critical checks and every grant must be an sgfund award;
any problem raises `DataError` listing all of them. **Lenient** (the default for other
publishers' data): every grant that is valid 360Giving is loaded, values the standard allows
but sgfund's models would not are kept as given with a warning, and grants that cannot be
read are left out and listed. Problems are located by grant id and JSON path (JSON) or row
and column title (sheets).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import define, field, frozen

from sgfund._validate import within_depth
from sgfund.decisions import Award
from sgfund.errors import DataError, Problem
from sgfund.io.files import file_problem, open_input
from sgfund.io.sheet import SheetRow, open_sheet
from sgfund.io.threesixtygiving.checks import critical_problems
from sgfund.io.threesixtygiving.columns import ObjectSpec, grant_spec, unflatten_row
from sgfund.io.threesixtygiving.problems import GrantProblem
from sgfund.io.threesixtygiving.publisher import FunderIdentity
from sgfund.io.threesixtygiving.records import NO_PROGRAMME, GrantRecord, grant_record
from sgfund.io.threesixtygiving.schema import schema_problems
from sgfund.money import sum_money

__all__ = [
    "MAX_PACKAGE_BYTES",
    "NO_PROGRAMME",
    "GrantRecord",
    "ImportedGrants",
    "load_package",
    "read_360giving",
]

PathLike = str | os.PathLike[str]
# A JSON package is read whole; none published comes near this.
MAX_PACKAGE_BYTES = 1024 * 1024 * 1024
# Deeper than any 360Giving grant (about five levels); refused before validation.
MAX_DEPTH = 32
_GRANT_INDEX = re.compile(r"\$\.grants\[(\d+)\]")
_SHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


@frozen(kw_only=True)
class ImportedGrants:
    """What a 360Giving file held: its grants as records, and the package metadata.

    ``warnings`` are oddities kept as given (lenient reading); ``problems`` are grants left
    out because sgfund could not read them (lenient reading; strict reading raises instead).
    """

    records: tuple[GrantRecord, ...]
    metadata: Mapping[str, Any]
    warnings: tuple[GrantProblem, ...] = ()
    problems: tuple[GrantProblem, ...] = ()
    strict: bool = True

    @property
    def awards(self) -> tuple[Award, ...]:
        """The awards, in file order."""
        return tuple(r.award for r in self.records)

    @property
    def funders(self) -> tuple[FunderIdentity, ...]:
        """Each funding organisation once, in order of first appearance."""
        return tuple(dict.fromkeys(r.funder for r in self.records))

    @property
    def total(self) -> Decimal:
        """The amounts awarded, added exactly."""
        return sum_money(r.award.amount for r in self.records)


@define
class _Loaded:
    """A file as plain data, with where each grant came from in a sheet."""

    file: str
    package: dict[str, Any]
    rows: dict[int, int] = field(factory=dict)  # grant index -> sheet row
    columns: list[str] = field(factory=list)
    problems: dict[int, list[GrantProblem]] = field(factory=dict)  # by grant index


# --- files into plain packages -----------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number 360Giving allows")


def _load_json(path: Path) -> _Loaded:
    name = str(path)
    with open_input(path) as handle:
        data = handle.read(MAX_PACKAGE_BYTES + 1)
    if len(data) > MAX_PACKAGE_BYTES:
        raise file_problem(path, f"the file is over {MAX_PACKAGE_BYTES:,} bytes", "a smaller file")
    try:
        package = json.loads(
            data.decode("utf-8-sig"), parse_float=Decimal, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as err:
        problem = Problem(f"not JSON: {err.msg}", file=name, row=err.lineno)
        raise DataError([problem], f"cannot read {path}", file=name) from err
    except UnicodeDecodeError as err:
        raise file_problem(
            path, f"not JSON: the file is not UTF-8 (byte offset {err.start})", "UTF-8 JSON"
        ) from err
    except (ValueError, RecursionError) as err:
        raise file_problem(path, f"not JSON 360Giving can hold: {err}", "a package") from err
    if not isinstance(package, dict):
        problem = Problem("expected a 360Giving package object", file=name, field="$")
        raise DataError([problem], f"cannot read {path}", file=name)
    if not within_depth(package, MAX_DEPTH):
        raise file_problem(
            path, f"the data nests more than {MAX_DEPTH} deep", "a 360Giving package"
        )
    return _Loaded(file=name, package=package)


def _open_grants_sheet(path: Path) -> Any:
    sheet = open_sheet(path)
    names = getattr(sheet, "sheet_names", ())
    wanted = next((n for n in names if n.strip().casefold() == "grants"), None)
    if wanted is not None and wanted != getattr(sheet, "sheet_name", wanted):
        sheet.close()
        sheet = open_sheet(path, sheet=wanted)
    return sheet


def _load_sheet(path: Path) -> _Loaded:
    name = str(path)
    loaded = _Loaded(file=name, package={"grants": []})
    with _open_grants_sheet(path) as sheet:
        rows = iter(sheet)
        header = next((r for r in rows if not r.blank), None)
        if header is None:
            problem = GrantProblem("the file has no header row", file=name, row=1)
            raise DataError([problem], f"cannot read {path}", file=name)
        titles = [c.strip() for c in header.cells]
        repeated = sorted({t for t in titles if t and titles.count(t) > 1})
        flawed = [header.cells[i] for i in header.flaws]
        if repeated or flawed:
            problems = [
                GrantProblem("column title appears twice", file=name, row=header.number, column=t)
                for t in repeated
            ] + [
                GrantProblem("column title is not text", file=name, row=header.number, column=t)
                for t in flawed
            ]
            raise DataError(problems, f"cannot read {path}", file=name)
        loaded.columns = titles
        for row in rows:
            if not row.blank:
                _sheet_row(loaded, row, titles)
    return loaded


def _sheet_row(loaded: _Loaded, row: SheetRow, titles: list[str]) -> None:
    index = len(loaded.package["grants"])
    cells = {t: c for t, c in zip(titles, row.cells, strict=False) if t}
    grant, errors = unflatten_row(cells, [t for t in titles if t])
    gid = grant.get("id") if isinstance(grant.get("id"), str) else None
    found = []
    extra = [c for c in row.cells[len(titles) :] if c.strip()]
    if extra:
        found.append(
            GrantProblem(
                f"{len(extra)} value(s) beyond the last column title",
                grant_id=gid,
                file=loaded.file,
                row=row.number,
                expected="values only under a column title",
            )
        )
    for position, why in sorted(row.flaws.items()):
        title = titles[position] if position < len(titles) else None
        errors.setdefault(title or f"column {position + 1}", why)
    for title, message in errors.items():
        found.append(
            GrantProblem(
                message,
                grant_id=gid,
                file=loaded.file,
                row=row.number,
                column=title,
                field=title,
                value=cells.get(title),
            )
        )
    if found:
        loaded.problems[index] = found
    loaded.rows[index] = row.number
    loaded.package["grants"].append(grant)


def _load(source: Path) -> _Loaded:
    if source.suffix.lower() in _SHEET_SUFFIXES:
        return _load_sheet(source)
    return _load_json(source)


def _column_for(path: str, columns: Sequence[str]) -> str | None:
    """The sheet column a JSON path such as ``$.grants[2].plannedDates[0].endDate`` came from."""
    parts = re.findall(r"\.([^.\[]+)|\[(\d+)\]", path)[1:]
    titles: list[str] = []
    spec: ObjectSpec | None = grant_spec()
    for key, index in parts:
        if index:
            titles.append(index)
            continue
        f = spec.fields.get(key) if spec is not None else None
        titles.append(f.title if f else key)
        spec = f.spec if f and f.spec else None
    for candidate in (titles, [t for t in titles if not t.isdigit()]):
        title = ":".join(candidate)
        if title in columns:
            return title
    return None


def _relocate(problems: Sequence[GrantProblem], loaded: _Loaded) -> list[GrantProblem]:
    """Point problems found by JSON path at the sheet row and column they came from."""
    if not loaded.columns:
        return [_in_file(p, loaded.file) for p in problems]
    out = []
    for p in problems:
        if p.row is not None:
            out.append(p)
            continue
        match = _GRANT_INDEX.match(p.field or "")
        row = loaded.rows.get(int(match[1])) if match else None
        column = _column_for(p.field, loaded.columns) if match and p.field else None
        out.append(
            GrantProblem(
                p.message,
                grant_id=p.grant_id,
                file=loaded.file,
                row=row,
                column=column,
                field=column or p.field,
                value=p.value,
                expected=p.expected,
            )
        )
    return out


def _in_file(p: GrantProblem, file: str) -> GrantProblem:
    if p.file == file:
        return p
    return GrantProblem(
        p.message,
        grant_id=p.grant_id,
        file=file,
        row=p.row,
        column=p.column,
        field=p.field,
        value=p.value,
        expected=p.expected,
    )


def _checked(loaded: _Loaded, as_of: date | None) -> list[GrantProblem]:
    package = loaded.package
    found = [*schema_problems(package), *critical_problems(package, as_of=as_of)]
    cells = [p for ps in loaded.problems.values() for p in ps]
    return [*cells, *_relocate(found, loaded)]


def load_package(path: PathLike, *, as_of: date | None = None) -> dict[str, Any]:
    """Read a 360Giving JSON package, CSV or XLSX sheet (by suffix) into checked plain data.

    Strict: numbers become ``Decimal`` (integers stay ``int``); the package is checked against
    the shipped schema and the critical data-quality checks (award dates after ``as_of``, if
    given, are in the future); any problem raises `DataError` listing all of them. A sheet
    gives a package of grants only.
    """
    loaded = _load(Path(path))
    problems = _checked(loaded, as_of)
    if problems:
        raise DataError(problems, f"{path} is not valid 360Giving data", file=loaded.file)
    return loaded.package


# --- grants into sgfund records ----------------------------------------------------------------


def _grant_index(problem: GrantProblem) -> int | None:
    match = _GRANT_INDEX.match(problem.field or "")
    return int(match[1]) if match else None


def _is_warning(problem: GrantProblem) -> bool:
    # For analysis, these say something about the data without making a grant unreadable.
    return "e-mail address" in problem.message or "funding organisations in one file" in (
        problem.message
    )


def _triage(
    loaded: _Loaded, as_of: date | None
) -> tuple[dict[int, list[GrantProblem]], list[GrantProblem]]:
    package = loaded.package
    grants = package.get("grants")
    if not isinstance(grants, list) or not grants:
        problem = GrantProblem(
            "the file holds no list of grants", file=loaded.file, field="$.grants"
        )
        raise DataError([problem], f"{loaded.file}: no grants", file=loaded.file)
    bad: dict[int, list[GrantProblem]] = {i: list(ps) for i, ps in loaded.problems.items()}
    warnings: list[GrantProblem] = []
    for p in [*schema_problems(package), *critical_problems(package, as_of=as_of)]:
        index = _grant_index(p)
        if _is_warning(p) or index is None:
            warnings.append(p)
        else:
            bad.setdefault(index, []).append(p)
    return bad, warnings


def read_360giving(
    path: PathLike,
    *,
    prefix: str | None = None,
    as_of: date | None = None,
    strict: bool | None = None,
) -> ImportedGrants:
    """Read a 360Giving JSON package, CSV or XLSX sheet (standard titles) into sgfund records.

    ``prefix`` is the publisher's 360Giving prefix: with it, award ids are read back from
    ``<prefix>-<round>-<award>`` grant ids and only the publisher's own classifications become
    themes. The round id is the grant programme code (``no-programme`` if there is none).

    ``strict`` defaults to True when ``prefix`` is given (reading one's own exports) and False
    otherwise (another publisher's data); see the module docstring. Strict reading raises
    `DataError` listing every problem; lenient reading raises only for a file it cannot read
    at all.
    """
    source = Path(path)
    strict = prefix is not None if strict is None else strict
    loaded = _load(source)
    file = None if loaded.columns else loaded.file
    bad, warnings = _triage(loaded, as_of)
    records: list[GrantRecord] = []
    left_out: list[GrantProblem] = []
    if strict:  # nothing is a mere warning: the file's own problems come first
        left_out, warnings = warnings, []
    for i, grant in enumerate(loaded.package["grants"]):
        if i in bad:
            left_out.extend(bad[i])
            continue
        if not isinstance(grant, dict):
            continue
        record, problems, oddities = grant_record(
            grant, f"$.grants[{i}]", file, prefix=prefix, lenient=not strict
        )
        left_out.extend(problems)
        warnings.extend(oddities)
        if record is not None:
            records.append(record)
    left_out = _relocate(left_out, loaded)
    if strict and left_out:
        raise DataError(left_out, f"{source} is not valid 360Giving data", file=loaded.file)
    metadata = {k: val for k, val in loaded.package.items() if k != "grants"}
    return ImportedGrants(
        records=tuple(records),
        metadata=metadata,
        warnings=tuple(_relocate(warnings, loaded)),
        problems=tuple(left_out),
        strict=strict,
    )
