"""Scopes (one or more rounds reported together) and the figures that were published for them."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.errors import FieldError
from sgfund.funds import Round
from sgfund.money import to_money

__all__ = ["DeclaredFigure", "Figure", "Precision", "Scope"]


class Figure(enum.StrEnum):
    """What a published figure counts."""

    PROJECTS = "projects"
    TOTAL_AWARDED = "total_awarded"


class Precision(enum.StrEnum):
    """How exactly a figure was published.

    ``rounded`` carries a ``unit`` (£1 for "£534,286", £1m for "£14m"): the computed figure
    matches when it rounds (half up) to the published one at that unit.
    """

    EXACT = "exact"
    ROUNDED = "rounded"
    LOWER_BOUND = "lower_bound"
    UPPER_BOUND = "upper_bound"


def _figure(value: object, field: str) -> Decimal:
    # Through to_money like every amount (floats, NaN, infinities, exponents and fractions of
    # a penny refused); a whole figure keeps no decimal places, so 100 projects stay "100".
    amount = to_money(value, field=field)
    return Decimal(int(amount)) if amount == amount.to_integral_value() else amount


def _value(value: Decimal | int | str) -> Decimal:
    return _figure(value, "value")


def _unit(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else _figure(value, "unit")


@frozen(kw_only=True)
class DeclaredFigure:
    """A figure as it was published: ``"£534,286"`` is total_awarded 534286, rounded to £1.

    ``value`` and ``unit`` are taken as money is (`sgfund.money.to_money`): a ``Decimal``, an
    ``int`` or text; floats, NaN, infinities, exponents and fractions of a penny are refused.
    """

    figure: Figure = field(converter=Figure)
    value: Decimal = field(converter=_value)
    precision: Precision = field(converter=Precision)
    published_text: str = field(converter=v.stripped, validator=v.text)
    unit: Decimal | None = field(default=None, converter=_unit)
    source: str = field(default="", converter=v.stripped)
    published: str = field(default="", converter=v.stripped)
    lower_bound_inclusive: bool = False

    def __attrs_post_init__(self) -> None:
        if self.precision is Precision.ROUNDED and (self.unit is None or self.unit <= 0):
            raise FieldError("unit", self.unit, "a positive rounding unit for a rounded figure")
        if self.value < 0:
            raise FieldError("value", self.value, "zero or more")
        if self.figure is Figure.PROJECTS and self.value != self.value.to_integral_value():
            raise FieldError("value", str(self.value), "a whole number of projects")
        # A figure published rounded is a multiple of its unit ("£13,000" to £1k); any other
        # value means the unit or the value was written wrongly, and could never match.
        if self.precision is Precision.ROUNDED and self.unit is not None and self.value % self.unit:
            raise FieldError(
                "value",
                str(self.value),
                f"a multiple of the rounding unit {self.unit:,} (a figure rounded to "
                f"{self.unit:,} is one)",
            )


def _rounds(values: Iterable[Round]) -> tuple[Round, ...]:
    return tuple(values)


def _figures(values: Iterable[DeclaredFigure]) -> tuple[DeclaredFigure, ...]:
    return tuple(values)


@frozen(kw_only=True)
class Scope:
    """One or more rounds reported together, e.g. "Mayor's SCF 2022" = GR1 + GR2."""

    id: str = field(validator=v.identifier)
    label: str = field(converter=v.stripped, validator=v.text)
    rounds: tuple[Round, ...] = field(converter=_rounds)
    declared: tuple[DeclaredFigure, ...] = field(default=(), converter=_figures)

    def __attrs_post_init__(self) -> None:
        if not self.rounds:
            raise FieldError("rounds", self.rounds, "at least one round")
        ids = [r.id for r in self.rounds]
        if len(set(ids)) != len(ids):
            raise FieldError("rounds", ids, "each round once")

    @property
    def round_ids(self) -> frozenset[str]:
        """Ids of the rounds in scope."""
        return frozenset(r.id for r in self.rounds)

    @property
    def advertised_pot(self) -> Decimal | None:
        """Sum of the rounds' advertised pots, or None if any round has none."""
        pots = [r.advertised_pot for r in self.rounds]
        if any(p is None for p in pots):
            return None
        return sum((p for p in pots if p is not None), start=Decimal("0.00"))
