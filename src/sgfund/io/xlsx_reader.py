"""Reading XLSX workbooks row by row with openpyxl (the optional ``xlsx`` extra).

Cells become text the way the workbook stores them, so every value goes through the same
parsers as CSV text: numbers in their shortest exact form (``5950.5``, never a float sum),
dates as ISO (``2022-06-10``, or ``2022-06-10 11:59`` with a time). Formulas and error
values are refused cell by cell: sgfund reads values, not calculations.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from sgfund.errors import DataError, MissingExtraError, Problem
from sgfund.io.files import open_input
from sgfund.io.sheet import MAX_CELL_CHARS, SheetRow, preview

__all__ = ["XlsxSheet", "cell_text"]

# A damaged workbook can make openpyxl and zipfile raise almost anything: BadZipFile,
# zlib.error, EOFError, KeyError, a ParseError, IndexError (a shared string that is not
# there), ValueError or TypeError (a number cell that is not a number), RecursionError.
# Whatever it raises while reading the file means the same to the officer.
_DAMAGE = (Exception,)
# The shared strings are read whole by openpyxl; a workbook whose strings unpack to more
# than this is refused before they are read (a "zip bomb" would otherwise fill memory).
MAX_SHARED_STRINGS_BYTES = 128 * 1024 * 1024
# Every other XML part is parsed a row (or, outside a sheet's rows, a whole part) at a time,
# and the parser holds one element's text whole: a few hundred kilobytes of a 300-kilobyte
# workbook can unpack to one 300 MB cell. No stretch of a part before, between or after its
# rows may unpack to more than this (a row of 100 full cells is under 20 MB).
MAX_ROW_BYTES = 32 * 1024 * 1024
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row[\s/>]")
_XML_PARTS = (".xml", ".rels", ".vml")
_CHUNK = 1024 * 1024


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as err:
        raise MissingExtraError("openpyxl", extra="xlsx", purpose="reading .xlsx files") from err
    return openpyxl


def cell_text(value: object) -> str:
    """A cell's value as text that sgfund's parsers read exactly.

    Whole-number floats lose their ``.0``; other floats keep their shortest round-trip form,
    so ``0.30000000000000004`` is refused as money rather than rounded.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


class XlsxSheet:
    """Rows of one worksheet (the first unless ``sheet`` names another), read as a stream."""

    format = "xlsx"
    encoding: str | None = None
    delimiter: str | None = None

    def __init__(self, path: str | os.PathLike[str], *, sheet: str | None = None) -> None:
        openpyxl = _openpyxl()
        self.file = str(path)
        self._handle = open_input(path, what="workbook")
        try:
            self._check_size()
            self._book = openpyxl.load_workbook(self._handle, read_only=True, data_only=False)
        except DataError:
            self._handle.close()
            raise
        except _DAMAGE as err:
            self._handle.close()
            raise self._damaged(err, None) from err
        names = list(self._book.sheetnames)
        self.sheet_names: tuple[str, ...] = tuple(names)
        if sheet is not None and sheet not in names:
            # Excel treats sheet names without regard to case (it refuses two that differ
            # only in case), so an officer's 'apps' means the sheet shown as 'Apps'.
            sheet = next((n for n in names if n.casefold() == sheet.casefold()), sheet)
        if sheet is not None and sheet not in names:
            self.close()
            raise DataError(
                [
                    Problem(
                        f"the workbook has no sheet named {sheet!r}",
                        file=self.file,
                        value=sheet,
                        expected="one of " + ", ".join(repr(n) for n in names),
                    )
                ],
                "the sheet was not found",
                file=self.file,
            )
        if sheet is None and not self._book.worksheets:
            self.close()
            raise DataError(
                [Problem("the workbook has no worksheet", file=self.file, expected="a worksheet")],
                "the workbook has nothing to read",
                file=self.file,
            )
        self._sheet = self._book[sheet] if sheet is not None else self._book.worksheets[0]
        self.sheet_name: str = self._sheet.title

    def _check_size(self) -> None:
        with zipfile.ZipFile(self._handle) as archive:
            parts = [i for i in archive.infolist() if i.filename.endswith(_XML_PARTS)]
            unpacked = sum(i.file_size for i in parts if i.filename.endswith("sharedStrings.xml"))
            # zipfile never unpacks more than a member's recorded size, so only a part
            # recorded as larger than the cap can hold a row over it.
            stretches = [
                (i.filename, _longest_stretch(archive, i))
                for i in parts
                if i.file_size > MAX_ROW_BYTES and not i.filename.endswith("sharedStrings.xml")
            ]
        self._handle.seek(0)
        for name, longest in stretches:
            if longest > MAX_ROW_BYTES:
                problem = Problem(
                    f"the workbook's part {name} holds a row or element that unpacks to more "
                    f"than {MAX_ROW_BYTES:,} bytes, more than any sheet sgfund reads needs; "
                    "save the sheet as CSV UTF-8 instead",
                    file=self.file,
                    value=name,
                    expected=f"rows of at most {MAX_ROW_BYTES:,} bytes unpacked",
                )
                raise DataError([problem], "the workbook is too large to read", file=self.file)
        if unpacked > MAX_SHARED_STRINGS_BYTES:
            problem = Problem(
                f"the workbook's text unpacks to {unpacked:,} bytes, more than sgfund reads "
                f"({MAX_SHARED_STRINGS_BYTES:,}); save the sheet as CSV UTF-8 instead",
                file=self.file,
                expected=f"a workbook whose text is at most {MAX_SHARED_STRINGS_BYTES:,} bytes",
            )
            raise DataError([problem], "the workbook is too large to read", file=self.file)

    def _damaged(self, err: BaseException, row: int | None) -> DataError:
        where = f" after row {row - 1}" if row else ""
        problem = Problem(
            f"the workbook is damaged or cut short{where} and cannot be read "
            f"({type(err).__name__}: {err}); save it again from the spreadsheet",
            file=self.file,
            row=row,
            expected="a complete .xlsx workbook",
        )
        return DataError([problem], "the workbook cannot be read", file=self.file)

    def __enter__(self) -> XlsxSheet:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the workbook (read-only workbooks hold the file open)."""
        try:
            self._book.close()
        finally:
            self._handle.close()

    def __iter__(self) -> Iterator[SheetRow]:
        # Dimensions written by some tools are wrong; read what the sheet really holds.
        self._sheet.reset_dimensions()
        number = 0
        rows = self._sheet.iter_rows(min_row=1)
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                break
            except _DAMAGE as err:
                raise self._damaged(err, number + 1) from err
            number += 1
            yield _row(number, cells)


def _longest_stretch(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """The most bytes ``member`` unpacks to before, between or after its rows' starts.

    Read a chunk at a time, and stops as soon as a stretch is too long (a bomb costs the
    time to unpack `MAX_ROW_BYTES`, not the whole part).
    """
    longest = start = offset = 0
    seen = -1
    tail = b""
    with archive.open(member) as part:
        while chunk := part.read(_CHUNK):
            data = tail + chunk
            base = offset - len(tail)
            for found in _ROW_START.finditer(data):
                at = base + found.start()
                if at > seen:  # the overlap with the last chunk is searched twice
                    seen = at
                    longest = max(longest, at - start)
                    start = at
            offset += len(chunk)
            if offset - start > MAX_ROW_BYTES:
                return offset - start
            tail = data[-64:]
    return max(longest, offset - start)


def _row(number: int, cells: tuple[Any, ...]) -> SheetRow:
    texts: list[str] = []
    flaws: dict[int, str] = {}
    for index, cell in enumerate(cells):
        value = cell.value
        kind = getattr(cell, "data_type", None)
        text = cell_text(value)
        if kind == "f" or (isinstance(value, str) and value.startswith("=") and kind != "s"):
            flaws[index] = f"the cell holds a formula ({preview(text)}); paste values instead"
        elif kind == "e":
            flaws[index] = f"the cell holds the spreadsheet error {text}; type the value instead"
        elif not isinstance(value, str) and type(value).__name__ == "ArrayFormula":
            flaws[index] = "the cell holds an array formula; paste values instead"
            text = "{array formula}"
        elif len(text) > MAX_CELL_CHARS:
            flaws[index] = (
                f"the cell holds {len(text):,} characters; a cell can hold at most "
                f"{MAX_CELL_CHARS:,}"
            )
            text = preview(text)
        texts.append(text)
    return SheetRow(number=number, cells=tuple(texts), flaws=flaws)
