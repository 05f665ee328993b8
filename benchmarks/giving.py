"""Timed 360Giving conversions (B4): sgfund, flattentool and a naive json+csv pass.

Every variant converts the same generated package. Its output is read back afterwards
(untimed, on the first repeat) and compared value by value with the grants it was made from:
numbers as exact decimals, everything else as text.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import warnings
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.apps import Job
from benchmarks.data import make_grants

# --- a title map of the standard, for the naive pass and for reading any CSV back ------------


def _schema() -> dict[str, Any]:
    from sgfund.io.threesixtygiving.schema import grant_schema

    return dict(grant_schema())


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {**root["$defs"][ref.removeprefix("#/$defs/")], **node}
    return node


def _kinds(node: Mapping[str, Any]) -> set[str]:
    kind = node.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


Titles = dict[str, tuple[str, str, Any]]  # title -> (key, kind, titles of the items or None)


def title_map(
    node: Mapping[str, Any] | None = None, root: Mapping[str, Any] | None = None
) -> Titles:
    """Column title -> (JSON key, kind, nested map) for every titled property of the schema."""
    root = root or _schema()
    node = node or root
    out: Titles = {}
    for key, raw in node.get("properties", {}).items():
        prop = _resolve(raw, root)
        kinds = _kinds(prop)
        title = prop.get("title") or key
        if "array" in kinds:
            items = _resolve(prop.get("items", {}), root)
            if "properties" in items:
                out[title] = (key, "objects", title_map(items, root))
            else:
                out[title] = (key, "strings", None)
        elif "object" in kinds and "properties" in prop:
            out[title] = (key, "object", title_map(prop, root))
        elif kinds & {"number", "integer"}:
            out[title] = (key, "number", None)
        else:
            out[title] = (key, "string", None)
    return out


def _set(
    grant: dict[str, Any], parts: list[str], text: str, titles: Titles, number: Callable[[str], Any]
) -> None:
    key, kind, sub = titles[parts[0]]
    if kind == "objects":
        index = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0
        rest = parts[2:] if len(parts) > 2 and parts[1].isdigit() else parts[1:]
        items = grant.setdefault(key, [])
        while len(items) <= index:
            items.append({})
        _set(items[index], rest, text, sub, number)
    elif kind == "object":
        _set(grant.setdefault(key, {}), parts[1:], text, sub, number)
    elif kind == "number":
        grant[key] = number(text)
    elif kind == "strings":
        grant[key] = [t.strip() for t in text.split(";")]
    else:
        grant[key] = text


def unflatten(
    row: Mapping[str, str], titles: Titles, number: Callable[[str], Any] = Decimal
) -> dict[str, Any]:
    """A CSV row (standard titles) as a grant; blank cells are absent."""
    grant: dict[str, Any] = {}
    for title, text in row.items():
        if text:
            _set(grant, title.split(":"), text, titles, number)
    return grant


def _cells(value: Any, prefix: str, titles: Titles, out: dict[str, str]) -> None:
    keys = {key: (title, kind, sub) for title, (key, kind, sub) in titles.items()}
    for key, item in value.items():
        title, kind, sub = keys[key]
        if kind == "objects":
            for i, each in enumerate(item):
                _cells(each, f"{prefix}{title}:{i}:", sub, out)
        elif kind == "object":
            _cells(item, f"{prefix}{title}:", sub, out)
        elif kind == "strings":
            out[prefix + title] = ";".join(item)
        else:
            out[prefix + title] = str(item)


def flatten(grant: Mapping[str, Any], titles: Titles) -> dict[str, str]:
    """A grant as cells under numbered standard titles (``Recipient Org:0:Name``)."""
    out: dict[str, str] = {}
    _cells(grant, "", titles, out)
    return out


# --- comparing values ------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if v not in ("", None, [], {})}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).normalize()
    return str(value)


def first_difference(expected: list[Any], got: list[Any]) -> str | None:
    """None if every grant is equal, else where the first difference is."""
    if len(expected) != len(got):
        return f"{len(got)} grants, expected {len(expected)}"
    for i, (want, have) in enumerate(zip(expected, got, strict=True)):
        if _canonical(want) != _canonical(have):
            return f"grant {i}: {_canonical(have)!r:.300} != {_canonical(want)!r:.300}"
    return None


def read_csv_grants(path: Path) -> list[dict[str, Any]]:
    """Grants from a one-sheet CSV with standard titles (rolled up or numbered)."""
    titles = title_map()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [unflatten(row, titles) for row in csv.DictReader(handle)]


def _verdict(grants: list[Any], difference: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"grants": len(grants), "values_equal": difference is None}
    if difference is not None:
        out["difference"] = difference
    return out


def _check_json(path: Path, count: int) -> dict[str, Any]:
    got = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)["grants"]
    return _verdict(got, first_difference(make_grants(count), got))


def _check_csv(path: Path, count: int) -> dict[str, Any]:
    got = read_csv_grants(path)
    return _verdict(got, first_difference(make_grants(count), got))


# --- the variants ----------------------------------------------------------------------------


class _Out:
    """A temporary folder for one run's output, removed at exit."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.path = Path(self.folder.name)


def prepare_sgfund_to_csv(json_path: str, csv_path: str, count: int, verify: bool) -> Job:
    """B4: sgfund converts the JSON package to the standard CSV (checked on reading)."""
    from sgfund.io.threesixtygiving import convert_360giving

    out = _Out()
    target = out.path / "grants.csv"
    return Job(
        run=lambda: convert_360giving(json_path, target),
        check=lambda _: _check_csv(target, count) if verify else {},
        keep=[out],
    )


def prepare_sgfund_to_json(json_path: str, csv_path: str, count: int, verify: bool) -> Job:
    """B4: sgfund converts the standard CSV to a JSON package (checked on reading)."""
    from sgfund.io.threesixtygiving import convert_360giving

    out = _Out()
    target = out.path / "grants.json"
    return Job(
        run=lambda: convert_360giving(csv_path, target),
        check=lambda _: _check_json(target, count) if verify else {},
        keep=[out],
    )


def _quiet(action: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return action()


def prepare_flattentool_flatten(json_path: str, csv_path: str, count: int, verify: bool) -> Job:
    """B4: flattentool flatten with the shipped grant schema, titles and roll-up."""
    import flattentool

    from sgfund.io.threesixtygiving.schema import GRANT_SCHEMA_FILE

    schema = str(Path(_sgfund_schema_folder(), GRANT_SCHEMA_FILE))
    out = _Out()
    folder = out.path / "flat"

    def run() -> None:
        _quiet(
            lambda: flattentool.flatten(
                json_path,
                schema=schema,
                output_name=str(folder),
                output_format="csv",
                main_sheet_name="grants",
                root_list_path="grants",
                use_titles=True,
                rollup=True,
            )
        )

    def check(_: Any) -> dict[str, Any]:
        if not verify:
            return {}
        got = read_flattened(folder)
        return _verdict(got, first_difference(make_grants(count), got))

    return Job(run=run, check=check, keep=[out])


def read_flattened(folder: Path) -> list[dict[str, Any]]:
    """Grants from flattentool's sheets: the main sheet (rolled up), then each sub-sheet.

    A sub-sheet whose array the main sheet already rolled up repeats it and is skipped.
    """
    titles = title_map()
    grants = read_csv_grants(folder / "grants.csv")
    by_id = {g["id"]: g for g in grants}
    for sheet in sorted(folder.glob("*.csv")):
        if sheet.name == "grants.csv":
            continue
        with sheet.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                grant = by_id[row.pop("Identifier")]
                item = unflatten(row, titles)
                for key, value in item.items():
                    if key in grant and len(value) == 1 and value[0] in grant[key][:1]:
                        continue  # rolled up into the main sheet
                    grant.setdefault(key, []).extend(value)
    return grants


def _unflatten(folder: Path, target: Path, schema: str) -> None:
    import flattentool

    _quiet(
        lambda: flattentool.unflatten(
            str(folder),
            output_name=str(target),
            input_format="csv",
            root_list_path="grants",
            schema=schema,
            convert_titles=True,
            id_name="id",
            encoding="utf-8-sig",
        )
    )


def _sgfund_schema_folder() -> Path:
    from importlib import resources

    return Path(str(resources.files("sgfund.io").joinpath("schema")))


def prepare_flattentool_unflatten(json_path: str, csv_path: str, count: int, verify: bool) -> Job:
    """B4: flattentool unflatten of the standard CSV with the shipped grant schema."""
    from sgfund.io.threesixtygiving.schema import GRANT_SCHEMA_FILE

    schema = str(Path(_sgfund_schema_folder(), GRANT_SCHEMA_FILE))
    out = _Out()
    folder = out.path / "sheets"
    folder.mkdir()
    shutil.copyfile(csv_path, folder / "grants.csv")
    target = out.path / "grants.json"
    return Job(
        run=lambda: _unflatten(folder, target, schema),
        check=lambda _: _check_json(target, count) if verify else {},
        keep=[out],
    )


def prepare_naive_to_csv(json_path: str, csv_path: str, count: int, verify: bool) -> Job:
    """B4 floor: json.load (floats), flatten by the schema's titles, csv.DictWriter. No checks."""
    titles = title_map()
    out = _Out()
    target = out.path / "grants.csv"

    def run() -> None:
        with open(json_path, encoding="utf-8") as handle:
            grants = json.load(handle)["grants"]
        rows = [flatten(g, titles) for g in grants]
        columns = list(dict.fromkeys(title for row in rows for title in row))
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, restval="")
            writer.writeheader()
            writer.writerows(rows)

    return Job(run=run, check=lambda _: _check_csv(target, count) if verify else {}, keep=[out])


def prepare_naive_to_json(json_path: str, csv_path: str, count: int, verify: bool) -> Job:
    """B4 floor: csv.DictReader, unflatten by the schema's titles (floats), json.dump."""
    titles = title_map()
    out = _Out()
    target = out.path / "grants.json"

    def run() -> None:
        with open(csv_path, encoding="utf-8-sig", newline="") as handle:
            grants = [unflatten(row, titles, float) for row in csv.DictReader(handle)]
        with target.open("w", encoding="utf-8") as handle:
            json.dump({"grants": grants}, handle, indent=2)

    return Job(run=run, check=lambda _: _check_json(target, count) if verify else {}, keep=[out])
