"""Canonical column names for imported spreadsheets, their aliases, and matching headers.

Headers are matched without regard to case, spaces or punctuation: ``"Amount requested (£)"``,
``"amount_requested"`` and ``"AMOUNT-REQUESTED"`` all mean ``amount_requested``. A mapping file
(`sgfund.io.mapping`) names the header for any canonical column whose header is something
else, or gives a constant for a column the sheet does not have.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from attrs import field, frozen

from sgfund.errors import Problem

__all__ = [
    "APPLICATION_COLUMNS",
    "DECISION_COLUMNS",
    "Column",
    "ColumnMatch",
    "column_letter",
    "match_columns",
    "normalise_header",
]


def normalise_header(text: str) -> str:
    """Reduce a header to lower-case letters and digits: ``"Amount (£)"`` becomes ``"amount"``."""
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 is ``A``, 26 is ``AA``."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@frozen(kw_only=True)
class Column:
    """One canonical column: its name, whether a file must have it, and other names for it."""

    name: str
    required: bool
    description: str
    example: str
    aliases: tuple[str, ...] = field(default=())


def _col(name: str, required: bool, description: str, example: str, *aliases: str) -> Column:
    return Column(
        name=name, required=required, description=description, example=example, aliases=aliases
    )


APPLICATION_COLUMNS: tuple[Column, ...] = (
    _col(
        "application_id",
        True,
        "The fund's reference for the application.",
        "GR2-001",
        "Application ID",
        "Application reference",
        "Application ref",
        "App ID",
        "Reference",
        "Ref",
        "ID",
    ),
    _col(
        "round_id",
        True,
        "The round's id, as the ledger knows it.",
        "mayor-gr2",
        "Round",
        "Grant round",
        "Funding round",
    ),
    _col(
        "organisation_name",
        True,
        "The applicant organisation's name.",
        "Calder Valley Women's Refuge",
        "Organisation",
        "Organization",
        "Organization name",
        "Organisation name",
        "Org name",
        "Applicant",
        "Applicant name",
        "Applicant organisation",
    ),
    _col(
        "organisation_type",
        True,
        "Its legal form: an OrgType value or a friendly name such as Registered charity, CIC "
        "or Community group.",
        "Registered charity",
        "Organisation type",
        "Organization type",
        "Org type",
        "Type",
        "Legal status",
        "Type of organisation",
    ),
    _col(
        "organisation_id",
        False,
        "The fund's own reference for the organisation, if any.",
        "ORG-0042",
        "Organisation ref",
        "Organisation reference",
        "Org ID",
        "Org ref",
    ),
    _col(
        "charity_number",
        False,
        "Charity number (England and Wales, SC..., NIC...).",
        "1012345",
        "Charity number",
        "Charity no",
        "Charity reg no",
        "Registered charity number",
        "Charity registration number",
    ),
    _col(
        "company_number",
        False,
        "Companies House number; lost leading zeros are restored.",
        "01234567",
        "Company number",
        "Company no",
        "Company reg no",
        "Companies House number",
        "Company registration number",
    ),
    _col(
        "postcode",
        False,
        "The organisation's postcode.",
        "SW1A 1AA",
        "Post code",
        "Organisation postcode",
        "Applicant postcode",
    ),
    _col(
        "district",
        False,
        "The district the organisation is in.",
        "Riverside",
        "Local authority",
        "Local authority district",
        "LA",
    ),
    _col(
        "project_title",
        True,
        "The project's title.",
        "Safe at home",
        "Title",
        "Project",
        "Project name",
    ),
    _col(
        "project_summary",
        False,
        "What the project will do.",
        "Target hardening for ...",
        "Summary",
        "Description",
        "Project description",
    ),
    _col(
        "amount_requested",
        True,
        "Money asked for, in pounds.",
        "£5,950.00",
        "Amount",
        "Requested",
        "Amount requested",
        "Grant requested",
        "Amount applied for",
        "Request",
    ),
    _col(
        "project_start",
        True,
        "First day of the project (day first).",
        "01/11/2022",
        "Start",
        "Start date",
        "Project start date",
        "Planned start",
    ),
    _col(
        "project_end",
        True,
        "Last day of the project (day first).",
        "31/10/2023",
        "End",
        "End date",
        "Project end date",
        "Planned end",
    ),
    _col(
        "submitted_at",
        True,
        "When the application arrived: a UK date and time (London time) or ISO 8601.",
        "10/06/2022 11:59",
        "Submitted",
        "Date submitted",
        "Submission date",
        "Received",
        "Date received",
        "Submitted on",
    ),
    _col(
        "themes",
        False,
        "Theme slugs or labels separated by ';'.",
        "youth-violence; Safer Streets",
        "Theme",
        "Declared themes",
        "Safeguarding themes",
        "Priorities",
    ),
    _col(
        "delivery_postcode",
        False,
        "Where the project happens, if not at the applicant.",
        "M1 1AE",
        "Project postcode",
        "Delivery post code",
        "Venue postcode",
    ),
    _col(
        "currency",
        False,
        "The currency of the amounts: GBP (sgfund keeps money in pounds sterling).",
        "GBP",
        "Currency code",
    ),
)

DECISION_COLUMNS: tuple[Column, ...] = (
    _col(
        "outcome",
        True,
        "approved, rejected, withdrawn or deferred (also Funded, Declined, ...).",
        "Approved",
        "Decision",
        "Result",
    ),
    _col(
        "amount_awarded",
        False,
        "Money awarded, in pounds; blank means £0.00.",
        "£5,000.00",
        "Awarded",
        "Amount awarded",
        "Grant awarded",
        "Award amount",
        "Award",
    ),
    _col(
        "decided_on",
        True,
        "Date of the decision (day first).",
        "14/09/2022",
        "Decision date",
        "Date of decision",
        "Decided",
        "Date decided",
    ),
    _col(
        "decided_by",
        True,
        "Who decided: a person, panel or board.",
        "Grants panel",
        "Decision maker",
        "Decided by",
        "Approved by",
    ),
    _col(
        "route",
        False,
        "competed (the default) or direct.",
        "competed",
        "Award route",
        "Route to award",
    ),
    _col(
        "justification",
        False,
        "Why an award needed one: required for a direct award, or an award above the "
        "round's maximum grant or the amount requested.",
        "Panel agreed: only provider in the area",
        "Justification",
        "Direct award justification",
        "Justification for direct award",
        "Award justification",
        "Reason for exceeding maximum",
    ),
    _col(
        "reasons",
        False,
        "Reasons given for the decision.",
        "Strong partnership",
        "Reason",
        "Decision reasons",
        "Reasons for decision",
    ),
)


@frozen(kw_only=True)
class ColumnMatch:
    """Which column of a file holds each canonical column.

    ``positions`` maps a canonical name to the 0-based index of its column; ``headers`` gives
    the header exactly as the file writes it. ``notes`` are the indexes of columns kept as
    notes; ``ignored`` lists headers sgfund does not use.
    """

    positions: Mapping[str, int]
    headers: tuple[str, ...]
    ignored: tuple[str, ...]
    notes: tuple[int, ...] = ()

    def header(self, name: str) -> str:
        """The file's own header for canonical column ``name``."""
        return self.headers[self.positions[name]]

    def __contains__(self, name: object) -> bool:
        return name in self.positions


def _accepted(column: Column) -> str:
    return ", ".join(repr(n) for n in (column.name, *column.aliases))


def _found(normalised: Sequence[str], wanted: str) -> list[int]:
    key = normalise_header(wanted)
    return [i for i, h in enumerate(normalised) if h and h == key]


def match_columns(
    headers: Sequence[str],
    columns: Sequence[Column],
    *,
    mapping: Mapping[str, str] | None = None,
    constants: Collection[str] = (),
    reserved: Mapping[str, Sequence[str]] | None = None,
    optional_groups: Sequence[Sequence[Column]] = (),
    file: str | None = None,
    header_row: int = 1,
) -> tuple[ColumnMatch, list[Problem]]:
    """Find each canonical column among ``headers``; return the match and every problem.

    ``mapping`` names the header of canonical columns (it wins over aliases); ``constants``
    are canonical columns a mapping gives one value for every row (so the sheet must not
    have them too); ``reserved`` maps ``"notes"`` and ``"ignore"`` to headers a mapping
    keeps as notes or leaves out (each must be in the sheet, and no alias takes them).
    ``optional_groups`` are column sets a file may leave out entirely (decision columns in
    an application file); if any column of a group is present, the group's required ones
    must be.
    """
    matcher = _Matcher(headers, file=file, header_row=header_row)
    mapping = dict(mapping or {})
    for name, wanted in mapping.items():
        matcher.mapped(name, wanted)
    notes: list[int] = []
    for key, wanted_headers in (reserved or {}).items():
        for wanted in wanted_headers:
            found = matcher.reserved(key, wanted)
            if key == "notes":
                notes.extend(found)
    everything = [*columns, *(c for group in optional_groups for c in group)]
    for column in everything:
        if column.name not in mapping:
            matcher.aliased(column, constant=column.name in constants)
    given = set(matcher.positions) | set(constants)
    matcher.missing(c for c in columns if c.required and c.name not in given)
    for group in optional_groups:
        present = [c.name for c in group if c.name in given]
        if present:
            why = f" (the file has {present[0]!r}, so it records decisions)"
            matcher.missing((c for c in group if c.required and c.name not in given), why)
    ignored = tuple(
        h for i, h in enumerate(headers) if i not in matcher.claimed and h.strip()
    ) + tuple(headers[i] for i in sorted(matcher.ignored))
    match = ColumnMatch(
        positions=matcher.positions, headers=tuple(headers), ignored=ignored, notes=tuple(notes)
    )
    return match, matcher.problems


class _Matcher:
    """The state of matching one header row: positions found, columns claimed, problems."""

    def __init__(self, headers: Sequence[str], *, file: str | None, header_row: int) -> None:
        self.headers = headers
        self.normalised = [normalise_header(h) for h in headers]
        self.file = file
        self.header_row = header_row
        self.positions: dict[str, int] = {}
        self.claimed: set[int] = set()
        self.ignored: set[int] = set()
        self.ambiguous: set[str] = set()  # found more than once: reported as such, not missing
        self.problems: list[Problem] = []

    def where(self, index: int) -> str:
        return f"{self.headers[index]!r} (column {column_letter(index)})"

    def problem(
        self,
        message: str,
        *,
        field: str,
        expected: str,
        value: object = None,
        column: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                message,
                file=self.file,
                row=self.header_row,
                column=column,
                field=field,
                value=value,
                expected=expected,
            )
        )

    def mapped(self, name: str, wanted: str) -> None:
        found = _found(self.normalised, wanted)
        if not found:
            self.ambiguous.add(name)  # reported as a mapping problem, not as missing
            self.problem(
                f"the mapping puts {name} in a column headed {wanted!r}, "
                "but the header has no such column",
                field=name,
                value=wanted,
                expected="a header of this file",
            )
        elif len(found) > 1:
            self.ambiguous.add(name)
            self.problem(
                f"the mapping puts {name} in {wanted!r}, but "
                f"{' and '.join(self.where(i) for i in found)} both match",
                column=wanted,
                field=name,
                value=wanted,
                expected="one column with that header",
            )
        else:
            self.positions[name] = found[0]
        self.claimed.update(found)

    def reserved(self, key: str, wanted: str) -> list[int]:
        found = _found(self.normalised, wanted)
        if not found:
            self.problem(
                f"the mapping's {key} names a column headed {wanted!r}, "
                "but the header has no such column",
                field=key,
                value=wanted,
                expected="a header of this file",
            )
        taken = [i for i in found if i in self.claimed]
        for index in taken:
            self.problem(
                f"the mapping's {key} names {self.where(index)}, which a field of the "
                "mapping's columns already takes",
                column=self.headers[index],
                field=key,
                value=wanted,
                expected="each header in one place",
            )
        found = [i for i in found if i not in taken]
        self.claimed.update(found)
        if key == "ignore":
            self.ignored.update(found)
        return found

    def aliased(self, column: Column, *, constant: bool) -> None:
        names = {normalise_header(n) for n in (column.name, *column.aliases)}
        found = [i for i, h in enumerate(self.normalised) if h in names and i not in self.claimed]
        if found and constant:
            self.problem(
                f"{' and '.join(self.where(i) for i in found)} "
                f"{'is' if len(found) == 1 else 'are'} {column.name}, and the mapping also "
                f"gives {column.name} a constant; list the column under ignore, or drop "
                "the constant",
                column=self.headers[found[0]],
                field=column.name,
                value=self.headers[found[0]],
                expected="a column or a constant, not both",
            )
        elif len(found) > 1:
            self.problem(
                f"{' and '.join(self.where(i) for i in found)} "
                f"{'both' if len(found) == 2 else 'all'} mean {column.name}; "
                "remove or rename all but one, or name one in a mapping file",
                column=self.headers[found[0]],
                field=column.name,
                value=[self.headers[i] for i in found],
                expected="one column per field",
            )
            self.ambiguous.add(column.name)
        elif found:
            self.positions[column.name] = found[0]
        self.claimed.update(found)

    def missing(self, columns: Iterable[Column], why: str = "") -> None:
        for column in columns:
            if column.name in self.ambiguous:
                continue
            self.problem(
                f"required column {column.name!r} is missing{why} (accepted headers: "
                f"{_accepted(column)}; or name it in a mapping file, or give it a constant)",
                field=column.name,
                expected=_accepted(column),
            )
