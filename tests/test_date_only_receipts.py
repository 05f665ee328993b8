"""A receipt known only to the day: no time is made up; the window rule refers the edge days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgfund import Application, Verdict, london
from sgfund.convert import dumps, loads
from sgfund.eligibility import run_rules
from sgfund.errors import FieldError
from sgfund.examples_scf import GR2
from sgfund.manager import Registered
from sgfund.plugins.rules import RULES
from sgfund.testing.builders import application

WINDOW = next(r for r in RULES if r.id == "submitted-in-window")
AS_OF = date(2022, 7, 1)


def _verdict(submitted, round=GR2):
    app = application(round, id="GR2-001")
    app = attrs.evolve(app, submitted_at=submitted)
    found = run_rules([Registered("sgfund.plugins.rules", WINDOW)], round, [app], AS_OF)
    return found[app.id][0] if app.id in found else None


def test_a_date_is_a_receipt_whose_time_is_not_known(sample_app):
    app = attrs.evolve(sample_app, submitted_at=date(2022, 6, 1))
    assert not app.submitted_time_known
    assert app.submitted_on == date(2022, 6, 1)
    assert sample_app.submitted_time_known
    assert sample_app.submitted_on == date(2022, 6, 1)


def test_the_london_day_of_a_receipt_late_in_the_evening_utc(sample_app):
    app = attrs.evolve(sample_app, submitted_at=datetime.fromisoformat("2022-06-01T23:30+00:00"))
    assert app.submitted_on == date(2022, 6, 2)  # 00:30 BST


@pytest.mark.parametrize("value", ["2022-06-01", 20220601, datetime(2022, 6, 1, 12)])  # noqa: DTZ001
def test_text_numbers_and_naive_datetimes_are_refused(sample_app, value):
    with pytest.raises(FieldError, match="submitted_at"):
        attrs.evolve(sample_app, submitted_at=value)


def test_a_date_only_receipt_survives_json_as_a_date(sample_app):
    app = attrs.evolve(sample_app, submitted_at=date(2022, 6, 10))
    text = dumps(app)
    assert '"submitted_at": "2022-06-10"' in text
    back = loads(text, Application)
    assert back == app
    assert type(back.submitted_at) is date
    timed = loads(dumps(sample_app), Application)
    assert timed.submitted_at == sample_app.submitted_at
    assert isinstance(timed.submitted_at, datetime)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 5, 8), "before the round opened"),
        (date(2022, 5, 9), "the day the round opened at 09:00: an officer decides"),
        (date(2022, 5, 10), None),
        (date(2022, 6, 9), None),
        (date(2022, 6, 10), "the day the round closed at 12:00: an officer decides"),
        (date(2022, 6, 11), "after the round closed"),
    ],
)
def test_the_window_by_day_for_gr2_which_opened_at_nine_and_closed_at_noon(day, expected):
    found = _verdict(day)
    if expected is None:
        assert found is None
    else:
        assert found.verdict is Verdict.REFER
        assert expected in found.reason
        assert f"received on {day.isoformat()} (time of receipt not recorded)" in found.reason
        assert found.reason.count("time of receipt not recorded") == 1


def test_a_round_closing_at_midnight_makes_that_day_late_and_the_day_before_on_time():
    round_ = attrs.evolve(
        GR2, opens_at=london(2022, 5, 9), closes_at=london(2022, 6, 11)
    )  # open from the first moment of 9 May to the end of 10 June
    assert _verdict(date(2022, 5, 9), round_) is None
    assert _verdict(date(2022, 6, 10), round_) is None
    assert "after the round closed" in _verdict(date(2022, 6, 11), round_).reason


@given(st.datetimes(min_value=datetime(2022, 5, 1), max_value=datetime(2022, 6, 20)))  # noqa: DTZ001
def test_a_day_never_contradicts_any_time_on_that_day(moment):
    # Whatever the unknown time was, an in-time verdict by day is in time at every moment of
    # that day, a late or early one at none of them, and a referred edge day really could go
    # either way.
    day = moment.date()
    by_day = _verdict(day)
    first = london(day.year, day.month, day.day)
    last = first + timedelta(hours=23, minutes=59)
    at_times = [_verdict(t) for t in (first, last)]
    if by_day is None:
        assert at_times == [None, None]
    elif "the day the round" in by_day.reason:
        assert None in at_times
        assert any(t is not None for t in at_times)
    else:
        assert all(t is not None for t in at_times)


def test_the_applications_table_writes_the_day_alone(sample_app):
    from sgfund.io.export import application_table

    app = attrs.evolve(sample_app, submitted_at=date(2022, 6, 10))
    [row] = application_table([app]).rows
    assert date(2022, 6, 10) in row
