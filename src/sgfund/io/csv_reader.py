"""Reading CSV files row by row: encoding from the bytes, delimiter from the header line.

Rows are counted as a spreadsheet shows them (a quoted cell may span several lines and is
still one row). Line endings may be mixed: CRLF, LF and CR each end a row, as in Excel.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sgfund.errors import DataError, Problem
from sgfund.io.encoding import detect_encoding
from sgfund.io.files import file_problem, open_input, restore_cell
from sgfund.io.sheet import MAX_CELL_CHARS, SheetRow, preview

__all__ = ["DELIMITERS", "ERROR_LITERALS", "READ_LIMIT", "CsvSheet", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# A row (all its cells, quoted line breaks included) longer than this stops the read at that
# row, before the csv module holds it: memory stays bounded whatever one line of the file
# holds. Cells longer than MAX_CELL_CHARS but within this are problems in their own cell.
READ_LIMIT = 2 * 1024 * 1024
_PIECE = 64 * 1024

# What a spreadsheet writes into a CSV for a formula that failed: never a value.
ERROR_LITERALS = frozenset(
    {"#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!"}
)


def sniff_delimiter(line: str) -> str | None:
    """The delimiter used in a header line: the one of ``, ; TAB`` seen most outside quotes.

    Returns None when two are seen equally often (the caller must be told which), and
    ``","`` when none is seen (a file of one column).
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts.values())
    if best == 0:
        return ","
    winners = [d for d, n in counts.items() if n == best]
    return winners[0] if len(winners) == 1 else None


class _RowTooLong(Exception):
    """A row grew past `READ_LIMIT` characters before it ended."""


class _Lines:
    """Physical lines of a text file for `csv.reader`, refusing a row past the read limit.

    ``used`` counts the characters handed over since the last complete row; the reader sets
    it back to 0 after each row. A line is read in pieces, so an enormous line is refused
    having held no more than the limit in memory.
    """

    def __init__(self, handle: IO[str], limit: int) -> None:
        self.handle = handle
        self.limit = limit
        self.used = 0
        self._pending = ""

    def _read(self, size: int) -> str:
        if self._pending:
            piece, self._pending = self._pending, ""
            return piece
        return self.handle.readline(size)

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        parts: list[str] = []
        while True:
            piece = self._read(_PIECE)
            if not piece:
                if parts:
                    break
                raise StopIteration
            if piece.endswith("\r"):
                after = self._read(1)  # a CR LF split across two pieces stays one line end
                if after == "\n":
                    piece += after
                else:
                    self._pending = after
            self.used += len(piece)
            if self.used > self.limit:
                raise _RowTooLong
            parts.append(piece)
            if piece.endswith(("\n", "\r")):
                break
        return "".join(parts)


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    # The csv module's limit is process-wide: set it for one row's read, then put it back,
    # so nothing else sees it even while this reader is suspended between rows.
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


class CsvSheet:
    """Rows of a CSV file, read as a stream (memory does not grow with the file).

    ``encoding`` is detected unless given (see `sgfund.io.encoding`); ``delimiter`` is sniffed
    from the first non-blank line unless given.
    """

    format = "csv"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.file = str(path)
        self.encoding: str | None = encoding or detect_encoding(path)
        self.delimiter: str | None = delimiter or self._sniff()
        self._handle: IO[str] | None = None

    def _open(self) -> IO[str]:
        return io.TextIOWrapper(open_input(self.path), encoding=self.encoding, newline="")

    def _sniff(self) -> str:
        with self._open() as handle:
            lines = _Lines(handle, READ_LIMIT)
            try:
                line = next((x for x in lines if x.strip()), "")
            except UnicodeDecodeError as err:
                raise self._undecodable(err) from err
            except _RowTooLong:
                raise self._unreadable(1, 1, "too long") from None
            except OSError as err:
                raise self._failed(err) from err
        found = sniff_delimiter(line)
        if found is None:
            raise DataError(
                [
                    Problem(
                        "cannot tell the delimiter from the header line: it has as many of "
                        "two of comma, semicolon and tab; pass delimiter=",
                        file=self.file,
                        value=preview(line.strip(), 80),
                        expected="a header whose cells are separated by one of , ; or TAB",
                    )
                ],
                "the file's layout is unclear",
                file=self.file,
            )
        return found

    def __enter__(self) -> CsvSheet:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file if a read is under way."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __iter__(self) -> Iterator[SheetRow]:
        number = 0
        with self._open() as handle:
            self._handle = handle
            lines = _Lines(handle, READ_LIMIT)
            reader = csv.reader(lines, delimiter=self.delimiter or ",", strict=True)
            while True:
                lines.used = 0
                try:
                    with _field_limit(READ_LIMIT + 1):
                        cells = next(reader)
                except StopIteration:
                    break
                except _RowTooLong:
                    raise self._unreadable(number + 1, reader.line_num, "too long") from None
                except csv.Error as err:
                    raise self._unreadable(number + 1, reader.line_num, str(err)) from err
                except UnicodeDecodeError as err:
                    raise self._undecodable(err) from err
                except OSError as err:
                    raise self._failed(err) from err
                number += 1
                yield _checked(number, cells)

    def _failed(self, err: OSError) -> DataError:
        return file_problem(
            self.file, f"the file cannot be read ({err.strerror or err})", "a readable file"
        )

    def _unreadable(self, row: int, line: int, text: str) -> DataError:
        if text == "too long" or "field larger than field limit" in text:
            message = (
                f"this row is longer than {READ_LIMIT:,} characters; "
                "the file cannot be read past it"
            )
        elif "unexpected end of data" in text:
            message = "a quoted cell is never closed: the file ends inside quotes"
        else:
            message = f"the row is not valid CSV (line {line}): {text}"
        problem = Problem(message, file=self.file, row=row, expected="well-formed CSV")
        return DataError([problem], "the file cannot be read as CSV", file=self.file)

    def _undecodable(self, err: UnicodeDecodeError) -> DataError:
        # Text is decoded in chunks ahead of the rows, so no row can be named honestly.
        byte = err.object[err.start : err.start + 1]
        problem = Problem(
            f"the file is not valid {self.encoding}: byte 0x{byte.hex().upper()} cannot be "
            f"decoded ({err.reason}); leave the encoding unset to have it detected",
            file=self.file,
            value=f"0x{byte.hex().upper()}",
            expected=f"text in {self.encoding}",
        )
        return DataError([problem], "the file cannot be read as text", file=self.file)


def _checked(number: int, cells: list[str]) -> SheetRow:
    flaws: dict[int, str] = {}
    for index, cell in enumerate(cells):
        cells[index] = cell = restore_cell(cell)  # sgfund's own neutralised cells read back
        if cell.strip() in ERROR_LITERALS:
            flaws[index] = (
                f"the cell holds the spreadsheet error {cell.strip()}; type the value instead"
            )
        elif len(cell) > MAX_CELL_CHARS:
            flaws[index] = (
                f"the cell holds {len(cell):,} characters; a cell can hold at most "
                f"{MAX_CELL_CHARS:,} (as in Excel)"
            )
            cells[index] = preview(cell)
    return SheetRow(number=number, cells=tuple(cells), flaws=flaws)
