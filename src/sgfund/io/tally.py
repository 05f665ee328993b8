"""What reading a sheet keeps as it goes: counts, good models by id, bad rows and problems.

`RowTally` sees every row once, in file order, and keeps only what the result needs: the good
rows' models (unless validating only), each id's first row (to find repeats far down a file),
bad rows' cells up to a bound (to set them aside) and problems up to a bound.
"""

from __future__ import annotations

import os

from sgfund.applications import Application
from sgfund.decisions import Decision
from sgfund.errors import DataError, Problem
from sgfund.io.rows import ParsedRow, RowParser
from sgfund.io.sheet import Sheet, SheetRow, open_sheet

__all__ = ["MAX_PROBLEMS", "MAX_SET_ASIDE_CHARS", "RowTally", "fetch_rows"]

# Problems kept per file; the rest are counted, so a hostile file cannot fill memory with
# them. The first ones found are the ones listed.
MAX_PROBLEMS = 1_000
# Characters of bad rows kept to write beside the input with bad_rows="set-aside"; a file
# with more bad rows than this is refused as a whole.
MAX_SET_ASIDE_CHARS = 64 * 1024 * 1024


class RowTally:
    """Counts rows, keeps good models by application id and bad rows by number.

    ``first_seen`` maps each application id to the row it was first seen on, negated when
    that row was bad, so a repeat found far down the file knows whether the earlier row was
    good without keeping it.
    """

    def __init__(self, *, keep: bool, set_aside: bool, blank: int) -> None:
        self.keep = keep
        self.set_aside = set_aside
        self.rows = 0
        self.good = 0
        self.blank = blank
        self.bad_row_count = 0
        self.problems: list[Problem] = []
        self.unlisted = 0
        self.first_seen: dict[str, int] = {}
        self.kept: dict[str, tuple[Application | None, Decision | None]] = {}
        self.notes: dict[str, dict[str, str]] = {}
        self.bad: dict[int, tuple[str, ...]] = {}
        self.bad_chars = 0
        self.bad_problems: dict[int, list[Problem]] = {}
        self.pending: set[int] = set()  # earlier good rows set aside later; cells re-read

    def note(self, problems: list[Problem]) -> None:
        """Keep ``problems`` up to `MAX_PROBLEMS`; count the rest."""
        room = max(0, MAX_PROBLEMS - len(self.problems))
        self.problems.extend(problems[:room])
        self.unlisted += len(problems) - len(problems[:room])

    def unlisted_problem(self, file: str) -> list[Problem]:
        """One problem saying how many were counted but not listed (none if none were)."""
        if not self.unlisted:
            return []
        message = (
            f"{self.unlisted:,} more problem(s) in this file are not listed (at most "
            f"{MAX_PROBLEMS:,} are kept); correct these and read the file again"
        )
        return [Problem(message, file=file, expected="a file with fewer problems")]

    def add(self, row: SheetRow, parser: RowParser) -> None:
        """Count a row read from the sheet, parsing it unless it is blank."""
        if row.blank:
            self.blank += 1
            return
        self.rows += 1
        self.record(row, parser.parse(row), parser)

    def record(self, row: SheetRow, parsed: ParsedRow, parser: RowParser) -> None:
        """Keep a parsed row: its models if good, its cells and problems if bad."""
        self._check_repeat(parsed, parser)
        if parsed.problems:
            self.bad_row_count += 1
            self.note(parsed.problems)
            if self.set_aside:
                self._set_aside(row.number, row.cells, parser.file)
                self.bad_problems.setdefault(row.number, []).extend(parsed.problems)
            return
        self.good += 1
        key = parsed.application_id
        if self.keep and key is not None:
            self.kept[key] = (parsed.application, parsed.decision)
            if parsed.notes:
                self.notes[key] = parsed.notes

    def _set_aside(self, number: int, cells: tuple[str, ...], file: str) -> None:
        self.bad_chars += sum(len(c) for c in cells)
        if self.bad_chars > MAX_SET_ASIDE_CHARS:
            problem = Problem(
                f"the bad rows hold more than {MAX_SET_ASIDE_CHARS:,} characters, too many "
                "to set aside; correct the file and read it again",
                file=file,
                row=number,
                expected="a file whose bad rows can be set aside",
            )
            raise DataError([problem, *self.problems[:20]], f"{file}: too many bad rows", file=file)
        self.bad[number] = cells

    def _check_repeat(self, parsed: ParsedRow, parser: RowParser) -> None:
        key = parsed.application_id
        if key is None:
            return
        sign = -1 if parsed.problems else 1
        seen = self.first_seen.setdefault(key, sign * parsed.number)
        first = abs(seen)
        if first == parsed.number:
            return
        what = "a decision on application" if parser.decisions_only else "application id"
        header = parser.match.header("application_id")
        parsed.problems.append(
            Problem(
                f"{what} {key!r} is already at row {first}",
                file=parser.file,
                row=parsed.number,
                column=header,
                field="application_id",
                value=key,
                expected="each application id once in the file",
            )
        )
        earlier = Problem(
            f"{what} {key!r} is repeated at row {parsed.number}",
            file=parser.file,
            row=first,
            column=header,
            field="application_id",
            value=key,
            expected="each application id once in the file",
        )
        self.note([earlier])
        if seen > 0:  # the earlier row was good until now
            self.first_seen[key] = -first
            self.bad_row_count += 1
            self.good -= 1
            self.kept.pop(key, None)
            self.notes.pop(key, None)
            if self.set_aside:
                self.pending.add(first)
        if self.set_aside:
            # Which of the rows is right cannot be told: set them all aside.
            self.bad_problems.setdefault(first, []).append(earlier)

    def fill(self, row: SheetRow, file: str) -> None:
        """Set aside a row read again, one found bad after it was read."""
        self._set_aside(row.number, row.cells, file)
        self.pending.discard(row.number)


def fetch_rows(
    path: str | os.PathLike[str], open_options: dict[str, str | None], tally: RowTally
) -> None:
    """Read the sheet again for the rows ``tally`` still needs the cells of."""
    # Rows found bad only after they were read (an id repeated later): read them again
    # rather than keep every row's cells in memory.
    sheet: Sheet
    with open_sheet(path, **open_options) as sheet:
        for row in sheet:
            if row.number in tally.pending:
                tally.fill(row, sheet.file)
                if not tally.pending:
                    break
