import pytest

from sgfund import (
    Discrepancy,
    ReconciliationCheck,
    RuleError,
    Severity,
    hookimpl,
    make_plugin_manager,
)
from sgfund.checks import run_reconciliation_checks
from sgfund.examples_scf import GR1, GR2
from sgfund.scope import Scope
from sgfund.totals import Bucket, Totals

SCOPE = Scope(id="mayor-2022", label="GR1 and GR2", rounds=(GR1, GR2))
TOTALS = Totals(scope_id=SCOPE.id, round_ids=("mayor-gr1", "mayor-gr2"), awards=Bucket(3))


def check(check_id, fn):
    return ReconciliationCheck(id=check_id, version="1", description="A check.", check=fn)


class Checks:
    @hookimpl
    def sgfund_reconciliation_checks(self, scope):
        def few(scope, totals):
            if totals.awards.count < 100:
                yield Discrepancy(
                    check_id="few",
                    severity=Severity.WARNING,
                    message="fewer projects than published",
                    expected="100",
                    actual=str(totals.awards.count),
                )

        def bad(scope, totals):
            yield Discrepancy(check_id="bad", severity="error", message="always wrong")

        return [check("few", few), check("bad", bad), check("fine", lambda s, t: [])]


def test_every_check_runs_and_errors_come_first():
    pm = make_plugin_manager(plugins=[Checks()], defaults=False, entry_points=False)
    found = run_reconciliation_checks(pm, SCOPE, TOTALS)
    assert [(d.check_id, d.severity) for d in found] == [
        ("bad", Severity.ERROR),
        ("few", Severity.WARNING),
    ]
    assert (found[1].expected, found[1].actual) == ("100", "3")


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda s, t: 1 / 0, "ZeroDivisionError"),
        (lambda s, t: ["oops"], "expected a Discrepancy"),
        (
            lambda s, t: [Discrepancy(check_id="other", severity="info", message="x")],
            "another check's id",
        ),
    ],
)
def test_a_broken_check_names_its_plugin_and_check(fn, message):
    class Broken:
        @hookimpl
        def sgfund_reconciliation_checks(self, scope):
            return [check("broken", fn)]

    pm = make_plugin_manager(plugins=[Broken()], defaults=False, entry_points=False)
    with pytest.raises(RuleError, match=message) as info:
        run_reconciliation_checks(pm, SCOPE, TOTALS)
    assert (info.value.plugin, info.value.rule_id) == ("Broken", "broken")
