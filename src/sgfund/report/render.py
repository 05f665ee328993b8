"""The report's HTML and Markdown, from templates (jinja2, the ``report`` extra, imported lazily).

HTML is autoescaped everywhere, charts included (`sgfund.report.charts` lays them out; the
template writes the SVG). The page fetches nothing: styles and charts are inline, and its
Content-Security-Policy forbids every fetch, so a browser would refuse even a stray one. Its
one script (``templates/sort.js``, allowed by its hash) only lets a reader sort the list of
awards; the page reads the same without it. Markdown escapes every value that came from data
(`_markdown_text`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sgfund.dates import london_text
from sgfund.errors import FieldError, MissingExtraError
from sgfund.money import format_money
from sgfund.report.charts import BarChart, bar_chart
from sgfund.report.data import Breakdown, ReportData, money_text

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "REPORT_SUFFIXES",
    "charts",
    "check_report_path",
    "render_html",
    "render_markdown",
    "write_report",
]

TEMPLATES = Path(__file__).parent / "templates"
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
REPORT_SUFFIXES = (".html", ".htm", ".md", ".markdown")


def _jinja() -> Any:
    try:
        import jinja2
    except ImportError as err:
        raise MissingExtraError("jinja2", extra="report", purpose="the committee report") from err
    return jinja2


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return london_text(value)
    return f"{value.day} {value:%B %Y}"


def _short_day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


def _money(value: Decimal | None) -> str:
    return "" if value is None else format_money(value)


def _markdown_text(value: object) -> str:
    """Text for a Markdown table cell: markup characters escaped, HTML made inert."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Only what can start markup inside a line: brackets make links, so parentheses can stay.
    return re.sub(r"([\\`*_\[\]|~])", r"\\\1", text)


def _environment(*, html: bool) -> jinja2.Environment:
    jinja2 = _jinja()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=_money,
        money_text=money_text,
        percent=_percent,
        day=_day,
        short_day=_short_day,
        md=_markdown_text,
    )
    return env  # type: ignore[no-any-return]


def _breakdown_chart(breakdown: Breakdown, *, shares: bool) -> BarChart:
    rows = breakdown.rows
    return bar_chart(
        f"chart-{breakdown.id}",
        breakdown.title,
        [r.label for r in rows],
        [("Awarded", [r.total for r in rows])],
        notes=[_percent(r.share) for r in rows] if shares else None,
    )


def charts(data: ReportData) -> dict[str, BarChart]:
    """The report's charts by id, each from the same figures as the table beside it."""
    rounds = data.rounds
    themes = data.themes.rows
    return {
        "rounds": bar_chart(
            "chart-rounds",
            "Each round against its advertised pot",
            [r.short_name for r in rounds],
            [
                ("Awarded", [r.awards.total for r in rounds]),
                ("Requested", [r.applications.total for r in rounds]),
                ("Advertised pot", [r.advertised_pot for r in rounds]),
            ],
        ),
        "themes": bar_chart(
            "chart-themes",
            data.themes.title,
            [r.label for r in themes],
            [
                ("Whole award under each theme", [r.total for r in themes]),
                ("Award split across its themes", [r.split for r in themes]),
            ],
        ),
        "districts": _breakdown_chart(data.districts, shares=True),
        "org-types": _breakdown_chart(data.org_types, shares=True),
        "financial-years": _breakdown_chart(data.financial_years, shares=True),
    }


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page."""
    template = _environment(html=True).get_template("report.html.j2")
    script = (TEMPLATES / "sort.js").read_text(encoding="utf-8")
    # The page's Content-Security-Policy lets this one script run, and nothing else.
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return str(
        template.render(
            data=data, charts=charts(data), script=script, script_hash=f"sha256-{digest}"
        )
    )


def render_markdown(data: ReportData) -> str:
    """The report as Markdown: the same sections and tables, without the charts."""
    template = _environment(html=False).get_template("report.md.j2")
    return str(template.render(data=data))


def check_report_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a report's file: `FieldError` unless it ends with one of `REPORT_SUFFIXES`.

    The suffix says the format; an HTML page under another name (``.pdf``) would mislead.
    """
    target = Path(path)
    if target.suffix.lower() not in REPORT_SUFFIXES:
        raise FieldError("out", os.fspath(path), "a file name ending " + ", ".join(REPORT_SUFFIXES))
    return target


def write_report(data: ReportData, path: str | os.PathLike[str]) -> Path:
    """Write the report to ``path``: Markdown for ``.md`` or ``.markdown``, HTML for
    ``.html`` or ``.htm`` (any other suffix is refused, `check_report_path`).

    The file is written whole or not at all (a temporary file beside it, then renamed), and
    the folder is made if needed. Returns the path written.
    """  # noqa: D205 - the summary needs both lines
    target = check_report_path(path)
    text = (
        render_markdown(data) if target.suffix.lower() in MARKDOWN_SUFFIXES else render_html(data)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target so the rename is atomic; opened by name so the umask applies.
    temporary = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        with temporary.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
