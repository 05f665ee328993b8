"""Applications for a grant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.dates import months_between
from sgfund.errors import FieldError
from sgfund.organisations import Organisation, normalise_postcode

__all__ = ["Application"]


def _postcode(value: str | None) -> str | None:
    value = v.optional_stripped(value)
    return None if value is None else normalise_postcode(value, field="delivery_postcode")


def _declared_themes(values: Iterable[str]) -> frozenset[str]:
    return v.strings(values, "declared_themes")


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Application:
    """An organisation's application to a round.

    ``declared_themes`` are the theme slugs the applicant chose; a project may serve several.
    ``delivery_postcode`` is where the project happens, if not at the applicant's address.
    """

    id: str = field(validator=v.identifier)
    round_id: str = field(validator=v.slug)
    organisation: Organisation
    title: str = field(converter=v.stripped, validator=v.text)
    amount_requested: Decimal = field(converter=v.money, validator=v.positive)
    project_start: date = field(validator=v.is_date)
    project_end: date = field(validator=v.is_date)
    submitted_at: datetime = field(validator=v.aware)
    summary: str = field(default="", converter=v.stripped)
    declared_themes: frozenset[str] = field(default=frozenset(), converter=_declared_themes)
    delivery_postcode: str | None = field(default=None, converter=_postcode)

    def __attrs_post_init__(self) -> None:
        if self.project_end < self.project_start:
            raise FieldError(
                "project_end",
                self.project_end,
                f"a date on or after project_start {self.project_start}",
            )

    @property
    def project_months(self) -> int:
        """Length of the project in calendar months, a part month counting as one."""
        return months_between(self.project_start, self.project_end)
