"""Rows of a spreadsheet as text, whatever the file: common ground of the CSV and XLSX readers."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

from attrs import field, frozen

from sgfund.errors import DataError, Problem

__all__ = ["MAX_CELL_CHARS", "Sheet", "SheetRow", "open_sheet", "preview"]

# Excel's own limit on the text in one cell.
MAX_CELL_CHARS = 32_767


def preview(text: str, limit: int = 40) -> str:
    """The start of a long value, for messages that should not repeat a megabyte."""
    return text if len(text) <= limit else text[:limit] + "…"


@frozen(kw_only=True)
class SheetRow:
    """One row as a spreadsheet shows it: ``number`` counts from 1 at the top of the sheet.

    ``cells`` are text with surrounding white space kept. ``flaws`` maps a 0-based column
    index to why that cell could not be read as a value (a formula, an error value, too long).
    """

    number: int
    cells: tuple[str, ...]
    flaws: Mapping[int, str] = field(factory=dict)

    @property
    def blank(self) -> bool:
        """True when every cell is empty or white space (such rows are skipped)."""
        return not self.flaws and all(not c.strip() for c in self.cells)


class Sheet(Protocol):
    """An open sheet: iterate it for rows; close it when done (it is a context manager)."""

    file: str
    format: str
    encoding: str | None
    delimiter: str | None

    def __iter__(self) -> Iterator[SheetRow]:
        """Rows from the top of the sheet, blank ones included."""
        ...

    def __enter__(self) -> Sheet: ...

    def __exit__(self, *_exc: object) -> None: ...

    def close(self) -> None:
        """Release the file."""
        ...


def open_sheet(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Sheet:
    """Open a CSV (``.csv``, ``.tsv``, ``.txt``) or XLSX (``.xlsx``, ``.xlsm``) file for rows.

    Raises `DataError` for other kinds of file, naming what to save it as instead.
    """
    suffix = Path(path).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        from sgfund.io.xlsx_reader import XlsxSheet

        return XlsxSheet(path, sheet=sheet)
    if suffix in {".csv", ".tsv", ".txt"}:
        from sgfund.io.csv_reader import CsvSheet

        return CsvSheet(path, encoding=encoding, delimiter=delimiter)
    hint = "an Excel 97-2003 workbook; " if suffix == ".xls" else ""
    raise DataError(
        [
            Problem(
                f"{hint}sgfund reads .csv, .tsv, .txt, .xlsx and .xlsm files; "
                "save the sheet as CSV UTF-8 or as an Excel workbook (.xlsx)",
                file=str(path),
                value=suffix or "(no extension)",
                expected=".csv or .xlsx",
            )
        ],
        "the file is not a kind sgfund reads",
        file=str(path),
    )
