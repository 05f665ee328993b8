"""Turning one spreadsheet row into an application and its decision, or into located problems.

Every cell is read on its own, so a row with three bad cells gives three problems. Rules that
join fields (an end before a start, an approved decision of £0.00) are checked by the models
once every cell has been read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from attrs import define, field

from sgfund.applications import Application
from sgfund.decisions import Decision, decision_problems
from sgfund.errors import FieldError, Problem
from sgfund.funds import Round
from sgfund.io import cells
from sgfund.io.columns import APPLICATION_COLUMNS, DECISION_COLUMNS, ColumnMatch, column_letter
from sgfund.io.sheet import SheetRow
from sgfund.organisations import (
    Organisation,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)
from sgfund.vocabulary import Vocabularies

__all__ = ["ParsedRow", "RowParser"]

Reader = Callable[[str, str], Any]

DECISION_NAMES = tuple(c.name for c in DECISION_COLUMNS)
_REQUIRED_APPLICATION = frozenset(c.name for c in APPLICATION_COLUMNS if c.required)
_REQUIRED_DECISION = frozenset(c.name for c in DECISION_COLUMNS if c.required)
_CANONICAL_NAMES = frozenset(c.name for c in (*APPLICATION_COLUMNS, *DECISION_COLUMNS))

# Model field names, as FieldError gives them, to canonical column names.
_ORGANISATION_FIELDS = {
    "name": "organisation_name",
    "type": "organisation_type",
    "id": "organisation_id",
    "charity_number": "charity_number",
    "company_number": "company_number",
    "postcode": "postcode",
    "district": "district",
}
_APPLICATION_FIELDS = {
    "id": "application_id",
    "title": "project_title",
    "summary": "project_summary",
    "declared_themes": "themes",
}


def _text(text: str, _field: str) -> str:
    return text


_READERS: dict[str, Reader] = {
    "application_id": lambda t, f: cells.read_identifier(t, field=f),
    "organisation_name": _text,
    "organisation_type": lambda t, f: cells.read_org_type(t, field=f),
    "organisation_id": lambda t, f: cells.read_identifier(t, field=f),
    "charity_number": lambda t, f: normalise_charity_number(t, field=f),
    "company_number": lambda t, f: normalise_company_number(t, field=f),
    "postcode": lambda t, f: normalise_postcode(t, field=f),
    "district": _text,
    "project_title": _text,
    "project_summary": _text,
    "amount_requested": lambda t, f: cells.read_amount(t, field=f, positive=True),
    "project_start": lambda t, f: cells.read_date(t, field=f),
    "project_end": lambda t, f: cells.read_date(t, field=f),
    "submitted_at": lambda t, f: cells.read_submitted_at(t, field=f),
    "delivery_postcode": lambda t, f: normalise_postcode(t, field=f),
    "outcome": lambda t, f: cells.read_outcome(t, field=f),
    "amount_awarded": lambda t, f: cells.read_amount(t, field=f, positive=False),
    "decided_on": lambda t, f: cells.read_date(t, field=f),
    "decided_by": _text,
    "route": lambda t, f: cells.read_route(t, field=f),
    "justification": _text,
    "reasons": _text,
}


@define
class ParsedRow:
    """What one row gave: its application id (if readable), models, and problems."""

    number: int
    application_id: str | None = None
    application: Application | None = None
    decision: Decision | None = None
    problems: list[Problem] = field(factory=list)


class RowParser:
    """Reads rows of one file whose header matched as ``match``.

    ``rounds`` are the rounds applications may name (ignored for decision files).
    ``applications`` is None for a file of applications; for a file of decisions alone
    it is the set of application ids a decision may name, or None to accept any.
    """

    def __init__(
        self,
        match: ColumnMatch,
        *,
        file: str,
        rounds: Mapping[str, Round] | None,
        vocabularies: Callable[[Round], Vocabularies] | None = None,
        decisions_only: bool = False,
        applications: frozenset[str] | None = None,
    ) -> None:
        self.match = match
        self.file = file
        self.rounds = rounds or {}
        self.vocabularies = vocabularies
        self.decisions_only = decisions_only
        self.applications = applications
        self.by_position = {i: name for name, i in match.positions.items()}
        self._themes: dict[str, cells.ThemeReader] = {}

    # -- problems -------------------------------------------------------------------------

    def _problem(
        self, row: int, name: str | None, message: str, *, value: object, expected: str | None
    ) -> Problem:
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

    def _field_problem(self, row: SheetRow, name: str, err: FieldError) -> Problem:
        value = self._cell(row, name) if name in self.match else err.value
        if name == "themes":
            value = err.value  # the one item that is wrong, not the whole cell
        return self._problem(
            row.number,
            name,
            f"expected {err.expected}, got {value!r}",
            value=value,
            expected=err.expected,
        )

    def _cell(self, row: SheetRow, name: str) -> str:
        index = self.match.positions.get(name)
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index].strip()

    # -- reading --------------------------------------------------------------------------

    def parse(self, row: SheetRow) -> ParsedRow:
        """Read every cell of ``row``, then build the models if all cells were good."""
        parsed = ParsedRow(number=row.number)
        problems = parsed.problems
        flawed: set[str] = set()
        for index, why in sorted(row.flaws.items()):
            name = self.by_position.get(index)
            if name is None:
                continue
            flawed.add(name)
            problems.append(
                self._problem(row.number, name, why, value=row.cells[index], expected="a value")
            )
        problems.extend(self._stray_cells(row))

        has_decision = any(self._cell(row, n) or n in flawed for n in DECISION_NAMES)
        required = set(_REQUIRED_DECISION) if has_decision else set()
        required.add("application_id")
        if not self.decisions_only:
            required |= _REQUIRED_APPLICATION
        values: dict[str, Any] = {}
        for name in self.match.positions:
            if name in flawed or name == "themes":
                continue
            text = self._cell(row, name)
            if not text:
                if name in required:
                    problems.append(
                        self._problem(
                            row.number,
                            name,
                            f"a value is required in {name}",
                            value="",
                            expected="a value",
                        )
                    )
                continue
            try:
                values[name] = self._read(name, text)
            except FieldError as err:
                problems.append(self._field_problem(row, name, err))
        parsed.application_id = values.get("application_id")
        if (
            parsed.application_id is not None
            and self.applications is not None
            and (parsed.application_id not in self.applications)
        ):
            problems.append(
                self._problem(
                    row.number,
                    "application_id",
                    f"application {parsed.application_id!r} is not in the ledger",
                    value=parsed.application_id,
                    expected="the id of a known application",
                )
            )
        round_ = values.get("round_id")
        if round_ is not None and "themes" in self.match and "themes" not in flawed:
            text = self._cell(row, "themes")
            themes, errors = self._theme_reader(round_).read(text) if text else (frozenset(), [])
            problems.extend(self._field_problem(row, "themes", e) for e in errors)
            values["themes"] = themes
        if problems:
            return parsed
        if not self.decisions_only:
            try:
                parsed.application = self._application(values)
            except FieldError as err:
                problems.append(self._model_problem(row, err))
        if has_decision:
            try:
                parsed.decision = self._decision(values)
            except FieldError as err:
                problems.append(self._model_problem(row, err))
        if parsed.decision is not None and parsed.application is not None and round_ is not None:
            # An award above the maximum grant or the request needs a recorded justification.
            for found in decision_problems(parsed.decision, parsed.application, round_):
                problems.append(
                    self._problem(
                        row.number,
                        "amount_awarded",
                        found.message,
                        value=self._cell(row, "amount_awarded"),
                        expected=found.expected,
                    )
                )
        return parsed

    def _read(self, name: str, text: str) -> Any:
        if name == "round_id":
            found = self.rounds.get(text)
            if found is None:
                known = ", ".join(sorted(self.rounds)) or "(none)"
                raise FieldError(name, text, f"the id of a known round: one of {known}")
            return found
        return _READERS[name](text, name)

    def _stray_cells(self, row: SheetRow) -> list[Problem]:
        headers = self.match.headers
        problems = []
        for index, text in enumerate(row.cells):
            if text.strip() and (index >= len(headers) or not headers[index].strip()):
                problems.append(
                    Problem(
                        f"a value in column {column_letter(index)}, which has no header",
                        file=self.file,
                        row=row.number,
                        column=f"column {column_letter(index)}",
                        value=text,
                        expected="values only under a header",
                    )
                )
        return problems

    def _theme_reader(self, round_: Round) -> cells.ThemeReader:
        reader = self._themes.get(round_.id)
        if reader is None:
            if self.vocabularies is None:  # pragma: no cover - decision files have no themes
                raise TypeError("reading themes needs the rounds' vocabularies")
            reader = self._themes[round_.id] = cells.ThemeReader(self.vocabularies(round_))
        return reader

    def _model_problem(self, row: SheetRow, err: FieldError) -> Problem:
        name = err.field if err.field in _CANONICAL_NAMES else None
        value = self._cell(row, name) if name is not None and name in self.match else err.value
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

    def _application(self, values: dict[str, Any]) -> Application:
        try:
            organisation = Organisation(
                name=values["organisation_name"],
                type=values["organisation_type"],
                id=values.get("organisation_id"),
                charity_number=values.get("charity_number"),
                company_number=values.get("company_number"),
                postcode=values.get("postcode"),
                district=values.get("district"),
            )
        except FieldError as err:
            raise _renamed(err, _ORGANISATION_FIELDS) from err
        try:
            return Application(
                id=values["application_id"],
                round_id=values["round_id"].id,
                organisation=organisation,
                title=values["project_title"],
                amount_requested=values["amount_requested"],
                project_start=values["project_start"],
                project_end=values["project_end"],
                submitted_at=values["submitted_at"],
                summary=values.get("project_summary", ""),
                declared_themes=values.get("themes", frozenset()),
                delivery_postcode=values.get("delivery_postcode"),
            )
        except FieldError as err:
            raise _renamed(err, _APPLICATION_FIELDS) from err

    def _decision(self, values: dict[str, Any]) -> Decision:
        optional = {
            name: values[name]
            for name in ("amount_awarded", "route", "justification", "reasons")
            if name in values
        }
        return Decision(
            application_id=values["application_id"],
            outcome=values["outcome"],
            decided_on=values["decided_on"],
            decided_by=values["decided_by"],
            **optional,
        )


def _renamed(err: FieldError, names: Mapping[str, str]) -> FieldError:
    return FieldError(names.get(err.field, err.field), err.value, err.expected)
