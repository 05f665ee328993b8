"""Round closure and reconciliation against the Safer Communities Fund's published figures."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgfund_westyorkshire import DATA_PLUGINS, SAFEGUARDING_THEMES

from sgfund import (
    Assessment,
    ClosureRefused,
    Finding,
    RoundClosedError,
    Status,
    Verdict,
    london,
    make_plugin_manager,
)
from sgfund.closure import close_round, closure_digest
from sgfund.decisions import Decision, Outcome
from sgfund.examples_scf import GR1, GR2, GR3, GR4, GR5, sample_records
from sgfund.io.declared import read_declared_figures
from sgfund.reconcile import compare_figures
from sgfund.review import Resolution
from sgfund.scope import DeclaredFigure, Precision, Scope
from sgfund.testing import strategies as sst
from sgfund.totals import compute_totals

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"
AT = london(2022, 11, 1, 10)
# The built-in plugins and the vocabulary the example rounds name; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
THEMES = SAFEGUARDING_THEMES.active_slugs


@pytest.fixture(scope="module")
def declared():
    return read_declared_figures(DATA / "declared-figures.csv").by_scope


@pytest.fixture(scope="module")
def gr1():
    return sample_records(GR1)


@pytest.fixture(scope="module")
def gr2():
    return sample_records(GR2)


def scope_totals(scope, *records):
    apps = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    return compute_totals(scope, apps, awards)


def with_award_change(records, award_id, delta):
    awards, decisions = [], []
    changed_app = None
    for award in records.awards:
        if award.id == award_id:
            award = attrs.evolve(award, amount=award.amount + delta)
            changed_app = award.application_id
        awards.append(award)
    for decision in records.decisions:
        if decision.application_id == changed_app:
            decision = attrs.evolve(decision, amount_awarded=decision.amount_awarded + delta)
        decisions.append(decision)
    return attrs.evolve(records, awards=tuple(awards), decisions=tuple(decisions))


def test_sample_rounds_fit_the_published_shape(gr1, gr2):
    for records, count in ((gr1, 39), (gr2, 61)):
        assert len(records.awards) == count
        assert all(a.amount <= Decimal("6000.00") for a in records.awards)
        assert {a.organisation.district for a in records.applications} == {
            "Bradford",
            "Calderdale",
            "Kirklees",
            "Leeds",
            "Wakefield",
        }
        assert sum(1 for a in records.awards if len(a.themes) > 1) >= count // 4
    themes = {t for r in (gr1, gr2) for a in r.awards for t in a.themes}
    assert len(themes) == 7


def test_mayors_scf_2022_reconciles_with_published_figures(gr1, gr2, declared):
    scope = Scope(id="mayor-scf-2022", label="Mayor's SCF 2022", rounds=(GR1, GR2))
    totals = scope_totals(scope, gr1, gr2)
    assert totals.awards.count == 100
    assert totals.awards.total == Decimal("534285.00") + Decimal("1.00")
    results = compare_figures(declared["mayor-gr1+mayor-gr2"], totals)
    assert [r.figure.published_text for r in results] == [
        "100 projects",
        "£534,286",
        "over £530,000",
    ]
    assert all(r.matched for r in results), [r.explanation for r in results]

    gr2_results = compare_figures(
        declared["mayor-gr2"], compute_totals(GR2, gr2.applications, gr2.awards)
    )
    assert all(r.matched for r in gr2_results)
    assert {r.figure.published_text for r in gr2_results} == {"£326,032.84", "61 projects"}


@pytest.mark.parametrize(
    ("delta", "gr2_ok", "scope_rounded_ok"),
    [
        (Decimal("0.01"), False, True),
        (Decimal("-0.01"), False, True),
        (Decimal("1.00"), False, False),
    ],
)
def test_a_penny_breaks_the_exact_figure_but_not_the_rounded_one(
    gr1, gr2, declared, delta, gr2_ok, scope_rounded_ok
):
    # Pick an award with room under the £6,000 maximum.
    target = next(a for a in gr2.awards if a.amount < Decimal("5990"))
    changed = with_award_change(gr2, target.id, delta)
    gr2_totals = compute_totals(GR2, changed.applications, changed.awards)
    exact = next(
        r
        for r in compare_figures(declared["mayor-gr2"], gr2_totals)
        if r.figure.published_text == "£326,032.84"
    )
    assert exact.matched is gr2_ok
    assert exact.difference == delta
    assert f"difference {'+' if delta > 0 else '-'}£{abs(delta)}" in exact.explanation

    scope = Scope(id="s2022", label="Mayor's SCF 2022", rounds=(GR1, GR2))
    rounded = next(
        r
        for r in compare_figures(declared["mayor-gr1+mayor-gr2"], scope_totals(scope, gr1, changed))
        if r.figure.published_text == "£534,286"
    )
    assert rounded.matched is scope_rounded_ok
    assert rounded.difference == delta


def test_sources_that_disagree_by_one_project_are_reported_not_fatal(declared):
    rounds = (GR1, GR2, GR3, GR4, GR5)
    records = [sample_records(r) for r in rounds]
    scope = Scope(id="gr1-gr5", label="GR1 to GR5", rounds=rounds)
    totals = scope_totals(scope, *records)
    assert totals.awards.count == 290
    results = {
        r.figure.published_text: r
        for r in compare_figures(declared["mayor-gr1..mayor-gr5"], totals)
    }
    assert results["289 projects"].matched is False
    assert results["289 projects"].difference == 1
    assert results["over £2.4 million"].matched is True
    # The same data matches the sources that counted 173 and 222.
    for key, n in (("mayor-gr1..mayor-gr3", 3), ("mayor-gr1..mayor-gr4", 4)):
        sub = Scope(id=f"first-{n}", label=key, rounds=rounds[:n])
        sub_totals = scope_totals(sub, *records[:n])
        assert all(r.matched for r in compare_figures(declared[key], sub_totals)), key


def test_close_gr2_gives_a_record(gr2, declared):
    record = close_round(gr2, actor="Finance officer", at=AT, pm=PM, declared=declared["mayor-gr2"])
    assert record.round_id == "mayor-gr2"
    assert record.totals.awards.total == Decimal("326032.84")
    assert record.digest == closure_digest(gr2)
    assert record.closed_by == "Finance officer"
    assert all(f.matched for f in record.figures)
    with pytest.raises(RoundClosedError) as err:
        close_round(gr2, actor="Someone else", at=AT, pm=PM, closed=record)
    assert "Finance officer" in str(err.value)
    assert "closed at 1 November 2022 10:00 GMT by" in str(err.value)


def test_closure_refuses_listing_every_reason(gr2, declared):
    undecided = gr2.applications[0].id
    rejected_id = next(d.application_id for d in gr2.decisions if d.outcome is Outcome.REJECTED)
    decisions = [d for d in gr2.decisions if d.application_id != undecided]
    decisions = [
        attrs.evolve(d, outcome=Outcome.DEFERRED) if d.application_id == rejected_id else d
        for d in decisions
    ]
    awards = [a for a in gr2.awards if a.application_id != undecided]
    referred = gr2.applications[5].id
    late = Finding(
        rule_id="submitted-in-window",
        rule_version="1",
        plugin="sgfund.plugins.rules",
        verdict=Verdict.REFER,
        reason="submitted after the round closed",
    )
    broken = attrs.evolve(
        gr2,
        decisions=decisions,
        awards=awards,
        assessments=(Assessment(application_id=referred, status=Status.REFER, findings=[late]),),
    )
    with pytest.raises(ClosureRefused) as err:
        close_round(broken, actor="officer", at=AT, pm=PM, declared=declared["mayor-gr2"])
    reasons = err.value.reasons
    assert f"application {undecided} has no decision" in reasons
    assert f"application {rejected_id} is deferred: decide it before closing" in reasons
    assert (
        f"application {referred} was referred and the referral is unresolved: "
        "submitted-in-window v1 (plugin sgfund.plugins.rules): submitted after the round closed"
    ) in reasons
    assert any("does not match '£326,032.84'" in r for r in reasons)
    assert any("does not match '61 projects'" in r for r in reasons)
    assert len(reasons) == 5

    # Resolving the referral and deciding the rest leaves only reconciliation, which an
    # officer can override with a recorded reason.
    fixed = attrs.evolve(
        broken,
        decisions=[
            *decisions,
            Decision(
                application_id=undecided,
                outcome="withdrawn",
                decided_on=date(2022, 10, 6),
                decided_by="officer",
            ),
        ],
        resolutions=(
            Resolution(
                application_id=referred,
                eligible=True,
                reason="Checked the constitution",
                resolved_by="officer",
                resolved_on=date(2022, 9, 1),
            ),
        ),
    )
    fixed = attrs.evolve(
        fixed,
        decisions=[
            attrs.evolve(d, outcome=Outcome.REJECTED) if d.outcome is Outcome.DEFERRED else d
            for d in fixed.decisions
        ],
    )
    with pytest.raises(ClosureRefused) as err:
        close_round(fixed, actor="officer", at=AT, pm=PM, declared=declared["mayor-gr2"])
    assert all(
        r.startswith(
            "reconciliation [declared-figures v1 (plugin sgfund.plugins.reconciliation)]: "
        )
        for r in err.value.reasons
    )
    record = close_round(
        fixed,
        actor="officer",
        at=AT,
        pm=PM,
        declared=declared["mayor-gr2"],
        override_reason="Applicant withdrew after publication",
    )
    assert record.override_reason == "Applicant withdrew after publication"


def test_award_over_max_grant_needs_a_justification(gr2):
    app = gr2.applications[0]
    over = [
        attrs.evolve(d, amount_awarded=Decimal("6500.00")) if d.application_id == app.id else d
        for d in gr2.decisions
    ]
    awards = [
        attrs.evolve(a, amount=Decimal("6500.00")) if a.application_id == app.id else a
        for a in gr2.awards
    ]
    with pytest.raises(ClosureRefused) as err:
        close_round(attrs.evolve(gr2, decisions=over, awards=awards), actor="o", at=AT, pm=PM)
    assert any("above the round's maximum grant £6,000.00" in r for r in err.value.reasons)
    assert any("above the £" in r and "requested" in r for r in err.value.reasons)
    justified = [
        attrs.evolve(d, justification="Panel agreed extra for interpreters")
        if d.application_id == app.id
        else d
        for d in over
    ]
    close_round(attrs.evolve(gr2, decisions=justified, awards=awards), actor="o", at=AT, pm=PM)


# --- Properties over generated rounds --------------------------------------------------------


@given(sst.round_records(themes=THEMES))
def test_breakdowns_add_up_to_the_total(records):
    totals = compute_totals(records.round, records.applications, records.awards)
    total = totals.awards.total
    assert sum((b.total for b in totals.by_district.values()), Decimal(0)) == total
    assert sum(b.count for b in totals.by_district.values()) == totals.awards.count
    assert sum((b.total for b in totals.by_org_type.values()), Decimal(0)) == total
    assert sum((b.total for b in totals.by_financial_year.values()), Decimal(0)) == total
    assert sum(totals.by_theme_apportioned.values(), Decimal(0)) == total
    assert sum(b.count for b in totals.by_theme_touching.values()) >= totals.awards.count
    assert all(b.total <= total for b in totals.by_theme_touching.values())
    # What the funded projects asked for, added up here from the applications themselves.
    funded = {a.application_id for a in records.awards}
    asked = sum((a.amount_requested for a in records.applications if a.id in funded), Decimal(0))
    assert totals.requested_by_awarded == asked
    assert str(totals.requested_by_awarded) == f"{asked:.2f}"
    assert totals.requested_by_awarded >= total  # no award exceeds its request


@given(
    st.lists(
        sst.round_records(max_applications=8, themes=THEMES),
        min_size=1,
        max_size=4,
        unique_by=lambda r: r.round.id,
    )
)
def test_totals_of_a_union_are_the_sums_of_totals(parts):
    scope = Scope(id="union", label="Union", rounds=[p.round for p in parts])
    union = compute_totals(
        scope, [a for p in parts for a in p.applications], [a for p in parts for a in p.awards]
    )
    singles = [compute_totals(p.round, p.applications, p.awards) for p in parts]
    assert union.awards.total == sum((s.awards.total for s in singles), Decimal(0))
    assert union.awards.count == sum(s.awards.count for s in singles)
    for key in set(union.by_theme_apportioned):
        assert union.by_theme_apportioned[key] == sum(
            (s.by_theme_apportioned.get(key, Decimal(0)) for s in singles), Decimal(0)
        )
    for key, bucket in union.by_district.items():
        assert bucket.total == sum(
            (s.by_district[key].total for s in singles if key in s.by_district), Decimal(0)
        )


@given(sst.round_records(themes=THEMES), st.randoms(use_true_random=False))
def test_closure_digest_does_not_depend_on_order(records, rng):
    def shuffled(values):
        values = list(values)
        rng.shuffle(values)
        return values

    mixed = attrs.evolve(
        records,
        applications=shuffled(records.applications),
        decisions=shuffled(records.decisions),
        awards=shuffled(records.awards),
    )
    assert closure_digest(mixed) == closure_digest(records)
    record = close_round(mixed, actor="o", at=AT, pm=PM)
    assert record.digest == close_round(records, actor="o", at=AT, pm=PM).digest


@st.composite
def declared_figure(draw) -> DeclaredFigure:
    """Any figure the model accepts: whole projects; a rounded figure a multiple of its unit."""
    figure = draw(st.sampled_from(["projects", "total_awarded"]))
    value = draw(
        st.decimals(
            min_value=0,
            max_value=10**7,
            places=0 if figure == "projects" else 2,
            allow_nan=False,
            allow_infinity=False,
        )
    )
    precision = draw(st.sampled_from(list(Precision)))
    unit = draw(st.sampled_from([Decimal(1), Decimal(1000), Decimal(1000000)]))
    if precision is Precision.ROUNDED:
        value = value // unit * unit
    return DeclaredFigure(
        figure=figure,
        value=value,
        precision=precision,
        unit=unit,
        published_text=draw(st.text(min_size=1).filter(str.strip)),
    )


figures = declared_figure()


@given(sst.round_records(max_applications=5), st.lists(figures, max_size=6))
def test_reconciliation_never_raises_on_any_declared_figures(records, declared):
    totals = compute_totals(records.round, records.applications, records.awards)
    results = compare_figures(declared, totals)
    assert len(results) == len(declared)
    for result in results:
        assert result.explanation
        assert result.matched or "difference" in result.explanation


def test_closure_records_the_rule_versions_that_assessed_the_round(gr2):
    from sgfund import assess

    pm = PM
    assessed = assess(GR2, gr2.applications, pm=pm, as_of=date(2022, 6, 30))
    assert assessed.rule_versions["amount-within-limits"] == "1"
    assert all(a.rule_versions == assessed.rule_versions for a in assessed)
    record = close_round(attrs.evolve(gr2, assessments=assessed), actor="o", at=AT, pm=pm)
    assert record.rule_versions == assessed.rule_versions
    assert record.findings_summary == {"eligible": len(gr2.applications)}


def test_approving_what_a_rule_failed_names_the_rule(gr2):
    approved = next(d for d in gr2.decisions if d.outcome is Outcome.APPROVED)
    too_much = Finding(
        rule_id="amount-within-limits",
        rule_version="1",
        plugin="sgfund.plugins.rules",
        verdict=Verdict.FAIL,
        reason="£7,000.00 requested is more than the round's maximum grant",
    )
    records = attrs.evolve(
        gr2,
        assessments=[
            Assessment(
                application_id=approved.application_id,
                status=Status.INELIGIBLE,
                findings=[too_much],
            )
        ],
    )
    with pytest.raises(ClosureRefused) as err:
        close_round(records, actor="o", at=AT, pm=PM)
    assert err.value.reasons == (
        f"application {approved.application_id} is approved but was assessed ineligible: "
        "amount-within-limits v1 (plugin sgfund.plugins.rules): £7,000.00 requested is more "
        "than the round's maximum grant",
    )


def test_an_officers_override_reaches_the_award_and_closure_checks_it(gr2):
    from sgfund import Award, ThemeOverride, ThemeSource, assess

    app = gr2.applications[0]
    assessed = assess(GR2, gr2.applications, pm=PM, as_of=date(2022, 6, 30))
    override = ThemeOverride(
        application_id=app.id,
        themes={"rape-sexual-offences"},
        reason="the panel's reading of the project",
        set_by="A. Officer",
        set_on=date(2022, 9, 1),
    )
    records = attrs.evolve(gr2, assessments=assessed, theme_overrides=[override])
    final = records.final_themes()[app.id]
    assert (final.themes, final.source) == ({"rape-sexual-offences"}, ThemeSource.OFFICER)
    others = records.final_themes()[gr2.applications[1].id]
    # Only the built-in declared-themes classifier ran: the declared themes, marked declared.
    assert (others.themes, others.source) == (
        gr2.applications[1].declared_themes,
        ThemeSource.DECLARED,
    )
    # An award made before the override no longer agrees with it: closure says so.
    with pytest.raises(ClosureRefused, match="themes differ from the officer's override"):
        close_round(records, actor="o", at=AT, pm=PM)
    decision = next(d for d in gr2.decisions if d.application_id == app.id)
    award = Award.from_decision(decision, app, themes=final, award_id=f"{app.id}-A")
    fixed = attrs.evolve(
        records, awards=[award if a.application_id == app.id else a for a in gr2.awards]
    )
    record = close_round(fixed, actor="o", at=AT, pm=PM)
    assert record.totals.by_theme_touching["rape-sexual-offences"].count >= 1


def _whole_body_digest(records):
    # The canonical form written out whole: the digest is hashed record by record and must
    # give the same bytes (ledgers already hold digests made this way).
    import hashlib
    import json

    from sgfund import unstructure

    def listed(values, key):
        return sorted((unstructure(v) for v in values), key=lambda d: d[key])

    body = {
        "round": unstructure(records.round),
        "applications": listed(records.applications, "id"),
        "decisions": listed(records.decisions, "application_id"),
        "awards": listed(records.awards, "id"),
        "resolutions": listed(records.resolutions, "application_id"),
        "theme_overrides": listed(records.theme_overrides, "application_id"),
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@given(sst.round_records(themes=THEMES), st.randoms(use_true_random=False))
def test_closure_digest_is_the_whole_canonical_json_hashed(records, rng):
    assert closure_digest(records) == _whole_body_digest(records)
    mixed = attrs.evolve(
        records,
        applications=rng.sample(list(records.applications), len(records.applications)),
        decisions=rng.sample(list(records.decisions), len(records.decisions)),
    )
    assert closure_digest(mixed) == _whole_body_digest(records)
    empty = attrs.evolve(records, applications=(), decisions=(), awards=(), resolutions=())
    assert closure_digest(empty) == _whole_body_digest(empty)
