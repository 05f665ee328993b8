"""Turning one spreadsheet row into an application and its decision, or into located problems.

Every cell is read on its own, so a row with three bad cells gives three problems. Rules that
join fields (an end before a start, an approved decision of £0.00, an award above the
maximum grant without a justification) run whenever the fields they need were read, even when
another cell of the row failed, so the first attempt lists every problem of the row. Each
such rule is the models' own (`check_project_period`, `Decision`, `decision_problems`): where
a row is incomplete, the rule is run on the fields it needs with neutral stand-ins for
fields it does not look at. Registered numbers and postcodes are normalised once, by the
models, on a good row; a row whose application cannot be built checks them one by one. A
row's problems are listed in the sheet's column order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from attrs import define, field

from sgfund.applications import Application, check_project_period
from sgfund.decisions import Decision, decision_problems
from sgfund.errors import DataError, FieldError, MoneyTypeError, Problem
from sgfund.funds import Round
from sgfund.io import cells
from sgfund.io.columns import APPLICATION_COLUMNS, DECISION_COLUMNS, ColumnMatch
from sgfund.io.mapping import SheetMapping
from sgfund.io.row_cells import CellReader
from sgfund.io.row_models import (
    APPLICATION_NAMES,
    DECISION_NAMES,
    NORMALISED,
    STAND_INS,
    build_application,
    build_decision,
)
from sgfund.io.row_problems import MAX_STRAY_CELLS, RowProblems
from sgfund.io.sheet import SheetRow
from sgfund.vocabulary import Vocabularies

__all__ = ["MAX_STRAY_CELLS", "ParsedRow", "RowParser"]

_REQUIRED_APPLICATION = frozenset(c.name for c in APPLICATION_COLUMNS if c.required)
_REQUIRED_DECISION = frozenset(c.name for c in DECISION_COLUMNS if c.required)
# Fields a decision's own checks (outcome and amount, route and justification) look at.
_DECISION_RULE_FIELDS = ("outcome", "amount_awarded", "route", "justification")


@define
class ParsedRow:
    """What one row gave: its application id (if readable), models, notes and problems."""

    number: int
    application_id: str | None = None
    application: Application | None = None
    decision: Decision | None = None
    notes: dict[str, str] = field(factory=dict)
    problems: list[Problem] = field(factory=list)


@define
class _Cells:
    """The values read from one row, and the fields that could not be read."""

    values: dict[str, Any] = field(factory=dict)
    failed: set[str] = field(factory=set)


class RowParser:
    """Reads rows of one file whose header matched as ``match``.

    ``rounds`` are the rounds applications may name (ignored for decision files).
    ``applications`` is None for a file of applications; for a file of decisions alone
    it is the set of application ids a decision may name, or None to accept any.
    ``mapping`` gives constants and the sheet's own labels (see `sgfund.io.mapping`); its
    constants are read once, and a constant sgfund cannot read raises `DataError` here.
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
        mapping: SheetMapping | None = None,
    ) -> None:
        self.match = match
        self.file = file
        self.rounds = rounds or {}
        self.vocabularies = vocabularies
        self.decisions_only = decisions_only
        self.applications = applications
        self.mapping = mapping or SheetMapping()
        self.by_position = {i: name for name, i in match.positions.items()}
        self._themes: dict[str, cells.ThemeReader] = {}
        self.where = RowProblems(match, file)
        self.reader = CellReader(self.rounds)
        self.constants = self._constants()

    # -- constants ------------------------------------------------------------------------

    def _constants(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        problems = []
        for name, text in self.mapping.constants.items():
            if self.decisions_only and name not in (*DECISION_NAMES, "application_id"):
                continue
            try:
                values[name] = self.reader.read(name, self.mapping.translate(name, text))
            except FieldError as err:
                problems.append(
                    Problem(
                        f"the mapping's constant for {name} cannot be used: expected "
                        f"{err.expected}, got {text!r}",
                        file=self.mapping.file,
                        field=name,
                        value=text,
                        expected=err.expected,
                    )
                )
        if "themes" in self.mapping.constants and "round_id" in values:
            themes, errors = self._theme_reader(values["round_id"]).read(
                self.mapping.constants["themes"]
            )
            values["themes"] = themes
            problems.extend(
                Problem(
                    f"the mapping's constant for themes cannot be used: expected {e.expected}, "
                    f"got {e.value!r}",
                    file=self.mapping.file,
                    field="themes",
                    value=e.value,
                    expected=e.expected,
                )
                for e in errors
            )
        if problems:
            where = self.mapping.file or self.file
            raise DataError(
                problems, f"{where}: the mapping's constants cannot be used", file=where
            )
        return values

    # -- reading --------------------------------------------------------------------------

    def parse(self, row: SheetRow) -> ParsedRow:
        """Read every cell of ``row``, then check and build what the cells allow."""
        parsed = ParsedRow(number=row.number)
        problems = parsed.problems
        has_decision = "outcome" in self.constants or any(
            self.where.cell(row, n) or self.match.positions.get(n) in row.flaws
            for n in DECISION_NAMES
        )
        read = self._read_cells(row, problems, has_decision=has_decision)
        values = read.values
        parsed.application_id = values.get("application_id")
        parsed.notes = {
            self.match.headers[i]: row.cells[i].strip()
            for i in self.match.notes
            if i < len(row.cells) and row.cells[i].strip()
        }
        self._check_known_application(row, parsed, problems)
        application = probe = None
        if not self.decisions_only:
            application = self._whole(row, read, "application", build_application, problems)
            if application is None:
                self._partial_application(row, read, problems)
                probe = self._probe_application(read)
        decision = None
        if has_decision:
            decision = self._whole(row, read, "decision", build_decision, problems)
            if decision is None:
                decision = self._probe_decision(row, read, problems)
        self._decision_rules(row, decision, application or probe, values.get("round_id"), problems)
        if len(problems) > 1:  # in the sheet's column order, whichever check found them
            problems.sort(key=self.where.order)
        if not problems:
            parsed.application = application
            parsed.decision = decision
        return parsed

    def parse_many(self, rows: list[SheetRow]) -> list[ParsedRow]:
        """`parse` for a batch of non-blank rows, reading the cells column by column.

        Each column's cells are read in one pass (each distinct text once). A row whose
        cells and models all read cleanly is built here; any other row (a flaw, a stray
        cell, a blank required cell, a cell or model that fails) is given to `parse`, in
        order, so its problems are exactly the row-by-row ones.
        """
        if self.decisions_only:
            return [self.parse(row) for row in rows]
        values, slow = self._read_columns(rows)
        out: list[ParsedRow] = []
        for index, row in enumerate(rows):
            parsed = None if index in slow else self._build_clean(row, values[index])
            out.append(parsed if parsed is not None else self.parse(row))
        return out

    def _read_columns(self, rows: list[SheetRow]) -> tuple[list[dict[str, Any]], set[int]]:
        headers = self.match.headers
        width = len(headers)
        blank_headers = [i for i, h in enumerate(headers) if not h.strip()]
        slow: set[int] = set()
        for index, row in enumerate(rows):
            cells_ = row.cells
            if (
                row.flaws
                or (len(cells_) > width and any(c.strip() for c in cells_[width:]))
                or any(i < len(cells_) and cells_[i].strip() for i in blank_headers)
            ):
                slow.add(index)
        values: list[dict[str, Any]] = [{} for _ in rows]
        decision_rows = self._decision_rows(rows)
        for name, position in self.match.positions.items():
            if name == "themes":
                continue
            required_always = name == "application_id" or name in _REQUIRED_APPLICATION
            required_with_decision = name in _REQUIRED_DECISION
            values_table = self.mapping.values.get(name)
            for index, row in enumerate(rows):
                if index in slow:
                    continue
                text = row.cells[position].strip() if position < len(row.cells) else ""
                if not text:
                    if required_always or (required_with_decision and index in decision_rows):
                        slow.add(index)
                    continue
                if values_table:
                    text = self.mapping.translate(name, text)
                try:
                    values[index][name] = self.reader.read(name, text)
                except FieldError:
                    slow.add(index)
        if "themes" in self.match:
            position = self.match.positions["themes"]
            for index, row in enumerate(rows):
                if index in slow:
                    continue
                round_ = values[index].get("round_id", self.constants.get("round_id"))
                if round_ is None:
                    slow.add(index)  # the row's round failed: parse gives its problems
                    continue
                text = row.cells[position].strip() if position < len(row.cells) else ""
                if not text:
                    values[index]["themes"] = frozenset()
                    continue
                themes, errors = self._theme_reader(round_).read(text)
                if errors:
                    slow.add(index)
                else:
                    values[index]["themes"] = themes
        for index in decision_rows:
            values[index]["$decision"] = True
        return values, slow

    def _decision_rows(self, rows: list[SheetRow]) -> set[int]:
        if "outcome" in self.constants:
            return set(range(len(rows)))
        positions = [self.match.positions[n] for n in DECISION_NAMES if n in self.match.positions]
        found = set()
        for index, row in enumerate(rows):
            cells_ = row.cells
            if any(p < len(cells_) and (cells_[p].strip() or p in row.flaws) for p in positions):
                found.add(index)
        return found

    def _build_clean(self, row: SheetRow, values: dict[str, Any]) -> ParsedRow | None:
        # Mirrors `parse` for a row whose every cell was read: None sends it to `parse`.
        has_decision = values.pop("$decision", False)
        for name, value in self.constants.items():
            values.setdefault(name, value)
        try:
            application = build_application(values)
            decision = build_decision(values) if has_decision else None
        except (FieldError, MoneyTypeError):
            return None
        round_ = values.get("round_id")
        if (
            decision is not None
            and round_ is not None
            and decision_problems(decision, application, round_)
        ):
            return None
        notes = {
            self.match.headers[i]: row.cells[i].strip()
            for i in self.match.notes
            if i < len(row.cells) and row.cells[i].strip()
        }
        return ParsedRow(
            number=row.number,
            application_id=values.get("application_id"),
            application=application,
            decision=decision,
            notes=notes,
        )

    def _read_cells(self, row: SheetRow, problems: list[Problem], *, has_decision: bool) -> _Cells:
        read = _Cells()
        for index, why in sorted(row.flaws.items()):
            name = self.by_position.get(index)
            if name is not None:
                read.failed.add(name)
                problems.append(
                    self.where.problem(
                        row.number, name, why, value=row.cells[index], expected="a value"
                    )
                )
        problems.extend(self.where.stray(row))
        required = set(_REQUIRED_DECISION) if has_decision else set()
        required.add("application_id")
        if not self.decisions_only:
            required |= _REQUIRED_APPLICATION
        for name in self.match.positions:
            if name in read.failed or name == "themes":
                continue
            text = self.where.cell(row, name)
            if not text:
                if name in required:
                    read.failed.add(name)
                    problems.append(
                        self.where.problem(
                            row.number,
                            name,
                            f"a value is required in {name}",
                            value="",
                            expected="a value",
                        )
                    )
                continue
            try:
                read.values[name] = self.reader.read(name, self.mapping.translate(name, text))
            except FieldError as err:
                read.failed.add(name)
                problems.append(self.where.field(row, name, err))
        for name, value in self.constants.items():
            read.values.setdefault(name, value)
        self._read_themes(row, read, problems)
        return read

    def _read_themes(self, row: SheetRow, read: _Cells, problems: list[Problem]) -> None:
        round_ = read.values.get("round_id")
        if "themes" not in self.match or "themes" in read.failed:
            return
        if round_ is None:
            read.failed.add("themes")  # themes are read against the row's round
            return
        text = self.where.cell(row, "themes")
        themes, errors = self._theme_reader(round_).read(text) if text else (frozenset(), [])
        problems.extend(self.where.field(row, "themes", e) for e in errors)
        if errors:
            read.failed.add("themes")
        else:
            read.values["themes"] = themes

    def _check_known_application(
        self, row: SheetRow, parsed: ParsedRow, problems: list[Problem]
    ) -> None:
        known = self.applications
        found = parsed.application_id
        if found is not None and known is not None and found not in known:
            problems.append(
                self.where.problem(
                    row.number,
                    "application_id",
                    f"application {found!r} is not in the ledger",
                    value=found,
                    expected="the id of a known application",
                )
            )

    def _theme_reader(self, round_: Round) -> cells.ThemeReader:
        reader = self._themes.get(round_.id)
        if reader is None:
            if self.vocabularies is None:  # pragma: no cover - decision files have no themes
                raise TypeError("reading themes needs the rounds' vocabularies")
            labels = self.mapping.values.get("themes")
            vocabularies = self.vocabularies(round_)
            reader = self._themes[round_.id] = cells.ThemeReader(vocabularies, labels)
        return reader

    # -- models and the rules that join fields ---------------------------------------------

    def _whole(
        self,
        row: SheetRow,
        read: _Cells,
        model: str,
        build: Callable[[dict[str, Any]], Any],
        problems: list[Problem],
    ) -> Any:
        """Build a model when every field it takes was read; else None (rules run apart)."""
        names = APPLICATION_NAMES if model == "application" else DECISION_NAMES
        needed = set(names) - {"themes", "currency"}
        if read.failed & needed or "application_id" in read.failed:
            return None
        try:
            return build(read.values)
        except FieldError as err:
            problems.append(self.where.model(row, err))
            read.failed.add(err.field)
            if err.field not in NORMALISED:  # a cell's own check: the joint rules still run
                read.failed.add(f"${model}")  # the model's own rule failed: no second report
            return None

    def _partial_application(self, row: SheetRow, read: _Cells, problems: list[Problem]) -> None:
        values = read.values
        for name, normalise in NORMALISED.items():
            if name in values and name not in read.failed:
                try:
                    normalise(values[name], field=name)
                except FieldError as err:
                    read.failed.add(name)
                    problems.append(self.where.field(row, name, err))
        if "$application" in read.failed:
            return
        if "project_start" in values and "project_end" in values:
            try:
                check_project_period(values["project_start"], values["project_end"])
            except FieldError as err:
                problems.append(self.where.model(row, err))

    def _probe_application(self, read: _Cells) -> Application | None:
        # Only the amount requested, the round and the id matter to the decision rules.
        values = read.values
        if "amount_requested" not in values or "round_id" not in values:
            return None
        probe = {**STAND_INS, **{k: values[k] for k in ("amount_requested", "round_id")}}
        probe["application_id"] = values.get("application_id") or "row"
        try:
            return build_application(probe)
        except (FieldError, MoneyTypeError):
            return None

    def _probe_decision(
        self, row: SheetRow, read: _Cells, problems: list[Problem]
    ) -> Decision | None:
        values = read.values
        if "$decision" in read.failed or "outcome" not in values:
            return None
        if any(n in read.failed for n in _DECISION_RULE_FIELDS):
            return None
        probe = {**STAND_INS, **{n: values[n] for n in _DECISION_RULE_FIELDS if n in values}}
        probe["application_id"] = values.get("application_id") or "row"
        try:
            return build_decision(probe)
        except FieldError as err:
            problems.append(self.where.model(row, err))
            return None

    def _decision_rules(
        self,
        row: SheetRow,
        decision: Decision | None,
        application: Application | None,
        round_: Round | None,
        problems: list[Problem],
    ) -> None:
        # An award above the maximum grant or the request needs a recorded justification.
        if decision is None or application is None or round_ is None:
            return
        for found in decision_problems(decision, application, round_):
            problems.append(
                self.where.problem(
                    row.number,
                    "amount_awarded",
                    found.message,
                    value=self.where.cell(row, "amount_awarded"),
                    expected=found.expected,
                )
            )
