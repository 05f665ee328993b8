"""Every reason closure refuses a round, one test each, and all of them listed at once.

Each test breaks the sample GR2 records in exactly one way and checks the officer sees that
one reason, in words, and no other: deleting a reason from `sgfund.closure` fails its test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import (
    Assessment,
    ClosureRefused,
    Finding,
    RoundClosedError,
    RoundState,
    Status,
    ThemeOverride,
    Verdict,
    london,
    make_plugin_manager,
)
from sgfund.closure import ClosureRecord, RoundRecords, close_round, closure_problems
from sgfund.decisions import Decision, Outcome
from sgfund.examples_scf import GR2, sample_records
from sgfund.review import Resolution
from sgfund.scope import DeclaredFigure

AT = london(2022, 11, 1, 10)
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
GR2_RECORDS = sample_records(GR2)
# The first approved application (with its one award) and the first rejected one.
APPROVED = next(d for d in GR2_RECORDS.decisions if d.outcome is Outcome.APPROVED)
AWARD = next(a for a in GR2_RECORDS.awards if a.application_id == APPROVED.application_id)
REJECTED = next(d for d in GR2_RECORDS.decisions if d.outcome is Outcome.REJECTED)
A, R = APPROVED.application_id, REJECTED.application_id

FAIL = Finding(
    rule_id="amount-within-limits",
    rule_version="1",
    plugin="sgfund.plugins.rules",
    verdict=Verdict.FAIL,
    reason="£7,000.00 requested is more than the round's maximum grant",
)
REFER = attrs.evolve(FAIL, rule_id="submitted-in-window", verdict=Verdict.REFER, reason="late")


def refused(records, **kwargs) -> tuple[str, ...]:
    with pytest.raises(ClosureRefused) as caught:
        close_round(records, actor="Finance officer", at=AT, pm=PM, **kwargs)
    assert caught.value.round_id == GR2.id
    return caught.value.reasons


def changed(**replacements):
    return attrs.evolve(GR2_RECORDS, **replacements)


def decisions_with(app_id: str, **changes) -> list[Decision]:
    return [
        attrs.evolve(d, **changes) if d.application_id == app_id else d
        for d in GR2_RECORDS.decisions
    ]


def awards_with(award_id: str, **changes):
    return [attrs.evolve(a, **changes) if a.id == award_id else a for a in GR2_RECORDS.awards]


def resolution(app_id: str, *, eligible: bool) -> Resolution:
    return Resolution(
        application_id=app_id,
        eligible=eligible,
        reason="Checked the accounts",
        resolved_by="officer",
        resolved_on=date(2022, 9, 1),
    )


def test_the_sample_round_closes_as_it_is():
    assert closure_problems(GR2_RECORDS) == []
    assert close_round(GR2_RECORDS, actor="o", at=AT, pm=PM).totals.awards.count == 61


@pytest.mark.parametrize("state", [RoundState.OPEN, RoundState.ASSESSED, "closed"])
def test_a_round_not_yet_decided(state):
    assert refused(GR2_RECORDS, state=state) == (f"the round is {RoundState(state)}, not decided",)
    assert closure_problems(GR2_RECORDS, state=RoundState.DECIDED) == []


def test_an_application_of_another_round():
    apps = [
        attrs.evolve(a, round_id="mayor-gr1") if a.id == R else a for a in GR2_RECORDS.applications
    ]
    assert refused(changed(applications=apps)) == (f"application {R} belongs to round mayor-gr1",)


def test_an_awarded_application_of_another_round_is_refused_not_a_crash():
    apps = [
        attrs.evolve(a, round_id="mayor-gr1") if a.id == A else a for a in GR2_RECORDS.applications
    ]
    reasons = refused(changed(applications=apps))
    assert reasons[0] == f"application {A} belongs to round mayor-gr1"
    assert AWARD.id in reasons[-1]


def test_an_award_of_another_round():
    reasons = refused(changed(awards=awards_with(AWARD.id, round_id="mayor-gr1")))
    assert reasons == (f"award {AWARD.id} belongs to round mayor-gr1",)


def test_two_decisions_for_one_application():
    second = attrs.evolve(REJECTED, decided_on=date(2022, 10, 7))
    reasons = refused(changed(decisions=[*GR2_RECORDS.decisions, second]))
    assert reasons == (f"application {R} has more than one decision",)


def test_a_decision_for_an_unknown_application():
    ghost = attrs.evolve(REJECTED, application_id="GR2-999")
    reasons = refused(changed(decisions=[*GR2_RECORDS.decisions, ghost]))
    assert reasons == ("decision for unknown application GR2-999",)


def test_an_award_for_an_unknown_application_is_refused_not_a_crash():
    ghost = attrs.evolve(AWARD, id="GR2-999-A", application_id="GR2-999")
    reasons = refused(changed(awards=[*GR2_RECORDS.awards, ghost]))
    assert reasons[0] == "award for unknown application GR2-999"
    assert "GR2-999-A" in reasons[-1]


def test_an_application_without_a_decision():
    decisions = [d for d in GR2_RECORDS.decisions if d.application_id != R]
    assert refused(changed(decisions=decisions)) == (f"application {R} has no decision",)


def test_a_deferred_application():
    reasons = refused(changed(decisions=decisions_with(R, outcome=Outcome.DEFERRED)))
    assert reasons == (f"application {R} is deferred: decide it before closing",)


def test_an_unresolved_referral():
    referred = Assessment(application_id=R, status=Status.REFER, findings=[REFER])
    reasons = refused(changed(assessments=[referred]))
    assert reasons == (
        f"application {R} was referred and the referral is unresolved: "
        "submitted-in-window v1 (plugin sgfund.plugins.rules): late",
    )
    # Resolved either way, a rejected application is no reason to refuse.
    for eligible in (True, False):
        fixed = changed(assessments=[referred], resolutions=[resolution(R, eligible=eligible)])
        assert closure_problems(fixed) == []


def test_an_approved_application_assessed_ineligible():
    failed = Assessment(application_id=A, status=Status.INELIGIBLE, findings=[FAIL])
    assert refused(changed(assessments=[failed])) == (
        f"application {A} is approved but was assessed ineligible: "
        "amount-within-limits v1 (plugin sgfund.plugins.rules): "
        "£7,000.00 requested is more than the round's maximum grant",
    )
    # A rejected application assessed ineligible is as it should be.
    assert closure_problems(changed(assessments=[attrs.evolve(failed, application_id=R)])) == []
    # An officer who resolves it as eligible lifts the refusal.
    lifted = changed(assessments=[failed], resolutions=[resolution(A, eligible=True)])
    assert closure_problems(lifted) == []


def test_an_approved_application_resolved_as_ineligible():
    referred = Assessment(application_id=A, status=Status.REFER, findings=[REFER])
    records = changed(assessments=[referred], resolutions=[resolution(A, eligible=False)])
    assert refused(records) == (
        f"application {A} is approved but was assessed ineligible: resolved: Checked the accounts",
    )


def test_an_approved_application_without_an_award():
    awards = [a for a in GR2_RECORDS.awards if a.id != AWARD.id]
    reasons = refused(changed(awards=awards))
    assert reasons[0] == f"application {A} is approved but has 0 awards, not 1"
    # The missing money also fails the round's published figures, which say so.
    assert all(r.startswith("reconciliation [") for r in reasons[1:])


def test_an_approved_application_with_two_awards():
    twice = attrs.evolve(AWARD, id=f"{AWARD.id}-2")
    reasons = refused(changed(awards=[*GR2_RECORDS.awards, twice]))
    assert reasons[0] == f"application {A} is approved but has 2 awards, not 1"


def test_an_award_without_an_approved_decision():
    stray = attrs.evolve(AWARD, id=f"{R}-A", application_id=R)
    reasons = refused(changed(awards=[*GR2_RECORDS.awards, stray]))
    assert reasons[0] == f"application {R} has an award but no approved decision"
    # and an award for an application with no decision at all
    decisions = [d for d in GR2_RECORDS.decisions if d.application_id != R]
    reasons = refused(changed(awards=[*GR2_RECORDS.awards, stray], decisions=decisions))
    assert reasons[:2] == (
        f"application {R} has no decision",
        f"application {R} has an award but no approved decision",
    )


def test_an_award_of_another_amount_than_its_decision():
    less = AWARD.amount - Decimal("0.01")
    reasons = refused(changed(awards=awards_with(AWARD.id, amount=less)))
    assert reasons[0] == (
        f"award {AWARD.id} is {_pounds(less)} but the decision on {A} awarded "
        f"{_pounds(APPROVED.amount_awarded)}"
    )


def test_an_award_above_the_maximum_grant_without_a_justification():
    decisions = decisions_with(A, amount_awarded=Decimal("6000.01"))
    awards = awards_with(AWARD.id, amount=Decimal("6000.01"))
    reasons = refused(changed(decisions=decisions, awards=awards))
    assert (
        f"application {A}: award £6,000.01 is above the round's maximum grant £6,000.00"
        in (reasons[0])
    )
    justified = decisions_with(A, amount_awarded=Decimal("6000.01"), justification="Interpreters")
    assert closure_problems(changed(decisions=justified, awards=awards)) == []


def test_an_award_above_the_amount_requested_without_a_justification():
    # An approved application that asked for less than the maximum grant.
    app = next(
        a
        for a in GR2_RECORDS.applications
        if a.amount_requested < GR2.max_grant
        and any(d.application_id == a.id and d.amount_awarded for d in GR2_RECORDS.decisions)
    )
    award = next(a for a in GR2_RECORDS.awards if a.application_id == app.id)
    more = app.amount_requested + Decimal("0.01")
    records = changed(
        decisions=decisions_with(app.id, amount_awarded=more),
        awards=awards_with(award.id, amount=more),
    )
    assert refused(records)[0] == (
        f"application {app.id}: award {_pounds(more)} is above the "
        f"{_pounds(app.amount_requested)} requested and needs a recorded justification"
    )


def test_award_themes_that_differ_from_the_officers_override():
    other = {"rape-sexual-offences"} if AWARD.themes != {"rape-sexual-offences"} else {"hate-crime"}
    override = ThemeOverride(
        application_id=A,
        themes=other,
        reason="the panel's reading",
        set_by="A. Officer",
        set_on=date(2022, 9, 1),
    )
    reasons = refused(changed(theme_overrides=[override]))
    assert reasons == (f"award {AWARD.id} themes differ from the officer's override on {A}",)
    agreeing = attrs.evolve(override, themes=AWARD.themes)
    assert closure_problems(changed(theme_overrides=[agreeing])) == []


def test_reconciliation_errors_refuse_unless_an_officer_overrides():
    wrong = DeclaredFigure(
        figure="total_awarded",
        value=Decimal("326032.85"),
        precision="exact",
        published_text="£326,032.85",
    )
    [reason] = refused(GR2_RECORDS, declared=[wrong])
    assert reason.startswith("reconciliation [declared-figures v1 (plugin ")
    assert "'£326,032.85'" in reason
    record = close_round(
        GR2_RECORDS, actor="o", at=AT, pm=PM, declared=[wrong], override_reason="typo in the press"
    )
    assert record.override_reason == "typo in the press"
    # An override given when nothing needed overriding is not recorded.
    record = close_round(GR2_RECORDS, actor="o", at=AT, pm=PM, override_reason="just in case")
    assert record.override_reason is None


def test_an_override_reason_does_not_lift_other_refusals():
    decisions = [d for d in GR2_RECORDS.decisions if d.application_id != R]
    reasons = refused(changed(decisions=decisions), override_reason="we are sure")
    assert reasons == (f"application {R} has no decision",)


def test_every_reason_is_listed_at_once():
    second_rejected = next(
        d.application_id
        for d in GR2_RECORDS.decisions
        if d.outcome is Outcome.REJECTED and d.application_id != R
    )
    decisions = [
        attrs.evolve(d, outcome=Outcome.DEFERRED) if d.application_id == second_rejected else d
        for d in GR2_RECORDS.decisions
        if d.application_id != R
    ]
    less = AWARD.amount - Decimal("1.00")
    records = changed(
        decisions=[*decisions, attrs.evolve(APPROVED, decided_on=date(2022, 10, 7))],
        awards=awards_with(AWARD.id, amount=less),
    )
    reasons = refused(records, state=RoundState.ASSESSED)
    assert reasons[0] == "the round is assessed, not decided"
    assert set(reasons) == {
        "the round is assessed, not decided",
        f"application {A} has more than one decision",
        f"award {AWARD.id} is {_pounds(less)} but the decision on {A} awarded "
        f"{_pounds(APPROVED.amount_awarded)}",
        f"application {R} has no decision",
        f"application {second_rejected} is deferred: decide it before closing",
        *(r for r in reasons if r.startswith("reconciliation [")),
    }
    assert len(set(reasons)) == len(reasons)


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def test_a_closed_round_cannot_be_closed_again():
    record = close_round(GR2_RECORDS, actor="Finance officer", at=AT, pm=PM)
    with pytest.raises(RoundClosedError) as caught:
        close_round(GR2_RECORDS, actor="Someone else", at=AT, pm=PM, closed=record)
    assert "Finance officer" in str(caught.value)
    assert "closed at 1 November 2022 10:00 GMT by" in str(caught.value)


def test_the_record_counts_assessments_by_status_and_names_its_round():
    referred = Assessment(application_id=R, status=Status.REFER, findings=[REFER])
    eligible = [
        Assessment(application_id=a.id, status=Status.ELIGIBLE, findings=[])
        for a in GR2_RECORDS.applications[:3]
        if a.id != R
    ]
    records = changed(
        assessments=[referred, *eligible], resolutions=[resolution(R, eligible=False)]
    )
    record = close_round(records, actor="o", at=AT, pm=PM)
    assert record.findings_summary == {"eligible": len(eligible), "refer": 1}
    assert record.reconciliation().label == GR2.id
    assert record.reconciliation("Grant Round 2").label == "Grant Round 2"


def test_records_and_closure_records_are_keyword_only():
    # Positional fields could put decisions where awards belong.
    with pytest.raises(TypeError):
        RoundRecords(GR2, GR2_RECORDS.applications)
    record = close_round(GR2_RECORDS, actor="o", at=AT, pm=PM)
    with pytest.raises(TypeError):
        ClosureRecord(GR2.id, AT, "o", record.digest, record.totals)
