"""Totals of a scope, computed in one pass over its awards: exact to the penny."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from attrs import field, frozen

__all__ = ["Bucket", "Totals"]


@frozen
class Bucket:
    """A count of projects and the money they were awarded."""

    count: int = 0
    total: Decimal = Decimal("0.00")


@frozen(kw_only=True)
class Totals:
    """Everything a committee paper or open-data file says about a scope's money.

    ``by_theme_touching`` counts a project, with its full amount, under every theme it serves,
    so its counts can add up to more than ``awards.count``. ``by_theme_apportioned`` splits each
    award across its themes by largest remainder, so its amounts add up to ``awards.total``
    exactly (projects without a theme fall under ``"(none)"``).
    """

    scope_id: str
    round_ids: tuple[str, ...]
    applications: Bucket = field(factory=Bucket)  # count and money requested, every application
    awards: Bucket = field(factory=Bucket)  # count and money awarded
    requested_by_awarded: Decimal = Decimal("0.00")  # what the funded projects had asked for
    advertised_pot: Decimal | None = None
    by_round: Mapping[str, Bucket] = field(factory=dict)
    by_theme_touching: Mapping[str, Bucket] = field(factory=dict)
    by_theme_apportioned: Mapping[str, Decimal] = field(factory=dict)
    by_district: Mapping[str, Bucket] = field(factory=dict)
    by_org_type: Mapping[str, Bucket] = field(factory=dict)
    by_financial_year: Mapping[str, Bucket] = field(factory=dict)
