"""The shipped 360Giving schema: same as the standard's, offline, formats really checked."""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from sgfund.errors import SgfundError
from sgfund.io.threesixtygiving import schema as schema_module
from sgfund.io.threesixtygiving import schema_problems
from sgfund.io.threesixtygiving.columns import title_paths

SHARED = Path(__file__).resolve().parent / "data" / "reference" / "360giving"  # a shipped copy


def _grant(**changes):
    grant = {
        "id": "360G-test-r1-A1",
        "title": "Safe at Home",
        "description": "Support for survivors of domestic abuse.",
        "currency": "GBP",
        "amountAwarded": Decimal("5950.00"),
        "awardDate": "2022-10-06",
        "recipientOrganization": [{"id": "GB-CHC-1995504", "name": "Leeds Women's Aid"}],
        "fundingOrganization": [{"id": "XI-SGFUND-WYCA", "name": "Mayor of West Yorkshire"}],
    }
    grant.update(changes)
    return grant


@pytest.mark.parametrize("name", ["360-giving-schema.json", "360-giving-package-schema.json"])
def test_packaged_schema_is_the_standard_unchanged(name):
    shipped = resources.files("sgfund.io").joinpath("schema", name).read_bytes()
    assert shipped == (SHARED / name).read_bytes()


def test_column_titles_derived_from_the_schema_match_the_standard_table():
    with (SHARED / "derived" / "field-titles.csv").open(encoding="utf-8") as handle:
        table = {
            row["field_path"]: row["title_path"]
            for row in csv.DictReader(handle)
            if not row["title_path"].startswith("(no title")
        }
    assert title_paths() == table


def test_a_valid_package_has_no_problems():
    assert schema_problems({"grants": [_grant()], "version": "1.4"}) == []


@pytest.mark.parametrize("bad", ["2022-13-01", "10/06/2022", "2022-06-10T25:00:00Z", "June 2022"])
def test_award_dates_are_really_checked(bad):
    problems = schema_problems({"grants": [_grant(), _grant(id="360G-test-r1-A2", awardDate=bad)]})
    assert [p.field for p in problems] == ["$.grants[1].awardDate"]
    assert problems[0].grant_id == "360G-test-r1-A2"
    assert "grant '360G-test-r1-A2'" in str(problems[0])


def test_every_problem_is_listed_with_its_json_path():
    grant = _grant(currency="GBX", amountAwarded="5950")
    del grant["fundingOrganization"]
    problems = schema_problems({"grants": [grant], "version": "one"})
    fields = {p.field for p in problems}
    assert {"$.grants[0].currency", "$.grants[0].amountAwarded", "$.version"} <= fields
    assert any("fundingOrganization" in p.message for p in problems)


def test_repeated_grants_are_found_quickly():
    grants = [_grant(id=f"360G-test-r1-{i}") for i in range(1500)]
    grants.append(dict(grants[7]))
    problems = schema_problems({"grants": grants})
    assert [p.field for p in problems] == ["$.grants"]
    assert "non-unique" in problems[0].message


def test_missing_jsonschema_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    schema_module._validator.cache_clear()
    try:
        with pytest.raises(SgfundError, match=r'pip install "sgfund\[threesixtygiving\]"'):
            schema_problems({"grants": [_grant()]})
    finally:
        schema_module._validator.cache_clear()


def test_the_package_schema_ref_is_served_from_the_local_copy():
    # The $ref in the package schema names a remote URL; validation must never fetch it.
    ref = schema_module.package_schema()["properties"]["grants"]["items"]["$ref"]
    assert ref.startswith("https://")
    problems = schema_problems({"grants": [_grant(currency="XXX1")]})
    assert [p.field for p in problems] == ["$.grants[0].currency"]


@pytest.mark.slow
def test_the_wheel_ships_the_schemas(tmp_path):
    import subprocess

    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(root)],
        check=True,
    )
    (wheel,) = tmp_path.glob("sgfund-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("360-giving-schema.json", "360-giving-package-schema.json", "SOURCE.md"):
        assert f"sgfund/io/schema/{name}" in names
    shipped = json.loads(zipfile.ZipFile(wheel).read("sgfund/io/schema/360-giving-schema.json"))
    assert shipped["$id"].endswith("/1.4.3/schema/360-giving-schema.json")
