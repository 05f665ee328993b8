"""The compiled 360Giving validator agrees with jsonschema: same grants refused, same problems.

`schema_problems` checks a package with jsonschema-rs first and asks jsonschema to describe only
the grants it refused. These tests run both engines on the same data (built packages, the
standard's own example sheets, and grants broken at random) and compare every problem's
message, grant, JSON path, value and expectation.
"""

from __future__ import annotations

import copy
import csv
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.examples_scf import GR1, GR2, sample_records
from sgfund.io.threesixtygiving import Publisher, build_package
from sgfund.io.threesixtygiving import schema as engine
from sgfund.io.threesixtygiving.columns import unflatten_row
from sgfund.scope import Scope

pytest.importorskip("jsonschema_rs")

SHARED = Path(__file__).resolve().parent / "data" / "reference" / "360giving"  # a shipped copy


@contextmanager
def _jsonschema_only():
    with mock.patch.object(engine, "_compiled", lambda: None):
        yield


def _described(problems):
    return [(p.message, p.grant_id, p.field, p.value, p.expected, p.file) for p in problems]


def _both(package, file=None):
    fast = _described(engine.schema_problems(package, file=file))
    with _jsonschema_only():
        slow = _described(engine.schema_problems(package, file=file))
    return fast, slow


def _refused_by_jsonschema(package):
    with _jsonschema_only():
        problems = engine.schema_problems(package)
    return {
        int(p.field.split("[")[1].split("]")[0])
        for p in problems
        if p.field.startswith("$.grants[")
    }


def _grant(i=1):
    return {
        "id": f"360G-test-r1-A{i}",
        "title": "Safe at Home",
        "description": "Support for survivors of domestic abuse.",
        "currency": "GBP",
        "amountAppliedFor": Decimal("6000.00"),
        "amountAwarded": Decimal("5950.00"),
        "awardDate": "2022-10-06",
        "dateModified": "2022-10-07T09:30:00+01:00",
        "url": "https://example.org/grants/1",
        "plannedDates": [{"startDate": "2022-11-01", "endDate": "2023-10-31", "duration": 12}],
        "recipientOrganization": [
            {
                "id": "GB-CHC-1995504",
                "name": "Leeds Women's Aid",
                "charityNumber": "1995504",
                "postalCode": "LS6 1AA",
                "url": "https://example.org/",
                "location": [{"name": "Leeds", "geoCode": "E08000035", "geoCodeType": "LAD"}],
            }
        ],
        "beneficiaryLocation": [{"name": "Leeds", "geoCode": "E08000035", "geoCodeType": "LAD"}],
        "fundingOrganization": [{"id": "XI-SGFUND-WYCA", "name": "Mayor of West Yorkshire"}],
        "grantProgramme": [{"code": "mayor-gr2", "title": "Grant Round 2"}],
        "classifications": [{"vocabulary": "360G-test-themes", "code": "domestic-abuse"}],
    }


def test_a_valid_package_is_accepted_without_asking_jsonschema():
    package = {"grants": [_grant(i) for i in range(50)], "version": "1.4"}
    assert engine._refused(package) is None
    assert _both(package) == ([], [])


def test_built_packages_of_the_sample_rounds_agree():
    scope = Scope(id="mayor-scf-2022", label="Mayor's SCF 2022", rounds=(GR1, GR2))
    gr1, gr2 = sample_records(GR1), sample_records(GR2)
    package = build_package(
        scope,
        [*gr1.applications, *gr2.applications],
        [*gr1.awards, *gr2.awards],
        publisher=Publisher(prefix="360G-wyca", name="West Yorkshire Combined Authority"),
        as_of=date(2023, 4, 1),
        # The built-in plugins and the example rounds' vocabulary and districts.
        pm=make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS),
    ).package
    assert _both(package) == ([], [])
    broken = copy.deepcopy(package)
    broken["grants"][3]["awardDate"] = "2022-13-01"
    broken["grants"][40]["amountAwarded"] = "5000"
    broken["issued"] = "yesterday"
    fast, slow = _both(broken, file="scf.json")
    assert fast == slow
    assert {f for _, _, f, *_ in fast} == {
        "$.grants[3].awardDate",
        "$.grants[40].amountAwarded",
        "$.issued",
    }


@pytest.mark.parametrize("sheet", sorted(p.name for p in (SHARED / "examples").glob("*.csv")))
def test_the_standard_example_sheets_agree(sheet):
    with (SHARED / "examples" / sheet).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        grants = [unflatten_row(dict(zip(header, row, strict=False)), header)[0] for row in reader]
    fast, slow = _both({"grants": grants})
    assert fast == slow
    assert slow  # the examples are fragments: they lack required fields, and both say so


def test_repeated_grants_are_one_problem_on_the_array_in_both():
    grants = [_grant(i) for i in range(300)]
    grants.append(copy.deepcopy(grants[7]))
    fast, slow = _both({"grants": grants})
    assert fast == slow
    assert [f for _, _, f, *_ in fast] == ["$.grants"]


# --- grants broken at random ---------------------------------------------------------------

PATHS = (
    ("id",),
    ("title",),
    ("currency",),
    ("amountAwarded",),
    ("amountAppliedFor",),
    ("awardDate",),
    ("dateModified",),
    ("url",),
    ("plannedDates",),
    ("plannedDates", 0, "startDate"),
    ("plannedDates", 0, "duration"),
    ("recipientOrganization",),
    ("recipientOrganization", 0, "id"),
    ("recipientOrganization", 0, "url"),
    ("recipientOrganization", 0, "location", 0, "geoCode"),
    ("beneficiaryLocation", 0, "geoCodeType"),
    ("fundingOrganization", 0),
    ("grantProgramme", 0, "code"),
    ("classifications", 0, "code"),
    ("unknownField",),
)
DATES = st.sampled_from(
    [
        "2022-10-06",
        "2022-02-30",
        "2022-13-01",
        "06/10/2022",
        "2022-10-06T09:00:00Z",
        "2022-10-06t09:00:00z",
        "2022-10-06T09:00:00",
        "2022-10-06T24:00:00Z",
        "2022-06-30T23:59:60Z",
        "2022-10-06T09:00:00.123456+01:00",
        "2022-10-06 09:00:00+01:00",
        "2022-10",
        "",
    ]
)
LINKS = st.sampled_from(
    [
        "https://example.org/a b",
        "https://example.org/%zz",
        "example.org",
        "mailto:someone@example.org",
        "http://[::1]/",
        "https://exa mple.org/",
        "urn:isbn:0451450523",
        "//example.org/path",
        "https://example.org/ü",
    ]
)
VALUES = st.one_of(
    DATES,
    LINKS,
    st.text(max_size=8),
    st.decimals(places=2, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.booleans(),
    st.none(),
    st.just([]),
    st.just({}),
    st.lists(st.text(max_size=3), max_size=2),
    st.sampled_from(["GBP", "GBX", "LAD", "MD", "XX"]),
)


def _put(grant, path, value):
    node = grant
    for key in path[:-1]:
        inside_dict = isinstance(node, dict) and key in node
        inside_list = isinstance(node, list) and isinstance(key, int) and key < len(node)
        if not (inside_dict or inside_list):
            return
        node = node[key]
    last = path[-1]
    if value is _DELETE:
        if isinstance(node, dict):
            node.pop(last, None)
        elif isinstance(node, list) and isinstance(last, int) and last < len(node):
            node.pop(last)
    elif isinstance(node, dict) or (
        isinstance(node, list) and isinstance(last, int) and last < len(node)
    ):
        node[last] = value


_DELETE = object()
CHANGES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),
        st.sampled_from(PATHS),
        st.one_of(VALUES, st.just(_DELETE)),
    ),
    max_size=4,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=CHANGES,
    extra=st.sampled_from(
        [
            {},
            {"version": "1.4"},
            {"version": "one"},
            {"issued": "2023-04-01"},
            {"issued": "01/04/2023"},
        ]
    ),
)
def test_broken_grants_get_the_same_problems_from_both_engines(changes, extra):
    grants = [_grant(i) for i in range(4)]
    for index, path, value in changes:
        _put(grants[index], path, value)
    package = {"grants": grants, **extra}
    fast, slow = _both(package)
    assert fast == slow
    # The compiled validator refuses exactly the grants jsonschema finds a problem in.
    refused = engine._refused(package) or ()
    assert set(refused) == _refused_by_jsonschema(package) - {None}


def test_every_format_the_schemas_use_is_really_checked():
    from jsonschema import FormatChecker

    checks = engine._format_checks()
    assert sorted(checks) == ["date-time", "uri"]
    assert set(checks) <= set(FormatChecker().checkers)  # none silently ignored
    assert checks["date-time"]("2022-10-06T09:00:00+01:00")
    assert not checks["date-time"]("2022-10-06")
    assert checks["uri"]("https://example.org/")
    assert not checks["uri"]("example.org")
