"""Which text encoding a CSV file is in, decided from its bytes and never guessed.

UTF-8 (with or without a byte order mark) and UTF-16 with a byte order mark are read as such.
A file that is not UTF-8 is read as Windows-1252 only when every byte is defined there and no
line is valid multi-byte UTF-8 (which would mean two encodings in one file). Anything else is
refused, naming the first byte that does not fit. The file is read line by line: memory does
not grow with its size.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from sgfund.errors import DataError, Problem

__all__ = ["ENCODING_LABELS", "detect_encoding"]

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte order mark",
    "utf-16": "UTF-16 with a byte order mark",
    "cp1252": "Windows-1252",
}

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_ZIP_MAGIC = b"PK\x03\x04"
# Bytes Windows-1252 leaves undefined: text with these is in neither encoding.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8'"


def _refuse(file: str, message: str, *, value: object = None) -> DataError:
    problem = Problem(
        message, file=file, value=value, expected="UTF-8 or Windows-1252 text (" + _SAVE_AS + ")"
    )
    return DataError([problem], "the file cannot be read as text", file=file)


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """Return the Python codec for the CSV file at ``path``: see `ENCODING_LABELS`.

    Raises `DataError` (nothing read, nothing written) when the bytes are neither UTF-8 nor
    Windows-1252, when the two are mixed, or when the file is UTF-16 or UTF-32 without a
    byte order mark, or is not text at all.
    """
    file = str(path)
    with Path(path).open("rb") as handle:
        head = handle.read(4)
        if head.startswith(_UTF32_BOMS):
            raise _refuse(file, "the file is UTF-32, which sgfund does not read; " + _SAVE_AS)
        if head.startswith(_UTF16_BOMS):
            return "utf-16"
        if head.startswith(_ZIP_MAGIC):
            raise _refuse(
                file,
                "the file is a zip archive (an XLSX workbook?), not CSV text; "
                "give it a .xlsx name or " + _SAVE_AS,
            )
        bom = head.startswith(_UTF8_BOM)
        handle.seek(len(_UTF8_BOM) if bom else 0)
        return _scan_lines(handle, file, bom=bom)


def _scan_lines(handle: IO[bytes], file: str, *, bom: bool) -> str:
    first_utf8: int | None = None  # first line with multi-byte UTF-8
    first_bad: tuple[int, int, int] | None = None  # (line, byte offset, byte) not UTF-8
    offset = len(_UTF8_BOM) if bom else 0
    for number, line in enumerate(handle, start=1):
        if b"\x00" in line:
            at = offset + line.index(b"\x00")
            raise _refuse(
                file,
                f"byte 0x00 at line {number} (byte offset {at}): the file looks like UTF-16 "
                "without a byte order mark, or is not text; " + _SAVE_AS,
                value="0x00",
            )
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as err:
            byte = line[err.start]
            if first_bad is None:
                first_bad = (number, offset + err.start, byte)
            undefined = next((i for i, b in enumerate(line) if b in _CP1252_UNDEFINED), None)
            if undefined is not None:
                at = offset + undefined
                raise _refuse(
                    file,
                    f"the file is not UTF-8 or Windows-1252: byte 0x{line[undefined]:02X} at "
                    f"line {number} (byte offset {at}) is not valid in either; " + _SAVE_AS,
                    value=f"0x{line[undefined]:02X}",
                ) from None
        else:
            if first_utf8 is None and not line.isascii():
                first_utf8 = number
        if first_bad is not None and (first_utf8 is not None or bom):
            line_no, at, byte = first_bad
            said = (
                "starts with a UTF-8 byte order mark" if bom else f"is UTF-8 at line {first_utf8}"
            )
            raise _refuse(
                file,
                f"the file mixes encodings: it {said}, but byte 0x{byte:02X} at line {line_no} "
                f"(byte offset {at}) is not UTF-8; " + _SAVE_AS,
                value=f"0x{byte:02X}",
            )
        offset += len(line)
    if first_bad is not None:
        return "cp1252"
    return "utf-8-sig" if bom else "utf-8"
