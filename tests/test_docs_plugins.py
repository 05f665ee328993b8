"""Meta-tests: docs/plugins.md documents every hook with a working example; every hook is tested."""

import re
import types
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import (
    ThemeSource,
    Verdict,
    assess,
    make_plugin_manager,
    round_areas,
    round_vocabularies,
)
from sgfund.checks import run_reconciliation_checks
from sgfund.examples_scf import GR2
from sgfund.hookspecs import SgfundSpecs
from sgfund.scope import Scope
from sgfund.testing.builders import application, round
from sgfund.totals import Totals

ROOT = Path(__file__).parents[1]
DOC = (ROOT / "docs" / "plugins.md").read_text()
HOOKS = sorted(name for name in vars(SgfundSpecs) if name.startswith("sgfund_"))
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def section(hook):
    match = re.search(rf"^### `{hook}`\n(.*?)(?=^#)", DOC, re.DOTALL | re.MULTILINE)
    assert match, f"docs/plugins.md has no section for {hook}"
    return match[1]


def example(hook):
    blocks = [code for lang, code in BLOCK.findall(section(hook)) if lang == "python"]
    assert blocks, f"the {hook} section has no Python example"
    module = types.ModuleType(f"docs_example_{hook}")
    exec(compile(blocks[0], f"docs/plugins.md ({hook})", "exec"), module.__dict__)  # noqa: S102
    assert hasattr(module, hook), f"the {hook} example does not implement {hook}"
    return module


def test_there_are_hooks_to_document():
    assert HOOKS == [
        "sgfund_areas",
        "sgfund_eligibility_rules",
        "sgfund_payment_plans",
        "sgfund_reconciliation_checks",
        "sgfund_register_commands",
        "sgfund_theme_classifiers",
        "sgfund_theme_vocabularies",
    ]


def test_every_documented_hook_exists():
    documented = re.findall(r"^### `(sgfund_\w+)`", DOC, re.MULTILINE)
    assert sorted(documented) == HOOKS


def _drive_assessment(pm):
    return assess(GR2, [application(GR2, id="A-1")], pm=pm, as_of=date(2022, 7, 1))


def _drive_reconciliation(pm):
    scope = Scope(id="gr2", label="Grant Round 2", rounds=(GR2,))
    return run_reconciliation_checks(pm, scope, Totals(scope_id="gr2", round_ids=("gr2",)))


def _drive_commands(pm):
    from sgfund.cli.plugins import plugin_commands

    return plugin_commands(pm, reserved=set())


def _drive_payment_plan(pm):
    from sgfund.postaward import payment_plan

    return payment_plan(pm, GR2, Decimal("5000.01"))


# The library entry point a user calls that should consult each hook.
DRIVERS = {
    "sgfund_areas": lambda pm: round_areas(pm, round(fund_id="harbour-fund")),
    "sgfund_eligibility_rules": _drive_assessment,
    "sgfund_payment_plans": _drive_payment_plan,
    "sgfund_reconciliation_checks": _drive_reconciliation,
    "sgfund_register_commands": _drive_commands,
    "sgfund_theme_classifiers": _drive_assessment,
    "sgfund_theme_vocabularies": lambda pm: round_vocabularies(
        pm, round(theme_vocabularies=("pcp-priorities",))
    ),
}


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook):
    # A test file must implement the hook, and the library must really call it: the documented
    # example is registered and the hook-call monitor must see its implementation answer.
    tested = [
        path.name
        for path in (ROOT / "tests").glob("test_*.py")
        if path.name != Path(__file__).name and f"def {hook}(" in path.read_text()
    ]
    assert tested, f"no test implements {hook}"
    assert sorted(DRIVERS) == HOOKS, "every hook needs an entry point in DRIVERS"
    module = example(hook)
    pm = make_plugin_manager(plugins=[module, *DATA_PLUGINS], entry_points=False)
    calls = []

    def before(hook_name, impls, kwargs):
        pass

    def after(outcome, hook_name, impls, kwargs):
        if hook_name == hook:
            calls.append(([impl.plugin_name for impl in impls], outcome.get_result()))

    undo = pm.add_hookcall_monitoring(before, after)
    try:
        DRIVERS[hook](pm)
    finally:
        undo()
    assert calls, f"the library never called {hook}"
    names, results = calls[0]
    assert module.__name__ in names, f"{hook} was called without the registered example"
    assert results, f"{hook} was called but no implementation answered"


def test_the_vocabulary_example_works():
    pm = make_plugin_manager(plugins=[example("sgfund_theme_vocabularies")], entry_points=False)
    vocabularies = round_vocabularies(pm, round(theme_vocabularies=("pcp-priorities",)))
    assert vocabularies.live_slugs == {"victims-witnesses", "safer-places"}
    assert vocabularies.find("drugs-alcohol")[1].archived


def test_the_areas_example_works():
    pm = make_plugin_manager(plugins=[example("sgfund_areas")], entry_points=False)
    areas = round_areas(pm, round(fund_id="harbour-fund"))
    assert areas.get("Riverside").code == "E05000001"
    assert areas.locate("AB2 3CD").name == "Old Town"
    assert round_areas(pm, round()).get("Riverside") is None


def test_the_eligibility_example_works():
    plugins = [example("sgfund_eligibility_rules"), *DATA_PLUGINS]
    pm = make_plugin_manager(plugins=plugins, entry_points=False)
    long = application(GR2, id="A-1", project_end=date(2025, 12, 31))
    found = assess(GR2, [long], pm=pm, as_of=date(2022, 7, 1))["A-1"].findings
    assert ("max-two-years", "1", Verdict.FAIL) in {
        (f.rule_id, f.rule_version, f.verdict) for f in found
    }


def test_the_classifier_example_works():
    plugins = [example("sgfund_theme_classifiers"), *DATA_PLUGINS]
    pm = make_plugin_manager(plugins=plugins, entry_points=False)
    app = application(GR2, id="A-1", summary="Helping older people spot phone scams")
    [match] = assess(GR2, [app], pm=pm, as_of=date(2022, 7, 1))["A-1"].themes
    assert (match.theme, match.source, match.by) == (
        "fraud-cyber-crime",
        ThemeSource.CLASSIFIER,
        "scam-words",
    )


def test_the_reconciliation_example_works():
    module = example("sgfund_reconciliation_checks")
    pm = make_plugin_manager(plugins=[module], defaults=False, entry_points=False)
    scope = Scope(id="gr2", label="Grant Round 2", rounds=(GR2,))
    [found] = run_reconciliation_checks(pm, scope, Totals(scope_id="gr2", round_ids=("gr2",)))
    assert (found.check_id, found.actual) == ("at-least-one-award", "0")


def test_the_payment_plan_example_works():
    from decimal import Decimal

    from sgfund.postaward import PayOn, payment_plan

    pm = make_plugin_manager(plugins=[example("sgfund_payment_plans")], entry_points=False)
    small = payment_plan(pm, GR2, Decimal("4999.99"))
    assert (small.item.id, small.plugin) == ("single-payment", "sgfund.plugins.payments")
    large = payment_plan(pm, GR2, Decimal("5000.01")).item
    assert large.id == "half-and-half"
    assert [(i.amount, i.on) for i in large.instalments(Decimal("5000.01"))] == [
        (Decimal("2500.01"), PayOn.ACCEPTANCE),
        (Decimal("2500.00"), PayOn.FINAL_RETURN),
    ]


def test_files_quoted_in_the_docs_are_the_files_in_the_repository():
    quoted = re.findall(r"<!-- file: (\S+) -->\n```\w+\n(.*?)```", DOC, re.DOTALL)
    assert quoted, "docs/plugins.md quotes no example files"
    for path, text in quoted:
        assert (ROOT / path).read_text() == text, f"docs/plugins.md is out of date for {path}"


def test_organisation_types_quoted_by_value_in_the_docs_are_values():
    from sgfund import OrgType

    docs = Path(__file__).resolve().parents[1] / "docs"
    quoted = [
        (path.name, value)
        for path in sorted(docs.glob("*.md"))
        for value in re.findall(
            r'organisation\s+types\s+by\s+value\s+\(`"([^"]+)"`\)', path.read_text(encoding="utf-8")
        )
    ]
    assert quoted, "the totals' keys are documented"
    assert [(name, v) for name, v in quoted if v not in {t.value for t in OrgType}] == []


def test_the_commands_example_works():
    from click.testing import CliRunner

    from sgfund.cli.plugins import plugin_commands

    pm = make_plugin_manager(plugins=[example("sgfund_register_commands")], entry_points=False)
    found = plugin_commands(pm, reserved={"demo"})
    assert list(found) == ["greet"]
    result = CliRunner().invoke(found["greet"], ["Wakefield"])
    assert result.exit_code == 0 and result.stdout == "hello, Wakefield\n"
