"""Every precision of a published figure, at and either side of its boundary.

"£534,286" is rounded to the pound, "£4.3 million" to £0.1m, "£14m" to £1m, "over £530,000"
is a lower bound, "up to £600,000" an upper one, "100 projects" a count. A figure that is a
penny off where it should match (or matches where it should not) is a wrong total published.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sgfund_westyorkshire import DATA_PLUGINS, SAFEGUARDING_THEMES

from sgfund import make_plugin_manager
from sgfund.examples_scf import GR2, sample_records
from sgfund.reconcile import (
    FigureResult,
    Reconciliation,
    compare_figure,
    figure_result_dict,
    reconcile,
    report_dict,
    report_json,
    report_text,
)
from sgfund.scope import DeclaredFigure, Scope
from sgfund.testing.builders import round
from sgfund.totals import Bucket, Totals, compute_totals

D = Decimal


def totals(total: str = "0.00", count: int = 0) -> Totals:
    return Totals(scope_id="s", round_ids=("s",), awards=Bucket(count, D(total)))


def money(value: str, precision: str, text: str, unit: str | None = None, **kw) -> DeclaredFigure:
    return DeclaredFigure(
        figure="total_awarded",
        value=value,
        precision=precision,
        published_text=text,
        unit=unit,
        **kw,
    )


WHOLE_POUND = money("534286", "rounded", "£534,286", unit="1")
TENTH_MILLION = money("4300000", "rounded", "£4.3 million", unit="100000")
MILLION = money("14000000", "rounded", "£14m", unit="1000000")
OVER = money("530000", "lower_bound", "over £530,000")
AT_LEAST = money("530000", "lower_bound", "at least £530,000", lower_bound_inclusive=True)
UP_TO = money("600000", "upper_bound", "up to £600,000")
EXACT = money("326032.84", "exact", "£326,032.84")


@pytest.mark.parametrize(
    ("figure", "computed", "matched"),
    [
        (EXACT, "326032.84", True),
        (EXACT, "326032.83", False),
        (EXACT, "326032.85", False),
        (WHOLE_POUND, "534285.49", False),
        (WHOLE_POUND, "534285.50", True),
        (WHOLE_POUND, "534286.00", True),
        (WHOLE_POUND, "534286.49", True),
        (WHOLE_POUND, "534286.50", False),
        (TENTH_MILLION, "4249999.99", False),
        (TENTH_MILLION, "4250000.00", True),
        (TENTH_MILLION, "4349999.99", True),
        (TENTH_MILLION, "4350000.00", False),
        (MILLION, "13499999.99", False),
        (MILLION, "13500000.00", True),
        (MILLION, "14499999.99", True),
        (MILLION, "14500000.00", False),
        (OVER, "530000.00", False),
        (OVER, "530000.01", True),
        (AT_LEAST, "529999.99", False),
        (AT_LEAST, "530000.00", True),
        (UP_TO, "600000.00", True),
        (UP_TO, "600000.01", False),
        (UP_TO, "0.00", True),
    ],
)
def test_money_figures_at_their_boundaries(figure, computed, matched):
    result = compare_figure(figure, totals(computed, 1))
    assert result.matched is matched
    assert result.computed == D(computed)
    assert result.difference == D(computed) - figure.value
    assert (" matches " in result.explanation) is matched
    assert ("difference" in result.explanation) is not matched


@pytest.mark.parametrize(
    ("count", "precision", "matched"),
    [
        (100, "exact", True),
        (99, "exact", False),
        (101, "exact", False),
        (100, "lower_bound", False),
        (101, "lower_bound", True),
        (100, "upper_bound", True),
        (101, "upper_bound", False),
    ],
)
def test_project_counts(count, precision, matched):
    figure = DeclaredFigure(
        figure="projects", value=100, precision=precision, published_text="100 projects"
    )
    result = compare_figure(figure, totals("534286.00", count))
    assert result.matched is matched
    assert result.computed == count
    assert result.difference == count - 100


def test_explanations_say_the_figure_the_rule_and_the_difference():
    result = compare_figure(WHOLE_POUND, totals("534285.50", 100))
    assert result.explanation == (
        "computed £534,285.50 matches '£534,286' rounded to £1 "
        "(the computed figure rounds to £534,286)"
    )
    result = compare_figure(WHOLE_POUND, totals("534285.49", 100))
    assert result.explanation == (
        "computed £534,285.49 does not match '£534,286' rounded to £1 "
        "(the computed figure rounds to £534,285); difference -£0.51"
    )
    result = compare_figure(TENTH_MILLION, totals("4361000.00", 1))
    assert result.explanation == (
        "computed £4,361,000.00 does not match '£4.3 million' rounded to £100,000 "
        "(the computed figure rounds to £4,400,000); difference +£61,000.00"
    )
    pence = money("10.10", "rounded", "£10.1", unit="0.10")
    assert compare_figure(pence, totals("10.05", 1)).explanation == (
        "computed £10.05 matches '£10.1' rounded to £0.10 (the computed figure rounds to £10.10)"
    )
    result = compare_figure(OVER, totals("530000.00", 1))
    assert result.explanation == (
        "computed £530,000.00 does not match 'over £530,000' as a lower bound; difference £0.00"
    )
    result = compare_figure(UP_TO, totals("600000.01", 1))
    assert result.explanation.endswith("as an upper bound; difference +£0.01")
    projects = DeclaredFigure(
        figure="projects", value=100, precision="exact", published_text="100 projects"
    )
    result = compare_figure(projects, totals("1.00", 101))
    assert result.explanation == (
        "computed 101 does not match '100 projects' exactly; difference +1"
    )


def test_a_round_with_no_awards_reports_in_words():
    rnd = round()
    pm = make_plugin_manager(entry_points=False)
    scope = Scope(id=rnd.id, label=rnd.name, rounds=(rnd,))
    empty = Totals(scope_id=rnd.id, round_ids=(rnd.id,), advertised_pot=rnd.advertised_pot)
    rec = reconcile(scope, empty, pm=pm)
    text = report_text(rec)
    assert "Projects funded                             0" in text
    assert "Total awarded                           £0.00" in text
    assert "Advertised pot                    £100,000.00" in text
    assert "  (none declared)" in text
    assert "[advertised-pot] awarded £0.00 of an advertised pot of £100,000.00" in text
    # Without a pot there is nothing for a check to say, and the report says so.
    bare = reconcile(scope, Totals(scope_id=rnd.id, round_ids=(rnd.id,)), pm=pm)
    assert "\nChecks\n  no discrepancies\n" in report_text(bare)
    assert text.endswith("Result: reconciled\n")
    assert report_dict(rec)["totals"]["awards"] == {"count": 0, "total": "0.00"}


# --- the committee paper's text and the JSON report, for GR2 ---------------------------------

GOLDEN = Path(__file__).resolve().parent / "data" / "reconciliation-gr2.txt"


@pytest.fixture(scope="module")
def gr2_reconciliation():
    records = sample_records(GR2)
    figures = [
        money("326032.84", "exact", "£326,032.84", source="press release"),
        DeclaredFigure(
            figure="projects", value=62, precision="exact", published_text="62 projects"
        ),
    ]
    scope = Scope(id=GR2.id, label=GR2.name, rounds=(GR2,), declared=figures)
    pm = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
    return reconcile(scope, compute_totals(GR2, records.applications, records.awards), pm=pm)


def test_the_gr2_report_text_is_what_the_committee_reads(gr2_reconciliation):
    # Themes in the vocabulary's order, columns aligned, one discrepancy, one warning.
    labels = {theme.slug: theme.label for theme in SAFEGUARDING_THEMES.themes}
    text = report_text(gr2_reconciliation, theme_labels=labels)
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_the_gr2_report_json_has_stable_keys_and_says_which_check_spoke(gr2_reconciliation):
    rec = gr2_reconciliation
    text = report_json(rec)
    assert text.startswith('{\n  "check_versions": {\n')
    assert "£326,032.84" in text  # not escaped
    data = json.loads(text)
    assert data == json.loads(json.dumps(report_dict(rec)))
    assert data["ok"] is False
    assert data["totals"]["awards"] == {"count": 61, "total": "326032.84"}
    assert data["totals"]["advertised_pot"] == "270000.00"
    assert data["figures"][0]["unit"] is None
    assert data["figures"][0]["source"] == "press release"
    assert [d["check_id"] for d in data["discrepancies"]] == ["declared-figures", "advertised-pot"]
    [error] = rec.errors
    assert rec.source_of(error) == "declared-figures v1 (plugin sgfund.plugins.reconciliation)"
    rounded = compare_figure(WHOLE_POUND, rec.totals)
    assert figure_result_dict(rounded)["unit"] == "1"


def test_figure_results_and_reconciliations_are_keyword_only():
    # Positional fields could put a computed figure where the declared one belongs.
    with pytest.raises(TypeError):
        FigureResult(EXACT, D(1), True, D(0), "x")
    with pytest.raises(TypeError):
        Reconciliation("s", "S", totals())
