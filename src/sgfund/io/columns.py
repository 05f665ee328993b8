"""Canonical column names for imported spreadsheets, their aliases, and mapping files.

Headers are matched without regard to case, spaces or punctuation: ``"Amount requested (£)"``,
``"amount_requested"`` and ``"AMOUNT-REQUESTED"`` all mean ``amount_requested``. A mapping file
(JSON or TOML) names the header for any canonical column whose header is something else.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from attrs import field, frozen

from sgfund.errors import DataError, Problem

__all__ = [
    "APPLICATION_COLUMNS",
    "DECISION_COLUMNS",
    "Column",
    "ColumnMatch",
    "column_letter",
    "load_mapping",
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
        "HX1 1AA",
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
        "domestic-abuse; Stalking and Harassment",
        "Theme",
        "Declared themes",
        "Safeguarding themes",
        "Priorities",
    ),
    _col(
        "delivery_postcode",
        False,
        "Where the project happens, if not at the applicant.",
        "BD1 1AA",
        "Project postcode",
        "Delivery post code",
        "Venue postcode",
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
        "Why a direct award was made (required for direct awards).",
        "",
        "Direct award justification",
        "Justification for direct award",
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
    the header exactly as the file writes it. ``ignored`` lists headers sgfund does not use.
    """

    positions: Mapping[str, int]
    headers: tuple[str, ...]
    ignored: tuple[str, ...]

    def header(self, name: str) -> str:
        """The file's own header for canonical column ``name``."""
        return self.headers[self.positions[name]]

    def __contains__(self, name: object) -> bool:
        return name in self.positions


def _accepted(column: Column) -> str:
    return ", ".join(repr(n) for n in (column.name, *column.aliases))


def match_columns(
    headers: Sequence[str],
    columns: Sequence[Column],
    *,
    mapping: Mapping[str, str] | None = None,
    optional_groups: Sequence[Sequence[Column]] = (),
    file: str | None = None,
    header_row: int = 1,
) -> tuple[ColumnMatch, list[Problem]]:
    """Find each canonical column among ``headers``; return the match and every problem.

    ``optional_groups`` are column sets a file may leave out entirely (decision columns in an
    application file); if any column of a group is present, the group's required ones must be.
    """
    mapping = dict(mapping or {})
    problems: list[Problem] = []
    normalised = [normalise_header(h) for h in headers]
    everything = [*columns, *(c for group in optional_groups for c in group)]
    positions: dict[str, int] = {}
    claimed: set[int] = set()
    ambiguous: set[str] = set()  # found more than once: reported as such, not as missing

    def where(index: int) -> str:
        return f"{headers[index]!r} (column {column_letter(index)})"

    for name, wanted in mapping.items():
        found = [i for i, h in enumerate(normalised) if h and h == normalise_header(wanted)]
        if not found:
            ambiguous.add(name)  # reported as a mapping problem, not as missing
            problems.append(
                Problem(
                    f"the mapping puts {name} in a column headed {wanted!r}, "
                    "but the header has no such column",
                    file=file,
                    row=header_row,
                    field=name,
                    value=wanted,
                    expected="a header of this file",
                )
            )
        elif len(found) > 1:
            ambiguous.add(name)
            problems.append(
                Problem(
                    f"the mapping puts {name} in {wanted!r}, but "
                    f"{' and '.join(where(i) for i in found)} both match",
                    file=file,
                    row=header_row,
                    column=wanted,
                    field=name,
                    value=wanted,
                    expected="one column with that header",
                )
            )
        else:
            positions[name] = found[0]
        claimed.update(found)

    for column in everything:
        if column.name in mapping:
            continue
        names = {normalise_header(n) for n in (column.name, *column.aliases)}
        found = [i for i, h in enumerate(normalised) if h in names and i not in claimed]
        if len(found) > 1:
            problems.append(
                Problem(
                    f"{' and '.join(where(i) for i in found)} "
                    f"{'both' if len(found) == 2 else 'all'} mean {column.name}; "
                    "remove or rename all but one, or name one in a mapping file",
                    file=file,
                    row=header_row,
                    column=headers[found[0]],
                    field=column.name,
                    value=[headers[i] for i in found],
                    expected="one column per field",
                )
            )
            ambiguous.add(column.name)
        elif found:
            positions[column.name] = found[0]
        claimed.update(found)

    def missing(column: Column, why: str = "") -> Problem:
        return Problem(
            f"required column {column.name!r} is missing{why} (accepted headers: "
            f"{_accepted(column)}; or name it in a mapping file)",
            file=file,
            row=header_row,
            field=column.name,
            expected=_accepted(column),
        )

    def absent(column: Column) -> bool:
        return column.required and column.name not in positions and column.name not in ambiguous

    problems.extend(missing(c) for c in columns if absent(c))
    for group in optional_groups:
        present = [c.name for c in group if c.name in positions]
        if present:
            why = f" (the file has {present[0]!r}, so it records decisions)"
            problems.extend(
                missing(c, why) for c in group if c.required and c.name not in positions
            )

    ignored = tuple(h for i, h in enumerate(headers) if i not in claimed and h.strip())
    match = ColumnMatch(positions=positions, headers=tuple(headers), ignored=ignored)
    return match, problems


_KNOWN_NAMES = frozenset(c.name for c in (*APPLICATION_COLUMNS, *DECISION_COLUMNS))


def load_mapping(source: str | os.PathLike[str] | Mapping[str, str]) -> dict[str, str]:
    """Read a mapping from canonical column names to a file's headers.

    ``source`` is a mapping, or a JSON or TOML file holding ``{"columns": {...}}``
    (TOML: a ``[columns]`` table). Unknown canonical names, other top-level keys and
    non-text headers are refused with a `DataError` listing every problem.
    """
    if isinstance(source, Mapping):
        return _check_mapping(source, file=None)
    path = Path(source)
    name = str(source)
    try:
        if path.suffix.lower() == ".toml":
            with path.open("rb") as handle:
                data: object = tomllib.load(handle)
        elif path.suffix.lower() == ".json":
            with path.open(encoding="utf-8-sig") as handle:
                data = json.load(handle)
        else:
            raise DataError(
                [
                    Problem(
                        "a mapping file must end in .json or .toml",
                        file=name,
                        value=path.suffix,
                        expected=".json or .toml",
                    )
                ],
                file=name,
            )
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise DataError(
            [
                Problem(
                    f"the mapping file cannot be read: {err}",
                    file=name,
                    expected="a JSON object or TOML table with a 'columns' table",
                )
            ],
            file=name,
        ) from err
    if (
        not isinstance(data, dict)
        or set(data) != {"columns"}
        or not isinstance(data["columns"], dict)
    ):
        keys = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise DataError(
            [
                Problem(
                    "a mapping file holds one table, 'columns', and nothing else",
                    file=name,
                    value=keys,
                    expected="{'columns': {canonical name: header}}",
                )
            ],
            file=name,
        )
    return _check_mapping(data["columns"], file=name)


def _check_mapping(columns: Mapping[str, object], *, file: str | None) -> dict[str, str]:
    problems = []
    checked: dict[str, str] = {}
    for name, header in columns.items():
        if name not in _KNOWN_NAMES:
            problems.append(
                Problem(
                    f"{name!r} is not a canonical column name",
                    file=file,
                    field=name,
                    value=name,
                    expected="one of " + ", ".join(sorted(_KNOWN_NAMES)),
                )
            )
        elif not isinstance(header, str) or not normalise_header(header):
            problems.append(
                Problem(
                    f"the header given for {name} is not a header",
                    file=file,
                    field=name,
                    value=header,
                    expected="the column's header as text",
                )
            )
        else:
            checked[name] = header
    if problems:
        raise DataError(problems, "the column mapping is not valid", file=file)
    return checked
