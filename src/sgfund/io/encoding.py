"""Which text encoding a CSV file is in, decided from its bytes and never guessed.

UTF-8 (with or without a byte order mark) and UTF-16 with a byte order mark are read as such.
A file that is not UTF-8 is read as Windows-1252 only when every byte is defined there and no
line is valid multi-byte UTF-8 (which would mean two encodings in one file). Anything else is
refused, naming the first byte that does not fit. The file is read line by line: memory does
not grow with its size.
"""

from __future__ import annotations

import codecs
import os
from typing import IO

from sgfund.errors import DataError, Problem
from sgfund.io.files import file_problem, open_input

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
    problem = Problem(message, file=file, value=value, expected="UTF-8 or Windows-1252 text")
    return DataError([problem], "the file cannot be read as text", file=file)


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """Return the Python codec for the CSV file at ``path``: see `ENCODING_LABELS`.

    Raises `DataError` (nothing read, nothing written) when the bytes are neither UTF-8 nor
    Windows-1252, when the two are mixed, or when the file is UTF-16 or UTF-32 without a
    byte order mark, or is not text at all. The file is read in pieces of at most 1 MiB, so
    one enormous line costs no more memory than a short one.
    """
    file = str(path)
    with open_input(path) as handle:
        try:
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
            return _Scan(file, bom=bom).run(handle)
        except OSError as err:
            raise file_problem(
                path, f"the file cannot be read ({err.strerror})", "a readable file"
            ) from err


PIECE = 1024 * 1024


class _Scan:
    """Reads a file's lines in pieces and decides its encoding (see `detect_encoding`)."""

    def __init__(self, file: str, *, bom: bool) -> None:
        self.file = file
        self.bom = bom
        self.first_utf8: int | None = None  # first line with multi-byte UTF-8
        self.first_bad: tuple[int, int, int] | None = None  # (line, byte offset, byte)
        self.offset = len(_UTF8_BOM) if bom else 0

    def run(self, handle: IO[bytes]) -> str:
        number = 1
        decoder = codecs.getincrementaldecoder("utf-8")()
        line_bad = line_wide = False
        while True:
            piece = handle.readline(PIECE)
            ends = not piece or piece.endswith(b"\n")
            if piece:
                self._nul(piece, number)
                if not line_bad:
                    line_bad = self._decode(decoder, piece, number, final=ends)
                if line_bad:
                    self._undefined(piece, number)
                elif not piece.isascii():
                    line_wide = True
                self.offset += len(piece)
            elif not line_bad:
                line_bad = self._decode(decoder, b"", number, final=True)
            if ends:
                if line_wide and not line_bad and self.first_utf8 is None:
                    self.first_utf8 = number
                self._mixed()
                if not piece:
                    break
                number += 1
                decoder.reset()
                line_bad = line_wide = False
        if self.first_bad is not None:
            return "cp1252"
        return "utf-8-sig" if self.bom else "utf-8"

    def _nul(self, piece: bytes, number: int) -> None:
        if b"\x00" in piece:
            at = self.offset + piece.index(b"\x00")
            raise _refuse(
                self.file,
                f"byte 0x00 at line {number} (byte offset {at}): the file looks like UTF-16 "
                "without a byte order mark, or is not text; " + _SAVE_AS,
                value="0x00",
            )

    def _decode(
        self, decoder: codecs.IncrementalDecoder, piece: bytes, number: int, *, final: bool
    ) -> bool:
        buffered = len(decoder.getstate()[0])
        try:
            decoder.decode(piece, final)
        except UnicodeDecodeError as err:
            if self.first_bad is None:
                at = self.offset - buffered + err.start
                self.first_bad = (number, at, err.object[err.start])
            return True
        return False

    def _undefined(self, piece: bytes, number: int) -> None:
        undefined = next((i for i, b in enumerate(piece) if b in _CP1252_UNDEFINED), None)
        if undefined is not None:
            at = self.offset + undefined
            raise _refuse(
                self.file,
                f"the file is not UTF-8 or Windows-1252: byte 0x{piece[undefined]:02X} at "
                f"line {number} (byte offset {at}) is not valid in either; " + _SAVE_AS,
                value=f"0x{piece[undefined]:02X}",
            )

    def _mixed(self) -> None:
        if self.first_bad is None or (self.first_utf8 is None and not self.bom):
            return
        line_no, at, byte = self.first_bad
        said = (
            "starts with a UTF-8 byte order mark"
            if self.bom
            else f"is UTF-8 at line {self.first_utf8}"
        )
        raise _refuse(
            self.file,
            f"the file mixes encodings: it {said}, but byte 0x{byte:02X} at line {line_no} "
            f"(byte offset {at}) is not UTF-8; " + _SAVE_AS,
            value=f"0x{byte:02X}",
        )
