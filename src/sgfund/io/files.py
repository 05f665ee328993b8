"""Files in and out: inputs checked before reading, outputs written all or nothing.

Reading: `open_input` refuses, as a `DataError` naming the file, anything that is not a
regular file (missing, a folder, a symbolic-link loop, a pipe or a device), without ever
blocking on a pipe. Writing: `atomic_write` puts a whole file in place or leaves the old one,
with the mode `open()` would give (the umask's, or the replaced file's own). Cells a
spreadsheet would run as formulas are neutralised on the way out and restored on the way in.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO

from sgfund.errors import DataError, Problem

__all__ = [
    "FORMULA_STARTS",
    "atomic_write",
    "atomic_write_bytes",
    "file_problem",
    "neutralise_cell",
    "open_input",
    "read_limited",
    "restore_cell",
]

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


def restore_cell(text: str) -> str:
    """Undo `neutralise_cell`: drop a quote that stands before a formula-like start.

    ``"'=Fun run 2"`` is read back as ``"=Fun run 2"``. Text that really begins with a quote
    followed by ``=``, ``+``, ``-``, ``@``, tab or carriage return loses the quote.
    """
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def file_problem(path: str | os.PathLike[str], message: str, expected: str) -> DataError:
    """A `DataError` about the file as a whole (no row or column)."""
    name = str(path)
    problem = Problem(message, file=name, expected=expected)
    return DataError([problem], f"{name}: {message}", file=name)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW_ERRORS = {errno.ELOOP: "the path is a loop of symbolic links"}


def open_input(path: str | os.PathLike[str], *, what: str = "file") -> BinaryIO:
    """Open ``path`` for reading bytes, refusing anything but a regular file.

    The file is opened without blocking and checked on the open descriptor, so a pipe
    (FIFO) named ``grants.csv`` is refused at once rather than waited on, and nothing can be
    swapped in between the check and the read. Raises `DataError` naming the file for a
    missing file, a folder, a symbolic-link loop, a pipe, socket or device, or a file that
    cannot be opened (permissions).
    """
    expected = f"a readable {what} on disk"
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except FileNotFoundError as err:
        raise file_problem(path, f"there is no {what} at this path", expected) from err
    except IsADirectoryError as err:
        raise file_problem(path, f"this is a folder, not a {what}", expected) from err
    except OSError as err:
        why = _NOFOLLOW_ERRORS.get(err.errno or 0) or f"it cannot be opened ({err.strerror})"
        raise file_problem(path, why, expected) from err
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise file_problem(path, f"this is a folder, not a {what}", expected)
        if not stat.S_ISREG(mode):
            raise file_problem(
                path,
                "this is not a regular file (a pipe, socket or device); sgfund reads only "
                "files on disk",
                expected,
            )
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | os.PathLike[str], *, limit: int, what: str = "file") -> bytes:
    """Read a small file whole (a mapping file, a settings file), refusing one over ``limit``."""
    with open_input(path, what=what) as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as err:
            raise file_problem(
                path, f"the {what} cannot be read ({err.strerror})", f"a readable {what}"
            ) from err
    if len(data) > limit:
        raise file_problem(
            path,
            f"the {what} is larger than {limit:,} bytes, which no {what} needs",
            f"a {what} of at most {limit:,} bytes",
        )
    return data


def _new_file(target: Path) -> tuple[int, Path]:
    # os.open with 0o666 lets the kernel apply the umask, exactly as open() would; mkstemp
    # would give 0o600 whatever the umask.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name beside", str(target))


@contextlib.contextmanager
def _replace_on_success(path: str | os.PathLike[str]) -> Iterator[tuple[int, Path]]:
    target = Path(path)
    fd, tmp = _new_file(target)
    try:
        with contextlib.suppress(FileNotFoundError):
            old = target.stat()
            if stat.S_ISREG(old.st_mode) and hasattr(os, "fchmod"):
                os.fchmod(fd, stat.S_IMODE(old.st_mode))  # replacing keeps the file's mode
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
    it was: readers never see half a file. A new file gets the mode ``open()`` would give it
    (0o666 less the umask); a replaced file keeps its mode. ``newline=""`` suits the csv
    module.
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
