from datetime import date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgfund_westyorkshire import DATA_PLUGINS, SAFEGUARDING_THEMES

from sgfund import (
    Assessment,
    Classifier,
    DataError,
    FieldError,
    PluginError,
    RoundAssessment,
    Status,
    ThemeOverride,
    ThemeSource,
    Verdict,
    assess,
    dumps,
    final_themes,
    hit,
    hookimpl,
    loads,
    make_plugin_manager,
    structure,
    unstructure,
)
from sgfund.examples_scf import GR2
from sgfund.testing import strategies as sgst
from sgfund.testing.builders import application, organisation

AS_OF = date(2022, 7, 1)


def gr2_batch():
    """A GR2-like batch: one clean, one over the maximum, one late, one from an individual."""
    return [
        application(GR2, id="GR2-001", declared_themes={"domestic-abuse"}),
        application(
            GR2,
            id="GR2-002",
            amount_requested=Decimal("7500.00"),
            organisation=organisation(charity_number="1100001"),
        ),
        application(
            GR2,
            id="GR2-003",
            submitted_at=GR2.closes_at + timedelta(hours=2),
            organisation=organisation(charity_number="1100002"),
        ),
        application(
            GR2,
            id="GR2-004",
            organisation=organisation(type="individual", charity_number=None, name="J Smith"),
        ),
    ]


def manager():
    """The built-in plugins and the safeguarding vocabulary GR2 names, nothing installed."""
    return make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)


@pytest.fixture
def pm():
    return manager()


def test_assessing_a_round_gives_findings_with_rule_versions(pm):
    result = assess(GR2, gr2_batch(), pm=pm, as_of=AS_OF)
    assert result.round_id == GR2.id
    assert result.rule_versions["amount-within-limits"] == "1"
    assert [a.status for a in result] == [
        Status.ELIGIBLE,
        Status.INELIGIBLE,
        Status.REFER,
        Status.INELIGIBLE,
    ]
    over = result["GR2-002"]
    assert [(f.rule_id, f.rule_version, f.verdict) for f in over.findings] == [
        ("amount-within-limits", "1", Verdict.FAIL)
    ]
    assert result["GR2-003"].referred[0].rule_id == "submitted-in-window"
    assert result.with_status(Status.REFER) == (result["GR2-003"],)
    assert result.counts() == {Status.ELIGIBLE: 1, Status.INELIGIBLE: 2, Status.REFER: 1}


def test_a_refer_and_a_fail_together_make_it_ineligible_with_both_recorded(pm):
    app = application(
        GR2,
        id="GR2-009",
        amount_requested=Decimal("9000.00"),
        submitted_at=GR2.closes_at + timedelta(days=1),
    )
    found = assess(GR2, [app], pm=pm, as_of=AS_OF)["GR2-009"]
    assert found.status is Status.INELIGIBLE
    assert {f.verdict for f in found.findings} == {Verdict.FAIL, Verdict.REFER}


def test_the_assessment_round_trips_through_json(pm):
    result = assess(GR2, gr2_batch(), pm=pm, as_of=AS_OF)
    again = loads(dumps(result), RoundAssessment)
    assert again == result
    assert again["GR2-002"].findings == result["GR2-002"].findings


def test_applications_of_another_round_or_repeated_ids_are_all_listed(pm):
    batch = [
        *gr2_batch(),
        application(GR2, id="GR2-001"),
        attrs.evolve(gr2_batch()[1], id="X-1", round_id="mayor-gr1"),
    ]
    with pytest.raises(DataError) as info:
        assess(GR2, batch, pm=pm, as_of=AS_OF)
    fields = [p.field for p in info.value.problems]
    assert fields == ["id", "round_id"]


def test_as_of_must_be_a_date(pm):
    with pytest.raises(FieldError, match="as_of"):
        assess(GR2, [], pm=pm, as_of=datetime(2022, 7, 1, tzinfo=GR2.opens_at.tzinfo))


def test_declared_themes_are_kept_and_marked_declared(pm):
    result = assess(GR2, gr2_batch(), pm=pm, as_of=AS_OF)
    [match] = result["GR2-001"].themes
    assert (match.theme, match.source, match.by, match.version) == (
        "domestic-abuse",
        ThemeSource.DECLARED,
        "declared-themes",
        "1",
    )
    assert match.vocabulary == "wy-safeguarding"


class Keywords:
    @hookimpl
    def sgfund_theme_classifiers(self, round):
        def find(app, round):
            if "stalk" in app.summary:
                yield hit("stalking-harassment", "summary mentions stalking")
            if "refuge" in app.summary:
                yield hit("domestic-abuse", "summary mentions a refuge")

        return [Classifier(id="kw", version="4", description="Keywords.", classify=find)]


def test_themes_are_multi_label_and_final_themes_follow_the_documented_rule(pm):
    pm.register(Keywords(), name="keywords")
    app = application(
        GR2,
        id="GR2-001",
        summary="A refuge supporting women who are stalked",
        declared_themes={"domestic-abuse", "fraud-cyber-crime"},
    )
    result = assess(GR2, [app], pm=pm, as_of=AS_OF)
    found = result["GR2-001"]
    assert [(m.theme, m.source, m.plugin) for m in found.themes] == [
        ("domestic-abuse", ThemeSource.DECLARED, "sgfund.plugins.declared_themes"),
        ("domestic-abuse", ThemeSource.CLASSIFIER, "keywords"),
        ("fraud-cyber-crime", ThemeSource.DECLARED, "sgfund.plugins.declared_themes"),
        ("stalking-harassment", ThemeSource.CLASSIFIER, "keywords"),
    ]
    assert result.classifier_versions == {"declared-themes": "1", "kw": "4"}
    assert result.vocabulary_versions == {"wy-safeguarding": "2022"}

    # Every counted match, whatever its source; "classifier" because one read the text.
    final = final_themes(app, found.themes)
    assert final.themes == {"domestic-abuse", "fraud-cyber-crime", "stalking-harassment"}
    assert final.source is ThemeSource.CLASSIFIER
    # A policy that counts only classifiers reading the text.
    only = final_themes(app, found.themes, sources={ThemeSource.CLASSIFIER})
    assert only.themes == {"domestic-abuse", "stalking-harassment"}
    # No match at all: the declared themes, as declared.
    assert final_themes(app, ()).themes == app.declared_themes
    assert final_themes(app, ()).source is ThemeSource.DECLARED
    # An officer's override wins over everything.
    override = ThemeOverride(
        application_id="GR2-001",
        themes={"rape-sexual-offences"},
        reason="panel view",
        set_by="A. Officer",
        set_on=date(2022, 7, 2),
    )
    decided = final_themes(app, found.themes, override)
    assert (decided.themes, decided.source) == ({"rape-sexual-offences"}, ThemeSource.OFFICER)
    with pytest.raises(FieldError, match="override"):
        final_themes(application(GR2, id="GR2-002"), found.themes, override)


def test_only_the_declared_classifier_matched_means_declared_source(pm):
    app = application(GR2, id="GR2-001", declared_themes={"domestic-abuse"})
    found = assess(GR2, [app], pm=pm, as_of=AS_OF)["GR2-001"]
    final = final_themes(app, found.themes)
    assert (final.themes, final.source) == ({"domestic-abuse"}, ThemeSource.DECLARED)


def test_monitoring_sees_every_hook_call_of_an_assessment(pm):
    pm.register(Keywords(), name="keywords")
    seen = []
    results = {}

    def before(hook_name, impls, kwargs):
        seen.append((hook_name, sorted(impl.plugin_name for impl in impls), sorted(kwargs)))

    def after(outcome, hook_name, impls, kwargs):
        results[hook_name] = sorted((c.plugin, len(c.items)) for c in outcome.get_result())

    undo = pm.add_hookcall_monitoring(before, after)
    assess(GR2, gr2_batch(), pm=pm, as_of=AS_OF)
    undo()
    assert seen == [
        ("sgfund_theme_vocabularies", ["sgfund_westyorkshire.vocabulary"], ["round"]),
        ("sgfund_eligibility_rules", ["sgfund.plugins.rules"], ["round", "vocabularies"]),
        (
            "sgfund_theme_classifiers",
            ["keywords", "sgfund.plugins.declared_themes"],
            ["round", "vocabularies"],
        ),
    ]
    assert results["sgfund_theme_classifiers"] == [
        ("keywords", 1),
        ("sgfund.plugins.declared_themes", 1),
    ]
    assert results["sgfund_eligibility_rules"] == [("sgfund.plugins.rules", 7)]


def test_a_round_naming_a_vocabulary_no_plugin_gives_is_a_clear_error():
    bare = make_plugin_manager(entry_points=False)
    with pytest.raises(PluginError, match="'wy-safeguarding', which no registered plugin gives"):
        assess(GR2, gr2_batch(), pm=bare, as_of=AS_OF)


def test_a_classifier_giving_a_theme_the_round_lacks_names_it(pm):
    class Wrong:
        @hookimpl
        def sgfund_theme_classifiers(self, round):
            return [
                Classifier(
                    id="wrong",
                    version="1",
                    description="x",
                    classify=lambda a, r: [hit("knitting", "why not")],
                )
            ]

    pm.register(Wrong(), name="wrong-plugin")
    with pytest.raises(Exception, match="knitting") as info:
        assess(GR2, gr2_batch(), pm=pm, as_of=AS_OF)
    assert info.value.plugin == "wrong-plugin"


def test_status_must_agree_with_findings():
    from sgfund import Finding

    finding = Finding(rule_id="x", rule_version="1", plugin="p", verdict=Verdict.FAIL, reason="no")
    with pytest.raises(FieldError, match="status"):
        Assessment(application_id="A-1", status=Status.ELIGIBLE, findings=[finding])


THEMES = SAFEGUARDING_THEMES.active_slugs


@given(st.data())
def test_each_status_does_not_depend_on_input_order(data):
    pm = manager()
    batch = data.draw(sgst.application_batches(GR2, max_size=8, themes=THEMES))
    shuffled = data.draw(st.permutations(batch))
    first = assess(GR2, batch, pm=pm, as_of=AS_OF)
    second = assess(GR2, shuffled, pm=pm, as_of=AS_OF)
    assert {a.application_id: a for a in first} == {a.application_id: a for a in second}


@given(st.data())
def test_assessments_round_trip_through_the_converter(data):
    pm = manager()
    batch = data.draw(sgst.application_batches(GR2, max_size=6, themes=THEMES))
    result = assess(GR2, batch, pm=pm, as_of=AS_OF)
    assert structure(unstructure(result), RoundAssessment) == result
    for one in result:
        plain = unstructure(one)
        assert set(plain) == {"application_id", "status", "findings", "themes", "rule_versions"}
        assert structure(plain, Assessment) == one
