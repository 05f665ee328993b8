import subprocess
import sys
import textwrap

import pytest

import sgfund
from sgfund import PluginError, Rule, describe, hookimpl, make_plugin_manager, round_vocabularies
from sgfund.examples_scf import GR2
from sgfund.hookspecs import PROJECT_NAME, SgfundSpecs
from sgfund.plugins import DEFAULT_PLUGINS
from sgfund.testing.builders import ROUND


def rule(rule_id, version="1"):
    return Rule(id=rule_id, version=version, description="A test rule.", check=lambda a, r, d: None)


def test_one_name_everywhere():
    assert PROJECT_NAME == "sgfund"
    assert sgfund.hookimpl.project_name == "sgfund"
    pm = make_plugin_manager(entry_points=False)
    assert pm.project_name == "sgfund"
    assert all(name.startswith("sgfund_") for name in vars(SgfundSpecs) if not name.startswith("_"))


def test_importing_sgfund_loads_no_plugin():
    code = (
        "import sys, sgfund; "
        "print(sorted(m for m in sys.modules if m.startswith('sgfund.plugins.') "
        "or m.startswith('sgfund_')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_defaults_are_registered_like_any_plugin_and_can_be_blocked():
    pm = make_plugin_manager(entry_points=False)
    assert [name for name, _ in pm.list_name_plugin()] == list(DEFAULT_PLUGINS)
    ids = {r.item.id for r in describe(pm, round=ROUND).rules}
    assert "amount-within-limits" in ids
    blocked = make_plugin_manager(entry_points=False, blocked=["sgfund.plugins.rules"])
    assert not describe(blocked, round=ROUND).rules
    bare = make_plugin_manager(defaults=False, entry_points=False)
    assert bare.list_name_plugin() == []


def test_a_misspelt_hook_is_an_error_naming_the_plugin():
    class Typo:
        @hookimpl
        def sgfund_eligiblity_rules(self, round):
            return []

    with pytest.raises(PluginError, match="Typo") as info:
        make_plugin_manager(plugins=[Typo()], entry_points=False)
    assert info.value.plugin == "Typo"


def test_a_hook_with_an_argument_the_spec_lacks_is_an_error():
    class Wrong:
        @hookimpl
        def sgfund_eligibility_rules(self, round, applications):
            return []

    with pytest.raises(PluginError, match="Wrong"):
        make_plugin_manager(plugins=[Wrong()], entry_points=False)


def test_two_plugins_giving_one_rule_id_is_an_error_naming_both():
    class First:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            return [rule("same-id")]

    class Second:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            return [rule("same-id", version="2")]

    pm = make_plugin_manager(plugins=[First(), Second()], defaults=False, entry_points=False)
    with pytest.raises(PluginError) as info:
        describe(pm, round=ROUND)
    assert set(info.value.plugins) == {"First", "Second"}
    assert "First" in str(info.value) and "Second" in str(info.value)
    assert info.value.rule_id == "same-id"


def test_a_plugin_clashing_with_a_built_in_rule_names_the_built_in():
    class Clash:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            return [rule("project-length")]

    pm = make_plugin_manager(plugins=[Clash()], entry_points=False)
    with pytest.raises(PluginError, match=r"sgfund\.plugins\.rules"):
        describe(pm, round=ROUND)


def test_results_are_sorted_by_id_not_by_registration_order():
    class A:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            return [rule("zulu"), rule("alpha")]

    class B:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            return [rule("mike")]

    for order in ([A(), B()], [B(), A()]):
        pm = make_plugin_manager(plugins=order, defaults=False, entry_points=False)
        assert [r.item.id for r in describe(pm, round=ROUND).rules] == ["alpha", "mike", "zulu"]


def test_a_hook_that_raises_or_returns_junk_names_its_plugin():
    class Raises:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            raise RuntimeError("no table")

    class Junk:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            return ["not a rule"]

    for plugin, text in ((Raises(), "no table"), (Junk(), "expected a Rule")):
        pm = make_plugin_manager(plugins=[plugin], defaults=False, entry_points=False)
        with pytest.raises(PluginError, match=text) as info:
            describe(pm, round=ROUND)
        assert info.value.plugin == type(plugin).__name__


@pytest.mark.parametrize("style", ["wrapper", "hookwrapper"])
def test_wrappers_are_refused_when_the_plugin_registers(style):
    class Wraps:
        @hookimpl(**{style: True})
        def sgfund_eligibility_rules(self, round):
            return (yield)

    with pytest.raises(PluginError, match="wraps sgfund_eligibility_rules") as info:
        make_plugin_manager(plugins=[Wraps()], entry_points=False)
    assert info.value.plugin == "Wraps"
    pm = make_plugin_manager(entry_points=False)
    with pytest.raises(PluginError, match="take no wrappers"):
        pm.register(Wraps(), name="late")
    assert not pm.has_plugin("late")  # refused means not registered at all


def test_a_hook_returning_one_object_instead_of_a_list_is_named():
    class One:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            return rule("lonely")

    pm = make_plugin_manager(plugins=[One()], defaults=False, entry_points=False)
    with pytest.raises(PluginError, match="expected a list or generator") as info:
        describe(pm, round=ROUND)
    assert info.value.plugin == "One"


def test_one_plugin_giving_an_id_twice_is_an_error():
    class Twice:
        @hookimpl
        def sgfund_eligibility_rules(self, round):
            return [rule("again"), rule("again")]

    pm = make_plugin_manager(plugins=[Twice()], defaults=False, entry_points=False)
    with pytest.raises(PluginError, match="given twice by plugin 'Twice'"):
        describe(pm, round=ROUND)


def test_a_vocabulary_given_by_two_plugins_is_named_as_people_write_it():
    import sgfund_westyorkshire as wy

    pm = make_plugin_manager(plugins=wy.DATA_PLUGINS, entry_points=["westyorkshire"])
    with pytest.raises(PluginError) as info:
        round_vocabularies(pm, GR2)
    assert str(info.value).startswith(
        "ThemeVocabulary id 'wy-safeguarding' from sgfund_theme_vocabularies is given by two "
        "plugins: 'sgfund_westyorkshire.vocabulary' and 'westyorkshire'"
    )


def test_collecting_needs_an_sgfund_manager():
    import pluggy

    from sgfund.collect import collect

    plain = pluggy.PluginManager("sgfund")
    plain.add_hookspecs(SgfundSpecs)
    with pytest.raises(PluginError, match="make_plugin_manager"):
        collect(plain, "sgfund_eligibility_rules", Rule, round=ROUND, vocabularies=None)


def test_a_blocked_name_that_matches_nothing_is_warned_about():
    with pytest.warns(UserWarning, match="'sgfund.plugin.rules' matches no built-in"):
        make_plugin_manager(entry_points=False, blocked=["sgfund.plugin.rules"])


def test_listing_renders_published_criteria():
    listing = describe(make_plugin_manager(entry_points=False), round=ROUND)
    text = listing.to_markdown()
    assert "## Eligibility rules" in text
    assert "**submitted-in-window** (version 2, plugin sgfund.plugins.rules)" in text
    assert "sgfund.plugins.rules (sgfund " in text
    info = {p.name: p for p in listing.plugins}
    assert info["sgfund.plugins.rules"].distribution == "sgfund"
    assert info["sgfund.plugins.rules"].hooks == ("sgfund_eligibility_rules",)


def write_dist(root, name, module_source, module="fake_sgfund_plugin", version="1.2.3"):
    (root / f"{module}.py").write_text(textwrap.dedent(module_source))
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[sgfund]\nfake = {module}\n")


@pytest.fixture
def on_path(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("fake_sgfund_plugin")]:
        del sys.modules[name]


def test_an_entry_point_plugin_is_listed_with_its_distribution(on_path):
    write_dist(
        on_path,
        "fake-sgfund-plugin",
        """
        from sgfund import Rule, hookimpl

        @hookimpl
        def sgfund_eligibility_rules(round):
            return [Rule(id="fake", version="3", description="Fake.", check=lambda a, r, d: None)]
        """,
    )
    pm = make_plugin_manager()
    listing = describe(pm, round=ROUND)
    info = {p.name: p for p in listing.plugins}
    assert (info["fake"].distribution, info["fake"].version) == ("fake-sgfund-plugin", "1.2.3")
    assert "fake" in {r.item.id for r in listing.rules}
    assert not make_plugin_manager(entry_points=False).has_plugin("fake")
    assert not make_plugin_manager(blocked=["fake"]).has_plugin("fake")
    assert "fake" in sgfund.installed_plugins()
    chosen = make_plugin_manager(entry_points=["fake"])
    assert [name for name, _ in chosen.list_name_plugin()] == [*DEFAULT_PLUGINS, "fake"]
    with pytest.raises(PluginError, match="no installed sgfund plugin is called 'missing'"):
        make_plugin_manager(entry_points=["fake", "missing"])


def test_a_broken_plugin_is_an_error_naming_its_distribution_unless_skipped(on_path):
    write_dist(on_path, "broken-sgfund-plugin", "import no_such_module_anywhere\n")
    with pytest.raises(PluginError, match=r"broken-sgfund-plugin 1\.2\.3") as info:
        make_plugin_manager()
    assert info.value.plugin == "fake"
    with pytest.warns(RuntimeWarning, match="broken-sgfund-plugin"):
        pm = make_plugin_manager(skip_broken=True)
    assert not pm.has_plugin("fake")
    assert pm.has_plugin("sgfund.plugins.rules")
