"""Whatever bytes, cells or mapping files come in, a reader gives a result or a located error.

Never another exception, never a hang, and memory bounded by the caps.
"""

from __future__ import annotations

import csv
import io
import json
import random
import tracemalloc
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.errors import SgfundError
from sgfund.examples_scf import GR1, GR2, sample_records
from sgfund.io.columns import APPLICATION_COLUMNS, DECISION_COLUMNS
from sgfund.io.importer import read_applications
from sgfund.io.mapping import load_mapping
from sgfund.io.threesixtygiving import build_package, dumps_package, read_360giving

# The built-in plugins and the vocabulary and districts the example rounds need; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)

GOOD = Path(__file__).parent / "data" / "good"
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
NAMES = [c.name for c in (*APPLICATION_COLUMNS, *DECISION_COLUMNS)]
MiB = 1024 * 1024


def outcome(call, *, file: Path | None):
    """Run ``call``: it returns, or raises an sgfund error whose every problem is located."""
    try:
        return call()
    except SgfundError as err:
        problems = getattr(err, "problems", None)
        assert problems, f"{type(err).__name__} without problems: {err}"
        for problem in problems:
            located = problem.file is not None or problem.field is not None
            assert located, problem
            if file is not None and problem.file is not None:
                assert Path(problem.file).name in (file.name, "layout.json", "layout.toml")
        return err


# Plausible cell values, odd ones and anything at all: deep enough to reach every parser.
PLAUSIBLE = st.sampled_from(
    [
        "GR2-001",
        "mayor-gr2",
        "Registered charity",
        "Funded",
        "£5,950.00",
        "01/11/2022",
        "31/10/2023",
        "10/06/2022",
        "10/06/2022 11:59",
        "LS1 1AA",
        "1012345",
        "domestic-abuse; Stalking and Harassment",
        "#REF!",
        "=SUM(A1)",
        "'=x",
        "1e3",
        "\uff11\uff12",
        "\x07",
        "",
    ]
)
CELLS = st.one_of(PLAUSIBLE, st.text(max_size=40))


@st.composite
def sheets(draw):
    header = draw(st.lists(st.sampled_from([*NAMES, "Notes", ""]), min_size=1, max_size=24))
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 3), max_size=8))
    return [header, *rows]


def _csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


@settings(suppress_health_check=SUPPRESS, deadline=None)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".tsv", ".txt"]))
def test_any_bytes_as_csv(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"in{suffix}"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        outcome(lambda: read_applications(path, pm=PM, rounds=[GR1, GR2]), file=path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * MiB


@settings(suppress_health_check=SUPPRESS, deadline=None)
@given(
    rows=sheets(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    bad_rows=st.sampled_from(["refuse", "set-aside"]),
)
def test_any_cells_as_csv(tmp_path_factory, rows, encoding, bad_rows):
    path = tmp_path_factory.mktemp("cells") / "in.csv"
    path.write_bytes(_csv_bytes(rows, encoding))
    found = outcome(
        lambda: read_applications(path, pm=PM, rounds=[GR1, GR2], bad_rows=bad_rows), file=None
    )
    if not isinstance(found, SgfundError):
        assert found.rows + found.blank_rows <= len(rows)


_XLSX_ODD = [True, 5950.505, 1e300, -0.0, float("nan"), 41133.770000000004, date(2022, 6, 10)]


@st.composite
def workbook_cells(draw):
    cell = st.one_of(
        CELLS.filter(lambda t: t.isprintable() and not t.startswith("=")),
        st.sampled_from(_XLSX_ODD),
        st.integers(-(10**20), 10**20),
        st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),  # noqa: DTZ001
    )
    header = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=20))
    rows = draw(st.lists(st.lists(cell, max_size=len(header) + 2), max_size=5))
    return [header, *rows]


@settings(max_examples=40, suppress_health_check=SUPPRESS, deadline=None)
@given(rows=workbook_cells())
def test_any_cells_as_xlsx(tmp_path_factory, rows):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path_factory.mktemp("xlsx") / "in.xlsx"
    book.save(path)
    outcome(lambda: read_applications(path, pm=PM, rounds=[GR1, GR2]), file=path)


@pytest.fixture(scope="module")
def workbook_bytes() -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    with (GOOD / "gr2-messy.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@settings(max_examples=60, suppress_health_check=SUPPRESS, deadline=None)
@given(seed=st.integers(0, 2**32), flips=st.integers(1, 20), cut=st.floats(0.05, 1.0))
def test_damaged_workbooks(tmp_path_factory, workbook_bytes, seed, flips, cut):
    rng = random.Random(seed)
    data = bytearray(workbook_bytes[: max(1, int(len(workbook_bytes) * cut))])
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path = tmp_path_factory.mktemp("damaged") / "in.xlsx"
    path.write_bytes(bytes(data))
    outcome(lambda: read_applications(path, pm=PM, rounds=[GR1, GR2]), file=path)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def mappings(draw):
    """Mapping structures near the real format, with anything at all in the gaps."""
    key = st.sampled_from([*NAMES, "grant", ""]) | st.text(max_size=8)
    mapping = {
        "columns": draw(st.dictionaries(key, CELLS | JSON_VALUES, max_size=4)),
        "constants": draw(st.dictionaries(key, CELLS | JSON_VALUES, max_size=4)),
        "values": draw(
            st.dictionaries(
                st.sampled_from(["organisation_type", "outcome", "themes", "district", "x"]),
                st.dictionaries(CELLS, CELLS | JSON_VALUES, max_size=3) | JSON_VALUES,
                max_size=3,
            )
        ),
        "notes": draw(st.lists(CELLS, max_size=3) | JSON_VALUES),
        "ignore": draw(st.lists(CELLS, max_size=3)),
    }
    keep = draw(st.sets(st.sampled_from(sorted(mapping))))
    return {k: v for k, v in mapping.items() if k in keep}


@settings(suppress_health_check=SUPPRESS, deadline=None)
@given(mapping=mappings(), as_toml=st.booleans())
def test_any_mapping_file_applied_to_a_sheet(tmp_path_factory, mapping, as_toml):
    folder = tmp_path_factory.mktemp("mapping")
    if as_toml:
        path = folder / "layout.toml"
        path.write_text(_toml(mapping), encoding="utf-8", errors="surrogatepass")
    else:
        path = folder / "layout.json"
        path.write_text(json.dumps(mapping), encoding="utf-8")
    sheet = GOOD / "gr2-messy.csv"
    outcome(lambda: read_applications(sheet, pm=PM, rounds=[GR1, GR2], mapping=path), file=None)


def _toml(mapping: dict) -> str:
    # Strings only (what TOML can say simply); anything else becomes its JSON text.
    def value(v: object) -> str:
        return json.dumps(v if isinstance(v, str) else json.dumps(v))

    lines = []
    for key in ("notes", "ignore"):
        if isinstance(mapping.get(key), list):
            lines.append(f"{key} = [{', '.join(value(v) for v in mapping[key])}]")
    for table in ("columns", "constants"):
        if isinstance(mapping.get(table), dict):
            lines.append(f"[{table}]")
            lines += [f"{json.dumps(k)} = {value(v)}" for k, v in mapping[table].items()]
    return "\n".join(lines) + "\n"


@settings(suppress_health_check=SUPPRESS, deadline=None)
@given(text=st.text(max_size=400), suffix=st.sampled_from([".toml", ".json"]))
def test_any_text_as_a_mapping_file(tmp_path_factory, text, suffix):
    path = tmp_path_factory.mktemp("text") / f"layout{suffix}"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    outcome(lambda: load_mapping(path), file=path)


@pytest.fixture(scope="module")
def package() -> dict:
    records = sample_records(GR2)
    from sgfund.io.threesixtygiving import Publisher

    publisher = Publisher(prefix="360G-wyca", name="West Yorkshire Combined Authority")
    built = build_package(
        [GR2],
        records.applications[:6],
        [a for a in records.awards if a.application_id in {p.id for p in records.applications[:6]}],
        publisher=publisher,
        pm=PM,
        as_of=date(2023, 4, 1),
    )
    return json.loads(dumps_package(built.package), parse_float=Decimal)


LEAF_PATHS = st.lists(
    st.sampled_from(
        [
            "grants",
            0,
            1,
            "recipientOrganization",
            "amountAwarded",
            "postalCode",
            "id",
            "awardDate",
            "plannedDates",
            "title",
            "charityNumber",
            "duration",
            "fundingOrganization",
            "grantProgramme",
            "code",
            "amountAppliedFor",
        ]
    ),
    min_size=1,
    max_size=5,
)
NUMBERS = st.decimals(allow_nan=False, allow_infinity=False) | st.integers()


def _can_step(target: object, step: object, *, new: bool = False) -> bool:
    if isinstance(target, dict):
        return isinstance(step, str) and (new or step in target)
    return isinstance(target, list) and isinstance(step, int) and step < len(target)


def _set(target: object, path: list[object], value: object) -> None:
    for step in path[:-1]:
        if not _can_step(target, step):
            return
        target = target[step]  # type: ignore[index]
    if _can_step(target, path[-1], new=True):
        target[path[-1]] = value  # type: ignore[index]


@settings(max_examples=80, suppress_health_check=SUPPRESS, deadline=None)
@given(
    changes=st.lists(st.tuples(LEAF_PATHS, JSON_VALUES | NUMBERS | CELLS), max_size=4),
    suffix=st.sampled_from([".json", ".csv"]),
    strict=st.booleans(),
)
def test_any_change_to_a_360giving_file(tmp_path_factory, package, changes, suffix, strict):
    data = json.loads(dumps_package(package), parse_float=Decimal)
    for path, value in changes:
        _set(data, path, value)
    target = tmp_path_factory.mktemp("grants") / f"in{suffix}"
    if suffix == ".json":
        target.write_text(dumps_package(data), encoding="utf-8")
    else:
        from sgfund.io.threesixtygiving import csv_table

        grants = data.get("grants") if isinstance(data.get("grants"), list) else []
        columns, rows = csv_table([g for g in grants if isinstance(g, dict)])
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=columns or ["Identifier"], restval="")
        writer.writeheader()
        writer.writerows(rows)
        target.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
    found = outcome(lambda: read_360giving(target, strict=strict), file=target)
    if not isinstance(found, SgfundError):
        assert found.total == sum((r.award.amount for r in found.records), Decimal("0.00"))


@settings(suppress_health_check=SUPPRESS, deadline=None)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".json", ".csv", ".xlsx"]))
def test_any_bytes_as_360giving(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("grants") / f"in{suffix}"
    path.write_bytes(data)
    outcome(lambda: read_360giving(path), file=path)
