"""The committee report's data types: frozen lines of exact figures that templates format.

`sgfund.report.data.build_report_data` makes a `ReportData`; nothing here computes a figure.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.money import format_money
from sgfund.report.labels import Criterion, PluginLine
from sgfund.totals import Bucket
from sgfund.types import Severity

__all__ = [
    "AwardLine",
    "Breakdown",
    "DecidedBy",
    "DiscrepancyLine",
    "FigureLine",
    "PostAwardLine",
    "ReportData",
    "RoundLine",
    "Row",
    "money_text",
]


def money_text(amount: Decimal) -> str:
    """Money as published: ``"£534,286"`` for whole pounds, ``"£176,272.82"`` otherwise (exact)."""
    whole = amount == amount.to_integral_value()
    return format_money(amount, pence=not whole)


@frozen(kw_only=True)
class Row:
    """One line of a breakdown: how many projects and how much money, and its share.

    ``share`` is the percentage of the money awarded, to two places; a breakdown's shares are
    split by largest remainder so they add up to 100.00. ``split`` (themes only) is the
    theme's part when each award is split equally across its themes: the splits add up to the
    total awarded.
    """

    key: str
    label: str
    count: int
    total: Decimal
    share: Decimal | None = None
    split: Decimal | None = None
    code: str | None = None


@frozen(kw_only=True)
class Breakdown:
    """Awards broken down one way (by theme, district, ...), ready for a chart and a table."""

    id: str
    title: str
    rows: tuple[Row, ...] = field(converter=v.as_tuple)
    note: str = ""


@frozen(kw_only=True)
class RoundLine:
    """One round against its advertised pot, and how it closed."""

    id: str
    name: str
    opens_at: datetime
    closes_at: datetime
    advertised_pot: Decimal | None
    applications: Bucket
    awards: Bucket
    requested_by_awarded: Decimal
    smallest: Decimal | None
    median: Decimal | None
    largest: Decimal | None
    closed_at: datetime | None = None
    closed_by: str | None = None
    digest: str | None = None
    anchor: str | None = None
    override_reason: str | None = None

    @property
    def short_name(self) -> str:
        """The round's own part of its name ("Grant Round 1" of "<fund>, Grant Round 1")."""
        return self.name.rpartition(", ")[2]

    @property
    def pot_left(self) -> Decimal | None:
        """Advertised pot less the money awarded (negative when the round overspent its pot)."""
        return None if self.advertised_pot is None else self.advertised_pot - self.awards.total


@frozen(kw_only=True)
class AwardLine:
    """One award as the list of awards shows it."""

    round_id: str
    award_id: str
    recipient: str
    district: str
    amount: Decimal
    themes: tuple[str, ...]
    awarded_on: date
    start: date
    end: date


@frozen(kw_only=True)
class FigureLine:
    """A declared figure and whether the computed one matches it, for the scope or one round."""

    scope: str
    figure: str
    published_text: str
    precision: str
    source: str
    published: str
    computed: str
    matched: bool
    explanation: str


@frozen(kw_only=True)
class DiscrepancyLine:
    """A check's discrepancy, for the scope or one round, with the check that reported it."""

    scope: str
    severity: Severity
    check: str
    message: str


@frozen(kw_only=True)
class DecidedBy:
    """A rule or check version that decided one or more of the rounds, and who gives it now.

    ``plugin`` and ``description`` are empty when no installed plugin gives this version.
    """

    kind: str
    id: str
    version: str
    rounds: tuple[str, ...]
    plugin: str = ""
    description: str = ""


@frozen(kw_only=True)
class PostAwardLine:
    """One round after the award, as of a day: its money and its returns."""

    round_id: str
    name: str
    awards: int
    accepted: int
    completed: int
    awarded: Decimal
    paid: Decimal
    outstanding: Decimal
    recovered: Decimal
    returns_due: int
    returns_overdue: int

    @property
    def balanced(self) -> bool:
        """Whether ``awarded = paid + outstanding - recovered`` to the penny."""
        return self.awarded == self.paid + self.outstanding - self.recovered


@frozen(kw_only=True)
class ReportData:
    """Everything the committee report shows, as exact data (see `build_report_data`)."""

    scope_id: str
    title: str
    headline: str
    projects: int
    awarded: Decimal
    applications: Bucket
    requested_by_awarded: Decimal
    advertised_pot: Decimal | None
    rounds: tuple[RoundLine, ...] = field(converter=v.as_tuple)
    themes: Breakdown
    districts: Breakdown
    org_types: Breakdown
    financial_years: Breakdown
    awards: tuple[AwardLine, ...] = field(converter=v.as_tuple)
    figures: tuple[FigureLine, ...] = field(converter=v.as_tuple)
    discrepancies: tuple[DiscrepancyLine, ...] = field(converter=v.as_tuple)
    decided_by: tuple[DecidedBy, ...] = field(converter=v.as_tuple)
    criteria: tuple[Criterion, ...] = field(converter=v.as_tuple)
    plugins: tuple[PluginLine, ...] = field(converter=v.as_tuple)
    ok: bool
    # After the award (closed rounds, as of a day), when the report is asked for it.
    post_award: tuple[PostAwardLine, ...] = field(default=(), converter=v.as_tuple)
    post_award_as_of: date | None = None

    @property
    def all_closed(self) -> bool:
        """True when every round of the scope has a closure record."""
        return all(r.closed_at is not None for r in self.rounds)

    @property
    def figures_matched(self) -> bool:
        """True when every declared figure matched."""
        return all(f.matched for f in self.figures)
