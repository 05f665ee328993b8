"""Writing 360Giving packages as JSON, or as one CSV or XLSX sheet with the standard's titles.

Nothing is written unless the package is valid; files appear whole or not at all. Grants read
with `read_360giving` (another publisher's, say) are written back with `write_grants`, without
applications or rounds, every value as read.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sgfund.applications import Application
from sgfund.collect import SgfundPluginManager
from sgfund.decisions import Award
from sgfund.errors import ExportError
from sgfund.funds import Round
from sgfund.io.export import Table, write_xlsx
from sgfund.io.files import atomic_write
from sgfund.io.threesixtygiving.build import (
    FunderPackage,
    _slug,
    build_package,
    build_packages,
)
from sgfund.io.threesixtygiving.checks import package_problems
from sgfund.io.threesixtygiving.columns import (
    SortKey,
    column_order,
    flatten_into,
    spreadsheet_cell,
)
from sgfund.io.threesixtygiving.fastjson import fast_dumps
from sgfund.io.threesixtygiving.publisher import Publisher
from sgfund.io.threesixtygiving.read import GrantRecord, ImportedGrants, load_package
from sgfund.io.threesixtygiving.schema import schema_problems
from sgfund.postaward import Position
from sgfund.scope import Scope

__all__ = [
    "convert_360giving",
    "dumps_package",
    "grants_package",
    "write_360giving_csv",
    "write_360giving_json",
    "write_360giving_xlsx",
    "write_built_package",
    "write_grants",
    "write_package_csv",
    "write_package_json",
    "write_package_xlsx",
]

# The sheet of grants in a 360Giving workbook, as the standard's spreadsheet template names it.
GRANTS_SHEET = "grants"

PathLike = str | os.PathLike[str]


def _encode(value: Any, indent: str, level: int, out: list[str]) -> None:
    # json cannot write a Decimal as a number; money must not pass through float.
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} as JSON")
        out.append(str(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        pad, inner = "\n" + indent * level, "\n" + indent * (level + 1)
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(("," if i else "") + inner + json.dumps(str(key), ensure_ascii=False) + ": ")
            _encode(item, indent, level + 1, out)
        out.append(pad + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        pad, inner = "\n" + indent * level, "\n" + indent * (level + 1)
        out.append("[")
        for i, item in enumerate(value):
            out.append(("," if i else "") + inner)
            _encode(item, indent, level + 1, out)
        out.append(pad + "]")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def dumps_package(package: Mapping[str, Any]) -> str:
    """JSON text of a package, amounts written exactly as their ``Decimal`` (``5950.00``)."""
    fast = fast_dumps(package)  # the same text, with msgspec when it is installed
    if fast is not None:
        return fast
    out: list[str] = []
    _encode(dict(package), "  ", 0, out)
    out.append("\n")
    return "".join(out)


def _refuse_if_invalid(package: Mapping[str, Any], as_of: date | None, path: Path) -> None:
    problems = package_problems(package, as_of=as_of)
    if problems:
        raise ExportError(problems, f"{path} not written: the package is not valid 360Giving data")


def _write_json(path: Path, package: Mapping[str, Any]) -> None:
    with atomic_write(path, newline="\n") as handle:
        handle.write(dumps_package(package))


def csv_table(grants: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[dict[str, str]]]:
    """Columns (standard titles, schema order) and neutralised rows for ``grants``."""
    keys: dict[str, SortKey] = {}
    rows = []
    for grant in grants:
        values: dict[str, str | Decimal | int] = {}
        flatten_into(grant, values, keys)
        rows.append({title: spreadsheet_cell(value) for title, value in values.items()})
    return column_order(keys), rows


def _write_csv_rows(handle: IO[str], grants: Sequence[Mapping[str, Any]]) -> None:
    columns, rows = csv_table(grants)
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(columns)
    # Lists, not csv.DictWriter: it checks every row's keys against the columns again.
    writer.writerows([row.get(column, "") for column in columns] for row in rows)


def _write_csv(path: Path, package: Mapping[str, Any]) -> None:
    # utf-8-sig so spreadsheet programs read the pound sign and accents correctly.
    with atomic_write(path, encoding="utf-8-sig") as handle:
        _write_csv_rows(handle, package["grants"])


def _write_xlsx(path: Path, package: Mapping[str, Any]) -> None:
    # Typed cells: numbers stay numbers, text is typed text (never run as a formula).
    keys: dict[str, SortKey] = {}
    flat: list[dict[str, str | Decimal | int]] = []
    for grant in package["grants"]:
        flat.append({})
        flatten_into(grant, flat[-1], keys)
    columns = column_order(keys)
    rows = [[cells.get(title) for title in columns] for cells in flat]
    write_xlsx(path, Table(title=GRANTS_SHEET, columns=columns, rows=rows))


def _write_by_suffix(path: Path, package: Mapping[str, Any]) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _write_csv(path, package)
    elif suffix == ".xlsx":
        _write_xlsx(path, package)
    else:
        _write_json(path, package)


def write_built_package(path: PathLike, package: Mapping[str, Any]) -> Path:
    """Write a package `build_packages` has already validated, by suffix (JSON, CSV, XLSX).

    For writing one built package in several formats without checking it again each time.
    """
    target = Path(path)
    _write_by_suffix(target, package)
    return target


def write_package_json(
    path: PathLike, package: Mapping[str, Any], *, as_of: date | None = None
) -> Path:
    """Validate ``package`` and write it as JSON; if invalid raise `ExportError`, write nothing."""
    target = Path(path)
    _refuse_if_invalid(package, as_of, target)
    _write_json(target, package)
    return target


def write_package_csv(
    path: PathLike, package: Mapping[str, Any], *, as_of: date | None = None
) -> Path:
    """Validate ``package`` and write its grants as one CSV sheet with the standard's titles.

    Package metadata (publisher, licence, issued) has no place in the grants sheet and is not
    written; publish it beside the file. Text cells are neutralised against formulas.
    """
    target = Path(path)
    _refuse_if_invalid(package, as_of, target)
    _write_csv(target, package)
    return target


def write_package_xlsx(
    path: PathLike, package: Mapping[str, Any], *, as_of: date | None = None
) -> Path:
    """Validate ``package`` and write its grants as an XLSX workbook, one sheet ``grants``.

    Column titles are the standard's, as in the CSV; amounts are number cells. Needs the
    ``xlsx`` extra. Text a workbook cannot hold is refused (`ExportError`), nothing written.
    """
    target = Path(path)
    _refuse_if_invalid(package, as_of, target)
    _write_xlsx(target, package)
    return target


def grants_package(
    grants: ImportedGrants | Iterable[GrantRecord], *, metadata: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A package of imported grants as read, with ``metadata`` (the file's own by default)."""
    if isinstance(grants, ImportedGrants):
        chosen = dict(grants.metadata) if metadata is None else dict(metadata)
        records: Iterable[GrantRecord] = grants.records
    else:
        chosen, records = dict(metadata or {}), grants
    return {**chosen, "grants": [dict(r.data) for r in records]}


def write_grants(
    path: PathLike,
    grants: ImportedGrants | Iterable[GrantRecord],
    *,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write grants read by `read_360giving` back out as 360Giving, by suffix (JSON, CSV, XLSX).

    No applications or rounds are needed: each grant is written as it was read (amounts as
    exact decimals, rounded to the penny where the reading warned), so reading the file again
    gives the same values. The package is checked against the schema (not the critical
    checks, which describe the data rather than the file); a problem raises `ExportError`
    and nothing is written. Metadata goes only into JSON.
    """
    target = Path(path)
    package = grants_package(grants, metadata=metadata)
    problems = schema_problems(package)
    if problems:
        raise ExportError(problems, f"{target} not written: the grants are not valid 360Giving")
    _write_by_suffix(target, package)
    return target


def _targets(path: Path, packages: list[FunderPackage], split: bool) -> list[Path]:
    if len(packages) == 1 and not split:
        return [path]
    return [path.with_name(f"{path.stem}-{_slug(p.funder.id)}{path.suffix}") for p in packages]


def _export(
    path: PathLike,
    scope: Scope | Iterable[Round],
    applications: Iterable[Application],
    awards: Iterable[Award],
    publisher: Publisher,
    as_of: date | datetime,
    split_by_funder: bool,
    write: Any,
    pm: SgfundPluginManager,
    anchors: Mapping[str, object] | None = None,
    post_award: Mapping[str, Position] | None = None,
) -> list[Path]:
    build = build_packages if split_by_funder else build_package
    built = build(
        scope,
        applications,
        awards,
        publisher=publisher,
        as_of=as_of,
        pm=pm,
        anchors=anchors,
        post_award=post_award,
    )
    packages = built if isinstance(built, list) else [built]
    targets = _targets(Path(path), packages, split_by_funder)
    # Every package was validated before the first file is written.
    for target, package in zip(targets, packages, strict=True):
        write(target, package.package)
    return targets


def write_360giving_json(
    path: PathLike,
    scope: Scope | Iterable[Round],
    applications: Iterable[Application],
    awards: Iterable[Award],
    *,
    publisher: Publisher,
    as_of: date | datetime,
    pm: SgfundPluginManager,
    split_by_funder: bool = False,
    anchors: Mapping[str, object] | None = None,
    post_award: Mapping[str, Position] | None = None,
) -> list[Path]:
    """Export the awards of ``scope`` as a validated 360Giving JSON package.

    ``pm`` gives each round's theme vocabularies and areas (see `build_packages`). A scope
    with awards from several funders is refused, unless ``split_by_funder`` is set: then each
    funder gets its own file, ``<stem>-<funder id>.json`` beside ``path``. Returns the paths
    written. Raises `ExportError` (nothing written) listing every problem. ``anchors`` (round
    id to the anchor of its closure) are published in the package's ``sgfundAnchors``.
    ``post_award`` (``Ledger.post_award``'s positions) publishes awards as varied, with
    ``amountDisbursed``.
    """
    return _export(
        path,
        scope,
        applications,
        awards,
        publisher,
        as_of,
        split_by_funder,
        _write_json,
        pm,
        anchors,
        post_award,
    )


def write_360giving_xlsx(
    path: PathLike,
    scope: Scope | Iterable[Round],
    applications: Iterable[Application],
    awards: Iterable[Award],
    *,
    publisher: Publisher,
    as_of: date | datetime,
    pm: SgfundPluginManager,
    split_by_funder: bool = False,
    post_award: Mapping[str, Position] | None = None,
) -> list[Path]:
    """Export the awards of ``scope`` as an XLSX workbook with the standard's column titles.

    Validated exactly as `write_360giving_json`; one funder per file likewise. Needs the
    ``xlsx`` extra.
    """
    return _export(
        path,
        scope,
        applications,
        awards,
        publisher,
        as_of,
        split_by_funder,
        _write_xlsx,
        pm,
        post_award=post_award,
    )


def write_360giving_csv(
    path: PathLike,
    scope: Scope | Iterable[Round],
    applications: Iterable[Application],
    awards: Iterable[Award],
    *,
    publisher: Publisher,
    as_of: date | datetime,
    pm: SgfundPluginManager,
    split_by_funder: bool = False,
    post_award: Mapping[str, Position] | None = None,
) -> list[Path]:
    """Export the awards of ``scope`` as a flat 360Giving CSV (standard column titles).

    Validated exactly as `write_360giving_json`; one funder per file likewise.
    """
    return _export(
        path,
        scope,
        applications,
        awards,
        publisher,
        as_of,
        split_by_funder,
        _write_csv,
        pm,
        post_award=post_award,
    )


def convert_360giving(source: PathLike, target: PathLike, *, as_of: date | None = None) -> Path:
    """Convert a 360Giving file between JSON, CSV and XLSX (chosen by each file's suffix).

    The source is checked once, on reading, exactly as `load_package` does; nothing is written
    if it has any problem. A sheet to JSON gives a package of grants without metadata.
    """
    package = load_package(source, as_of=as_of)
    destination = Path(target)
    _write_by_suffix(destination, package)
    return destination
