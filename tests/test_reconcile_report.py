"""The reconciliation report, the built-in checks and plugin checks at closure."""

import json
import re
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
    assert "matches '£534,286' rounded to £1 (the computed figure rounds to £534,286)" in text
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
    # Users diff and store the emitted text, so the order of keys in the text is what matters.
    scope, totals = scope_2022
    text = report_json(reconcile(scope, totals, pm=PM))
    assert re.findall(r'^  "(\w+)":', text, re.MULTILINE) == [
        "check_versions",
        "discrepancies",
        "figures",
        "ok",
        "scope",
        "totals",
    ]
    assert text.startswith(
        "{\n"
        '  "check_versions": {\n'
        '    "advertised-pot": "1",\n'
        '    "breakdowns": "1",\n'
        '    "declared-figures": "1"\n'
        "  },\n"
        '  "discrepancies": [\n'
        "    {\n"
        '      "actual": "534286.00",\n'
        '      "check_id": "advertised-pot",\n'
        '      "difference": "84286.00",\n'
        '      "expected": "<= 450000.00",\n'
        '      "message": "awarded £534,286.00 against an advertised pot of £450,000.00: '
        '£84,286.00 over",\n'
        '      "severity": "warning"\n'
        "    }\n"
        "  ],\n"
    )
    assert (
        '  "ok": true,\n'
        '  "scope": {\n'
        '    "id": "mayor-scf-2022",\n'
        '    "label": "Mayor\'s Safer Communities Fund 2022",\n'
        '    "rounds": [\n'
        '      "mayor-gr1",\n'
        '      "mayor-gr2"\n'
        "    ]\n"
        "  },\n"
    ) in text
    # Every object in the text, however deep, lists its keys in sorted order.
    unsorted: list[list[str]] = []

    def keys_in_text_order(pairs):
        keys = [k for k, _ in pairs]
        if keys != sorted(keys):
            unsorted.append(keys)
        return dict(pairs)

    data = json.loads(text, object_pairs_hook=keys_in_text_order)
    assert unsorted == []
    assert data["totals"]["awards"] == {"count": 100, "total": "534286.00"}
    assert [f["matched"] for f in data["figures"]] == [True, True, True]
    assert sum(Decimal(v) for v in data["totals"]["by_theme_apportioned"].values()) == Decimal(
        "534286.00"
    )
    # The same records given in another order give the same text, byte for byte.
    records = [sample_records(GR2), sample_records(GR1)]
    reordered = compute_totals(
        scope,
        [a for r in records for a in reversed(r.applications)],
        [a for r in records for a in reversed(r.awards)],
    )
    assert report_json(reconcile(scope, reordered, pm=PM)) == text


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
