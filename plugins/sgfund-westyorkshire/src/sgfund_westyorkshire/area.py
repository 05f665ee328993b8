"""The area rule: the applicant, or the project's delivery postcode, is in West Yorkshire."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from sgfund import Application, Round
from sgfund.tables import polars
from sgfund.types import Result, Rule, fail, refer
from sgfund_westyorkshire.tables import WEST_YORKSHIRE_AREAS, AreaStatus, postcode_districts

__all__ = ["AREA_RULE", "area_status"]

_AREA = re.compile(r"^[A-Z]+")


def area_status(postcode: str) -> tuple[AreaStatus, str]:
    """Where a postcode lies against the county boundary, and why (for the finding's reason).

    A postcode district missing from the table is ``straddles`` (refer) in the areas BD, HX,
    HD, LS and WF, and ``outside`` anywhere else.
    """
    district = postcode.split(" ")[0]
    row = postcode_districts().get(district)
    if row is not None:
        where = f" ({row.note})" if row.note else ""
        return row.status, f"postcode district {district} is {row.status}{where}"
    match = _AREA.match(district)
    if match is not None and match[0] in WEST_YORKSHIRE_AREAS:
        return AreaStatus.STRADDLES, f"postcode district {district} is not in the table"
    return AreaStatus.OUTSIDE, f"postcode district {district} is outside West Yorkshire"


def _area(app: Application, round: Round, as_of: date) -> Result | None:
    return _area_of(app.organisation.postcode, app.delivery_postcode)


def _area_columns(round: Round, table: Any, as_of: date) -> Iterator[tuple[str, Result]]:
    # Only rows whose organisation's postcode district is not wholly inside need a look.
    pl = polars()
    inside = [d for d, row in postcode_districts().items() if row.status is AreaStatus.INSIDE]
    district = pl.col("organisation_postcode").str.split(" ").list.first()
    rest = table.filter(~district.is_in(inside).fill_null(value=False))
    columns = ("application_id", "organisation_postcode", "delivery_postcode")
    for app_id, postcode, delivery in rest.select(columns).iter_rows():
        result = _area_of(postcode, delivery)
        if result is not None:
            yield app_id, result


def _area_of(postcode: str | None, delivery_postcode: str | None) -> Result | None:
    # The common case first: the organisation's postcode district is wholly inside.
    if postcode is not None:
        row = postcode_districts().get(postcode.split(" ")[0])
        if row is not None and row.status is AreaStatus.INSIDE:
            return None
    given = [
        (name, code)
        for name, code in (
            ("organisation.postcode", postcode),
            ("delivery_postcode", delivery_postcode),
        )
        if code is not None
    ]
    if not given:
        return refer(
            "no postcode given for the organisation or the project, so its area is unknown",
            "organisation.postcode",
            "delivery_postcode",
        )
    statuses = [(area_status(code), name, code) for name, code in given]
    fields = [name for name, _ in given]
    if any(status is AreaStatus.INSIDE for (status, _), _, _ in statuses):
        return None
    unsure = [(why, code) for (status, why), _, code in statuses if status is AreaStatus.STRADDLES]
    if unsure:
        why, code = unsure[0]
        return refer(f"{code}: {why}; an officer checks the address is in West Yorkshire", *fields)
    reasons = "; ".join(f"{code}: {why}" for (_, why), _, code in statuses)
    return fail(f"not in West Yorkshire: {reasons}", *fields)


AREA_RULE = Rule(
    id="wy-area",
    version="1",
    description="The applicant organisation, or the place where the project is delivered, is "
    "in West Yorkshire (Bradford, Calderdale, Kirklees, Leeds or Wakefield). Postcode "
    "districts that cross the county boundary are checked by an officer.",
    check=_area,
    check_columns=_area_columns,
)
