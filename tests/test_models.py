from datetime import date
from decimal import Decimal

import attrs
import pytest

from sgfund import (
    Award,
    AwardRoute,
    Decision,
    Era,
    FieldError,
    Organisation,
    OrgType,
    Outcome,
    Theme,
    ThemeSource,
    ThemeVocabulary,
    ValidationError,
    Vocabularies,
    london,
)
from sgfund.examples_scf import GR2, MAYOR_ERA
from sgfund.organisations import (
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)
from sgfund.themes import FinalThemes


def evolve_raw(obj, **changes):
    fields = {a.name: getattr(obj, a.name) for a in attrs.fields(type(obj))}
    return type(obj)(**{**fields, **changes})


def test_a_round_names_its_vocabularies_by_id():
    assert GR2.theme_vocabularies == ("wy-safeguarding",)
    with pytest.raises(FieldError, match="theme_vocabularies"):
        evolve_raw(GR2, theme_vocabularies="wy-safeguarding")
    with pytest.raises(FieldError, match="vocabulary ids"):
        evolve_raw(GR2, theme_vocabularies=("Safeguarding themes",))
    with pytest.raises(FieldError, match="each vocabulary once"):
        evolve_raw(GR2, theme_vocabularies=("a", "a"))


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("1012345", "1012345"),
        ("502222", "502222"),
        ("sc 012345", "SC012345"),
        ("SC012345", "SC012345"),
        ("NIC 100001", "NIC100001"),
        ("nic100001", "NIC100001"),
    ],
)
def test_charity_numbers_normalised_keeping_leading_zeros(given, normal):
    assert normalise_charity_number(given) == normal


@pytest.mark.parametrize("bad", ["12345", "12345678", "SC12345", "NI100001", "CHC1234567", "abc"])
def test_bad_charity_numbers_refused(bad):
    with pytest.raises(FieldError, match="charity_number"):
        normalise_charity_number(bad)


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("01234567", "01234567"),
        ("1234567", "01234567"),
        ("sc123456", "SC123456"),
        ("OC 123456", "OC123456"),
        ("NI012345", "NI012345"),
        ("CE000123", "CE000123"),
    ],
)
def test_company_numbers_normalised(given, normal):
    assert normalise_company_number(given) == normal


@pytest.mark.parametrize("bad", ["12345", "123456789", "S1234567", "SC12345", "ABC12345"])
def test_bad_company_numbers_refused(bad):
    with pytest.raises(FieldError, match="company_number"):
        normalise_company_number(bad)


def test_postcodes():
    assert normalise_postcode("ls11aa") == "LS1 1AA"
    assert normalise_postcode(" BD24  9LT ") == "BD24 9LT"
    assert normalise_postcode("OL147AA") == "OL14 7AA"
    with pytest.raises(FieldError, match="postcode"):
        normalise_postcode("LS1")


def test_organisation_ids():
    charity = Organisation(name="A", type=OrgType.REGISTERED_CHARITY, charity_number="sc012345")
    assert charity.registered_id == "GB-SC-SC012345"
    assert (
        Organisation(name="A", type="cio", charity_number="1012345").registered_id
        == "GB-CHC-1012345"
    )
    assert (
        Organisation(name="A", type="cio", charity_number="NIC100001").registered_id
        == "GB-NIC-100001"
    )
    company = Organisation(name="A", type=OrgType.CIC, company_number="1234567")
    assert company.registered_id == "GB-COH-01234567"
    group = Organisation(
        name="  Friends of  Park ", type=OrgType.COMMUNITY_GROUP, postcode="wf1 1aa"
    )
    assert group.registered_id is None
    assert group.name == "Friends of  Park"
    assert group.key == "friends of park|WF1 1AA"


def test_unknown_organisation_type_refused():
    with pytest.raises(ValueError, match="'charity shop'"):
        Organisation(name="A", type="charity shop")


def test_application_rules(sample_app):
    assert sample_app.amount_requested == Decimal("5950.00")
    assert sample_app.organisation.postcode == "HX1 1AA"
    assert sample_app.project_months == 12
    with pytest.raises(FieldError, match="project_end"):
        evolve_raw(sample_app, project_end=date(2022, 10, 1))
    with pytest.raises(FieldError, match="amount_requested"):
        evolve_raw(sample_app, amount_requested=Decimal("-1.00"))
    with pytest.raises(FieldError, match="amount_requested"):
        evolve_raw(sample_app, amount_requested=Decimal("0"))
    with pytest.raises(FieldError, match="submitted_at"):
        evolve_raw(sample_app, submitted_at=london(2022, 6, 1).replace(tzinfo=None))
    with pytest.raises(FieldError, match="id"):
        evolve_raw(sample_app, id="GR2/001")
    with pytest.raises(FieldError, match="title"):
        evolve_raw(sample_app, title="   ")
    with pytest.raises(FieldError, match="declared_themes"):
        evolve_raw(sample_app, declared_themes="domestic-abuse")


def test_round_rules():
    with pytest.raises(FieldError, match="closes_at"):
        evolve_raw(GR2, closes_at=GR2.opens_at)
    with pytest.raises(FieldError, match="max_grant"):
        evolve_raw(GR2, min_grant=Decimal("7000"), max_grant=Decimal("6000"))
    with pytest.raises(FieldError, match="opens_at"):
        evolve_raw(GR2, opens_at=GR2.opens_at.replace(tzinfo=None))
    with pytest.raises(FieldError, match="id"):
        evolve_raw(GR2, id="Mayor GR2")
    with pytest.raises(FieldError, match="eligible_org_types"):
        evolve_raw(GR2, eligible_org_types={OrgType.INDIVIDUAL, OrgType.CIC})
    with pytest.raises(FieldError, match="advertised_pot"):
        evolve_raw(GR2, advertised_pot=Decimal("-1"))


LOCAL = ThemeVocabulary(
    id="local",
    label="Local priorities",
    version="3",
    themes=[
        Theme(slug="knife-crime", label="Knife crime"),
        Theme(slug="hate-crime", label="Hate crime", archived=True),
    ],
)
OTHER = ThemeVocabulary(
    id="other", label="Other", version="1", themes=[Theme(slug="road-safety", label="Roads")]
)


def test_theme_validity_has_one_home():
    themes = Vocabularies(round_id="r1", vocabularies=[LOCAL, OTHER])
    assert themes.theme_problems({"knife-crime", "road-safety"}) == []
    found = themes.theme_problems({"burglary", "hate-crime", "knife-crime"}, field="declared")
    assert [(p.value, p.field) for p in found] == [
        ("burglary", "declared"),
        ("hate-crime", "declared"),
    ]
    assert "archived in local v3" in found[1].message
    assert themes.theme_problems({"hate-crime"}, archived_ok=True) == []
    with pytest.raises(ValidationError, match="burglary"):
        themes.check({"burglary"})
    assert themes.live_slugs == {"knife-crime", "road-safety"}
    assert themes.find("hate-crime")[0].id == "local"
    assert list(themes.labels) == ["knife-crime", "hate-crime", "road-safety"]
    assert themes.versions == {"local": "3", "other": "1"}


def test_a_slug_in_two_of_a_rounds_vocabularies_is_refused():
    twin = ThemeVocabulary(
        id="twin", label="Twin", version="1", themes=[Theme(slug="knife-crime", label="Knives")]
    )
    with pytest.raises(FieldError, match="'knife-crime' is in both local and twin"):
        Vocabularies(round_id="r1", vocabularies=[LOCAL, twin])


def test_vocabulary_refuses_repeated_slugs():
    with pytest.raises(FieldError, match="themes"):
        ThemeVocabulary(
            id="v",
            label="V",
            version="1",
            themes=[Theme(slug="a", label="A"), Theme(slug="a", label="A again")],
        )


def test_era_end_before_start():
    with pytest.raises(FieldError, match="end"):
        Era(id="x", funder_id="F", funder_name="F", start=date(2022, 1, 1), end=date(2021, 1, 1))
    assert MAYOR_ERA.end is None


def test_decisions_and_awards(sample_app):
    approved = Decision(
        application_id=sample_app.id,
        outcome=Outcome.APPROVED,
        decided_on=date(2022, 10, 6),
        decided_by="Grants panel",
        amount_awarded="5950",
    )
    final = FinalThemes(themes={"domestic-abuse"}, source=ThemeSource.CLASSIFIER)
    award = Award.from_decision(approved, sample_app, themes=final, conditions=["Quarterly report"])
    assert award.amount == Decimal("5950.00")
    assert (award.themes, award.theme_source) == ({"domestic-abuse"}, ThemeSource.CLASSIFIER)
    assert (award.start, award.end) == (sample_app.project_start, sample_app.project_end)
    assert award.conditions == ("Quarterly report",)
    with pytest.raises(FieldError, match="amount_awarded"):
        Decision(
            application_id="X", outcome="approved", decided_on=date(2022, 1, 1), decided_by="p"
        )
    with pytest.raises(FieldError, match="amount_awarded"):
        Decision(
            application_id="X",
            outcome="rejected",
            decided_on=date(2022, 1, 1),
            decided_by="p",
            amount_awarded=5,
        )
    with pytest.raises(FieldError, match="justification"):
        Decision(
            application_id="X",
            outcome="approved",
            decided_on=date(2022, 1, 1),
            decided_by="p",
            amount_awarded=5,
            route=AwardRoute.DIRECT,
        )
    rejected = Decision(
        application_id=sample_app.id,
        outcome="rejected",
        decided_on=date(2022, 1, 1),
        decided_by="p",
    )
    with pytest.raises(FieldError, match="approved"):
        Award.from_decision(rejected, sample_app, themes=final)
    with pytest.raises(FieldError, match="end"):
        evolve_raw(award, end=date(2020, 1, 1))


def test_models_are_frozen(sample_app):
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        sample_app.title = "changed"  # type: ignore[misc]
