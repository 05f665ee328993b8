from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgfund import FinancialYear, financial_year, london, months_between, parse_date, parse_datetime
from sgfund.errors import FieldError


def test_noon_on_10_june_2022_is_11_utc_because_of_bst():
    noon = london(2022, 6, 10, 12)
    assert noon.astimezone(UTC) == datetime(2022, 6, 10, 11, 0, tzinfo=UTC)


def test_noon_in_winter_is_noon_utc():
    noon = london(2022, 12, 9, 12)
    assert noon.astimezone(UTC) == datetime(2022, 12, 9, 12, 0, tzinfo=UTC)


def test_both_sides_of_the_spring_clock_change():
    # Clocks went forward at 01:00 UTC on 27 March 2022.
    before = london(2022, 3, 27, 0, 30)
    after = london(2022, 3, 27, 2, 30)
    assert before.utcoffset() == timedelta(0)
    assert after.utcoffset() == timedelta(hours=1)
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=1)


def test_both_sides_of_the_autumn_clock_change():
    # Clocks went back at 01:00 UTC on 30 October 2022.
    before = london(2022, 10, 29, 12)
    after = london(2022, 10, 30, 12)
    assert before.astimezone(UTC).hour == 11
    assert after.astimezone(UTC).hour == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-06-10", date(2022, 6, 10)),
        ("10/06/2022", date(2022, 6, 10)),
        ("10-06-2022", date(2022, 6, 10)),
        ("10.6.2022", date(2022, 6, 10)),
        ("10 June 2022", date(2022, 6, 10)),
        ("10 Jun 2022", date(2022, 6, 10)),
        ("Friday 10 June 2022", date(2022, 6, 10)),
        ("13/12/2022", date(2022, 12, 13)),
        ("01/04/2022", date(2022, 4, 1)),
    ],
)
def test_dates_are_read_day_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("12/13/2022", "month-first"),
        ("31/02/2022", "date such as"),
        ("10/06/22", "four-digit year"),
        ("2022-13-01", "date such as"),
        ("soon", "date such as"),
        ("", "date such as"),
        ("10 June", "date such as"),
        ("10 June 2022 14:00", "without a time"),
    ],
)
def test_impossible_or_us_dates_are_errors(text, fragment):
    with pytest.raises(FieldError, match=fragment) as err:
        parse_date(text, field="project_start")
    assert err.value.field == "project_start"


def test_ambiguous_dates_can_be_refused_on_request():
    assert parse_date("06/10/2022") == date(2022, 10, 6)
    with pytest.raises(FieldError, match="unambiguous"):
        parse_date("06/10/2022", allow_ambiguous=False)
    assert parse_date("13/10/2022", allow_ambiguous=False) == date(2022, 10, 13)
    assert parse_date("05/05/2022", allow_ambiguous=False) == date(2022, 5, 5)


def test_parse_datetime():
    assert parse_datetime("10/06/2022 12:00") == london(2022, 6, 10, 12)
    assert parse_datetime("2022-06-10T12:00+01:00") == london(2022, 6, 10, 12)
    assert parse_datetime("2022-06-10T11:00Z") == london(2022, 6, 10, 12)
    assert parse_datetime("2022-06-10 12:00").tzinfo is not None
    with pytest.raises(FieldError):
        parse_datetime("next Friday")


def test_financial_years():
    assert financial_year(date(2022, 4, 1)).label == "2022/23"
    assert financial_year(date(2023, 3, 31)).label == "2022/23"
    assert financial_year(date(2022, 3, 31)).label == "2021/22"
    assert financial_year(date(1999, 12, 1)).label == "1999/00"
    fy = FinancialYear.parse("2022/23")
    assert fy.start == date(2022, 4, 1)
    assert fy.end == date(2023, 3, 31)
    assert date(2022, 10, 6) in fy
    with pytest.raises(FieldError):
        FinancialYear.parse("2022/24")


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_every_day_is_in_its_financial_year(day):
    fy = financial_year(day)
    assert fy.start <= day <= fy.end
    assert FinancialYear.parse(fy.label) == fy


def test_months_between():
    assert months_between(date(2022, 4, 1), date(2023, 3, 31)) == 12
    assert months_between(date(2022, 4, 1), date(2022, 4, 30)) == 1
    assert months_between(date(2022, 4, 1), date(2022, 4, 1)) == 1
    assert months_between(date(2022, 4, 1), date(2023, 4, 1)) == 13
    assert months_between(date(2022, 2, 1), date(2022, 2, 28)) == 1
    assert months_between(date(2022, 1, 15), date(2022, 2, 14)) == 1
    assert months_between(date(2022, 1, 15), date(2022, 2, 15)) == 2
    with pytest.raises(FieldError):
        months_between(date(2022, 4, 2), date(2022, 4, 1))


@given(
    st.dates(date(2000, 1, 1), date(2090, 1, 1)).filter(lambda d: d.day <= 28), st.integers(1, 36)
)
def test_a_project_of_n_whole_months_is_n_months(start, months):
    from dateutil.relativedelta import relativedelta

    end = start + relativedelta(months=months) - timedelta(days=1)
    assert months_between(start, end) == months
    assert months_between(start, end + timedelta(days=1)) == months + 1


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_can_be_chosen():
    with pytest.raises(FieldError, match="clocks went forward"):
        london(2022, 3, 27, 1, 30)
    first = london(2022, 10, 30, 1, 30)
    second = london(2022, 10, 30, 1, 30, fold=1)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)


def test_parse_datetime_refuses_london_times_that_are_missing_or_doubled():
    with pytest.raises(FieldError, match="clocks went forward"):
        parse_datetime("27/03/2022 01:30")
    with pytest.raises(FieldError, match="happened twice"):
        parse_datetime("30/10/2022 01:30", field="submitted_at")
    assert parse_datetime("2022-10-30T01:30+01:00").astimezone(UTC).hour == 0
    assert parse_datetime("2022-10-30T01:30+00:00").astimezone(UTC).hour == 1
    assert parse_datetime("2022-10-30T01:30+00:00").tzinfo is london(2022, 1, 1).tzinfo


@pytest.mark.parametrize(
    "text",
    [
        "2022-06-10T",  # year first: a day-first reader would swap month and day
        "2022-06-10 Fri",
        "Fri 2022-06-10",
        "June 2022",  # no day: nothing is made up
        "2022 June",
        "T2022",
        "10 June 2022 June",
        "Monday 10 June 2022",  # 10 June 2022 was a Friday
        "10 Jum 2022",
        "10st June 2022",
    ],
)
def test_a_date_in_words_needs_one_day_one_month_name_and_one_year(text):
    with pytest.raises(FieldError, match="a date such as"):
        parse_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "10 June 2022",
        "10th June 2022",
        "Friday 10 June 2022",
        "10-Jun-2022",
        "Jun 10, 2022",
        "June 10 2022",
        "10 Jun. 2022",
        "Fri, 10 Jun 2022",
        "10 of June 2022",
        "10 JUNE 2022",
    ],
)
def test_dates_in_words_that_say_one_day_are_read(text):
    assert parse_date(text) == date(2022, 6, 10)


@pytest.mark.parametrize(
    "text",
    [
        "2022-06-10",
        "20220610",
        "2022-W23-5",
        "2022-W23-5T12:00",
        "2022-06-10T11",
        "2022-06-10T1100",
    ],
)
def test_a_datetime_needs_a_written_time_of_day(text):
    # A date alone is not midnight, and compact or week-date ISO forms are not what officers
    # or sgfund's own files write.
    with pytest.raises(FieldError, match="a date and time such as"):
        parse_datetime(text)


_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _suffix(day):
    return "th" if 10 < day % 100 < 14 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


_FORMS = (
    lambda d: d.isoformat(),
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day} {_MONTH_NAMES[d.month - 1]} {d.year}",
    lambda d: f"{_DAY_NAMES[d.weekday()][:3]}, {d.day} {_MONTH_NAMES[d.month - 1][:3]} {d.year}",
    lambda d: f"{_MONTH_NAMES[d.month - 1]} {d.day}{_suffix(d.day)}, {d.year}",
    lambda d: f"{d.day}-{_MONTH_NAMES[d.month - 1][:3].upper()}-{d.year}",
)


@given(st.dates(min_value=date(1000, 1, 1)), st.sampled_from(_FORMS))
def test_every_written_form_of_a_day_reads_back_as_that_day(day, form):
    assert parse_date(form(day)) == day


# Times shown to people are London time, whatever offset they were stored with. Summer dates
# (BST) make the hour differ from UTC, so a UTC display fails these.


def test_a_time_for_people_is_london_time_with_its_zone():
    from sgfund.dates import london_text

    assert london_text(datetime(2022, 6, 10, 11, 0, tzinfo=UTC)) == "10 June 2022 12:00 BST"
    assert london_text(datetime(2022, 12, 1, 9, 30, tzinfo=UTC)) == "1 December 2022 09:30 GMT"
    # A fixed offset (as a stored time reads back) shows the same London wall time.
    moscow = timezone(timedelta(hours=3))
    assert london_text(datetime(2022, 6, 10, 14, 0, tzinfo=moscow)) == "10 June 2022 12:00 BST"
    assert london_text(datetime(2022, 6, 10, 11, 0, 7, 500, tzinfo=UTC)) == (
        "10 June 2022 12:00:07 BST"
    )
    assert london_text(london(2022, 6, 10, 12), zone=False) == "10 June 2022 12:00"
    # The hour that happens twice in autumn: the zone tells the two apart.
    assert london_text(datetime(2022, 10, 30, 0, 30, tzinfo=UTC)) == "30 October 2022 01:30 BST"
    assert london_text(datetime(2022, 10, 30, 1, 30, tzinfo=UTC)) == "30 October 2022 01:30 GMT"


def test_a_time_for_json_is_iso_in_london_time_with_its_offset():
    from sgfund.dates import london_iso

    assert london_iso(datetime(2022, 6, 10, 11, 0, tzinfo=UTC)) == "2022-06-10T12:00:00+01:00"
    assert london_iso(datetime(2022, 12, 1, 9, 30, tzinfo=UTC)) == "2022-12-01T09:30:00+00:00"


def test_a_naive_time_is_refused_not_shown():
    from sgfund.dates import london_iso, london_text

    for show in (london_text, london_iso):
        with pytest.raises(FieldError, match="timezone-aware"):
            show(datetime(2022, 6, 10, 12))  # noqa: DTZ001 - naive on purpose


def test_messages_show_times_in_london_time():
    from sgfund.errors import RoundClosedError
    from sgfund.testing.builders import round

    closed = RoundClosedError("gr2", datetime(2022, 7, 1, 11, 0, tzinfo=UTC), "manager")
    assert str(closed) == "round 'gr2' was closed at 1 July 2022 12:00 BST by manager"
    with pytest.raises(FieldError) as backwards:
        round(opens_at=london(2022, 6, 10, 12), closes_at=datetime(2022, 6, 1, tzinfo=UTC))
    assert backwards.value.expected == "a time after opens_at, 10 June 2022 12:00 BST"
