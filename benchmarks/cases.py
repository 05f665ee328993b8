"""The cases B1-B6: what each times, what it is compared with, and the goal.

A case has variants run side by side on the same data; the first variant named as
``baseline`` is the unit of its ratios. Goals are read from the measured minimum times.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks import data

MB = 1024 * 1024


@dataclass(frozen=True)
class Variant:
    """One way of doing a case's work, timed in its own process."""

    name: str
    label: str
    target: str | None = None  # "module:prepare_function", timed inside the process
    command: tuple[str, ...] | None = None  # or a whole process, timed from outside
    needs: tuple[str, ...] = ()  # modules without which the variant is skipped
    rows: int | None = None  # rows or grants it handles, when not the case's own
    shape: str | None = None  # "wide" or "narrow" sheet, when not the case's own
    source: str | None = None  # another checkout's src/ to import sgfund from (--baseline-src)


@dataclass(frozen=True)
class Goal:
    """A target from the issue: ``variant`` against ``against`` (or an absolute limit)."""

    text: str
    variant: str
    kind: str  # "ratio" (at most), "speedup" (at least), "extra" (seconds), "rss" (bytes),
    # "flat" (the largest time per row over the smallest, across ``variant`` and ``across``)
    limit: float
    against: str | None = None
    at_rows: int | None = None  # judged only when ``variant`` ran exactly this many rows
    across: tuple[str, ...] = ()  # "flat": the other variants whose time per row is compared


@dataclass(frozen=True)
class Case:
    """A benchmark case and its variants."""

    id: str
    title: str
    unit: str
    baseline: str
    variants: tuple[Variant, ...]
    goals: tuple[Goal, ...] = ()
    shape: str = "wide"
    scale: float = 1.0  # of the run's size
    kind: str = "applications"  # or "grants", "startup"
    repeat_factor: int = 1  # short cases run more often, for a steadier minimum
    notes: tuple[str, ...] = field(default=())


APPS = "benchmarks.apps"
GIVING = "benchmarks.giving"


def _b1(case_id: str, shape: str) -> Case:
    return Case(
        id=case_id,
        title=f"close every round of a sheet ({shape} rows): parse, validate, rules, "
        "classifiers, totals, reconciliation",
        unit="rows",
        baseline="csv.reader",
        shape=shape,
        variants=(
            Variant("csv.reader", "a bare csv.reader pass", f"{APPS}:prepare_csv_reader"),
            Variant(
                "polars",
                "polars read_csv + explode + group-by totals",
                f"{APPS}:prepare_polars",
                needs=("polars",),
            ),
            Variant(
                "pandas",
                "pandas read_csv + explode + group-by totals",
                f"{APPS}:prepare_pandas",
                needs=("pandas",),
            ),
            Variant(
                "sgfund",
                "sgfund: read, assess, award, close (pure Python)",
                f"{APPS}:prepare_close_sgfund",
            ),
            Variant(
                "sgfund-columnar",
                "sgfund: the same through sgfund.io.columnar (extra columnar)",
                f"{APPS}:prepare_close_sgfund_columnar",
                needs=("polars",),
            ),
        ),
        goals=(
            Goal("without extras <= 3x the bare pass", "sgfund", "ratio", 3.0, "csv.reader"),
            Goal("<= 0.5x pandas", "sgfund-columnar", "ratio", 0.5, "pandas"),
            Goal("<= 2.5x polars (columnar extra)", "sgfund-columnar", "ratio", 2.5, "polars"),
        ),
    )


def _b2() -> Case:
    return Case(
        id="B2",
        title="B1's sgfund close at 1/100 and 1/10 of the size (the full size is B1's row)",
        unit="rows",
        baseline="sgfund-1/100",
        variants=(
            Variant(
                "sgfund-1/100",
                "sgfund close, 1/100 of the rows",
                f"{APPS}:prepare_close_sgfund",
                rows=-100,
            ),
            Variant(
                "sgfund-1/10",
                "sgfund close, 1/10 of the rows",
                f"{APPS}:prepare_close_sgfund",
                rows=-10,
            ),
        ),
        goals=(
            Goal(
                "peak RSS <= 1.0 GB at 1M (B1's row)",
                "B1:sgfund",
                "rss",
                1024 * MB,
                at_rows=1_000_000,
            ),
            Goal(
                "time per application flat across sizes (within 20%)",
                "B1:sgfund",
                "flat",
                1.2,
                across=("B2:sgfund-1/100", "B2:sgfund-1/10"),
            ),
        ),
    )


def _b3() -> Case:
    return Case(
        id="B3",
        title="store a sheet's applications in the SQLite ledger",
        unit="rows",
        baseline="raw sqlite3",
        variants=(
            Variant(
                "raw sqlite3",
                "executemany of the ledger's own rows into the same tables, unguarded",
                f"{APPS}:prepare_raw_sqlite",
            ),
            Variant(
                "raw sqlite3 + rows",
                "the same, making the rows (JSON) from the applications included",
                f"{APPS}:prepare_raw_sqlite_rows",
            ),
            Variant(
                "ledger add",
                "Ledger.add_applications (applications read beforehand)",
                f"{APPS}:prepare_ledger_add",
            ),
            Variant(
                "ledger verify",
                "Ledger.verify of the ledger holding them (every record against its event)",
                f"{APPS}:prepare_ledger_verify",
            ),
            Variant(
                "ledger import",
                "import_applications: read, validate, store, decisions",
                f"{APPS}:prepare_ledger_import",
            ),
        ),
        goals=(
            Goal(
                "<= 2x raw executemany of prepared rows", "ledger add", "ratio", 2.0, "raw sqlite3"
            ),
            Goal(
                "<= 2x raw executemany, making the rows included",
                "ledger add",
                "ratio",
                2.0,
                "raw sqlite3 + rows",
            ),
        ),
    )


def _b4(to: str) -> Case:
    def v(name: str, label: str, fn: str, *needs: str) -> Variant:
        return Variant(name, label, f"{GIVING}:{fn}", needs=needs)

    if to == "csv":
        variants = (
            v("naive", "json.load + csv.DictWriter, no checks", "prepare_naive_to_csv"),
            v(
                "flattentool flatten",
                "flattentool flatten, grant schema, titles, roll-up",
                "prepare_flattentool_flatten",
                "flattentool",
            ),
            v(
                "sgfund",
                "sgfund convert_360giving (validated)",
                "prepare_sgfund_to_csv",
                "jsonschema",
            ),
        )
        speedup = Goal(
            ">= 10x faster than flattentool flatten",
            "sgfund",
            "speedup",
            10.0,
            "flattentool flatten",
        )
    else:
        variants = (
            v("naive", "csv.DictReader + json.dump, no checks", "prepare_naive_to_json"),
            v(
                "flattentool unflatten",
                "flattentool unflatten, grant schema, titles",
                "prepare_flattentool_unflatten",
                "flattentool",
            ),
            v(
                "sgfund",
                "sgfund convert_360giving (validated)",
                "prepare_sgfund_to_json",
                "jsonschema",
            ),
        )
        speedup = Goal(
            ">= 50x faster than flattentool unflatten",
            "sgfund",
            "speedup",
            50.0,
            "flattentool unflatten",
        )
    source, target = ("JSON", "CSV") if to == "csv" else ("CSV", "JSON")
    return Case(
        id=f"B4-{to}",
        title=f"360Giving {source} -> {target}, validated, every value compared",
        unit="grants",
        baseline="naive",
        kind="grants",
        scale=0.1,
        variants=variants,
        goals=(speedup, Goal("peak RSS <= 0.5 GB", "sgfund", "rss", 512 * MB)),
    )


def _b5() -> Case:
    python = sys.executable
    cli = Path(python).with_name("sgfund")
    variants = [
        Variant("python -c pass", "a bare interpreter", command=(python, "-c", "pass")),
        Variant(
            "import sgfund", 'python -c "import sgfund"', command=(python, "-c", "import sgfund")
        ),
    ]
    if cli.exists():
        variants.append(
            Variant("sgfund --help", "the command line's help", command=(str(cli), "--help"))
        )
        variants.append(
            Variant("sgfund --version", "the version alone", command=(str(cli), "--version"))
        )
    return Case(
        id="B5",
        title="start-up",
        unit="runs",
        baseline="python -c pass",
        kind="startup",
        repeat_factor=10,
        variants=tuple(variants),
        goals=(
            Goal(
                "<= 120 ms more than a bare interpreter",
                "import sgfund",
                "extra",
                0.120,
                "python -c pass",
            ),
            Goal(
                "<= 120 ms more than a bare interpreter",
                "sgfund --help",
                "extra",
                0.120,
                "python -c pass",
            ),
        ),
        notes=() if cli.exists() else ("no sgfund command is installed yet: --help not run",),
    )


def _b6() -> Case:
    return Case(
        id="B6",
        title="every rule and classifier of the round over every application",
        unit="rows",
        baseline="plain calls",
        variants=(
            Variant(
                "plain calls",
                "the same check functions in a plain loop",
                f"{APPS}:prepare_rules_plain",
            ),
            Variant(
                "sgfund engines",
                "run_rules + classify (hooks called once)",
                f"{APPS}:prepare_rules_hooks",
            ),
        ),
        goals=(Goal("<= 1.3x plain calls", "sgfund engines", "ratio", 1.3, "plain calls"),),
    )


def all_cases() -> tuple[Case, ...]:
    """Every case, in order."""
    return (
        _b1("B1", "wide"),
        _b1("B1-narrow", "narrow"),
        _b2(),
        _b3(),
        _b4("csv"),
        _b4("json"),
        _b5(),
        _b6(),
    )


def with_baseline(case: Case, source: str) -> Case:
    """The case with a twin of each sgfund variant that imports sgfund from ``source``."""
    twins = []
    for v in case.variants:
        twins.append(v)
        # The columnar path is new: an earlier checkout has no twin of it.
        if v.name.startswith("sgfund") and v.target is not None and "columnar" not in v.name:
            twins.append(
                replace(v, name=f"{v.name}@base", label=f"{v.label}; {source}", source=source)
            )
    return replace(case, variants=tuple(twins))


def rows_for(case: Case, variant: Variant, size: int) -> int:
    """The rows (or grants) a variant handles at the run's ``size``."""
    if case.kind == "startup":
        return 1
    if variant.rows is not None and variant.rows < 0:
        return max(size // -variant.rows, 1)
    return max(int(size * case.scale), 1)


def arguments(
    case: Case, variant: Variant, size: int, folder: Path, verify: bool
) -> dict[str, Any]:
    """The keyword arguments of the variant's prepare function (making its data first)."""
    rows = rows_for(case, variant, size)
    if case.kind == "grants":
        files = data.grant_files(folder, rows)
        return {
            "json_path": str(files.json),
            "csv_path": str(files.csv),
            "count": rows,
            "verify": verify,
        }
    sheet = data.applications_file(folder, rows, wide=(variant.shape or case.shape) == "wide")
    return {"path": str(sheet.path), "declared": str(sheet.declared)}
