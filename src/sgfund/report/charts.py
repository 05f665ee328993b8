"""Horizontal bar charts as geometry for an inline SVG template (no script, no library).

`bar_chart` lays out bars, axis ticks and a legend in Python from exact amounts; the template
(``templates/_chart.svg.j2``) only writes the elements, escaping every label. Series are told
apart by lightness and by outline or hatching as well as by hue (an Okabe-Ito blue and orange
and an outlined hatch), so they survive greyscale printing and colour-blind readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.money import format_money

__all__ = ["Bar", "BarChart", "BarGroup", "Series", "Tick", "bar_chart"]

# The series' looks, in order: a dark solid blue, a light solid orange, a white hatched outline.
SERIES_STYLES = ("solid-dark", "solid-light", "hatched")

WIDTH = 720
LABEL_WIDTH = 250  # the category labels, right-aligned against the plot
VALUE_WIDTH = 150  # the amount written after each bar
BAR = 16
GROUP_GAP = 10
TOP = 8
LEGEND = 26
AXIS = 30
LEGEND_CHAR = 7  # a generous width for one character of legend text
LEGEND_GAP = 40


@frozen(kw_only=True)
class Series:
    """One set of values (e.g. "Awarded"), its look and its legend entry's position."""

    name: str
    style: str
    x: int = 0
    y: int = 0


@frozen(kw_only=True)
class Bar:
    """One bar: its box in SVG units, its look and the text written after it."""

    x: int
    y: int
    width: str
    height: int
    style: str
    text: str
    text_x: str


@frozen(kw_only=True)
class BarGroup:
    """A category's label and its bars (one per series)."""

    label: str
    label_y: int
    bars: tuple[Bar, ...] = field(converter=v.as_tuple)


@frozen(kw_only=True)
class Tick:
    """An axis tick: its position and its label in pounds."""

    x: str
    text: str


@frozen(kw_only=True)
class BarChart:
    """A chart laid out and ready for the template."""

    id: str
    title: str
    description: str
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_bottom: int
    groups: tuple[BarGroup, ...] = field(converter=v.as_tuple)
    ticks: tuple[Tick, ...] = field(converter=v.as_tuple)
    series: tuple[Series, ...] = field(converter=v.as_tuple)

    @property
    def legend(self) -> bool:
        """True when the chart has more than one series (and so a legend)."""
        return len(self.series) > 1


def _step(top: Decimal) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about five ticks up to ``top``."""
    raw = top / 5
    magnitude = Decimal(10) ** (raw.adjusted())
    for multiple in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if magnitude * multiple >= raw:
            return magnitude * multiple
    return magnitude * 10  # pragma: no cover - 10 times the magnitude always reaches raw


def _pounds(value: Decimal) -> str:
    return format_money(value, pence=value != value.to_integral_value())


def _amount(value: Decimal | None) -> str:
    return "none" if value is None else format_money(value)


def _coordinate(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1")))


def bar_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    notes: Sequence[str] | None = None,
) -> BarChart:
    """Lay out a horizontal bar chart of amounts in pounds.

    ``series`` is ``(name, values)`` with one value per category (None for no value: no bar,
    and "none" where its amount would be written). Each bar is labelled with
    its exact amount (and ``notes[i]`` after the first series' amount, e.g. a share). The text
    alternative lists every value, so the chart says what its table says.
    """
    if len(series) > len(SERIES_STYLES):
        raise ValueError(f"a chart shows at most {len(SERIES_STYLES)} series")
    top, step = _scale(series)
    plot_top = TOP + (LEGEND if len(series) > 1 else 0)
    groups = [
        _group(label, i, series, notes, top=top, plot_top=plot_top)
        for i, label in enumerate(categories)
    ]
    plot_bottom = plot_top + len(categories) * (BAR * len(series) + GROUP_GAP)
    return BarChart(
        id=chart_id,
        title=title,
        description=_description(categories, series),
        width=WIDTH,
        height=plot_bottom + AXIS,
        plot_left=LABEL_WIDTH,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        groups=groups,
        ticks=_ticks(top, step),
        series=_legend(series),
    )


_PLOT_WIDTH = Decimal(WIDTH - LABEL_WIDTH - VALUE_WIDTH)


def _scale(series: Sequence[tuple[str, Sequence[Decimal | None]]]) -> tuple[Decimal, Decimal]:
    """The axis' end (a whole number of ticks past the largest value) and its tick step."""
    top = max(
        (value for _, values in series for value in values if value is not None),
        default=Decimal(0),
    )
    if top <= 0:
        return Decimal(1), Decimal(1)
    step = _step(top)
    return (top / step).to_integral_value(rounding=ROUND_CEILING) * step, step


def _group(
    label: str,
    i: int,
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    notes: Sequence[str] | None,
    *,
    top: Decimal,
    plot_top: int,
) -> BarGroup:
    """Category ``i``'s bars, one per series, each labelled with its exact amount."""
    y0 = plot_top + i * (BAR * len(series) + GROUP_GAP) + GROUP_GAP // 2
    bars = []
    for j, (_, values) in enumerate(series):
        value = values[i]
        width = Decimal(0) if value is None else _PLOT_WIDTH * value / top
        text = _amount(value)
        if j == 0 and notes is not None and notes[i]:
            text = f"{text} ({notes[i]})"
        bars.append(
            Bar(
                x=LABEL_WIDTH,
                y=y0 + j * BAR,
                width=_coordinate(width),
                height=BAR - 2,
                style=SERIES_STYLES[j],
                text=text,
                text_x=_coordinate(LABEL_WIDTH + width + 4),
            )
        )
    return BarGroup(label=label, label_y=y0 + (BAR * len(series)) // 2, bars=bars)


def _ticks(top: Decimal, step: Decimal) -> list[Tick]:
    ticks = []
    value = Decimal(0)
    while value <= top:
        ticks.append(
            Tick(x=_coordinate(LABEL_WIDTH + _PLOT_WIDTH * value / top), text=_pounds(value))
        )
        value += step
    return ticks


def _legend(series: Sequence[tuple[str, Sequence[Decimal | None]]]) -> list[Series]:
    legend = []
    x = LABEL_WIDTH
    for j, (name, _) in enumerate(series):
        legend.append(Series(name=name, style=SERIES_STYLES[j], x=x, y=TOP))
        x += LEGEND_GAP + LEGEND_CHAR * len(name)  # room for the swatch and the name
    return legend


def _description(
    categories: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal | None]]]
) -> str:
    """The text alternative: every value of every category, as the table says it."""
    parts = []
    for i, label in enumerate(categories):
        said = "; ".join(
            f"{name} {_amount(amounts[i])}" if len(series) > 1 else _amount(amounts[i])
            for name, amounts in series
        )
        parts.append(f"{label}: {said}")
    return f"Bar chart, amounts in pounds. {'. '.join(parts)}."
