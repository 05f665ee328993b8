"""Another publisher's 360Giving file loads whole, oddities as located warnings, exactly."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.dates import london
from sgfund.errors import DataError, ExportError
from sgfund.examples_scf import GR2, sample_records
from sgfund.io.threesixtygiving import (
    Publisher,
    build_package,
    dumps_package,
    read_360giving,
    write_360giving_xlsx,
    write_grants,
)
from sgfund.io.threesixtygiving.schema import _canonical
from sgfund.money import round_money

# The built-in plugins and the vocabulary and districts the example rounds need; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)

GOOD = Path(__file__).parent / "data" / "good"
OTHER = GOOD / "other-publisher-grants"
PUBLISHER = Publisher(prefix="360G-wyca", name="West Yorkshire Combined Authority")


def _raw() -> dict:
    return json.loads(OTHER.with_suffix(".json").read_text("utf-8"), parse_float=Decimal)


def _kinds(warnings) -> dict[str, int]:
    found: dict[str, int] = {}
    for w in warnings:
        key = (w.field or "").rsplit(".", 1)[-1] if w.row is None else w.column
        found[key] = found.get(key, 0) + 1
    return found


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_every_grant_loads_and_each_oddity_is_a_located_warning(suffix):
    imported = read_360giving(OTHER.with_suffix(suffix))
    assert not imported.strict
    assert len(imported.records) == 60
    assert imported.problems == ()
    kinds = _kinds(imported.warnings)
    if suffix == ".json":
        assert kinds == {
            "postalCode": 15,
            "charityNumber": 8,
            "id": 3,
            "amountAwarded": 2,
            "description": 1,
        }
    else:
        assert kinds == {
            "Recipient Org:Postal Code": 15,
            "Recipient Org:Charity Number": 8,
            "Identifier": 3,
            "Amount Awarded": 2,
            "Description": 1,
        }
    grants = _raw()["grants"]
    for warning in imported.warnings:
        assert warning.file == str(OTHER.with_suffix(suffix))
        index = [g["id"] for g in grants].index(warning.grant_id)
        if suffix == ".csv":
            assert warning.row == index + 2
        else:
            assert warning.field.startswith(f"$.grants[{index}].")
        assert warning.value is not None


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_the_total_is_the_exact_sum_of_the_amounts_to_the_penny(suffix):
    imported = read_360giving(OTHER.with_suffix(suffix))
    expected = sum(round_money(Decimal(g["amountAwarded"])) for g in _raw()["grants"])
    assert imported.total == expected == Decimal("315668.37")
    artefacts = [w for w in imported.warnings if "is not whole pence" in w.message]
    assert sorted(str(w.value) for w in artefacts) == ["2999.9999999999995", "41133.770000000004"]
    assert "read as 41133.77" in next(w.message for w in artefacts if "41133" in w.message)


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_non_uk_values_are_kept_as_given_and_integers_keep_their_value(suffix):
    records = {r.grant_id: r for r in read_360giving(OTHER.with_suffix(suffix)).records}
    dublin = records["360G-northfieldcf-2021-0021"]
    assert dublin.recipient is not None and dublin.recipient.postcode is None
    assert dublin.data["recipientOrganization"][0]["postalCode"] == "75001"
    irish = records["360G-northfieldcf-2021-0000"]
    assert irish.data["recipientOrganization"][0]["charityNumber"] == "20012345"
    assert irish.recipient is not None and irish.recipient.charity_number is None
    whole = records["360G-northfieldcf-2021-0006"]
    assert whole.amount_applied_for == Decimal("1800.00")
    assert whole.award.amount == Decimal("1300.00")
    assert whole.data["amountAppliedFor"] == 1800
    assert isinstance(whole.data["amountAppliedFor"], int)


def test_a_slash_in_a_grant_id_gives_a_safe_award_id_with_a_warning():
    records = {r.grant_id: r for r in read_360giving(OTHER.with_suffix(".json")).records}
    record = records["360G-northfieldcf/7"]
    assert record.award.id == "360G-northfieldcf-7"


def test_strict_reading_lists_every_oddity_as_a_problem():
    with pytest.raises(DataError) as caught:
        read_360giving(OTHER.with_suffix(".json"), strict=True)
    kinds = _kinds(caught.value.problems)
    assert kinds["postalCode"] == 15
    assert kinds["charityNumber"] == 8
    assert kinds["amountAwarded"] == 2


def _with(tmp_path: Path, change) -> Path:
    package = _raw()
    change(package["grants"])
    path = tmp_path / "changed.json"
    path.write_text(dumps_package(package), encoding="utf-8")
    return path


@pytest.mark.parametrize("strict", [True, False])
def test_a_bad_charity_number_does_not_hide_a_bad_postcode(tmp_path, strict):
    def both(grants):
        grants[1]["recipientOrganization"][0]["postalCode"] = "TBC"

    path = _with(tmp_path, both)
    if strict:
        with pytest.raises(DataError) as caught:
            read_360giving(path, strict=True)
        found = caught.value.problems
    else:
        found = read_360giving(path).warnings
    fields = {p.field for p in found if p.grant_id == "360G-northfieldcf-2022-0001"}
    assert fields == {
        "$.grants[1].recipientOrganization[0].charityNumber",
        "$.grants[1].recipientOrganization[0].postalCode",
    }


def test_grants_that_are_not_valid_360giving_are_left_out_and_listed(tmp_path):
    def break_two(grants):
        grants[3]["awardDate"] = "2022-02-30"
        del grants[9]["currency"]

    path = _with(tmp_path, break_two)
    imported = read_360giving(path)
    assert len(imported.records) == 58
    assert {p.grant_id for p in imported.problems} == {
        "360G-northfieldcf-2021-0003",
        "360G-northfieldcf-2021-0009",
    }
    assert any(p.field == "$.grants[3].awardDate" for p in imported.problems)


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_imported_grants_are_written_back_and_read_again_with_every_value(tmp_path, suffix):
    imported = read_360giving(OTHER.with_suffix(".json"))
    path = write_grants(tmp_path / f"again{suffix}", imported)
    again = read_360giving(path)
    assert len(again.records) == 60
    for first, second in zip(imported.records, again.records, strict=True):
        assert _canonical(first.data) == _canonical(second.data), first.grant_id
        assert first.award == second.award
    assert again.total == imported.total
    assert not [w for w in again.warnings if "whole pence" in w.message]  # rounded once
    if suffix == ".json":
        assert again.metadata == imported.metadata


def test_writing_back_refuses_what_is_not_360giving_and_writes_nothing(tmp_path):
    imported = read_360giving(OTHER.with_suffix(".json"))
    broken = copy.deepcopy(dict(imported.records[0].data))
    broken["currency"] = "pounds"
    record = attrs.evolve(imported.records[0], data=broken)
    with pytest.raises(ExportError):
        write_grants(tmp_path / "out.json", [record])
    assert list(tmp_path.iterdir()) == []


def test_sgfund_exports_as_xlsx_and_reads_it_back_strictly(tmp_path):
    records = sample_records(GR2)
    (path,) = write_360giving_xlsx(
        tmp_path / "gr2.xlsx",
        [GR2],
        records.applications,
        records.awards,
        publisher=PUBLISHER,
        pm=PM,
        as_of=date(2023, 4, 1),
    )
    back = read_360giving(path, prefix=PUBLISHER.prefix)
    assert back.strict
    assert sorted(a.amount for a in back.awards) == sorted(a.amount for a in records.awards)
    assert back.total == Decimal("326032.84")


def test_publisher_data_source_and_last_modified_fill_every_grant():
    records = sample_records(GR2)
    publisher = Publisher(
        prefix="360G-wyca",
        name="West Yorkshire Combined Authority",
        data_source="https://example.org/scf/grants.json",
    )
    package = build_package(
        [GR2],
        records.applications,
        records.awards,
        publisher=publisher,
        pm=PM,
        as_of=london(2023, 4, 1, 10),
    ).package
    assert {g["dataSource"] for g in package["grants"]} == {publisher.data_source}
    assert {g["dateModified"] for g in package["grants"]} == {"2023-04-01T10:00:00+01:00"}
    dated = build_package(
        [GR2],
        records.applications,
        records.awards,
        publisher=publisher,
        pm=PM,
        as_of=date(2023, 4, 1),
    ).package
    assert all("dateModified" not in g for g in dated["grants"])  # no time is made up


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"grants": [{"amountAwarded": NaN}]}', "NaN is not a number 360Giving allows"),
        ('{"grants": ' + "[" * 50_000 + "]" * 50_000 + "}", "not JSON 360Giving can hold"),
        ('{"grants": ' + "[" * 40 + "]" * 40 + "}", "nests more than 32 deep"),
    ],
)
def test_json_that_no_publisher_writes_is_a_data_error(tmp_path, text, message):
    path = tmp_path / "odd.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_360giving(path)


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_a_grant_in_another_currency_is_left_out_not_added_as_pounds(tmp_path, suffix):
    # 360Giving allows any ISO 4217 currency; sgfund's awards and totals are pounds, so a
    # grant in dollars must not be counted as if it were pounds (nor its total with them).
    text = OTHER.with_suffix(suffix).read_text("utf-8-sig" if suffix == ".csv" else "utf-8")
    old = '"currency": "GBP"' if suffix == ".json" else ",GBP,"
    new = old.replace("GBP", "USD")
    assert old in text
    path = tmp_path / f"dollars{suffix}"
    path.write_text(text.replace(old, new, 1), "utf-8")
    grants = _raw()["grants"]
    imported = read_360giving(path)
    assert len(imported.records) == 59
    (problem,) = imported.problems
    assert problem.grant_id == grants[0]["id"]
    assert "'USD', not GBP" in problem.message
    assert problem.value == "USD"
    if suffix == ".json":
        assert problem.field == "$.grants[0].currency"
    else:
        assert (problem.row, problem.column) == (2, "Currency")
    assert imported.total == Decimal("315668.37") - round_money(Decimal(grants[0]["amountAwarded"]))
    with pytest.raises(DataError, match="'USD', not GBP"):
        read_360giving(path, strict=True)
