"""Where a row's problems are: the file, row and column of each, in the sheet's terms.

`RowProblems` makes every problem `sgfund.io.rows` reports from a file whose header matched,
and counts the values in columns without a header so that a file lists at most
`MAX_STRAY_CELLS` of them one by one.
"""

from __future__ import annotations

from sgfund.errors import FieldError, Problem
from sgfund.io.columns import ColumnMatch, column_letter
from sgfund.io.row_models import APPLICATION_NAMES, DECISION_NAMES
from sgfund.io.sheet import SheetRow, preview

__all__ = ["MAX_STRAY_CELLS", "RowProblems"]

# Values in columns without a header are listed one by one up to this many in a file; beyond
# it each row gets one problem counting them, so a line of a million stray cells cannot make
# a million problems.
MAX_STRAY_CELLS = 100

_CANONICAL_NAMES = frozenset((*APPLICATION_NAMES, *DECISION_NAMES))


class RowProblems:
    """The problems of rows of ``file``, whose header matched as ``match``."""

    def __init__(self, match: ColumnMatch, file: str) -> None:
        self.match = match
        self.file = file
        self.stray_listed = 0

    def problem(
        self, row: int, name: str | None, message: str, *, value: object, expected: str | None
    ) -> Problem:
        """A problem at ``row`` in column ``name`` (None: the row as a whole)."""
        column = self.match.header(name) if name is not None and name in self.match else None
        return Problem(
            message,
            file=self.file,
            row=row,
            column=column,
            field=name,
            value=value,
            expected=expected,
        )

    def field(self, row: SheetRow, name: str, err: FieldError) -> Problem:
        """A cell that could not be read, with the cell's text (a list's one bad item)."""
        value = self.cell(row, name) if name in self.match else err.value
        if name == "themes":
            value = err.value  # the one item that is wrong, not the whole cell
        return self.problem(
            row.number,
            name,
            f"expected {err.expected}, got {value!r}",
            value=value,
            expected=err.expected,
        )

    def order(self, problem: Problem) -> int:
        """Where the problem's column stands in the sheet (-1: no column), for sorting."""
        name = problem.field
        return self.match.positions.get(name, -1) if isinstance(name, str) else -1

    def cell(self, row: SheetRow, name: str) -> str:
        """The text of column ``name`` in ``row``, stripped (empty if it has none)."""
        index = self.match.positions.get(name)
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index].strip()

    def model(self, row: SheetRow, err: FieldError) -> Problem:
        """A model's own rule refused the row: located at the column it names, if any."""
        name = err.field if err.field in _CANONICAL_NAMES else None
        value = self.cell(row, name) if name is not None and name in self.match else err.value
        if value is None or value == "":
            message = f"{err.field} is blank: expected {err.expected}"
        else:
            message = f"expected {err.expected}, got {value!r}"
        return Problem(
            message,
            file=self.file,
            row=row.number,
            column=self.match.header(name) if name is not None and name in self.match else None,
            field=err.field,
            value=value,
            expected=err.expected,
        )

    def stray(self, row: SheetRow) -> list[Problem]:
        """Values in columns without a header: one by one up to `MAX_STRAY_CELLS` a file."""
        headers = self.match.headers
        problems = []
        unlisted = 0
        for index, text in enumerate(row.cells):
            if text.strip() and (index >= len(headers) or not headers[index].strip()):
                if self.stray_listed >= MAX_STRAY_CELLS:
                    unlisted += 1
                    continue
                self.stray_listed += 1
                problems.append(
                    Problem(
                        f"a value in column {column_letter(index)}, which has no header",
                        file=self.file,
                        row=row.number,
                        column=f"column {column_letter(index)}",
                        value=preview(text),
                        expected="values only under a header",
                    )
                )
        if unlisted:
            problems.append(
                Problem(
                    f"{unlisted:,} value(s) in columns without a header (not listed one by "
                    f"one: at most {MAX_STRAY_CELLS} are listed in a file)",
                    file=self.file,
                    row=row.number,
                    value=unlisted,
                    expected="values only under a header",
                )
            )
        return problems
