"""Tables of applications or awards, filtered, written as CSV or XLSX for spreadsheets.

CSV cells from text are neutralised against formula injection (a leading ``=``, ``+``, ``-``,
``@``, tab or carriage return gets a ``'`` in front); numbers stay numbers. XLSX cells from text
are stored as typed text, which a spreadsheet never runs, so they keep their exact value.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import field, frozen

from sgfund import _validate as v
from sgfund._text import bad_character
from sgfund.applications import Application
from sgfund.decisions import Award
from sgfund.errors import ExportError, FieldError, Problem, SgfundError
from sgfund.io.files import atomic_write, atomic_write_bytes, neutralise_cell
from sgfund.organisations import OrgType

__all__ = [
    "Filter",
    "Table",
    "application_table",
    "award_table",
    "write_csv",
    "write_xlsx",
]

Cell = str | Decimal | int | date | datetime | None
PathLike = str | os.PathLike[str]
_XLSX_HINT = 'writing XLSX needs openpyxl: pip install "sgfund[xlsx]"'


def _columns(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


# Characters a workbook refuses in a sheet name; a name holds at most 31 characters.
_SHEET_NAME_FORBIDDEN = frozenset(":\\/?*[]")
MAX_TITLE_CHARS = 31


def _title(_inst: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise FieldError("title", value, "a table title")
    bad = sorted(set(value) & _SHEET_NAME_FORBIDDEN)
    odd = bad_character(value)
    if bad or odd or len(value) > MAX_TITLE_CHARS or value.startswith("'") or value.endswith("'"):
        raise FieldError(
            "title",
            value,
            f"a title a workbook can name a sheet with: at most {MAX_TITLE_CHARS} characters, "
            "none of : \\ / ? * [ ], no control characters, not starting or ending with '",
        )


def _rows(values: Iterable[Sequence[Cell]]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(row) for row in values)


@frozen(kw_only=True)
class Table:
    """Column titles and rows of typed cells, ready for `write_csv` or `write_xlsx`.

    ``title`` names the sheet in a workbook, so it follows a workbook's rules for sheet names
    (at most 31 characters; no colon, slash, backslash, ``?``, ``*``, ``[`` or ``]``); any other
    title is refused here.
    """

    title: str = field(validator=_title)
    columns: tuple[str, ...] = field(converter=_columns)
    rows: tuple[tuple[Cell, ...], ...] = field(converter=_rows)

    def __attrs_post_init__(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise FieldError("rows", number, f"{len(self.columns)} cells in every row")


def _strings(values: Iterable[str] | None) -> frozenset[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        raise FieldError("values", values, "a collection of strings, not one string")
    return frozenset(values)


def _types(values: Iterable[OrgType | str] | None) -> frozenset[OrgType] | None:
    return None if values is None else frozenset(OrgType(v) for v in values)


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Filter:
    """Which applications or awards to take; every criterion given must hold.

    ``themes`` matches a record with any of the themes. Dates are inclusive: ``since`` and
    ``until`` apply to the submission date of an application and the award date of an award.
    ``where`` is any further test on the application (for awards, the awarded application).
    ``min_amount`` and ``max_amount`` are money (`sgfund.money.to_money`: a ``Decimal``, an
    ``int`` or text; a float is a ``TypeError``).
    """

    round_ids: frozenset[str] | None = field(default=None, converter=_strings)
    districts: frozenset[str] | None = field(default=None, converter=_strings)
    org_types: frozenset[OrgType] | None = field(default=None, converter=_types)
    themes: frozenset[str] | None = field(default=None, converter=_strings)
    since: date | None = None
    until: date | None = None
    min_amount: Decimal | None = field(default=None, converter=v.optional_money)
    max_amount: Decimal | None = field(default=None, converter=v.optional_money)
    where: Callable[[Application], bool] | None = field(default=None, eq=False)

    def _common(
        self, application: Application | None, round_id: str, themes: frozenset[str], day: date
    ) -> bool:
        if self.round_ids is not None and round_id not in self.round_ids:
            return False
        if self.themes is not None and not themes & self.themes:
            return False
        if (self.since is not None and day < self.since) or (
            self.until is not None and day > self.until
        ):
            return False
        if application is None:
            return self.districts is None and self.org_types is None and self.where is None
        org = application.organisation
        if self.districts is not None and org.district not in self.districts:
            return False
        if self.org_types is not None and org.type not in self.org_types:
            return False
        return self.where is None or self.where(application)

    def _amount(self, amount: Decimal) -> bool:
        return (self.min_amount is None or amount >= self.min_amount) and (
            self.max_amount is None or amount <= self.max_amount
        )

    def application(self, application: Application) -> bool:
        """Say whether ``application`` passes (amounts are the amount requested)."""
        return self._amount(application.amount_requested) and self._common(
            application,
            application.round_id,
            application.declared_themes,
            application.submitted_on,
        )

    def award(self, award: Award, application: Application | None = None) -> bool:
        """Say whether ``award`` passes (amounts are the amount awarded)."""
        return self._amount(award.amount) and self._common(
            application, award.round_id, award.themes, award.awarded_on
        )


_EVERYTHING = Filter()


def _join(values: Iterable[str]) -> str:
    return "; ".join(sorted(values))


def application_table(applications: Iterable[Application], *, only: Filter = _EVERYTHING) -> Table:
    """One row per application that passes ``only``, in id order."""
    columns = (
        "Application",
        "Round",
        "Organisation",
        "Organisation type",
        "Registered id",
        "Postcode",
        "District",
        "Title",
        "Summary",
        "Amount requested",
        "Project start",
        "Project end",
        "Months",
        "Submitted at",
        "Declared themes",
    )
    rows = []
    for app in sorted(applications, key=lambda a: a.id):
        if not only.application(app):
            continue
        org = app.organisation
        rows.append(
            (
                app.id,
                app.round_id,
                org.name,
                str(org.type),
                org.registered_id,
                org.postcode,
                org.district,
                app.title,
                app.summary,
                app.amount_requested,
                app.project_start,
                app.project_end,
                app.project_months,
                app.submitted_at,
                _join(app.declared_themes),
            )
        )
    return Table(title="Applications", columns=columns, rows=rows)


def award_table(
    awards: Iterable[Award],
    applications: Iterable[Application] = (),
    *,
    only: Filter = _EVERYTHING,
) -> Table:
    """One row per award that passes ``only``, in round and id order.

    With ``applications``, each row names the recipient; a filter on districts, organisation
    types or ``where`` needs them, and an award without its application then does not pass.
    """
    by_id = {a.id: a for a in applications}
    columns = (
        "Award",
        "Application",
        "Round",
        "Recipient",
        "Registered id",
        "District",
        "Amount awarded",
        "Award date",
        "Start",
        "End",
        "Themes",
        "Conditions",
    )
    rows = []
    for award in sorted(awards, key=lambda a: (a.round_id, a.id)):
        app = by_id.get(award.application_id)
        if not only.award(award, app):
            continue
        org = app.organisation if app is not None else None
        rows.append(
            (
                award.id,
                award.application_id,
                award.round_id,
                org.name if org is not None else None,
                org.registered_id if org is not None else None,
                org.district if org is not None else None,
                award.amount,
                award.awarded_on,
                award.start,
                award.end,
                _join(award.themes),
                "; ".join(award.conditions),
            )
        )
    return Table(title="Awards", columns=columns, rows=rows)


def csv_cell(value: Cell) -> str:
    """A cell as CSV text: numbers and dates plainly, text neutralised, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | int | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    return neutralise_cell(str(value))


def write_csv(path: PathLike, table: Table) -> Path:
    """Write ``table`` as UTF-8 CSV (with a byte-order mark for spreadsheets), all or nothing."""
    target = Path(path)
    with atomic_write(target, encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([neutralise_cell(c) for c in table.columns])
        writer.writerows([csv_cell(c) for c in row] for row in table.rows)
    return target


def _xlsx_cell(sheet: Any, row: int, column: int, value: Cell) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    if isinstance(value, datetime):
        # Spreadsheet dates have no zone; the ISO text keeps the offset.
        cell.value = value.isoformat()
        cell.data_type = "s"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, Decimal):
        cell.value = value
        cell.number_format = "#,##0.00"
    elif isinstance(value, int):
        cell.value = value
    else:
        cell.value = str(value)
        cell.data_type = "s"  # typed text is never run as a formula


def _unwritable(tables: Sequence[Table]) -> list[Problem]:
    """Text a workbook cannot hold (control characters, unpaired surrogates), cell by cell."""
    problems = []
    seen: set[str] = set()
    for table in tables:
        if table.title.casefold() in seen:
            problems.append(
                Problem(
                    f"two tables are titled {table.title!r}; a workbook needs one name per sheet",
                    field="title",
                    value=table.title,
                    expected="a different title for each table",
                )
            )
        seen.add(table.title.casefold())
        texts = [(1, table.columns)] + [(n, r) for n, r in enumerate(table.rows, start=2)]
        for number, row in texts:
            for index, value in enumerate(row):
                odd = bad_character(value) if isinstance(value, str) else None
                if odd is not None:
                    problems.append(
                        Problem(
                            f"sheet {table.title!r}: the text holds {odd}, which a workbook "
                            "cannot store",
                            row=number,
                            column=table.columns[index],
                            value=value,
                            expected="text without control characters (tab and line breaks "
                            "are fine)",
                        )
                    )
    return problems


def write_xlsx(path: PathLike, tables: Table | Sequence[Table]) -> Path:
    """Write one sheet per table to an XLSX workbook, all or nothing (needs openpyxl).

    Text a workbook cannot hold (control characters other than tab and line breaks) and two
    tables with one title are refused with `ExportError` listing every such cell; nothing is
    written.
    """
    try:
        from openpyxl import Workbook
    except ImportError as err:
        raise SgfundError(_XLSX_HINT) from err
    target = Path(path)
    chosen = [tables] if isinstance(tables, Table) else list(tables)
    problems = _unwritable(chosen)
    if problems:
        raise ExportError(problems, f"{target} not written: text a workbook cannot hold")
    workbook = Workbook()
    for blank in list(workbook.worksheets):
        workbook.remove(blank)
    for table in chosen:
        sheet = workbook.create_sheet(title=table.title)
        for column, title in enumerate(table.columns, start=1):
            _xlsx_cell(sheet, 1, column, title)
        for number, row in enumerate(table.rows, start=2):
            for column, value in enumerate(row, start=1):
                _xlsx_cell(sheet, number, column, value)
        sheet.freeze_panes = "A2"
    with atomic_write_bytes(target) as handle:
        workbook.save(handle)
    return target
