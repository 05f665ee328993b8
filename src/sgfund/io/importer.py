"""Importing applications, their organisations and decisions from officers' CSV and XLSX files.

Two layers. `read_applications` and `read_decisions` read a file as a stream and either return
every row as models or raise `DataError` listing every problem with its file, row, column,
value and what was expected; they write nothing unless asked to set bad rows aside.
`import_applications` reads with the ledger's rounds and writes to the ledger all or nothing.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from attrs import field, frozen

from sgfund._bulk import collector_paused
from sgfund.applications import Application
from sgfund.collect import SgfundPluginManager
from sgfund.decisions import Decision, decision_problems
from sgfund.errors import DataError, LedgerError, Problem
from sgfund.funds import Round
from sgfund.io.columns import (
    APPLICATION_COLUMNS,
    DECISION_COLUMNS,
    Column,
    ColumnMatch,
    match_columns,
    normalise_header,
)
from sgfund.io.error_report import errors_path, write_error_csv
from sgfund.io.mapping import SheetMapping, load_mapping
from sgfund.io.rows import RowParser
from sgfund.io.sheet import Sheet, SheetRow, open_sheet
from sgfund.io.tally import MAX_PROBLEMS, MAX_SET_ASIDE_CHARS, RowTally, fetch_rows
from sgfund.themes import round_vocabularies

__all__ = [
    "MAX_PROBLEMS",
    "MAX_SET_ASIDE_CHARS",
    "ApplicationStore",
    "BadRows",
    "ImportResult",
    "import_applications",
    "read_applications",
    "read_decisions",
]

BadRows = Literal["refuse", "set-aside"]
MappingSource = str | os.PathLike[str] | Mapping[str, object] | SheetMapping
# Rows looked at, after a first row of one cell, for a header below titles (`_header`).
TITLE_LOOKAHEAD = 10


@frozen(kw_only=True)
class ImportResult:
    """What a read found.

    ``columns`` maps each canonical column found to the file's own header; ``ignored_columns``
    are headers sgfund does not use. ``rows`` counts non-blank data rows and ``good_rows``
    those that gave models (the rest were set aside, with ``problems``, into ``errors_file``).
    ``notes`` holds the text of the mapping's notes columns, by application id and header.
    ``title_rows`` are the numbers of the rows above the header passed over as titles.
    ``unknown_columns`` are the ignored columns a mapping did not ignore on purpose: headers
    sgfund did not recognise, whose data is not read (show them to whoever imports).
    ``application_rows`` gives the row of each good row's application id, so what the ledger
    refuses later is located in the sheet.
    ``problems`` lists at most `MAX_PROBLEMS` problems; ``unlisted_problems`` counts the
    rest. With ``validate_only`` the rows are checked and counted but no models are kept.
    """

    file: str
    format: str
    encoding: str | None
    delimiter: str | None
    columns: Mapping[str, str]
    ignored_columns: tuple[str, ...]
    applications: tuple[Application, ...] = ()
    decisions: tuple[Decision, ...] = ()
    rows: int = 0
    good_rows: int = 0
    blank_rows: int = 0
    problems: tuple[Problem, ...] = ()
    unlisted_problems: int = 0
    errors_file: Path | None = field(default=None)
    notes: Mapping[str, Mapping[str, str]] = field(factory=dict)
    title_rows: tuple[int, ...] = ()
    unknown_columns: tuple[str, ...] = ()
    application_rows: Mapping[str, int] = field(factory=dict, repr=False)

    @property
    def bad_rows(self) -> int:
        """Rows set aside because of problems."""
        return self.rows - self.good_rows


def read_applications(
    path: str | os.PathLike[str],
    *,
    rounds: Mapping[str, Round] | Iterable[Round],
    pm: SgfundPluginManager,
    mapping: MappingSource | None = None,
    bad_rows: BadRows = "refuse",
    validate_only: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Read applications (with their organisations, and decisions if the file has them).

    ``rounds`` are the rounds rows may name, by id; ``pm`` gives their theme vocabularies, so
    that a themes cell can name themes by slug or label (asked once per round the file
    names). A theme that is in the round's vocabularies is read even if archived: whether an
    archived or unknown declared theme is acceptable is the ``declared-themes-known`` rule's
    decision, at assessment. ``mapping`` (a dict, or a JSON or TOML
    file) names headers the aliases do not cover. With ``bad_rows="refuse"`` (the default)
    any bad row raises `DataError` listing every problem and nothing is written; with
    ``"set-aside"`` the good rows are returned and the bad ones written with their problems
    to ``<stem>.errors.csv`` beside ``path``. Problems with the file itself (encoding,
    missing columns) always raise. See docs/data-formats.md.
    """
    return _read_applications(
        path,
        rounds=rounds,
        pm=pm,
        mapping=mapping,
        bad_rows=bad_rows,
        validate_only=validate_only,
        open_options={"encoding": encoding, "delimiter": delimiter, "sheet": sheet},
        chunk=0,
    )


def _read_applications(
    path: str | os.PathLike[str],
    *,
    rounds: Mapping[str, Round] | Iterable[Round],
    pm: SgfundPluginManager,
    mapping: MappingSource | None,
    bad_rows: BadRows,
    validate_only: bool,
    open_options: dict[str, str | None],
    chunk: int,
) -> ImportResult:
    # ``chunk`` > 0 reads that many rows at a time column by column (`sgfund.io.columnar`).
    by_id = dict(rounds) if isinstance(rounds, Mapping) else {r.id: r for r in rounds}
    return _read(
        path,
        columns=APPLICATION_COLUMNS,
        groups=(DECISION_COLUMNS,),
        parser=lambda match, file, wanted: RowParser(
            match,
            file=file,
            rounds=by_id,
            vocabularies=lambda r: round_vocabularies(pm, r),
            mapping=wanted,
        ),
        mapping=mapping,
        bad_rows=bad_rows,
        validate_only=validate_only,
        open_options=open_options,
        chunk=chunk,
    )


def read_decisions(
    path: str | os.PathLike[str],
    *,
    applications: Iterable[str] | Iterable[Application] | None = None,
    round: Round | None = None,
    mapping: MappingSource | None = None,
    bad_rows: BadRows = "refuse",
    validate_only: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Read decisions alone: ``application_id`` and the decision columns, one row each.

    ``applications``, when given, are the applications (or their ids) a decision may name;
    any other id is a problem. Given the `Application` models and their ``round``, each
    decision is also held to `sgfund.decisions.decision_problems`, as in an applications
    sheet: an award above the round's maximum grant or the amount requested needs a
    justification. Those problems refuse the file (located by row and column), whatever
    ``bad_rows`` says. Options are as for `read_applications`.
    """
    given: list[str | Application] | None = None if applications is None else list(applications)
    models = {a.id: a for a in given or () if isinstance(a, Application)}
    known = None if given is None else frozenset(a if isinstance(a, str) else a.id for a in given)
    result = _read(
        path,
        columns=(APPLICATION_COLUMNS[0], *DECISION_COLUMNS),
        groups=(),
        parser=lambda match, file, wanted: RowParser(
            match,
            file=file,
            rounds=None,
            decisions_only=True,
            applications=known,
            mapping=wanted,
        ),
        mapping=mapping,
        bad_rows=bad_rows,
        validate_only=validate_only,
        open_options={"encoding": encoding, "delimiter": delimiter, "sheet": sheet},
    )
    if round is not None and models:
        _check_decisions(result, models, round)
    return result


def _check_decisions(result: ImportResult, models: Mapping[str, Application], round: Round) -> None:
    # A decisions sheet names applications read earlier; the rule that joins a decision to
    # its application and round is the models' own, so it is the one an applications sheet
    # with decision columns meets.
    problems = []
    for decision in result.decisions:
        application = models.get(decision.application_id)
        if application is None:
            continue
        for found in decision_problems(decision, application, round):
            field_name = found.field or "amount_awarded"
            problems.append(
                Problem(
                    found.message,
                    file=result.file,
                    row=result.application_rows.get(decision.application_id),
                    column=result.columns.get(field_name, field_name),
                    field=field_name,
                    value=found.value,
                    expected=found.expected,
                )
            )
    if problems:
        rows = len({p.row for p in problems})
        raise DataError(
            problems,
            f"{result.file}: {len(problems)} problem(s) in {rows} row(s); nothing was imported",
            file=result.file,
        )


def _read(
    path: str | os.PathLike[str],
    *,
    columns: tuple[Column, ...],
    groups: tuple[tuple[Column, ...], ...],
    parser: Callable[[ColumnMatch, str, SheetMapping], RowParser],
    mapping: MappingSource | None,
    bad_rows: BadRows,
    validate_only: bool,
    open_options: dict[str, str | None],
    chunk: int = 0,
) -> ImportResult:
    if bad_rows not in ("refuse", "set-aside"):
        raise ValueError(f"bad_rows must be 'refuse' or 'set-aside', not {bad_rows!r}")
    wanted = mapping if isinstance(mapping, SheetMapping) else _load(mapping)
    file = str(path)
    with open_sheet(path, **open_options) as sheet:
        header, blank, rows, titles = _header(iter(sheet), file)
        match = _matched(sheet, header, file, columns, groups, wanted)
        row_parser = _row_parser(parser, match, file, wanted)
        tally = RowTally(keep=not validate_only, set_aside=bad_rows == "set-aside", blank=blank)
        with collector_paused():
            if chunk:
                _read_in_chunks(rows, row_parser, tally, chunk)
            else:
                for row in rows:
                    tally.add(row, row_parser)
        found = {"format": sheet.format, "encoding": sheet.encoding, "delimiter": sheet.delimiter}
    if not tally.rows:
        problem = Problem(
            f"the file has a header (row {header.number}) but no rows of data below it",
            file=file,
            row=header.number,
            expected="one row per record below the header",
        )
        raise DataError(
            [problem, *_other_sheets(sheet, file)], f"{file}: nothing to read", file=file
        )
    problems = sorted(tally.problems, key=lambda p: p.row or 0)
    if problems and bad_rows == "refuse":
        count = len(problems) + tally.unlisted
        raise DataError(
            [*problems, *tally.unlisted_problem(file)],
            f"{file}: {count} problem(s) in {tally.bad_row_count} row(s); nothing was imported",
            file=file,
        )
    errors_file = _set_aside(path, open_options, tally, match) if tally.bad else None
    return _result(file, found, match, wanted, tally, problems, errors_file, titles)


def _load(mapping: str | os.PathLike[str] | Mapping[str, object] | None) -> SheetMapping:
    return load_mapping(mapping) if mapping is not None else SheetMapping()


def _matched(
    sheet: Sheet,
    header: SheetRow,
    file: str,
    columns: tuple[Column, ...],
    groups: tuple[tuple[Column, ...], ...],
    wanted: SheetMapping,
) -> ColumnMatch:
    """The header matched to the columns, or every problem with it (and the other sheets)."""
    match, problems = match_columns(
        tuple(c.strip() for c in header.cells),
        columns,
        mapping=wanted.columns,
        constants=wanted.constants,
        reserved={"notes": wanted.notes, "ignore": wanted.ignore},
        optional_groups=groups,
        file=file,
        header_row=header.number,
    )
    problems[:0] = _header_flaws(header, file)
    if problems:
        problems.extend(_other_sheets(sheet, file))
        raise DataError(problems, f"{file}: the header row cannot be used", file=file)
    return match


def _row_parser(
    parser: Callable[[ColumnMatch, str, SheetMapping], RowParser],
    match: ColumnMatch,
    file: str,
    wanted: SheetMapping,
) -> RowParser:
    try:
        return parser(match, file, wanted)
    except DataError as err:
        # The mapping's constants are read here; point each problem at its line.
        summary = str(err).splitlines()[0]
        raise DataError(wanted.locate(err.problems), summary, file=err.file) from None


def _set_aside(
    path: str | os.PathLike[str],
    open_options: dict[str, str | None],
    tally: RowTally,
    match: ColumnMatch,
) -> Path:
    if tally.pending:
        fetch_rows(path, open_options, tally)
    errors_file = errors_path(path)
    set_aside = [(n, cells, tally.bad_problems[n]) for n, cells in sorted(tally.bad.items())]
    write_error_csv(errors_file, match.headers, set_aside)
    return errors_file


def _result(
    file: str,
    found: Mapping[str, str | None],
    match: ColumnMatch,
    wanted: SheetMapping,
    tally: RowTally,
    problems: list[Problem],
    errors_file: Path | None,
    titles: Sequence[SheetRow],
) -> ImportResult:
    kept = list(tally.kept.values())
    # The ids' rows are kept in place (a copy would double the one thing read per row).
    application_rows = tally.first_seen
    for refused in [k for k, n in application_rows.items() if n <= 0]:
        del application_rows[refused]
    ignored_on_purpose = {normalise_header(i) for i in wanted.ignore}
    return ImportResult(
        file=file,
        format=str(found["format"]),
        encoding=found["encoding"],
        delimiter=found["delimiter"],
        columns={name: match.header(name) for name in match.positions},
        ignored_columns=match.ignored,
        applications=tuple(a for a, _ in kept if a is not None),
        decisions=tuple(d for _, d in kept if d is not None),
        rows=tally.rows,
        good_rows=tally.good,
        blank_rows=tally.blank,
        problems=tuple(problems),
        unlisted_problems=tally.unlisted,
        errors_file=errors_file,
        notes=dict(tally.notes),
        title_rows=tuple(t.number for t in titles),
        application_rows=application_rows,
        unknown_columns=tuple(
            h for h in match.ignored if normalise_header(h) not in ignored_on_purpose
        ),
    )


def _read_in_chunks(
    rows: Iterator[SheetRow], parser: RowParser, tally: RowTally, size: int
) -> None:
    # Column-wise reading (`RowParser.parse_many`) of ``size`` rows at a time: the stream is
    # never held whole, and the tally still sees every row in file order.
    batch: list[SheetRow] = []
    for row in rows:
        if row.blank:
            tally.blank += 1
            continue
        batch.append(row)
        if len(batch) >= size:
            _tally_batch(batch, parser, tally)
            batch = []
    if batch:
        _tally_batch(batch, parser, tally)


def _tally_batch(batch: list[SheetRow], parser: RowParser, tally: RowTally) -> None:
    for row, parsed in zip(batch, parser.parse_many(batch), strict=True):
        tally.rows += 1
        tally.record(row, parsed, parser)


def _header(
    rows: Iterator[SheetRow], file: str
) -> tuple[SheetRow, int, Iterator[SheetRow], tuple[SheetRow, ...]]:
    """The header row, the blank rows above it, the rows after it and any title rows above.

    The header is the first row that is not blank, except that title rows above it are
    passed over: rows of a single cell (a title, often merged across the columns) followed,
    within `TITLE_LOOKAHEAD` rows, by a row of several cells. A header of one cell could
    never be read with such a row below it (its other cells would have no header), so no
    file that reads as it stands is read differently.
    """
    blank = 0
    first = None
    for row in rows:
        if not row.blank:
            first = row
            break
        blank += 1
    if first is None:
        problem = Problem(
            "the file has no header row: it is empty or blank",
            file=file,
            expected="a header row naming the columns, then one row per record",
        )
        raise DataError([problem], f"{file}: nothing to read", file=file)
    if not _one_cell(first):
        return first, blank, rows, ()
    ahead: list[SheetRow] = []
    for row in rows:
        ahead.append(row)
        if not row.blank and not _one_cell(row):
            above = ahead[:-1]
            titles = (first, *(r for r in above if not r.blank))
            return row, blank + sum(r.blank for r in above), rows, titles
        if len(ahead) >= TITLE_LOOKAHEAD:
            break
    return first, blank, itertools.chain(ahead, rows), ()


def _other_sheets(sheet: Sheet, file: str) -> list[Problem]:
    """When a workbook's sheet cannot be read, say which was read and which others it has."""
    names: tuple[str, ...] = getattr(sheet, "sheet_names", ())
    read: str | None = getattr(sheet, "sheet_name", None)
    others = [n for n in names if n != read]
    if read is None or not others:
        return []
    message = (
        f"this is the workbook's sheet {read!r}; it also has "
        + ", ".join(repr(n) for n in others)
        + ": name the sheet to read (sgfund import --sheet-name, or sheet= in Python)"
    )
    return [Problem(message, file=file, expected="the sheet that holds the applications")]


def _one_cell(row: SheetRow) -> bool:
    return not row.flaws and sum(1 for c in row.cells if c.strip()) == 1


def _header_flaws(header: SheetRow, file: str) -> list[Problem]:
    return [
        Problem(why, file=file, row=header.number, column=header.cells[i], expected="a header")
        for i, why in sorted(header.flaws.items())
    ]


class ApplicationStore(Protocol):
    """What `import_applications` needs of a ledger; `sgfund.ledger.Ledger` has it."""

    def rounds(self) -> Mapping[str, object]:
        """Every round in the ledger, by id."""
        ...

    def round(self, round_id: str) -> Round:
        """One round."""
        ...

    def transaction(self) -> AbstractContextManager[object]:
        """Make the calls inside it all or nothing together."""
        ...

    def add_applications(
        self, applications: Iterable[Application], *, actor: str, at: datetime | None = None
    ) -> int:
        """Add applications all or nothing; return how many."""
        ...

    def record_decisions(
        self, decisions: Iterable[Decision], *, actor: str, at: datetime | None = None
    ) -> int:
        """Record decisions all or nothing; return how many."""
        ...


def import_applications(
    ledger: ApplicationStore,
    path: str | os.PathLike[str],
    *,
    actor: str,
    pm: SgfundPluginManager,
    at: datetime | None = None,
    mapping: MappingSource | None = None,
    bad_rows: BadRows = "refuse",
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Read ``path`` against the ledger's rounds and add its applications, all or nothing.

    ``pm`` gives the rounds' theme vocabularies, as for `read_applications`.
    A bad file raises `DataError` before the ledger is touched; so does anything the ledger
    refuses (an id it already holds, a closed round), in which case nothing is added.
    Decisions in the file are recorded in the same transaction. ``at`` is when the import
    happened (or the ledger's clock is asked).
    """
    rounds = [ledger.round(round_id) for round_id in ledger.rounds()]
    result = read_applications(
        path,
        rounds=rounds,
        pm=pm,
        mapping=mapping,
        bad_rows=bad_rows,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
    )
    # One transaction: the applications and their decisions go in together or not at all.
    try:
        with ledger.transaction():
            if result.applications:
                ledger.add_applications(result.applications, actor=actor, at=at)
            if result.decisions:
                ledger.record_decisions(result.decisions, actor=actor, at=at)
    except DataError as err:
        located = _in_the_sheet(err, result)
        if located is None:
            raise
        raise located from err
    except LedgerError as err:
        # A refusal of the whole sheet (a round in a state that takes no applications): say
        # which file it was.
        if type(err) is not LedgerError:
            raise
        raise LedgerError(f"{result.file}: {err}") from err
    return result


def _in_the_sheet(err: DataError, result: ImportResult) -> DataError | None:
    """The ledger's refusal located in the sheet, by the application id each problem names.

    The ledger numbers the items of a batch, which are not the sheet's rows (an id already
    in the ledger is item 1 of the batch and row 2 of the sheet).
    """
    column = result.columns.get("application_id")
    problems = []
    moved = False
    for found in err.problems:
        row = result.application_rows.get(found.value) if isinstance(found.value, str) else None
        if row is None or found.file is not None:
            problems.append(found)
            continue
        moved = True
        problems.append(
            Problem(
                found.message,
                file=result.file,
                row=row,
                column=column,
                field="application_id",
                value=found.value,
                expected=found.expected or "an application id the ledger does not hold yet",
            )
        )
    if not moved:
        return None  # nothing the sheet can locate: the ledger's own error stands
    summary = f"{result.file}: {len(problems)} problem(s) the ledger refused; nothing was imported"
    return DataError(problems, summary, file=result.file)
