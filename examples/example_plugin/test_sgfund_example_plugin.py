from datetime import date

import sgfund_example_plugin
from sgfund_example_plugin import SUMMARY_LENGTH

from sgfund import Status, assess
from sgfund.testing.builders import application


def test_the_rule_keeps_the_contract(sgfund_rule_contract, sgfund_round):
    sgfund_rule_contract(SUMMARY_LENGTH, sgfund_round, max_examples=20)


def test_a_short_summary_is_referred(sgfund_bare_pm, sgfund_round):
    sgfund_bare_pm.register(sgfund_example_plugin, name="example")
    short = application(sgfund_round, id="A-1", summary="Too short.")
    result = assess(sgfund_round, [short], pm=sgfund_bare_pm, as_of=date(2022, 7, 1))
    assert result["A-1"].status is Status.REFER
    assert result["A-1"].findings[0].rule_id == "summary-length"


def test_it_is_installed(sgfund_installed_pm):
    assert sgfund_installed_pm.has_plugin("example")
