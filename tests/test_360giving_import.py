"""Reading 360Giving JSON and CSV back: round trips, located errors, other publishers' files."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sgfund_westyorkshire import DATA_PLUGINS, SAFEGUARDING_THEMES

from sgfund import make_plugin_manager
from sgfund.errors import DataError
from sgfund.examples_scf import GR1, GR2, sample_records
from sgfund.io.threesixtygiving import (
    Publisher,
    load_package,
    read_360giving,
    write_360giving_csv,
    write_360giving_json,
    write_package_csv,
    write_package_json,
)
from sgfund.organisations import OrgType
from sgfund.scope import Scope
from sgfund.testing import strategies as sst

PUBLISHER = Publisher(prefix="360G-wyca", name="West Yorkshire Combined Authority")
AS_OF = date(2023, 4, 1)
# The built-in plugins and West Yorkshire's vocabulary and districts; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
THEMES = SAFEGUARDING_THEMES.active_slugs


def _by_id(awards):
    return sorted(awards, key=lambda a: (a.round_id, a.id))


@st.composite
def scopes(draw):
    """One or two rounds of one funder, each with awards."""
    vocabulary = (SAFEGUARDING_THEMES.id,)
    first = draw(sst.funded_rounds(draw(sst.rounds(vocabulary_ids=vocabulary)), themes=THEMES))
    records = [first]
    if draw(st.booleans()):
        second_round = draw(sst.rounds(round_id=first.round.id + "-b", vocabulary_ids=vocabulary))
        second_round = attrs.evolve(second_round, era=first.round.era)
        records.append(draw(sst.funded_rounds(second_round, themes=THEMES)))
    scope = Scope(id="s1", label="Generated scope", rounds=[r.round for r in records])
    apps = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    return scope, apps, awards


@pytest.mark.parametrize("write", [write_360giving_json, write_360giving_csv])
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=scopes())
def test_export_then_import_gives_back_equal_awards(tmp_path, write, data):
    scope, apps, awards = data
    as_of = max(a.awarded_on for a in awards)
    suffix = ".json" if write is write_360giving_json else ".csv"
    (path,) = write(
        tmp_path / f"out{suffix}", scope, apps, awards, publisher=PUBLISHER, as_of=as_of, pm=PM
    )
    imported = read_360giving(path, prefix=PUBLISHER.prefix, as_of=as_of)
    assert _by_id(imported.awards) == _by_id(awards)
    by_id = {a.id: a for a in apps}
    for record in imported.records:
        org = by_id[record.award.application_id].organisation
        assert record.recipient is not None
        assert record.recipient.name == org.name
        assert record.recipient.postcode == org.postcode
        assert record.recipient.district == org.district
        assert record.recipient.registered_id == org.registered_id
        assert record.amount_applied_for == by_id[record.award.application_id].amount_requested


def test_sample_rounds_round_trip_through_json_and_csv(tmp_path):
    gr1, gr2 = sample_records(GR1), sample_records(GR2)
    scope = Scope(id="scf-2022", label="SCF 2022", rounds=(GR1, GR2))
    apps, awards = [*gr1.applications, *gr2.applications], [*gr1.awards, *gr2.awards]
    # 360Giving has no place for application ids or conditions: they come back as the award id
    # and nothing.
    published = _by_id(attrs.evolve(a, application_id=a.id, conditions=()) for a in awards)
    for writer, name in ((write_360giving_json, "scf.json"), (write_360giving_csv, "scf.csv")):
        (path,) = writer(
            tmp_path / name, scope, apps, awards, publisher=PUBLISHER, as_of=AS_OF, pm=PM
        )
        imported = read_360giving(path, prefix="360G-wyca")
        assert _by_id(imported.awards) == published
        assert {f.id for f in imported.funders} == {"XI-SGFUND-WYCA"}
        assert sum(a.amount for a in imported.awards) == Decimal("534286.00")


def _sample_json(tmp_path):
    gr2 = sample_records(GR2)
    (path,) = write_360giving_json(
        tmp_path / "gr2.json",
        [GR2],
        gr2.applications,
        gr2.awards,
        publisher=PUBLISHER,
        as_of=AS_OF,
        pm=PM,
    )
    return path


def test_json_errors_are_located_by_grant_id_and_json_path(tmp_path):
    path = _sample_json(tmp_path)
    package = json.loads(path.read_text(encoding="utf-8"))
    package["grants"][1]["amountAwarded"] = -250
    package["grants"][4]["awardDate"] = "2022-02-30T10:00:00Z"
    package["grants"][7]["plannedDates"][0]["endDate"] = "2020-01-01"
    path.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_360giving(path, prefix="360G-wyca")
    problems = caught.value.problems
    located = {(p.grant_id, p.field) for p in problems}
    ids = [g["id"] for g in package["grants"]]
    assert (ids[1], "$.grants[1].amountAwarded") in located
    assert (ids[4], "$.grants[4].awardDate") in located
    assert all(p.file == str(path) for p in problems)
    # The end date before the start is an sgfund rule, reported once the file is otherwise fine.
    package["grants"][1]["amountAwarded"] = 250
    package["grants"][4]["awardDate"] = "2022-10-06"
    path.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_360giving(path, prefix="360G-wyca")
    (problem,) = caught.value.problems
    assert (problem.grant_id, problem.field) == (ids[7], "$.grants[7].plannedDates[0].endDate")
    assert "end" in str(problem)


def test_csv_errors_are_located_by_row_column_and_grant_id(tmp_path):
    gr2 = sample_records(GR2)
    (path,) = write_360giving_csv(
        tmp_path / "gr2.csv",
        [GR2],
        gr2.applications,
        gr2.awards,
        publisher=PUBLISHER,
        as_of=AS_OF,
        pm=PM,
    )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[3][header.index("Amount Awarded")] = "5,950"
    rows[5][header.index("Award Date")] = "06/10/2022"
    rows[6][header.index("Currency")] = ""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(DataError) as caught:
        read_360giving(path, strict=True)
    located = {(p.row, p.column, p.grant_id) for p in caught.value.problems}
    assert (4, "Amount Awarded", rows[3][0]) in located
    assert (6, "Award Date", rows[5][0]) in located
    assert any(p.row == 7 and "currency" in p.message for p in caught.value.problems)
    text = str(caught.value)
    assert "row 4" in text and "'Amount Awarded'" in text and rows[3][0] in text
    # Read leniently, the same three grants are left out, located the same way.
    lenient = read_360giving(path)
    assert {(p.row, p.column, p.grant_id) for p in lenient.problems} == located
    assert len(lenient.records) == len(gr2.awards) - 3


def test_another_publishers_csv_with_rolled_up_and_numbered_titles_reads(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text(
        "Identifier,Title,Description,Currency,Amount Awarded,Award Date,"
        "Recipient Org:Identifier,Recipient Org:Name,Recipient Org:0:Postal Code,"
        "Funding Org:0:Identifier,Funding Org:0:Name,Beneficiary Location:0:Name,"
        "Planned Dates:Start Date,Planned Dates:Duration (months)\n"
        "360G-other-001,Youth club,Evening sessions,GBP,1200,2021-05-04,GB-SC-SC012345,"
        "Glen Youth,g2 1aa,GB-CHC-000001,Other Trust,Glasgow,2021-06,6\n",
        encoding="utf-8",
    )
    (record,) = read_360giving(path).records
    assert record.award.amount == Decimal("1200.00")
    assert record.award.start == date(2021, 6, 1)
    assert record.award.end == date(2021, 11, 30)
    assert record.award.round_id == "no-programme"
    assert record.award.id == "360G-other-001"
    assert record.recipient is not None
    assert record.recipient.charity_number == "SC012345"
    assert record.recipient.postcode == "G2 1AA"
    assert record.recipient.type is OrgType.OTHER
    assert record.beneficiary_district == "Glasgow"
    assert record.funder.name == "Other Trust"


def test_reading_refuses_future_award_dates_when_given_as_of(tmp_path):
    path = _sample_json(tmp_path)
    with pytest.raises(DataError, match="in the future"):
        read_360giving(path, prefix=PUBLISHER.prefix, as_of=date(2022, 1, 1))
    lenient = read_360giving(path, as_of=date(2022, 1, 1))
    assert lenient.records == ()
    assert all("in the future" in p.message for p in lenient.problems)


def test_json_to_csv_to_json_keeps_every_value(tmp_path):
    package = load_package(_sample_json(tmp_path))
    package["grants"][0]["title"] = "=SUM(A1:A9) is not a formula here"
    package["grants"][0]["relatedActivity"] = ["360G-wyca-a", "360G-wyca-b"]
    csv_path = write_package_csv(tmp_path / "gr2.csv", package)
    again = load_package(csv_path)
    json_path = write_package_json(tmp_path / "again.json", {**package, "grants": again["grants"]})
    assert load_package(json_path)["grants"] == package["grants"]


def test_an_empty_or_broken_file_is_a_located_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"grants": [', encoding="utf-8")
    with pytest.raises(DataError, match="not JSON"):
        read_360giving(broken)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="no header row"):
        read_360giving(empty)


def test_a_recipients_postcode_is_normalised_once(tmp_path, monkeypatch):
    # The model normalises; the reader checks a postcode on its own only when the model
    # refuses the recipient (to warn about it and leave it out).
    import sgfund.io.threesixtygiving.records as records
    import sgfund.organisations as organisations

    calls = []
    real = organisations.normalise_postcode

    def counted(value, **field):
        calls.append(value)
        return real(value, **field)

    path = _sample_json(tmp_path)
    monkeypatch.setattr(organisations, "normalise_postcode", counted)
    monkeypatch.setitem(records._NORMALISE, "postcode", counted)
    imported = read_360giving(path, prefix=PUBLISHER.prefix)
    with_postcode = [r.recipient for r in imported.records if r.recipient.postcode is not None]
    assert len(calls) == len(with_postcode) > 0
