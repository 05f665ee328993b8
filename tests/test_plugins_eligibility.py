from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import (
    Rule,
    RuleError,
    Verdict,
    fail,
    hookimpl,
    make_plugin_manager,
    refer,
    round_vocabularies,
)
from sgfund.collect import Registered
from sgfund.eligibility import eligibility_rules, run_columns, run_rules
from sgfund.examples_scf import GR2
from sgfund.testing import strategies as sgst
from sgfund.testing.builders import application

AS_OF = date(2022, 7, 1)


def apps(n):
    return [
        application(GR2, id=f"A-{i}", amount_requested=Decimal(1000 + 500 * i)) for i in range(n)
    ]


def entry(rule, plugin="test-plugin"):
    return Registered(plugin, rule)


def test_a_pass_builds_nothing_and_only_non_pass_findings_are_kept():
    big = Rule(
        id="big",
        version="2",
        description="Refuse big asks.",
        check=lambda a, r, d: (
            fail("too big", "amount_requested") if a.amount_requested > 3000 else None
        ),
    )
    batch = apps(20)
    findings = run_rules([entry(big)], GR2, batch, AS_OF)
    expected = {a.id for a in batch if a.amount_requested > 3000}
    assert set(findings) == expected
    for found in findings.values():
        assert [(f.rule_id, f.rule_version, f.verdict, f.fields) for f in found] == [
            ("big", "2", Verdict.FAIL, ("amount_requested",))
        ]


def test_every_rule_has_its_say():
    always_fail = Rule(id="a-fail", version="1", description="x", check=lambda a, r, d: fail("no"))
    always_refer = Rule(
        id="b-refer", version="1", description="x", check=lambda a, r, d: refer("?")
    )
    [app] = apps(1)
    findings = run_rules([entry(always_fail), entry(always_refer)], GR2, [app], AS_OF)
    assert [f.rule_id for f in findings[app.id]] == ["a-fail", "b-refer"]


def test_a_rule_that_raises_names_plugin_rule_and_application():
    def boom(app, round, as_of):
        if app.id == "A-2":
            raise KeyError("postcode")
        return None

    broken = Rule(id="boom", version="1", description="x", check=boom)
    with pytest.raises(RuleError) as info:
        run_rules([entry(broken, "my-plugin")], GR2, apps(4), AS_OF)
    err = info.value
    assert (err.plugin, err.rule_id, err.application_id) == ("my-plugin", "boom", "A-2")
    assert "my-plugin" in str(err) and "'boom'" in str(err) and "'A-2'" in str(err)


def test_a_rule_returning_a_bool_is_not_a_pass():
    sloppy = Rule(id="sloppy", version="1", description="x", check=lambda a, r, d: True)
    with pytest.raises(RuleError, match="expected None"):
        run_rules([entry(sloppy)], GR2, apps(1), AS_OF)


def test_the_batch_form_is_used_when_present():
    calls = []

    def one(app, round, as_of):
        calls.append(app.id)
        return None

    def batch(round, applications, as_of):
        return [(applications[0].id, refer("first one"))]

    both = Rule(id="both", version="1", description="x", check=one, check_batch=batch)
    batch_apps = apps(3)
    findings = run_rules([entry(both)], GR2, batch_apps, AS_OF)
    assert calls == []
    assert list(findings) == [batch_apps[0].id]


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("NOPE", refer("x"))], "not in the batch"),
        ([("A-0", refer("x")), ("A-0", refer("y"))], "two findings"),
        ([("A-0", "refer")], "expected None"),
        (["A-0"], "expected None"),
    ],
)
def test_a_batch_form_that_breaks_the_contract_is_an_error(pairs, message):
    bad = Rule(id="bad", version="1", description="x", check_batch=lambda r, a, d: pairs)
    with pytest.raises(RuleError, match=message):
        run_rules([entry(bad)], GR2, apps(2), AS_OF)


def test_a_batch_that_raises_is_traced_to_its_application_by_the_single_form():
    def one(app, round, as_of):
        if app.id == "A-1":
            raise ValueError("bad date")
        return None

    def batch(round, applications, as_of):
        for app in applications:
            one(app, round, as_of)
        return []

    rule = Rule(id="traced", version="1", description="x", check=one, check_batch=batch)
    with pytest.raises(RuleError) as info:
        run_rules([entry(rule)], GR2, apps(3), AS_OF)
    assert info.value.application_id == "A-1"


def test_a_rule_needs_some_check():
    with pytest.raises(ValueError, match="check"):
        Rule(id="empty", version="1", description="x")


def test_columnar_rules_run_on_the_table_and_the_rest_are_handed_back():
    def columns(round, table, as_of):
        for app_id, amount in zip(table["id"], table["amount"], strict=True):
            if amount > 5:
                yield app_id, fail("too much", "amount_requested")

    columnar = Rule(
        id="columnar",
        version="1",
        description="x",
        check=lambda a, r, d: None,
        check_columns=columns,
    )
    plain = Rule(id="plain", version="1", description="x", check=lambda a, r, d: None)
    table = {"id": ["A", "B"], "amount": [1, 9]}
    findings, rest = run_columns([entry(columnar), entry(plain)], GR2, table, AS_OF)
    assert list(findings) == ["B"]
    assert [r.item.id for r in rest] == ["plain"]


def test_hooks_are_called_once_per_round_not_per_application():
    calls = []

    class Counting:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            calls.append(round.id)
            return [Rule(id="count", version="1", description="x", check=lambda a, r, d: None)]

    pm = make_plugin_manager(plugins=[Counting(), *DATA_PLUGINS], entry_points=False)
    from sgfund import assess

    assess(GR2, apps(30), pm=pm, as_of=AS_OF)
    assert calls == [GR2.id]


@given(st.data())
def test_findings_do_not_depend_on_the_order_of_applications(data):
    pm = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
    rules = eligibility_rules(pm, GR2, round_vocabularies(pm, GR2))
    batch = data.draw(sgst.application_batches(GR2, max_size=8))
    shuffled = data.draw(st.permutations(batch))
    first = run_rules(rules, GR2, batch, AS_OF)
    second = run_rules(rules, GR2, shuffled, AS_OF)
    assert first == second


def test_results_are_frozen():
    result = refer("why", "summary")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.reason = "changed"
    assert result.fields == ("summary",)
