"""Funds, the eras of their funders, and rounds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.dates import london_text
from sgfund.errors import FieldError
from sgfund.organisations import OrgType

__all__ = ["DEFAULT_ELIGIBLE_TYPES", "Era", "Fund", "Round"]

DEFAULT_ELIGIBLE_TYPES = frozenset(t for t in OrgType if t is not OrgType.INDIVIDUAL)


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Fund:
    """A grant fund: ``Fund(id="scf", name="Safer Communities Fund")``."""

    id: str = field(validator=v.slug)
    name: str = field(converter=v.stripped, validator=v.text)


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Era:
    """A period in which one funder ran the fund (the PCC until 2021, then the Mayor).

    ``funder_id`` is the funder's org-id as published in open data.
    """

    id: str = field(validator=v.slug)
    funder_id: str = field(converter=v.stripped, validator=v.text)
    funder_name: str = field(converter=v.stripped, validator=v.text)
    start: date = field(validator=v.is_date)
    end: date | None = field(default=None, validator=v.is_date)

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise FieldError("end", self.end, f"a date on or after start {self.start}")


def _org_types(values: Iterable[OrgType | str]) -> frozenset[OrgType]:
    return frozenset(OrgType(x) for x in values)


def _vocabulary_ids(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise FieldError("theme_vocabularies", values, "a list of vocabulary ids, not one string")
    ids = tuple(values)
    for value in ids:
        if not isinstance(value, str) or not v.SLUG.match(value):
            raise FieldError(
                "theme_vocabularies", value, "vocabulary ids (slugs) that plugins give"
            )
    return ids


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Round:
    """One funding round: its window, money limits, eligible applicants and themes.

    ``opens_at`` and ``closes_at`` are aware datetimes (use `sgfund.dates.london`).
    ``max_grant`` may be None where a plugin supplies the fund's schedule.
    ``theme_vocabularies`` names, by id, the theme vocabularies the round uses; plugins give
    the vocabularies themselves (see `sgfund.themes.round_vocabularies`). ``area`` is the
    area the round serves, as text for people (e.g. the name of a county).
    """

    id: str = field(validator=v.slug)
    name: str = field(converter=v.stripped, validator=v.text)
    fund_id: str = field(validator=v.slug)
    era: Era
    opens_at: datetime = field(validator=v.aware)
    closes_at: datetime = field(validator=v.aware)
    advertised_pot: Decimal | None = field(
        default=None, converter=v.optional_money, validator=v.non_negative
    )
    min_grant: Decimal = field(default=Decimal("0.00"), converter=v.money, validator=v.non_negative)
    max_grant: Decimal | None = field(
        default=None, converter=v.optional_money, validator=v.non_negative
    )
    max_project_months: int = 12
    eligible_org_types: frozenset[OrgType] = field(
        default=DEFAULT_ELIGIBLE_TYPES, converter=_org_types
    )
    theme_vocabularies: tuple[str, ...] = field(default=(), converter=_vocabulary_ids)
    area: str | None = field(default=None, converter=v.optional_stripped)

    def __attrs_post_init__(self) -> None:
        if self.closes_at <= self.opens_at:
            raise FieldError(
                "closes_at", self.closes_at, f"a time after opens_at, {london_text(self.opens_at)}"
            )
        if self.max_grant is not None and self.max_grant < self.min_grant:
            raise FieldError("max_grant", self.max_grant, f"at least min_grant {self.min_grant}")
        if isinstance(self.max_project_months, bool) or self.max_project_months < 1:
            raise FieldError("max_project_months", self.max_project_months, "a whole number >= 1")
        if OrgType.INDIVIDUAL in self.eligible_org_types:
            raise FieldError("eligible_org_types", "individual", "organisations, not individuals")
        if len(set(self.theme_vocabularies)) != len(self.theme_vocabularies):
            raise FieldError("theme_vocabularies", self.theme_vocabularies, "each vocabulary once")
