"""Applications for a grant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.dates import LONDON, months_between, require_aware
from sgfund.errors import FieldError
from sgfund.organisations import Organisation, normalise_postcode

__all__ = ["Application", "check_project_period"]


def _postcode(value: str | None) -> str | None:
    value = v.optional_stripped(value)
    return None if value is None else normalise_postcode(value, field="delivery_postcode")


def _declared_themes(values: Iterable[str]) -> frozenset[str]:
    return v.strings(values, "declared_themes")


def _received(_inst: object, attribute: object, value: datetime | date) -> None:
    if isinstance(value, datetime):
        require_aware(value, field="submitted_at")
    elif not isinstance(value, date):
        raise FieldError(
            "submitted_at",
            value,
            "a timezone-aware datetime, or a date when only the day of receipt is known",
        )


def check_project_period(start: date, end: date) -> None:
    """Raise `FieldError` (on ``project_end``) unless the project ends on or after it starts."""
    if end < start:
        raise FieldError("project_end", end, f"a date on or after project_start {start}")


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Application:
    """An organisation's application to a round.

    ``declared_themes`` are the theme slugs the applicant chose; a project may serve several.
    ``delivery_postcode`` is where the project happens, if not at the applicant's address.

    ``submitted_at`` is when the application arrived: an aware datetime, or a plain
    ``datetime.date`` when the records hold only the day it arrived. A date means exactly
    that, "received on this day at a time not recorded"; sgfund never makes up a time for it
    (`submitted_time_known` says which; `submitted_on` gives the London day either way).
    """

    id: str = field(validator=v.identifier)
    round_id: str = field(validator=v.slug)
    organisation: Organisation
    title: str = field(converter=v.stripped, validator=v.text)
    amount_requested: Decimal = field(converter=v.money, validator=v.positive)
    project_start: date = field(validator=v.is_date)
    project_end: date = field(validator=v.is_date)
    submitted_at: datetime | date = field(validator=_received)
    summary: str = field(default="", converter=v.stripped)
    declared_themes: frozenset[str] = field(default=frozenset(), converter=_declared_themes)
    delivery_postcode: str | None = field(default=None, converter=_postcode)

    def __attrs_post_init__(self) -> None:
        check_project_period(self.project_start, self.project_end)

    @property
    def submitted_time_known(self) -> bool:
        """True when the time of receipt is recorded, False when only its day is."""
        return isinstance(self.submitted_at, datetime)

    @property
    def submitted_on(self) -> date:
        """The day the application arrived, in London."""
        if isinstance(self.submitted_at, datetime):
            return self.submitted_at.astimezone(LONDON).date()
        return self.submitted_at

    @property
    def project_months(self) -> int:
        """Length of the project in calendar months, a part month counting as one."""
        return months_between(self.project_start, self.project_end)
