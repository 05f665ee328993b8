"""Dates and times: aware Europe/London windows, UK day-first text, financial years.

The library never reads the clock; callers pass ``as_of``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from sgfund._text import non_ascii_digit
from sgfund.errors import FieldError

__all__ = [
    "LONDON",
    "FinancialYear",
    "financial_year",
    "london",
    "london_iso",
    "london_text",
    "months_between",
    "parse_date",
    "parse_datetime",
    "require_aware",
]

LONDON = ZoneInfo("Europe/London")

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Numeric forms such as 10/06/2022, 10-6-22 or 10.06.2022.
_NUMERIC = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{2}|[0-9]{4})")
_CLOCK = re.compile(r"[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?")
# ISO 8601 as people and sgfund's files write it: a calendar date, then a time of day with at
# least hours and minutes, then an optional offset. Python's fromisoformat also takes a date
# alone (which would become midnight), compact and week dates, and an hour alone.
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)

# A date in words ("10 June 2022", "Fri, 10 Jun 2022", "June 10th, 2022"): English names,
# whatever the locale. Exactly one day, one month name and one four-digit year, the day
# before the year, so nothing is guessed or made up.
_MONTHS = {
    name: number
    for number, full in enumerate(
        (
            "january", "february", "march", "april", "may", "june",
            "july", "august", "september", "october", "november", "december",
        ),
        start=1,
    )
    for name in {full, full[:3], "sept" if number == 9 else full[:3]}
}  # fmt: skip
_WEEKDAYS = {
    name: number
    for number, full in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
    for name in (full, full[:3])
}
_WORD_TOKEN = re.compile(r"([0-9]+)(st|nd|rd|th)?|([A-Za-z]+)|[\s,.\-/]+")
_ORDINALS = {"1": "st", "2": "nd", "3": "rd"}


def _ascii_digits(text: str, field: str) -> None:
    odd = non_ascii_digit(text)
    if odd is not None:
        raise FieldError(field, text, f"a date in ASCII digits 0-9 ({odd} is not one)")


_EXPECTED_DATE = "a date such as 2022-06-10, 10/06/2022 or 10 June 2022 (day first)"


def london(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    """Return an aware Europe/London datetime: ``london(2022, 6, 10, 12)`` is noon BST.

    A time in the hour the clocks skip each spring does not exist and raises `FieldError`.
    In the hour that happens twice each autumn, ``fold=0`` is the first (BST), ``fold=1`` the
    second (GMT).
    """
    value = datetime(year, month, day, hour, minute, tzinfo=LONDON, fold=fold)
    if value.astimezone(UTC).astimezone(LONDON).replace(fold=fold) != value:
        raise FieldError(
            "datetime",
            value.replace(tzinfo=None),
            "a time that exists in London (clocks went forward)",
        )
    return value


def require_aware(value: datetime, *, field: str) -> datetime:
    """Refuse naive datetimes: a round window without a zone means nothing."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise FieldError(field, value, "a timezone-aware datetime (Europe/London)")
    return value


def london_text(at: datetime, *, zone: bool = True) -> str:
    """An aware time as people in the UK read it, in London time: ``10 June 2022 12:00 BST``.

    The one way sgfund shows a time to people (messages, reports, the command line), whatever
    offset ``at`` was stored with: ``2022-06-10T11:00Z`` is ``10 June 2022 12:00 BST``. Seconds
    are shown only when not zero; ``zone=False`` leaves out the GMT or BST.
    """
    local = require_aware(at, field="time").astimezone(LONDON)
    clock = f"{local:%H:%M:%S}" if local.second else f"{local:%H:%M}"
    text = f"{local.day} {local:%B %Y} {clock}"
    return f"{text} {local.tzname()}" if zone else text


def london_iso(at: datetime) -> str:
    """An aware time as ISO 8601 in London time with its offset: ``2022-06-10T12:00:00+01:00``.

    The form of every time in sgfund's JSON output, so one instant always reads the same.
    """
    return require_aware(at, field="time").astimezone(LONDON).isoformat()


def parse_date(text: str, *, field: str = "date", allow_ambiguous: bool = True) -> date:
    """Read a date from text: ISO first, then UK day-first forms.

    ``"10/06/2022"`` is 10 June. Something that can only be month-first (``"12/13/2022"``)
    or is not a date at all raises `FieldError`; nothing is guessed. With
    ``allow_ambiguous=False`` a numeric date that would read differently month-first
    (``"06/10/2022"``) is refused too.
    """
    _ascii_digits(text, field)
    cleaned = text.strip()
    if _ISO_DATE.fullmatch(cleaned):
        try:
            return date.fromisoformat(cleaned)
        except ValueError as err:
            raise FieldError(field, text, _EXPECTED_DATE) from err
    numeric = _NUMERIC.fullmatch(cleaned)
    if numeric:
        day, month, year = (int(g) for g in numeric.groups())
        if len(numeric.group(3)) == 2:
            raise FieldError(field, text, "a four-digit year, such as 10/06/2022")
        if month > 12 and day <= 12:
            raise FieldError(
                field, text, "day first (DD/MM/YYYY); this looks like a US month-first date"
            )
        if not allow_ambiguous and day <= 12 and month <= 12 and day != month:
            raise FieldError(field, text, "an unambiguous date such as 2022-06-10 or 10 June 2022")
        try:
            return date(year, month, day)
        except ValueError as err:
            raise FieldError(field, text, _EXPECTED_DATE) from err
    found = _date_in_words(cleaned)
    if found is None:
        if _CLOCK.search(cleaned):
            raise FieldError(field, text, "a date without a time")
        raise FieldError(field, text, _EXPECTED_DATE)
    return found


def _ordinal_suffix(day: str) -> str:
    if len(day) == 2 and day[0] == "1":
        return "th"  # 11th, 12th, 13th
    return _ORDINALS.get(day[-1], "th")


def _date_in_words(text: str) -> date | None:
    """``"10 June 2022"`` and the like, or None when the text is not exactly one such day."""
    numbers: list[str] = []
    months: list[int] = []
    weekdays: list[int] = []
    position = 0
    for token in _WORD_TOKEN.finditer(text):
        if token.start() != position:
            return None
        position = token.end()
        digits, suffix, word = token.groups()
        if digits is not None:
            if suffix is not None and suffix != _ordinal_suffix(digits.lstrip("0") or "0"):
                return None
            numbers.append(digits)
        elif word is not None:
            lower = word.lower()
            if lower in _MONTHS:
                months.append(_MONTHS[lower])
            elif lower in _WEEKDAYS:
                weekdays.append(_WEEKDAYS[lower])
            elif lower != "of":
                return None
    if position != len(text) or len(months) != 1 or len(weekdays) > 1 or len(numbers) != 2:
        return None
    day, year = numbers
    if len(day) > 2 or len(year) != 4:
        return None
    try:
        found = date(int(year), months[0], int(day))
    except ValueError:
        return None
    if weekdays and weekdays[0] != found.weekday():
        return None
    return found


def _london_wall_time(value: datetime, *, field: str, text: str) -> datetime:
    """A London wall-clock time, refusing one the clocks skip or one that happens twice."""
    first = value.replace(tzinfo=LONDON, fold=0)
    second = first.replace(fold=1)
    if first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != value.replace(tzinfo=None):
        raise FieldError(field, text, "a time that exists in London (the clocks went forward)")
    if first.utcoffset() != second.utcoffset():
        raise FieldError(
            field,
            text,
            "a time with its offset, such as 2022-10-30T01:30+01:00: the clocks went back and "
            "this London time happened twice",
        )
    return first


def parse_datetime(text: str, *, field: str = "datetime") -> datetime:
    """Read an aware Europe/London datetime: ISO 8601, or a UK date and time in London.

    ``"10/06/2022 12:00"`` is noon London time on 10 June 2022 (11:00 UTC in summer). A time
    with an offset is converted to London time. A London time without an offset that the
    clocks skipped, or that happened twice when they went back, is an error, never a guess.
    """
    _ascii_digits(text, field)
    cleaned = text.strip()
    if _ISO_DATETIME.fullmatch(cleaned):
        try:
            parsed = datetime.fromisoformat(cleaned)
        except ValueError as err:
            raise FieldError(
                field, text, "a date and time such as 2022-06-10T12:00+01:00 or 10/06/2022 12:00"
            ) from err
    else:
        parts = cleaned.rsplit(" ", 1)
        if len(parts) != 2 or not _CLOCK.fullmatch(parts[1]):
            raise FieldError(
                field, text, "a date and time such as 2022-06-10T12:00+01:00 or 10/06/2022 12:00"
            ) from None
        day = parse_date(parts[0], field=field)
        try:
            clock = time.fromisoformat(parts[1].zfill(5) if len(parts[1]) == 4 else parts[1])
        except ValueError as err:
            raise FieldError(field, text, "a time of day such as 11:59 (00:00 to 23:59)") from err
        parsed = datetime.combine(day, clock)
    if parsed.tzinfo is None:
        return _london_wall_time(parsed, field=field, text=text)
    return parsed.astimezone(LONDON)


def months_between(start: date, end: date) -> int:
    """Calendar months a project from ``start`` to ``end`` (both inclusive) runs, part months up.

    It is the fewest whole months ``n`` with ``start + n months`` after ``end``: 1 April to
    31 March is 12 months, 1 April to 1 April a year later is 13, 1 to 30 April is 1.
    """
    if end < start:
        raise FieldError("end", end, f"a date on or after {start.isoformat()}")
    delta = relativedelta(end, start)
    months = delta.years * 12 + delta.months
    while start + relativedelta(months=months) <= end:
        months += 1
    return months


class FinancialYear:
    """A UK financial year: ``FinancialYear(2022)`` is "2022/23", 1 April 2022 to 31 March 2023."""

    __slots__ = ("start_year",)

    def __init__(self, start_year: int) -> None:
        self.start_year = start_year

    @property
    def start(self) -> date:
        """First day, 1 April."""
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        """Last day, 31 March of the next year."""
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        """The usual label, such as ``"2022/23"``."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"FinancialYear({self.label!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FinancialYear) and other.start_year == self.start_year

    def __lt__(self, other: FinancialYear) -> bool:
        return self.start_year < other.start_year

    def __hash__(self) -> int:
        return hash(self.start_year)

    @classmethod
    def parse(cls, label: str) -> FinancialYear:
        """Read ``"2022/23"`` or ``"2022-23"``."""
        match = re.fullmatch(r"([0-9]{4})[/\-]([0-9]{2})", label.strip())
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise FieldError("financial_year", label, "a financial year such as 2022/23")
        return cls(int(match[1]))


def financial_year(day: date) -> FinancialYear:
    """The UK financial year that ``day`` falls in (years start on 1 April)."""
    return FinancialYear(day.year if day.month >= 4 else day.year - 1)
