"""Reading one cell's text as a value of its column, each distinct text once per file.

`READERS` says how each canonical column is read (`sgfund.io.cells`); `CellReader` reads with
them, looking a round up among the rounds given and keeping the values of repetitive columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sgfund.errors import FieldError
from sgfund.funds import Round
from sgfund.io import cells

__all__ = ["READERS", "CellReader"]

Reader = Callable[[str, str], Any]


def _text(text: str, field: str) -> str:
    return cells.read_text(text, field=field)


READERS: dict[str, Reader] = {
    "application_id": lambda t, f: cells.read_identifier(t, field=f),
    "organisation_name": _text,
    "organisation_type": lambda t, f: cells.read_org_type(t, field=f),
    "organisation_id": lambda t, f: cells.read_identifier(t, field=f),
    # Registered numbers and postcodes are normalised once, by the models (row_models.NORMALISED).
    "charity_number": _text,
    "company_number": _text,
    "postcode": _text,
    "district": _text,
    "project_title": _text,
    "project_summary": _text,
    "amount_requested": lambda t, f: cells.read_amount(t, field=f, positive=True),
    "project_start": lambda t, f: cells.read_date(t, field=f),
    "project_end": lambda t, f: cells.read_date(t, field=f),
    "submitted_at": lambda t, f: cells.read_submitted_at(t, field=f),
    "delivery_postcode": _text,
    "currency": lambda t, f: cells.read_currency(t, field=f),
    "outcome": lambda t, f: cells.read_outcome(t, field=f),
    "amount_awarded": lambda t, f: cells.read_amount(t, field=f, positive=False),
    "decided_on": lambda t, f: cells.read_date(t, field=f),
    "decided_by": _text,
    "route": lambda t, f: cells.read_route(t, field=f),
    "justification": _text,
    "reasons": _text,
}

# Columns whose cells repeat down a sheet (dates, amounts, types, postcodes): each distinct
# text is read once per file and the value reused. Readers are pure functions of the text,
# so this changes nothing but the time; a cell that fails is read again (and fails again)
# so its error is raised fresh. Free text (ids, titles, summaries) is not worth keeping.
_MEMO_COLUMNS = frozenset(
    {
        "organisation_type",
        "charity_number",
        "company_number",
        "postcode",
        "district",
        "amount_requested",
        "project_start",
        "project_end",
        "submitted_at",
        "delivery_postcode",
        "currency",
        "outcome",
        "amount_awarded",
        "decided_on",
        "decided_by",
        "route",
    }
)
# Distinct texts kept per column. A column that reaches this has too many distinct values for
# the memo to pay (amounts that are all different, times to the minute): it is dropped and
# that column's cells are read one by one, so the memo's memory stays small and bounded.
_MEMO_LIMIT = 512

_MISSING = object()


class CellReader:
    """Reads cells of one file: ``rounds`` are the rounds a ``round_id`` cell may name."""

    def __init__(self, rounds: Mapping[str, Round]) -> None:
        self.rounds = rounds
        self._memo: dict[str, dict[str, Any]] = {name: {} for name in _MEMO_COLUMNS}

    def read(self, name: str, text: str) -> Any:
        """The value of ``text`` in column ``name``; `FieldError` if it is not one."""
        if name == "round_id":
            found = self.rounds.get(text)
            if found is None:
                known = ", ".join(sorted(self.rounds)) or "(none)"
                raise FieldError(name, text, f"the id of a known round: one of {known}")
            return found
        memo = self._memo.get(name)
        if memo is None:
            return READERS[name](text, name)
        value = memo.get(text, _MISSING)
        if value is _MISSING:
            value = READERS[name](text, name)
            if len(memo) >= _MEMO_LIMIT:
                del self._memo[name]
            else:
                memo[text] = value
        return value
