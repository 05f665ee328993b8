import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgfund_westyorkshire import SAFEGUARDING_THEMES

from sgfund import Classifier, Rule, fail, hit, refer
from sgfund.examples_scf import GR2
from sgfund.scope import Figure
from sgfund.testing import strategies as sgst
from sgfund.testing.builders import ROUND, application, round
from sgfund.testing.contract import check_classifier_contract, check_rule_contract, field_exists

pytest_plugins = ("pytester",)


def make(check=None, batch=None, rule_id="under-test"):
    return Rule(id=rule_id, version="1", description="Under test.", check=check, check_batch=batch)


def test_fixtures_give_fresh_managers_and_a_generic_round(sgfund_pm, sgfund_bare_pm, sgfund_round):
    assert sgfund_pm.has_plugin("sgfund.plugins.rules")
    assert sgfund_bare_pm.list_name_plugin() == []
    assert sgfund_round is ROUND
    assert (sgfund_round.fund_id, sgfund_round.theme_vocabularies) == ("example-fund", ())
    assert round(theme_vocabularies=("mine",)).theme_vocabularies == ("mine",)


@given(st.integers(1, 5))
def test_the_round_fixture_works_inside_given(sgfund_round, months):
    # Session-scoped, so hypothesis raises no function-scoped-fixture health check.
    assert application(sgfund_round, id="A-1").round_id == sgfund_round.id


LEAKY_TESTS = """
def test_registers(sgfund_pm):
    sgfund_pm.register(object(), name="left-behind")
    assert sgfund_pm.has_plugin("left-behind")


def test_sees_a_fresh_manager(sgfund_pm):
    assert not sgfund_pm.has_plugin("left-behind")
"""


@pytest.mark.parametrize("first", ["test_registers", "test_sees_a_fresh_manager"])
def test_each_test_gets_its_own_manager(pytester, first):
    # Both orders, each in a run of its own, so this does not depend on the suite's order.
    pytester.makepyfile(test_leaky=LEAKY_TESTS)
    second = ({"test_registers", "test_sees_a_fresh_manager"} - {first}).pop()
    result = pytester.runpytest_inprocess(
        "-p", "no:randomly", f"test_leaky.py::{first}", f"test_leaky.py::{second}"
    )
    result.assert_outcomes(passed=2)


def test_a_well_behaved_rule_passes_the_contract(sgfund_rule_contract, sgfund_round):
    rule = make(
        lambda a, r, d: fail("too big", "amount_requested") if a.amount_requested > 10 else None
    )
    sgfund_rule_contract(rule, sgfund_round, max_examples=10)


def test_a_rule_that_raises_breaks_the_contract(sgfund_round):
    def check(app, round, as_of):
        if app.amount_requested > 0:  # every application: the helper must surface it
            raise ValueError("no charity number")
        return None

    with pytest.raises(ValueError, match="no charity number"):
        check_rule_contract(make(check), sgfund_round, max_examples=50, shrink=False)


def messages(exc):
    if isinstance(exc, BaseExceptionGroup):
        return [m for inner in exc.exceptions for m in messages(inner)]
    return [str(exc)]


def test_a_rule_that_changes_its_mind_breaks_the_contract(sgfund_round):
    counter = itertools.count()
    rule = make(lambda a, r, d: refer("first call only") if next(counter) == 0 else None)
    # The rule is flaky across examples too, so hypothesis may report several failures at once.
    with pytest.raises((AssertionError, BaseExceptionGroup)) as info:
        check_rule_contract(rule, sgfund_round, max_examples=20, shrink=False)
    assert any("different answers" in m for m in messages(info.value))


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (True, "expected None"),
        (refer("   "), "no reason"),
        (refer("why", "amount"), "not fields of Application"),
    ],
)
def test_malformed_results_break_the_contract(sgfund_round, result, message):
    with pytest.raises(AssertionError, match=message):
        check_rule_contract(
            make(lambda a, r, d: result), sgfund_round, max_examples=25, shrink=False
        )


def test_a_batch_form_that_disagrees_breaks_the_contract(sgfund_round):
    rule = make(
        check=lambda a, r, d: None,
        batch=lambda r, apps, d: [(apps[0].id, refer("first"))] if apps else [],
    )
    with pytest.raises(AssertionError, match="disagrees"):
        check_rule_contract(rule, sgfund_round, max_examples=20, shrink=False)


def test_a_classifier_giving_unknown_themes_breaks_the_contract():
    classifier = Classifier(
        id="bad", version="1", description="x", classify=lambda a, r: [hit("knitting", "yes")]
    )
    with pytest.raises(AssertionError, match="knitting"):
        check_classifier_contract(
            classifier, vocabularies=[SAFEGUARDING_THEMES], max_examples=25, shrink=False
        )


def test_a_classifier_giving_its_own_live_themes_keeps_the_contract():
    classifier = Classifier(
        id="good",
        version="1",
        description="Everything is about domestic abuse.",
        classify=lambda a, r: [hit("domestic-abuse", "always")],
    )
    check_classifier_contract(classifier, vocabularies=[SAFEGUARDING_THEMES], max_examples=10)


def test_an_unknown_hypothesis_profile_is_a_usage_error(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    env = {**os.environ, "SGFUND_HYPOTHESIS_PROFILE": "fast"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 4  # pytest's usage error, not an internal error (3)
    assert "SGFUND_HYPOTHESIS_PROFILE='fast' names no sgfund hypothesis profile" in run.stderr
    assert "INTERNALERROR" not in run.stdout + run.stderr


def test_field_paths_are_checked_against_the_model():
    assert field_exists("amount_requested")
    assert field_exists("organisation.postcode")
    assert field_exists("project_months")
    assert not field_exists("organisation.shoe_size")
    assert not field_exists("amount")


@given(sgst.rounds_with_declared_totals())
def test_rounds_with_declared_totals_declare_what_was_awarded(data):
    scope, applications, awards = data
    declared = {f.figure: f.value for f in scope.declared}
    assert declared[Figure.PROJECTS] == len(awards)
    assert declared[Figure.TOTAL_AWARDED] == sum(a.amount for a in awards)
    assert {a.application_id for a in awards} <= {a.id for a in applications}
    assert all(a.round_id == scope.rounds[0].id for a in applications)


@given(sgst.application_batches(GR2))
def test_batches_have_distinct_ids(batch):
    assert len({a.id for a in batch}) == len(batch)
