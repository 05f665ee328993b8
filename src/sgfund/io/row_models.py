"""Building a row's application and decision from the values its cells gave.

The models' own rules decide (`Organisation`, `Application`, `Decision`); this module only
maps their field names back to the sheet's columns, and gives neutral stand-ins for fields a
joint rule does not look at when a row lacks them (see `sgfund.io.rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sgfund.applications import Application
from sgfund.decisions import Decision
from sgfund.errors import FieldError
from sgfund.io.columns import APPLICATION_COLUMNS, DECISION_COLUMNS
from sgfund.organisations import (
    Organisation,
    OrgType,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)

__all__ = [
    "APPLICATION_NAMES",
    "DECISION_NAMES",
    "NORMALISED",
    "STAND_INS",
    "build_application",
    "build_decision",
]

APPLICATION_NAMES = tuple(c.name for c in APPLICATION_COLUMNS)
DECISION_NAMES = tuple(c.name for c in DECISION_COLUMNS)

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

# Cells the models normalise (`sgfund.organisations`). A good row is normalised once, when its
# application is built; only a row whose application cannot be built checks them one by one,
# so that every bad cell is listed, not just the first the model met.
NORMALISED: dict[str, Callable[..., str]] = {
    "charity_number": normalise_charity_number,
    "company_number": normalise_company_number,
    "postcode": normalise_postcode,
    "delivery_postcode": normalise_postcode,
}

# Neutral values for fields a rule does not look at, when a row lacks them.
STAND_INS: dict[str, Any] = {
    "organisation_name": "(not read)",
    "organisation_type": OrgType.OTHER,
    "project_title": "(not read)",
    "project_start": date(2000, 1, 1),
    "project_end": date(2000, 1, 1),
    "submitted_at": date(2000, 1, 1),
    "decided_on": date(2000, 1, 1),
    "decided_by": "(not read)",
}


def build_application(values: Mapping[str, Any]) -> Application:
    """The application of a row's values (canonical column names); `FieldError` names the
    column.
    """  # noqa: D205 - the summary needs both lines
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
        raise renamed(err, _ORGANISATION_FIELDS) from err
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
        raise renamed(err, _APPLICATION_FIELDS) from err


def build_decision(values: Mapping[str, Any]) -> Decision:
    """The decision of a row's values (canonical column names)."""
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


def renamed(err: FieldError, names: Mapping[str, str]) -> FieldError:
    return FieldError(names.get(err.field, err.field), err.value, err.expected)
