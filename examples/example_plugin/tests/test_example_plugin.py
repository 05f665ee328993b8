from datetime import date

import sgfund_example_plugin
from sgfund_example_plugin import PRIORITIES, PRIORITY_WORDS, SUMMARY_LENGTH

from sgfund import Award, Decision, Status, assess, final_themes
from sgfund.testing.builders import application, round
from sgfund.testing.contract import check_classifier_contract

PLAN_ROUND = round(theme_vocabularies=(PRIORITIES.id,))
SUMMARY = "Volunteers walk the streets of the estate with victims of crime, every week, all year."


def test_the_rule_keeps_the_contract(sgfund_rule_contract):
    sgfund_rule_contract(SUMMARY_LENGTH, PLAN_ROUND, max_examples=20)


def test_the_classifier_keeps_the_contract():
    check_classifier_contract(PRIORITY_WORDS, vocabularies=[PRIORITIES], max_examples=20)


def test_a_short_summary_is_referred(sgfund_bare_pm):
    sgfund_bare_pm.register(sgfund_example_plugin, name="example")
    short = application(PLAN_ROUND, id="A-1", summary="Too short.")
    result = assess(PLAN_ROUND, [short], pm=sgfund_bare_pm, as_of=date(2022, 7, 1))
    assert result["A-1"].status is Status.REFER
    assert result["A-1"].findings[0].rule_id == "summary-length"


def test_the_priorities_reach_the_award(sgfund_pm):
    sgfund_pm.register(sgfund_example_plugin, name="example")
    app = application(PLAN_ROUND, id="A-1", summary=SUMMARY)
    assessed = assess(PLAN_ROUND, [app], pm=sgfund_pm, as_of=date(2022, 7, 1))
    themes = final_themes(app, assessed["A-1"].themes)
    decision = Decision(
        application_id="A-1",
        outcome="approved",
        decided_on=date(2022, 9, 1),
        decided_by="Panel",
        amount_awarded=app.amount_requested,
    )
    award = Award.from_decision(decision, app, themes=themes)
    assert award.themes == {"safer-places", "victims-witnesses"}


def test_it_is_installed(sgfund_installed_pm):
    assert sgfund_installed_pm.has_plugin("example")
