"""Writing files safely: all or nothing, and cells a spreadsheet will not run as formulas."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["FORMULA_STARTS", "atomic_write", "atomic_write_bytes", "neutralise_cell"]

# A spreadsheet treats a cell starting with these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix a single quote to text a spreadsheet would run as a formula.

    ``"=HYPERLINK(...)"`` becomes ``"'=HYPERLINK(...)"``; other text is unchanged. Negative
    numbers should be written as numbers, not passed through here.
    """
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@contextlib.contextmanager
def _replace_on_success(path: str | os.PathLike[str]) -> Iterator[tuple[int, Path]]:
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        yield fd, tmp
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", newline: str | None = ""
) -> Iterator[IO[str]]:
    """Write text to a temporary file beside ``path``; rename it into place on success.

    If anything raises inside the block, the temporary file is removed and ``path`` is left as
    it was: readers never see half a file. ``newline=""`` suits the csv module.
    """
    with (
        _replace_on_success(path) as (fd, _tmp),
        os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle,
    ):
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_write_bytes(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Write bytes all or nothing, as `atomic_write` (for XLSX and other binary files)."""
    with _replace_on_success(path) as (fd, _tmp), os.fdopen(fd, "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
