from datetime import UTC, date, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgfund_westyorkshire import SAFEGUARDING_THEMES

from sgfund import Organisation, OrgType, Theme, ThemeVocabulary, Verdict, Vocabularies
from sgfund.collect import Registered
from sgfund.dates import months_between
from sgfund.eligibility import run_rules
from sgfund.examples_scf import GR2
from sgfund.plugins.declared_themes import declared_classifier
from sgfund.plugins.rules import RULES, declared_themes_rule, fits_in_months
from sgfund.testing.builders import application, organisation
from sgfund.testing.contract import check_classifier_contract, check_rule_contract

AS_OF = date(2022, 7, 1)
OLD = ThemeVocabulary(
    id="old-themes",
    label="Old themes",
    version="1",
    themes=[Theme(slug="hate-crime", label="Hate crime", archived=True)],
)
THEMES = Vocabularies(round_id=GR2.id, vocabularies=[SAFEGUARDING_THEMES, OLD])
BY_ID = {r.id: r for r in (*RULES, declared_themes_rule(THEMES))}


@pytest.fixture
def app():
    return application(GR2, id="GR2-001")


def verdict(rule_id, app, round=GR2):
    rule = BY_ID[rule_id]
    found = run_rules([Registered("sgfund.plugins.rules", rule)], round, [app], AS_OF)
    return found[app.id][0] if app.id in found else None


def test_amount_above_the_maximum_fails_quoting_both_amounts(app):
    over = attrs.evolve(app, amount_requested=Decimal("6000.01"))
    found = verdict("amount-within-limits", over)
    assert found.verdict is Verdict.FAIL
    assert "£6,000.01" in found.reason and "£6,000.00" in found.reason
    assert (
        verdict("amount-within-limits", attrs.evolve(app, amount_requested=Decimal(6000))) is None
    )


def test_amount_below_the_minimum_fails(app):
    round = attrs.evolve(GR2, min_grant=Decimal(500))
    low = attrs.evolve(app, amount_requested=Decimal("499.99"))
    assert verdict("amount-within-limits", low, round).verdict is Verdict.FAIL


def test_without_a_maximum_only_the_minimum_counts(app):
    round = attrs.evolve(GR2, max_grant=None)
    huge = attrs.evolve(app, amount_requested=Decimal(50000))
    assert verdict("amount-within-limits", huge, round) is None


def test_a_project_longer_than_the_round_allows_fails(app):
    start = date(2022, 11, 1)
    ok = attrs.evolve(app, project_start=start, project_end=date(2023, 10, 31))
    long = attrs.evolve(app, project_start=start, project_end=date(2023, 11, 2))
    assert verdict("project-length", ok) is None
    found = verdict("project-length", long)
    assert found.verdict is Verdict.FAIL and "13 months" in found.reason


@given(
    st.dates(date(2015, 1, 1), date(2030, 1, 1)),
    st.integers(0, 1200),
    st.integers(1, 36),
)
def test_fits_in_months_agrees_with_months_between(start, days, months):
    end = start + timedelta(days=days)
    assert fits_in_months(start, end, months) == (months_between(start, end) <= months)


def test_a_late_submission_is_referred_not_failed(app):
    # Received as a UTC time: the officer reads both times in London time (BST in June).
    late = attrs.evolve(app, submitted_at=(GR2.closes_at + timedelta(minutes=1)).astimezone(UTC))
    found = verdict("submitted-in-window", late)
    assert found.verdict is Verdict.REFER
    assert found.reason.startswith(
        "submitted at 10 June 2022 12:01 BST, after the round closed at 10 June 2022 12:00 BST"
    )
    on_time = attrs.evolve(app, submitted_at=GR2.closes_at)
    assert verdict("submitted-in-window", on_time) is None


def test_individuals_are_never_eligible(app):
    person = attrs.evolve(app, organisation=Organisation(name="A Person", type=OrgType.INDIVIDUAL))
    found = verdict("organisation-type", person)
    assert found.verdict is Verdict.FAIL and "individuals" in found.reason


def test_an_organisation_type_the_round_excludes_fails(app):
    round = attrs.evolve(GR2, eligible_org_types={OrgType.REGISTERED_CHARITY, OrgType.CIO})
    school = attrs.evolve(app, organisation=Organisation(name="School", type=OrgType.SCHOOL))
    assert verdict("organisation-type", school, round).verdict is Verdict.FAIL


def test_missing_required_fields_are_all_named(app):
    charity = Organisation(name="No Numbers", type=OrgType.REGISTERED_CHARITY)
    bare = attrs.evolve(app, summary="", organisation=charity)
    found = verdict("required-fields", bare)
    assert found.verdict is Verdict.FAIL
    assert found.fields == ("summary", "organisation.postcode", "organisation.charity_number")


def test_the_same_organisation_twice_refers_both(app):
    other = attrs.evolve(app, id="GR2-002")
    third = application(
        GR2, id="GR2-003", organisation=organisation(name="Other Group", charity_number="1099999")
    )
    found = run_rules(
        [Registered("x", BY_ID["duplicate-organisation"])], GR2, [app, other, third], AS_OF
    )
    assert set(found) == {"GR2-001", "GR2-002"}
    assert "GR2-002" in found["GR2-001"][0].reason
    assert found["GR2-001"][0].verdict is Verdict.REFER


def test_unknown_or_archived_declared_themes_are_referred(app):
    assert verdict("declared-themes-known", app) is None
    odd = attrs.evolve(app, declared_themes={"domestic-abuse", "knitting", "hate-crime"})
    found = verdict("declared-themes-known", odd)
    assert found.verdict is Verdict.REFER
    assert "'knitting' is not in round mayor-gr2's vocabularies" in found.reason
    assert "'hate-crime' is archived in old-themes v1" in found.reason
    assert "domestic-abuse" not in found.reason


@pytest.mark.parametrize("rule", BY_ID.values(), ids=lambda r: r.id)
def test_built_in_rules_keep_the_contract(rule):
    check_rule_contract(rule, max_examples=25)


def test_the_amount_rule_batch_form_agrees_with_its_single_form():
    rule = BY_ID["amount-within-limits"]
    assert rule.check is not None and rule.check_batch is not None
    check_rule_contract(rule, GR2, max_examples=60)


def test_the_declared_themes_classifier_keeps_the_contract():
    classifier = declared_classifier(
        Vocabularies(round_id="any", vocabularies=[SAFEGUARDING_THEMES])
    )
    check_classifier_contract(classifier, vocabularies=[SAFEGUARDING_THEMES], max_examples=25)
