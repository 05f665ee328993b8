"""sgfund-westyorkshire tested from the outside, as a third party would, with sgfund's kit."""

from datetime import date
from decimal import Decimal

import attrs
import pytest
import sgfund_westyorkshire as wy
from sgfund_westyorkshire.area import AREA_RULE
from sgfund_westyorkshire.exclusions import EXCLUSION_RULES
from sgfund_westyorkshire.tables import AreaStatus
from sgfund_westyorkshire.themes import SAFEGUARDING_CLASSIFIER

from sgfund import (
    Status,
    ThemeSource,
    Verdict,
    assess,
    describe,
    make_plugin_manager,
    round_areas,
    round_vocabularies,
)
from sgfund.examples_scf import GR2
from sgfund.testing import builders
from sgfund.testing.contract import check_classifier_contract

AS_OF = date(2022, 7, 1)
DISTRICTS = {"Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"}


@pytest.fixture
def pm():
    """sgfund's built-ins and this plugin, as installed: nothing else that is installed."""
    return make_plugin_manager(entry_points=["westyorkshire"])


def organisation(**changes):
    """A charity in Leeds (sgfund's builders put organisations in a made-up district)."""
    return builders.organisation(**{"postcode": "LS1 1AA", "district": "Leeds", **changes})


def application(round, **changes):
    changes.setdefault("organisation", organisation())
    return builders.application(round, **changes)


def test_the_plugin_gives_the_safeguarding_vocabulary(pm):
    vocabularies = round_vocabularies(pm, GR2)
    assert [t.label for t in vocabularies.vocabularies[0].themes] == [
        "Child Sexual Abuse and Exploitation",
        "Domestic Abuse",
        "Fraud and Cyber Crime",
        "Human Trafficking and Modern Slavery",
        'So Called "Honour" Based Abuse',
        "Stalking and Harassment",
        "Rape and Sexual Offences",
    ]
    assert vocabularies.find("domestic-abuse")[0] is wy.SAFEGUARDING_THEMES


def test_the_plugin_gives_the_districts_with_their_ons_codes(pm):
    areas = round_areas(pm, GR2)
    codes = {name: areas.get(name).code for name in sorted(DISTRICTS)}
    assert codes == {
        "Bradford": "E08000032",
        "Calderdale": "E08000033",
        "Kirklees": "E08000034",
        "Leeds": "E08000035",
        "Wakefield": "E08000036",
    }
    assert {areas.get(name).code_type for name in DISTRICTS} == {"MD"}
    assert areas.locate("HD6 1AA").name == "Calderdale"  # Brighouse: Calderdale, not Kirklees
    assert areas.locate("BD11 1AA") is None  # covers Leeds and Kirklees
    assert areas.locate("LS21 1AA") is None  # straddles the county boundary
    assert round_areas(pm, attrs.evolve(GR2, fund_id="another-fund")).get("Leeds") is None


def test_the_data_plugins_give_the_data_without_the_rules():
    data_only = make_plugin_manager(entry_points=False, plugins=wy.DATA_PLUGINS)
    listing = describe(data_only, round=GR2)
    assert [v.item.id for v in listing.vocabularies] == ["wy-safeguarding"]
    assert [a.item.id for a in listing.areas] == ["wy-districts"]
    assert not any(r.item.id.startswith("wy-") for r in listing.rules)


def test_installing_the_plugin_lists_its_rules(pm):
    listing = describe(pm, round=GR2)
    plugin = {p.name: p for p in listing.plugins}["westyorkshire"]
    assert (plugin.distribution, plugin.version) == ("sgfund-westyorkshire", wy.__version__)
    rules = {r.item.id: r for r in listing.rules}
    assert rules["wy-area"].plugin == "westyorkshire"
    assert {f"wy-exclusion-{key}" for key in wy.exclusions.EXCLUSIONS} <= set(rules)
    assert "wy-safeguarding-keywords" in {c.item.id for c in listing.classifiers}
    assert "wy-area" in listing.to_markdown()


def test_rules_apply_only_to_the_funds_rounds(pm):
    other = attrs.evolve(GR2, fund_id="another-fund")
    ids = {r.item.id for r in describe(pm, round=other).rules}
    assert not any(i.startswith("wy-") for i in ids)


@pytest.mark.parametrize(
    ("postcode", "verdict"),
    [
        ("LS1 1AA", None),
        ("HX7 5AB", None),
        ("OL14 5AA", None),
        ("HD6 1AA", None),
        ("BD11 1AA", None),
        ("LS21 1AA", Verdict.REFER),
        ("BD20 0AA", Verdict.REFER),
        ("WF11 8AA", Verdict.REFER),
        ("BD98 1AA", Verdict.REFER),
        ("BD23 1AA", Verdict.FAIL),
        ("M1 1AA", Verdict.FAIL),
        ("YO1 7HH", Verdict.FAIL),
    ],
)
def test_area_rule(postcode, verdict):
    app = application(GR2, organisation=organisation(postcode=postcode))
    result = AREA_RULE.check(app, GR2, AS_OF)
    assert (result.verdict if result else None) is verdict
    if result is not None:
        assert postcode.split()[0] in result.reason


def test_a_project_delivered_in_west_yorkshire_passes_from_outside():
    app = application(
        GR2, organisation=organisation(postcode="M1 1AA"), delivery_postcode="WF1 2AB"
    )
    assert AREA_RULE.check(app, GR2, AS_OF) is None


def test_the_postcode_table_is_well_formed():
    table = wy.postcode_districts()
    assert table["OL14"].districts == ("Calderdale",)
    assert table["HD8"].districts == table["HD9"].districts == ("Kirklees",)
    covered = {d for row in table.values() for d in row.districts}
    assert covered == DISTRICTS
    for row in table.values():
        assert set(row.districts) <= DISTRICTS
        assert (row.status is AreaStatus.OUTSIDE) == (not row.districts)
        if row.status is AreaStatus.STRADDLES:
            assert row.note, f"{row.code} straddles without saying where"


@pytest.mark.parametrize(
    ("text", "rule_id", "phrase"),
    [
        ("A general appeal for our centre", "wy-exclusion-general-appeals", "general appeal"),
        ("Research into knife crime", "wy-exclusion-research", "Research"),
        ("Bursaries for young leaders", "wy-exclusion-bursaries", "Bursaries"),
        ("Travel to a conference", "wy-exclusion-travel", "Travel"),
        (
            "Replace council funding for youth work",
            "wy-exclusion-statutory-funding",
            "Replace council funding",
        ),
        ("Tins for the food bank", "wy-exclusion-food-banks", "food bank"),
        ("Refreshments at meetings", "wy-exclusion-refreshments", "Refreshments"),
    ],
)
def test_exclusions_refer_quoting_the_phrase(text, rule_id, phrase):
    app = application(GR2, title=text)
    rule = {r.id: r for r in EXCLUSION_RULES}[rule_id]
    result = rule.check(app, GR2, AS_OF)
    assert result.verdict is Verdict.REFER
    assert f'"{phrase}"' in result.reason
    assert result.fields == ("title",)
    plain = application(GR2)
    assert all(r.check(plain, GR2, AS_OF) is None for r in EXCLUSION_RULES)


@pytest.mark.parametrize(
    ("round_id", "amount"),
    [
        ("pcc-r1", "5000.00"),
        ("pcc-r15", "5000.00"),
        ("pcc-r16", "6000.00"),
        ("mayor-gr2", "6000.00"),
        ("mayor-gr3", "8000.00"),
        ("mayor-gr4", "8000.00"),
        ("mayor-gr5", None),
        ("mayor-gr6", "10000.00"),
        ("mayor-gr11", "10000.00"),
        ("somewhere-else", None),
    ],
)
def test_the_max_grant_schedule(round_id, amount):
    assert wy.max_grant_for(round_id) == (Decimal(amount) if amount else None)


def test_a_round_without_its_own_maximum_gets_the_schedule(pm):
    gr3 = attrs.evolve(GR2, id="mayor-gr3", max_grant=None)
    ids = {r.item.id for r in describe(pm, round=gr3).rules}
    assert "wy-max-grant-schedule" in ids
    assert "wy-max-grant-schedule" not in {r.item.id for r in describe(pm, round=GR2).rules}
    big = application(gr3, id="GR3-001", amount_requested=Decimal("8000.01"))
    result = assess(gr3, [big], pm=pm, as_of=AS_OF)
    [finding] = result["GR3-001"].failed
    assert finding.rule_id == "wy-max-grant-schedule"
    assert "£8,000.00" in finding.reason


def test_the_classifier_finds_several_themes_with_reasons(pm):
    app = application(
        GR2,
        id="GR2-010",
        title="Safe at home",
        summary="Support for women facing coercive control and stalking",
    )
    result = assess(GR2, [app], pm=pm, as_of=AS_OF)
    found = {m.theme: m for m in result["GR2-010"].themes if m.source is ThemeSource.CLASSIFIER}
    assert set(found) == {"domestic-abuse", "stalking-harassment"}
    assert found["domestic-abuse"].reason == 'the summary mentions "coercive control"'
    assert found["domestic-abuse"].version == SAFEGUARDING_CLASSIFIER.version


def test_assessing_a_gr2_like_round(pm):
    apps = [
        application(GR2, id="GR2-001"),
        application(
            GR2,
            id="GR2-002",
            organisation=organisation(postcode="LS22 6AA", charity_number="1100002"),
        ),
        application(
            GR2,
            id="GR2-003",
            organisation=organisation(postcode="YO1 7HH", charity_number="1100003"),
            summary="Refreshments for volunteers",
        ),
    ]
    result = assess(GR2, apps, pm=pm, as_of=AS_OF)
    assert result.rule_versions["wy-area"] == AREA_RULE.version
    assert [a.status for a in result] == [Status.ELIGIBLE, Status.REFER, Status.INELIGIBLE]
    assert {(f.rule_id, f.rule_version) for f in result["GR2-003"].findings} == {
        ("wy-area", "1"),
        ("wy-exclusion-refreshments", "1"),
    }


@pytest.mark.parametrize("rule", [AREA_RULE, *EXCLUSION_RULES], ids=lambda r: r.id)
def test_rules_keep_the_contract(sgfund_rule_contract, rule):
    sgfund_rule_contract(rule, GR2, max_examples=20)


def test_the_classifier_keeps_the_contract():
    check_classifier_contract(
        SAFEGUARDING_CLASSIFIER, GR2, vocabularies=[wy.SAFEGUARDING_THEMES], max_examples=20
    )


def test_larger_grants_are_paid_half_on_acceptance_and_half_on_the_final_return(pm):
    from decimal import Decimal

    from sgfund.postaward import PayOn, payment_plan

    large = payment_plan(pm, GR2, Decimal("5887.31"))
    assert (large.item.id, large.plugin) == ("wy-half-on-return", "westyorkshire")
    parts = large.item.instalments(Decimal("5887.31"))
    assert [(p.amount, p.on) for p in parts] == [
        (Decimal("2943.66"), PayOn.ACCEPTANCE),
        (Decimal("2943.65"), PayOn.FINAL_RETURN),
    ]
    assert payment_plan(pm, GR2, Decimal("4999.99")).item.id == "single-payment"
