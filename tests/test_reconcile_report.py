"""The reconciliation report, the built-in checks and plugin checks at closure."""

import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import (
    ClosureRefused,
    Discrepancy,
    ReconciliationCheck,
    hookimpl,
    london,
    round_vocabularies,
)
from sgfund.closure import close_round
from sgfund.examples_scf import GR1, GR2, sample_records
from sgfund.io.declared import read_declared_figures
from sgfund.manager import make_plugin_manager
from sgfund.reconcile import reconcile, report_dict, report_json, report_text
from sgfund.scope import Scope
from sgfund.totals import Bucket, compute_totals

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"
AT = london(2022, 11, 1, 10)
# The built-in plugins and the vocabulary the example rounds name; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)


@pytest.fixture(scope="module")
def scope_2022():
    declared = read_declared_figures(DATA / "declared-figures.csv").by_scope
    records = [sample_records(GR1), sample_records(GR2)]
    scope = Scope(
        id="mayor-scf-2022",
        label="Mayor's Safer Communities Fund 2022",
        rounds=(GR1, GR2),
        declared=declared["mayor-gr1+mayor-gr2"],
    )
    totals = compute_totals(
        scope, [a for r in records for a in r.applications], [a for r in records for a in r.awards]
    )
    return scope, totals


def test_text_report_for_committee_papers(scope_2022):
    scope, totals = scope_2022
    rec = reconcile(scope, totals, pm=PM)
    text = report_text(rec, theme_labels=round_vocabularies(PM, GR2).labels)
    assert "Reconciliation: Mayor's Safer Communities Fund 2022 (mayor-gr1, mayor-gr2)" in text
    assert "£534,286.00" in text
    assert "matched      computed 100 matches '100 projects' exactly" in text
    assert "matches '£534,286' rounded to £1 (£534,286)" in text
    assert "Domestic Abuse" in text
    assert "Unincorporated community group" in text
    # GR1 + GR2 awarded more than the £450,000 advertised: a warning, not an error.
    assert (
        "WARNING  [advertised-pot] awarded £534,286.00 against an advertised pot of £450,000.00"
        in text
    )
    assert text.rstrip().endswith("Result: reconciled")
    assert rec.ok


def test_json_report_has_stable_keys(scope_2022):
    scope, totals = scope_2022
    data = json.loads(report_json(reconcile(scope, totals, pm=PM)))
    assert sorted(data) == ["check_versions", "discrepancies", "figures", "ok", "scope", "totals"]
    assert data["totals"]["awards"] == {"count": 100, "total": "534286.00"}
    assert data["check_versions"] == {
        "advertised-pot": "1",
        "breakdowns": "1",
        "declared-figures": "1",
    }
    assert [f["matched"] for f in data["figures"]] == [True, True, True]
    assert sum(Decimal(v) for v in data["totals"]["by_theme_apportioned"].values()) == Decimal(
        "534286.00"
    )
    assert report_json(reconcile(scope, totals, pm=PM)) == report_json(
        reconcile(scope, totals, pm=PM)
    )


def test_breakdowns_check_catches_totals_that_do_not_add_up(scope_2022):
    scope, totals = scope_2022
    broken = attrs.evolve(
        totals, by_district={**totals.by_district, "Leeds": Bucket(1, Decimal("1.00"))}
    )
    rec = reconcile(scope, broken, pm=PM)
    assert not rec.ok
    messages = [d.message for d in rec.errors]
    assert any(m.startswith("the per-district amounts add up to") for m in messages)
    assert any(m.startswith("the per-district counts add up to") for m in messages)


def test_a_plugin_check_can_block_closure_and_an_officer_can_override():
    class NoGrantsOver5900:
        @hookimpl
        def sgfund_reconciliation_checks(self, scope):
            def check(scope, totals):
                if totals.awards.total > 0:
                    yield Discrepancy(
                        check_id="local-policy", severity="error", message="panel must re-sign"
                    )

            yield ReconciliationCheck(
                id="local-policy", version="3", description="Local sign-off policy.", check=check
            )

    pm = make_plugin_manager(plugins=[NoGrantsOver5900()], entry_points=False)
    records = sample_records(GR2)
    with pytest.raises(ClosureRefused) as err:
        close_round(records, actor="officer", at=AT, pm=pm)
    assert err.value.reasons == (
        "reconciliation [local-policy v3 (plugin NoGrantsOver5900)]: panel must re-sign",
    )
    record = close_round(
        records, actor="officer", at=AT, pm=pm, override_reason="Re-signed on 2 Nov"
    )
    assert record.override_reason == "Re-signed on 2 Nov"
    assert record.check_versions["local-policy"] == "3"
    assert "ERROR    [local-policy] panel must re-sign" in report_text(record.reconciliation())


def test_report_dict_of_a_closure_record_matches_its_totals():
    record = close_round(sample_records(GR2), actor="officer", at=AT, pm=PM)
    data = report_dict(record.reconciliation("GR2"))
    assert data["totals"]["awards"] == {"count": 61, "total": "326032.84"}
    assert data["scope"] == {"id": "mayor-gr2", "label": "GR2", "rounds": ["mayor-gr2"]}
