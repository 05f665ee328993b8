"""The CSV of rows set aside by an import, each with its problems, written beside the input.

Its columns are ``source_row``, the input's own columns under their own headers, then
``problems``. sgfund ignores ``source_row`` and ``problems`` when reading, so an officer can
correct the rows in this file and import it as it stands.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

from sgfund.errors import Problem
from sgfund.io.files import atomic_write, neutralise_cell

__all__ = ["errors_path", "write_error_csv"]


def errors_path(path: str | os.PathLike[str]) -> Path:
    """Where the rows set aside from ``path`` go: ``<stem>.errors.csv`` in the same folder."""
    source = Path(path)
    return source.with_name(f"{source.stem}.errors.csv")


def _describe(problem: Problem) -> str:
    where = problem.column or problem.field
    return f"{where}: {problem.message}" if where else problem.message


def write_error_csv(
    path: str | os.PathLike[str],
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[str], Sequence[Problem]]],
) -> None:
    """Write ``(row number, cells, problems)`` rows all or nothing, in UTF-8 with a BOM.

    The BOM makes Excel read pound signs correctly. Every cell goes through
    `neutralise_cell`, so no value is run as a formula when the file is opened.
    """
    # A row may be wider than the header (stray cells); keep its cells in their columns.
    width = max([len(headers), *(len(cells) for _, cells, _ in rows)])
    header = [*headers, *([""] * (width - len(headers)))]
    with atomic_write(path, encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["source_row", *(neutralise_cell(h) for h in header), "problems"])
        for number, cells, problems in rows:
            padded = [*cells, *([""] * (width - len(cells)))]
            writer.writerow(
                [
                    str(number),
                    *(neutralise_cell(c) for c in padded),
                    neutralise_cell("\n".join(_describe(p) for p in problems)),
                ]
            )
