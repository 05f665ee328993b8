"""Funds, the eras of their funders, and rounds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.errors import FieldError, Problem, ValidationError
from sgfund.organisations import OrgType
from sgfund.vocabulary import SAFEGUARDING_THEMES, Theme, ThemeVocabulary

__all__ = ["DEFAULT_ELIGIBLE_TYPES", "Era", "Fund", "Round"]

DEFAULT_ELIGIBLE_TYPES = frozenset(t for t in OrgType if t is not OrgType.INDIVIDUAL)


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Fund:
    """A grant fund, e.g. the West Yorkshire Safer Communities Fund."""

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


def _vocabularies(values: Iterable[ThemeVocabulary]) -> tuple[ThemeVocabulary, ...]:
    return tuple(values)


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Round:
    """One funding round: its window, money limits, eligible applicants and themes.

    ``opens_at`` and ``closes_at`` are aware datetimes (use `sgfund.dates.london`).
    ``max_grant`` may be None where a plugin supplies the fund's schedule.
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
    theme_vocabularies: tuple[ThemeVocabulary, ...] = field(
        default=(SAFEGUARDING_THEMES,), converter=_vocabularies
    )
    area: str | None = field(default=None, converter=v.optional_stripped)

    def __attrs_post_init__(self) -> None:
        if self.closes_at <= self.opens_at:
            raise FieldError("closes_at", self.closes_at, f"a time after opens_at {self.opens_at}")
        if self.max_grant is not None and self.max_grant < self.min_grant:
            raise FieldError("max_grant", self.max_grant, f"at least min_grant {self.min_grant}")
        if isinstance(self.max_project_months, bool) or self.max_project_months < 1:
            raise FieldError("max_project_months", self.max_project_months, "a whole number >= 1")
        if OrgType.INDIVIDUAL in self.eligible_org_types:
            raise FieldError("eligible_org_types", "individual", "organisations, not individuals")
        ids = [voc.id for voc in self.theme_vocabularies]
        if len(set(ids)) != len(ids):
            raise FieldError("theme_vocabularies", ids, "each vocabulary once")

    def theme(self, slug: str) -> tuple[ThemeVocabulary, Theme] | None:
        """Find a theme by slug in this round's vocabularies."""
        for vocabulary in self.theme_vocabularies:
            found = vocabulary.get(slug)
            if found is not None:
                return vocabulary, found
        return None

    @property
    def theme_slugs(self) -> frozenset[str]:
        """Every theme slug this round knows."""
        return frozenset(s for voc in self.theme_vocabularies for s in voc.slugs)

    def check_themes(self, slugs: Iterable[str], *, field: str = "themes") -> None:
        """Raise `ValidationError` listing each slug that is not a live theme of this round."""
        problems = []
        for slug in sorted(slugs):
            found = self.theme(slug)
            if found is None:
                problems.append(
                    Problem(
                        f"theme {slug!r} is not in round {self.id}'s vocabularies",
                        field=field,
                        value=slug,
                        expected=", ".join(sorted(self.theme_slugs)),
                    )
                )
            elif found[1].archived:
                problems.append(
                    Problem(
                        f"theme {slug!r} is archived in {found[0].id} v{found[0].version}",
                        field=field,
                        value=slug,
                        expected="a theme that is not archived",
                    )
                )
        if problems:
            raise ValidationError(problems)
