"""Exporting awards as 360Giving JSON and CSV: mapping, one funder per file, refusals."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.errors import ExportError
from sgfund.examples_scf import GR1, GR2, MAYOR_ERA, PCC_ERA, sample_records
from sgfund.funds import Era
from sgfund.io.threesixtygiving import (
    INDIVIDUAL_NAME,
    INDIVIDUAL_TITLE,
    FunderIdentity,
    Publisher,
    build_package,
    build_packages,
    critical_problems,
    organisation_id,
    write_360giving_csv,
    write_360giving_json,
)
from sgfund.organisations import Organisation, OrgType
from sgfund.scope import Scope

SHARED = Path(__file__).resolve().parent / "data" / "reference" / "360giving"  # a shipped copy
PUBLISHER = Publisher(
    prefix="360G-wyca", name="West Yorkshire Combined Authority", website="https://example.org/"
)
AS_OF = date(2023, 4, 1)
# The built-in plugins and West Yorkshire's vocabulary and districts; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
SCOPE = Scope(id="mayor-scf-2022", label="Mayor's Safer Communities Fund 2022", rounds=(GR1, GR2))


def _records():
    gr1, gr2 = sample_records(GR1), sample_records(GR2)
    return [*gr1.applications, *gr2.applications], [*gr1.awards, *gr2.awards]


APPLICATIONS, AWARDS = _records()


def _package(applications=APPLICATIONS, awards=AWARDS, **kwargs):
    kwargs.setdefault("publisher", PUBLISHER)
    kwargs.setdefault("as_of", AS_OF)
    kwargs.setdefault("pm", PM)
    return build_package(SCOPE, applications, awards, **kwargs).package


def _grant_of(package, award_id):
    return next(g for g in package["grants"] if g["id"].endswith(f"-{award_id}"))


def _shared_validator():
    jsonschema = pytest.importorskip("jsonschema")
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    grant = json.loads((SHARED / "360-giving-schema.json").read_text())
    package = json.loads((SHARED / "360-giving-package-schema.json").read_text())
    package["properties"]["grants"]["items"]["$ref"] = grant["$id"]
    registry = Registry().with_resource(grant["$id"], DRAFT202012.create_resource(grant))
    return jsonschema.Draft202012Validator(
        package, registry=registry, format_checker=jsonschema.FormatChecker()
    )


def test_gr1_and_gr2_export_validates_against_the_shared_schema(tmp_path):
    validator = _shared_validator()
    (path,) = write_360giving_json(
        tmp_path / "scf.json", SCOPE, APPLICATIONS, AWARDS, publisher=PUBLISHER, as_of=AS_OF, pm=PM
    )
    package = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    assert list(validator.iter_errors(package)) == []
    assert len(package["grants"]) == 100
    assert sum(g["amountAwarded"] for g in package["grants"]) == Decimal("534286.00")
    assert {g["fundingOrganization"][0]["id"] for g in package["grants"]} == {"XI-SGFUND-WYCA"}


def test_gr1_and_gr2_csv_uses_the_standard_column_titles(tmp_path):
    with (SHARED / "derived" / "field-titles.csv").open(encoding="utf-8") as handle:
        standard = {row["title_path"] for row in csv.DictReader(handle)}
    (path,) = write_360giving_csv(
        tmp_path / "scf.csv", SCOPE, APPLICATIONS, AWARDS, publisher=PUBLISHER, as_of=AS_OF, pm=PM
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheets then read it as UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header[:6] == [
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Applied For",
        "Amount Awarded",
    ]
    for title in header:
        assert ":".join(p for p in title.split(":") if not p.isdigit()) in standard, title
    assert len(rows) == 101
    amounts = [Decimal(r[header.index("Amount Awarded")]) for r in rows[1:]]
    assert sum(amounts) == Decimal("534286.00")


def test_each_award_maps_to_one_grant():
    package = _package()
    award = AWARDS[0]
    application = next(a for a in APPLICATIONS if a.id == award.application_id)
    grant = _grant_of(package, award.id)
    assert grant["id"] == f"360G-wyca-{award.round_id}-{award.id}"
    assert grant["title"] == application.title
    assert grant["description"] == application.summary
    assert grant["currency"] == "GBP"
    assert grant["amountAwarded"] == award.amount
    assert grant["amountAppliedFor"] == application.amount_requested
    assert grant["awardDate"] == award.awarded_on.isoformat()
    assert grant["plannedDates"] == [
        {
            "startDate": award.start.isoformat(),
            "endDate": award.end.isoformat(),
            "duration": application.project_months,
        }
    ]
    assert grant["grantProgramme"] == [{"code": GR1.id, "title": GR1.name}]
    codes = {c["code"] for c in grant["classifications"]}
    assert codes == award.themes
    assert {c["vocabulary"] for c in grant["classifications"]} == {"360G-wyca-wy-safeguarding"}
    recipient = grant["recipientOrganization"][0]
    assert recipient["name"] == application.organisation.name
    assert recipient["postalCode"] == application.organisation.postcode


def test_grant_ids_have_no_spaces_slashes_or_line_breaks():
    ids = [g["id"] for g in _package()["grants"]]
    assert len(set(ids)) == len(ids) == 100
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", i) for i in ids)


def test_json_amounts_are_written_exactly(tmp_path):
    (path,) = write_360giving_json(
        tmp_path / "scf.json", SCOPE, APPLICATIONS, AWARDS, publisher=PUBLISHER, as_of=AS_OF, pm=PM
    )
    text = path.read_text(encoding="utf-8")
    award = next(a for a in AWARDS if a.amount != a.amount.to_integral())
    assert f'"amountAwarded": {award.amount}' in text
    assert re.search(r'"amountAwarded": \d+\.\d\d\b', text)


@pytest.mark.parametrize(
    ("district", "code"),
    [
        ("Bradford", "E08000032"),
        ("Calderdale", "E08000033"),
        ("Kirklees", "E08000034"),
        ("Leeds", "E08000035"),
        ("Wakefield", "E08000036"),
    ],
)
def test_beneficiary_location_is_the_district_with_its_ons_code(district, code):
    package = _package()
    grant = next(g for g in package["grants"] if g["beneficiaryLocation"][0]["name"] == district)
    assert grant["beneficiaryLocation"] == [
        {"name": district, "geoCode": code, "geoCodeType": "MD"}
    ]


def _with_org(index, **changes):
    apps = list(APPLICATIONS)
    app = apps[index]
    apps[index] = attrs.evolve(app, organisation=attrs.evolve(app.organisation, **changes))
    return apps, apps[index]


def test_an_unknown_district_keeps_its_name_without_a_code():
    apps, _ = _with_org(0, district="Harrogate")
    grant = _grant_of(_package(apps), AWARDS[0].id)
    assert grant["beneficiaryLocation"] == [{"name": "Harrogate"}]


def test_without_a_plugin_giving_areas_no_code_is_published():
    vocabulary_only = make_plugin_manager(entry_points=False, plugins=[DATA_PLUGINS[0]])
    grant = _package(pm=vocabulary_only)["grants"][0]
    assert set(grant["beneficiaryLocation"][0]) == {"name"}
    assert set(grant["recipientOrganization"][0]["location"][0]) == {"name"}


def test_the_beneficiary_area_follows_the_delivery_postcode_and_a_district_can_be_found():
    apps = list(APPLICATIONS)
    first = apps[0]
    # Delivered in Wakefield (WF1) by an organisation with no district recorded.
    apps[0] = attrs.evolve(
        first,
        delivery_postcode="WF1 2AB",
        organisation=attrs.evolve(first.organisation, district=None, postcode="LS6 1AA"),
    )
    grant = _grant_of(_package(apps), AWARDS[0].id)
    assert grant["beneficiaryLocation"] == [
        {"name": "Wakefield", "geoCode": "E08000036", "geoCodeType": "MD"}
    ]
    assert grant["recipientOrganization"][0]["location"] == [
        {"name": "Leeds", "geoCode": "E08000035", "geoCodeType": "MD"}
    ]


@pytest.mark.parametrize(
    ("charity", "company", "expected"),
    [
        ("1995504", None, "GB-CHC-1995504"),
        ("SC012345", None, "GB-SC-SC012345"),
        ("NIC101234", None, "GB-NIC-101234"),
        (None, "09912345", "GB-COH-09912345"),
    ],
)
def test_registered_recipients_get_register_org_ids(charity, company, expected):
    apps, _ = _with_org(0, charity_number=charity, company_number=company)
    recipient = _grant_of(_package(apps), AWARDS[0].id)["recipientOrganization"][0]
    assert recipient["id"] == expected
    assert recipient.get("charityNumber") == charity
    assert recipient.get("companyNumber") == company


def test_an_unregistered_group_gets_a_stable_prefixed_id():
    group = Organisation(
        name="Holme Valley / Friends & Neighbours",
        type=OrgType.COMMUNITY_GROUP,
        postcode="HD9 7AB",
        district="Kirklees",
    )
    first = organisation_id(group, PUBLISHER)
    again = organisation_id(
        attrs.evolve(group, name=" holme valley friends & neighbours "), PUBLISHER
    )
    assert first == again == "360G-wyca-holme-valley-friends-neighbours-hd9-7ab"
    other = organisation_id(attrs.evolve(group, postcode="HD9 7AC"), PUBLISHER)
    assert other != first
    assert organisation_id(attrs.evolve(group, id="WY-0042"), PUBLISHER) == "360G-wyca-wy-0042"


def test_the_funder_comes_from_the_era_and_the_publisher_can_override_it():
    assert _package()["grants"][0]["fundingOrganization"] == [
        {"id": MAYOR_ERA.funder_id, "name": MAYOR_ERA.funder_name}
    ]
    publisher = attrs.evolve(
        PUBLISHER,
        funders={"mayor": FunderIdentity(id="GB-GOR-PB1", name="West Yorkshire Mayor")},
    )
    package = _package(publisher=publisher)
    assert {g["fundingOrganization"][0]["id"] for g in package["grants"]} == {"GB-GOR-PB1"}


def _pcc_scope():
    pcc_round = attrs.evolve(
        GR1, id="pcc-r21", name="PCC Safer Communities Fund, Round 21", era=PCC_ERA
    )
    pcc_apps = [attrs.evolve(a, round_id="pcc-r21") for a in APPLICATIONS[:3]]
    pcc_awards = [
        attrs.evolve(a, round_id="pcc-r21", awarded_on=date(2021, 3, 1)) for a in AWARDS[:3]
    ]
    scope = Scope(id="scf-both-eras", label="SCF across eras", rounds=(pcc_round, GR2))
    gr2 = sample_records(GR2)
    return scope, [*pcc_apps, *gr2.applications], [*pcc_awards, *gr2.awards]


def test_a_scope_spanning_two_funders_is_refused_in_one_file(tmp_path):
    scope, apps, awards = _pcc_scope()
    target = tmp_path / "both.json"
    with pytest.raises(ExportError) as caught:
        write_360giving_json(target, scope, apps, awards, publisher=PUBLISHER, as_of=AS_OF, pm=PM)
    message = str(caught.value)
    assert "one funder per file" in message
    assert PCC_ERA.funder_name in message and MAYOR_ERA.funder_name in message
    assert list(tmp_path.iterdir()) == []


def test_a_scope_spanning_two_funders_splits_into_one_file_per_funder(tmp_path):
    scope, apps, awards = _pcc_scope()
    paths = write_360giving_csv(
        tmp_path / "both.csv",
        scope,
        apps,
        awards,
        publisher=PUBLISHER,
        as_of=AS_OF,
        pm=PM,
        split_by_funder=True,
    )
    assert sorted(p.name for p in paths) == ["both-xi-sgfund-wy-pcc.csv", "both-xi-sgfund-wyca.csv"]
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            funders = {row["Funding Org:Identifier"] for row in csv.DictReader(handle)}
        assert len(funders) == 1
    counts = {
        p.funder.id: p.grant_count
        for p in build_packages(scope, apps, awards, publisher=PUBLISHER, as_of=AS_OF, pm=PM)
    }
    assert counts == {"XI-SGFUND-WY-PCC": 3, "XI-SGFUND-WYCA": 61}


def test_award_dates_after_as_of_are_refused_and_nothing_is_written(tmp_path):
    target = tmp_path / "scf.json"
    target.write_text("previous export", encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        write_360giving_json(
            target,
            SCOPE,
            APPLICATIONS,
            AWARDS,
            publisher=PUBLISHER,
            as_of=date(2022, 6, 30),
            pm=PM,
        )
    problems = caught.value.problems
    # GR2 was awarded on 6 October 2022: all 61 of its grants are in the future.
    assert len(problems) == 61
    assert all(p.field.endswith(".awardDate") and p.grant_id for p in problems)
    assert target.read_text(encoding="utf-8") == "previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scf.json"]


def test_as_of_may_be_an_aware_datetime():
    package = _package(as_of=datetime.fromisoformat("2023-04-01T09:30:00+01:00"))
    assert package["issued"] == "2023-04-01T09:30:00+01:00"
    with pytest.raises(ValueError, match="as_of"):
        _package(as_of=datetime(2023, 4, 1))  # noqa: DTZ001 - naive on purpose


def test_email_addresses_in_title_or_description_are_refused():
    apps = list(APPLICATIONS)
    apps[0] = attrs.evolve(apps[0], summary="Contact jo.bloggs@example.org for details")
    apps[1] = attrs.evolve(apps[1], title="Drop-in (book: drop.in@example.co.uk)")
    with pytest.raises(ExportError) as caught:
        _package(apps)
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == ["$.grants[0].description", "$.grants[1].title"]


def test_themes_outside_the_rounds_vocabulary_are_refused():
    awards = list(AWARDS)
    awards[0] = attrs.evolve(awards[0], themes=frozenset({"knife-crime"}))
    with pytest.raises(ExportError, match="knife-crime"):
        _package(awards=awards)


def test_awards_without_their_application_or_round_are_refused():
    stray = attrs.evolve(AWARDS[0], id="X-1", application_id="NOPE-1")
    other_round = attrs.evolve(AWARDS[1], id="X-2", round_id="mayor-gr9")
    with pytest.raises(ExportError) as caught:
        _package(awards=[*AWARDS, stray, other_round])
    text = str(caught.value)
    assert "application 'NOPE-1' was not given" in text
    assert "round 'mayor-gr9' is not in scope" in text


def test_grants_to_individuals_carry_no_name_and_no_postcode():
    apps, app = _with_org(2, type=OrgType.INDIVIDUAL, name="Jane Smith", postcode="LS6 2AB")
    grant = _grant_of(_package(apps), AWARDS[2].id)
    text = json.dumps(grant, default=str)
    assert "Jane Smith" not in text and "LS6 2AB" not in text
    assert app.title not in text
    assert grant["title"] == INDIVIDUAL_TITLE
    assert grant["recipientIndividual"]["name"] == INDIVIDUAL_NAME
    assert "recipientOrganization" not in grant


def test_critical_checks_catch_faults_in_hand_made_packages():
    grants = [
        {"id": "360G-x-1", "amountAwarded": Decimal(0), "awardDate": "2022-01-01"},
        {"id": "360G-x-2", "amountAwarded": -5, "awardDate": "2030-01-01"},
        {"id": "360G-x-\n3", "amountAwarded": 10, "title": "mail me: a@b.com"},
        {"id": "360G-x-1", "amountAwarded": 10, "fundingOrganization": [{"id": "GB-A"}]},
        {"id": "360G-x-5", "amountAwarded": 10, "fundingOrganization": [{"id": "GB-B"}]},
    ]
    problems = critical_problems({"grants": grants}, as_of=date(2023, 1, 1))
    found = sorted((p.field, p.message) for p in problems)
    assert [f for f, _ in found] == [
        "$.grants[*].fundingOrganization",
        "$.grants[0].amountAwarded",
        "$.grants[1].amountAwarded",
        "$.grants[1].awardDate",
        "$.grants[2].id",
        "$.grants[2].title",
        "$.grants[3].id",
    ]
    messages = dict(found)
    assert messages["$.grants[1].awardDate"].startswith("award date is in the future")
    assert messages["$.grants[2].id"] == "identifier contains a line break"
    assert messages["$.grants[2].title"] == "title contains an e-mail address"
    assert messages["$.grants[3].id"] == "grant id repeats grant 0"
    assert messages["$.grants[*].fundingOrganization"].startswith("2 funding organisations")


def test_csv_text_cells_are_neutralised_and_numbers_stay_numbers(tmp_path):
    apps = list(APPLICATIONS)
    apps[0] = attrs.evolve(apps[0], title='=HYPERLINK("http://x.example","click")')
    apps[1] = attrs.evolve(apps[1], summary="-2 places left")
    (path,) = write_360giving_csv(
        tmp_path / "scf.csv", SCOPE, apps, AWARDS, publisher=PUBLISHER, as_of=AS_OF, pm=PM
    )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["Title"] == '\'=HYPERLINK("http://x.example","click")'
    assert rows[1]["Description"] == "'-2 places left"
    assert all(re.fullmatch(r"\d+\.\d\d", r["Amount Awarded"]) for r in rows)
    assert rows[0]["Planned Dates:Duration (months)"].isdigit()


def test_plain_rounds_refuse_awards_of_other_rounds():
    with pytest.raises(ExportError, match="not in scope mayor-gr2"):
        build_package([GR2], APPLICATIONS, AWARDS, publisher=PUBLISHER, as_of=AS_OF, pm=PM)
    gr2 = sample_records(GR2)
    package = build_package(
        [GR2], gr2.applications, gr2.awards, publisher=PUBLISHER, as_of=AS_OF, pm=PM
    )
    assert package.grant_count == 61


def test_the_publisher_overrides_the_funder_per_era():
    pcc_as_mayor = Era(
        id="pcc", funder_id="XI-OTHER", funder_name="Other", start=date(2012, 11, 22)
    )
    publisher = attrs.evolve(
        PUBLISHER, funders={"pcc": FunderIdentity(id=MAYOR_ERA.funder_id, name="Mayor")}
    )
    assert publisher.funder_for(pcc_as_mayor).id == MAYOR_ERA.funder_id


def test_nothing_to_publish_is_an_error():
    with pytest.raises(ExportError, match="no awards"):
        build_package(SCOPE, APPLICATIONS, [], publisher=PUBLISHER, as_of=AS_OF, pm=PM)


def test_award_model_refuses_zero_amounts_before_export():
    with pytest.raises(ValueError, match="amount"):
        attrs.evolve(AWARDS[0], amount=Decimal("0.00"))


def test_the_example_script_publishes_gr1_and_gr2(tmp_path, monkeypatch, capsys):
    import runpy
    import sys

    script = Path(__file__).resolve().parents[1] / "examples" / "export_360giving.py"
    monkeypatch.setattr(sys, "argv", [str(script), str(tmp_path)])
    runpy.run_path(str(script), run_name="__main__")
    assert "100 grants, £534,286.00" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "scf-2022-transparency.csv",
        "scf-2022.csv",
        "scf-2022.json",
    ]
