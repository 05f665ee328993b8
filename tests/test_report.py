"""The committee report: exact figures from the reconciliation, every declared figure, charts
that say what their tables say, escaping, and a page that loads nothing from outside.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgfund import DeclaredFigure, MissingExtraError, format_money
from sgfund.errors import ReconciliationError
from sgfund.report import build_report_data, headline, render_html, render_markdown, write_report
from sgfund.report.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, bar_chart
from sgfund.report.labels import District, ReportLabels

_spec = importlib.util.spec_from_file_location(
    "report_fixtures", Path(__file__).with_name("report_fixtures.py")
)
assert _spec and _spec.loader
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

NS = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)> | *Trust*'


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "sgfund.db"
    fx.fill_ledger(path)
    return path


@pytest.fixture(scope="module")
def data(ledger_path):
    return fx.report_data(ledger_path)


@pytest.fixture(scope="module")
def page(data):
    return render_html(data)


@pytest.fixture(scope="module")
def tree(page):
    # Strict: any parse error (a stray tag, a bad nesting) fails the test.
    return html5lib.HTMLParser(strict=True).parse(page)


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def table(tree, table_id):
    found = [t for t in tree.iter(f"{NS}table") if t.get("id") == table_id]
    assert found, f"no table {table_id}"
    body = found[0].find(f"{NS}tbody")
    return [[text(cell) for cell in row] for row in body.iter(f"{NS}tr")]


def chart(tree, chart_id):
    svg = next(s for s in tree.iter(f"{SVG}svg") if s.get("aria-labelledby").startswith(chart_id))
    rows = []
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") != "group":
            continue
        texts = [t for t in group.iter(f"{SVG}text")]
        rows.append([text(t) for t in texts])
    return svg, rows


# --- what a committee member reads first -------------------------------------------------


def test_the_first_sentence_gives_the_published_figures(tree, data):
    first = next(p for p in tree.iter(f"{NS}p"))
    sentence = text(first)
    assert sentence == (
        "In 2022 the Mayor's Safer Communities Fund (Grant Rounds 1 and 2) awarded £534,286 "
        "to 100 projects."
    )
    assert data.projects == 100
    assert data.awarded == Decimal("534286.00")


def test_every_declared_figure_is_listed_as_matched(tree, ledger_path):
    rows = table(tree, "table-figures")
    declared = fx.PUBLISHED["mayor-gr1+mayor-gr2"] + fx.PUBLISHED["mayor-gr2"]
    assert len(rows) == len(declared) == 5
    for figure in declared:
        row = next(r for r in rows if r[2] == figure.published_text)
        assert row[-1] == "matched", row
    computed = {r[2]: r[5] for r in rows}
    assert computed["61 projects"] == "61"  # read back from GR2's stored closure
    assert computed["100 projects"] == "100"
    assert computed["£534,286"] == "£534,286.00"
    assert "Every declared figure matches the ledger (5 checked)." in text(tree)


def test_a_figure_that_does_not_match_says_so(ledger_path):
    wrong = DeclaredFigure(
        figure="projects", value=101, precision="exact", published_text="101 projects"
    )
    data = fx.report_data(ledger_path, declared=[wrong])
    tree = html5lib.HTMLParser(strict=True).parse(render_html(data))
    row = next(r for r in table(tree, "table-figures") if r[2] == "101 projects")
    assert row[-1].startswith("not matched")
    assert "difference -1" in row[-1]
    assert "1 of 3 declared figures do not match." in text(tree)


# --- figures: the page's numbers are the reconciliation's totals -------------------------


def _totals(ledger_path):
    from sgfund import Ledger, compute_totals

    with Ledger.open(ledger_path) as ledger:
        records = [ledger.round_records(r.id) for r in fx.scope().rounds]
    return compute_totals(
        fx.scope(),
        [a for r in records for a in r.applications],
        [a for r in records for a in r.awards],
    )


@pytest.mark.parametrize(
    ("table_id", "field"),
    [
        ("table-districts", "by_district"),
        ("table-org-types", "by_org_type"),
        ("table-financial-years", "by_financial_year"),
        ("table-themes", "by_theme_touching"),
    ],
)
def test_every_breakdown_row_is_the_totals_bucket(tree, data, ledger_path, table_id, field):
    totals = getattr(_totals(ledger_path), field)
    rows = {r.label: r for r in getattr(data, field_name(table_id)).rows}
    shown = table(tree, table_id)
    assert len(shown) == len(rows)
    for cells in shown:
        row = rows[cells[0]]
        bucket = totals[row.key]
        assert int(cells[-3]) == bucket.count
        assert cells[-2] == format_money(bucket.total)


def field_name(table_id):
    return {
        "table-districts": "districts",
        "table-org-types": "org_types",
        "table-financial-years": "financial_years",
        "table-themes": "themes",
    }[table_id]


def test_themes_show_whole_awards_and_a_split_that_adds_up(tree, data, ledger_path):
    totals = _totals(ledger_path)
    shown = table(tree, "table-themes")
    # the vocabulary's own labels, in its order
    assert [c[0] for c in shown] == [
        "Child Sexual Abuse and Exploitation",
        "Domestic Abuse",
        "Fraud and Cyber Crime",
        "Human Trafficking and Modern Slavery",
        'So Called "Honour" Based Abuse',
        "Stalking and Harassment",
        "Rape and Sexual Offences",
    ]
    splits = [r.split for r in data.themes.rows]
    assert sum(splits, start=Decimal(0)) == totals.awards.total
    assert [c[-1] for c in shown] == [format_money(s) for s in splits]
    assert sum(r.count for r in data.themes.rows) > data.projects  # multi-theme projects
    assert "counts, with its whole award, under every theme it serves" in text(tree)


def test_districts_have_codes_and_shares_that_add_to_a_hundred(tree, data):
    shown = table(tree, "table-districts")
    assert [c[0] for c in shown] == ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"]
    assert [c[1] for c in shown] == [f"E0800003{i}" for i in range(2, 7)]
    shares = [Decimal(c[-1].rstrip("%")) for c in shown]
    assert sum(shares) == Decimal("100.00")


def test_rounds_against_their_pots(tree, data):
    rows = table(tree, "table-rounds")
    gr1 = next(r for r in rows if r[0].endswith("Grant Round 1"))
    assert gr1[2] == "£180,000.00"  # advertised pot
    assert gr1[5:8] == ["39", "£208,253.16", "-£28,253.16"]  # overspent its pot
    sizes = next(r for r in table(tree, "table-round-awards") if r[0].endswith("Grant Round 2"))
    line = next(r for r in data.rounds if r.id == "mayor-gr2")
    assert sizes[2:] == [format_money(x) for x in (line.smallest, line.median, line.largest)]
    assert line.smallest <= line.median <= line.largest <= Decimal("6000.00")


def test_the_list_of_awards_adds_up_to_the_total(tree, data):
    rows = table(tree, "table-awards")
    assert len(rows) == 100
    assert sum(Decimal(r[2].lstrip("£").replace(",", "")) for r in rows) == data.awarded


def test_closures_show_their_anchors(tree, ledger_path):
    from sgfund import Ledger

    with Ledger.open(ledger_path) as ledger:
        anchors = [str(ledger.closure_anchor(r.id)) for r in fx.scope().rounds]
        assert all(ledger.verify(anchor=a).ok for a in anchors)
    shown = [r[-1] for r in table(tree, "table-closures")]
    assert shown == anchors


def test_the_criteria_that_decided_name_check_versions_and_plugins(tree, data):
    rows = table(tree, "table-decided-by")
    assert rows, "no criteria listed"
    assert all(r[0] in {"rule", "check"} for r in rows)
    assert all(r[2] and r[3] for r in rows)  # a version and a plugin each
    plugins = [r[0] for r in table(tree, "table-plugins")]
    assert "westyorkshire" in plugins


# --- charts say what their tables say -----------------------------------------------------


@pytest.mark.parametrize("name", ["districts", "org-types", "financial-years"])
def test_each_chart_has_the_rows_of_its_table(tree, name):
    svg, bars = chart(tree, f"chart-{name}")
    rows = table(tree, f"table-{name}")
    assert [b[0] for b in bars] == [r[0] for r in rows]
    for bar, row in zip(bars, rows, strict=True):
        assert bar[1] == f"{row[-2]} ({row[-1]})"  # the amount and its share
    assert svg.get("role") == "img"
    desc = text(svg.find(f"{SVG}desc"))
    assert all(f"{r[0]}: {r[-2]}" in desc for r in rows)  # the text alternative


def test_the_themes_chart_shows_both_columns_of_its_table(tree):
    _, bars = chart(tree, "chart-themes")
    rows = table(tree, "table-themes")
    assert [[b[0], b[1], b[2]] for b in bars] == [[r[0], r[2], r[3]] for r in rows]


def test_the_rounds_chart_shows_pot_requested_and_awarded(tree):
    _, bars = chart(tree, "chart-rounds")
    rows = table(tree, "table-rounds")
    assert [b[0] for b in bars] == ["Grant Round 1", "Grant Round 2"]
    assert [b[1:] for b in bars] == [[r[6], r[4], r[2]] for r in rows]


@given(
    st.lists(
        st.decimals(
            min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
        ),
        min_size=1,
        max_size=12,
    )
)
def test_bars_are_in_proportion_and_inside_the_plot(amounts):
    laid = bar_chart("c", "t", [str(i) for i in range(len(amounts))], [("a", amounts)])
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    widths = [Decimal(g.bars[0].width) for g in laid.groups]
    assert all(0 <= w <= plot for w in widths)
    top = Decimal(laid.ticks[-1].text.lstrip("£").replace(",", ""))
    assert top >= max(amounts)
    for amount, width in zip(amounts, widths, strict=True):
        assert abs(width - plot * amount / top) <= Decimal("0.05")
    assert [g.bars[0].text for g in laid.groups] == [format_money(a) for a in amounts]


# --- escaping and offline -----------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "sgfund.db"
    fx.fill_ledger(path, rename={"GR1-001": HOSTILE})
    return fx.report_data(path)


def test_hostile_organisation_names_are_text_in_html(hostile):
    page = render_html(hostile)
    tree = html5lib.HTMLParser(strict=True).parse(page)
    assert [
        s.text.startswith("// Sorting the list of awards") for s in tree.iter(f"{NS}script")
    ] == [True]
    assert not list(tree.iter(f"{NS}img"))
    assert [r[0] for r in table(tree, "table-awards")].count(" ".join(HOSTILE.split())) == 1
    assert "<script>alert" not in page


def test_hostile_organisation_names_are_text_in_markdown(hostile):
    page = render_markdown(hostile)
    line = next(x for x in page.splitlines() if "alert" in x)
    assert "<" not in line and ">" not in line
    assert line.count(" | ") == 6  # the pipe in the name did not add a column
    assert r"\*Trust\*" in line


def test_the_page_loads_nothing_from_outside(tree, page):
    policy = next(
        m.get("content")
        for m in tree.iter(f"{NS}meta")
        if m.get("http-equiv") == "Content-Security-Policy"
    )
    assert "default-src 'none'" in policy
    for element in tree.iter():
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            value = element.get(name)
            assert value is None or value.startswith("#"), (element.tag, name, value)
    assert not re.search(r"url\((?!#)", page)  # CSS and SVG refer to the page only
    # One inline script, allowed by its hash and by nothing else.
    (script,) = tree.iter(f"{NS}script")
    digest = base64.b64encode(hashlib.sha256(script.text.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1]


def test_the_page_prints_to_a4(page):
    assert "@page { size: A4;" in page
    assert "@media print" in page


def test_markdown_has_the_same_headline_and_figures(data):
    page = render_markdown(data)
    assert page.splitlines()[2] == data.headline
    assert "| Bradford | 21 |" in page
    assert page.count("| matched |") == 5


# --- building the data --------------------------------------------------------------------


def test_records_that_disagree_with_the_totals_are_refused(ledger_path):
    from sgfund import Ledger, compute_totals, reconcile

    pm = fx.plugin_manager()
    scope = fx.scope()
    with Ledger.open(ledger_path) as ledger:
        records = [ledger.round_records(r.id) for r in scope.rounds]
    apps = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    rec = reconcile(scope, compute_totals(scope, apps, awards[1:]), pm=pm)
    with pytest.raises(ReconciliationError, match="records of round mayor-gr1 hold 39 awards"):
        build_report_data(rec, records, labels=ReportLabels())
    whole = reconcile(scope, compute_totals(scope, apps, awards), pm=pm)
    with pytest.raises(ReconciliationError, match="each of its rounds once"):
        build_report_data(whole, records[:1], labels=ReportLabels())


def test_a_district_without_awards_is_shown_with_none(ledger_path, data):
    from sgfund import Ledger, compute_totals, reconcile

    known = [District(name=r.key, code="X", code_type="MD") for r in data.districts.rows]
    labels = ReportLabels(districts=[*known, District(name="Elsewhere", code="X9", code_type="MD")])

    scope = fx.scope()
    with Ledger.open(ledger_path) as ledger:
        records = [ledger.round_records(r.id) for r in scope.rounds]
    totals = compute_totals(
        scope, [a for r in records for a in r.applications], [a for r in records for a in r.awards]
    )
    rec = reconcile(scope, totals, pm=fx.plugin_manager())
    built = build_report_data(rec, records, labels=labels)
    last = built.districts.rows[-1]
    assert (last.label, last.count, last.total, last.share) == ("Elsewhere", 0, 0, 0)
    # without labels, themes show their slugs rather than disappear
    assert {r.key for r in built.themes.rows} == set(totals.by_theme_touching)


@pytest.mark.parametrize(
    ("names", "days", "count", "total", "expected"),
    [
        (
            ["Safer Communities Fund, Round 20"],
            [date(2020, 3, 1)],
            33,
            Decimal("176272.82"),
            "In 2020 the Safer Communities Fund (Round 20) awarded £176,272.82 to 33 projects.",
        ),
        (
            ["Fund A, Round 1", "Fund B, Round 2"],
            [date(2021, 12, 1), date(2022, 1, 5)],
            1,
            Decimal("6000.00"),
            "From 2021 to 2022 both funds awarded £6,000 to 1 project.",
        ),
        (
            ["The Fund, Spring", "The Fund, Autumn"],
            [],
            0,
            Decimal("0.00"),
            "The Fund (Spring and Autumn) awarded £0 to 0 projects.",
        ),
    ],
)
def test_headline_forms(names, days, count, total, expected):
    assert headline(names, "both funds", days, count, total) == expected


# --- writing ------------------------------------------------------------------------------


def test_write_report_picks_the_format_by_suffix_and_leaves_nothing_behind(data, tmp_path):
    html = write_report(data, tmp_path / "out" / "report.html")
    md = write_report(data, tmp_path / "out" / "report.md")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert md.read_text(encoding="utf-8").startswith("# Mayor")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.md"]


def test_without_jinja2_rendering_names_the_extra(data, monkeypatch):
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(MissingExtraError, match=r"sgfund\[report\]"):
        render_html(data)


def test_jinja2_is_imported_only_to_render():
    code = "import sys, sgfund.report; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_missing_value_has_no_bar_and_says_none():
    laid = bar_chart("c", "t", ["a", "b"], [("pot", [Decimal("10.00"), None])])
    assert [(g.bars[0].width, g.bars[0].text) for g in laid.groups] == [
        (f"{WIDTH - LABEL_WIDTH - VALUE_WIDTH}.0", "£10.00"),  # the whole plot
        ("0.0", "none"),
    ]
    assert laid.description.endswith("a: £10.00. b: none.")


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_series_stay_apart_in_greyscale(page):
    fills = {
        style: re.search(rf"\.{style} {{ fill: #([0-9a-f]{{6}}); }}", page).group(1)
        for style in ("solid-dark", "solid-light")
    }
    dark, light = (_luminance(fills[s]) for s in ("solid-dark", "solid-light"))
    # the third series is a white hatch with an outline; the two solids differ in lightness
    assert light - dark > 0.2
    assert (light + 0.05) / (dark + 0.05) > 2


def test_every_markdown_table_row_has_its_headings_cells(hostile):
    page = render_markdown(hostile)
    tables, current = [], []
    for line in [*page.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    assert len(tables) >= 8

    def cells(line):
        return len(re.split(r"(?<!\\)\|", line)) - 2  # pipes escaped in values do not count

    for rows in tables:
        assert {cells(r) for r in rows} == {cells(rows[0])}, rows[0]


def test_rounds_not_yet_closed_are_reported_as_such(ledger_path):
    from sgfund import Ledger, compute_totals, reconcile

    scope = fx.scope()
    with Ledger.open(ledger_path) as ledger:
        records = [ledger.round_records(r.id) for r in scope.rounds]
    totals = compute_totals(
        scope, [a for r in records for a in r.applications], [a for r in records for a in r.awards]
    )
    rec = reconcile(scope, totals, pm=fx.plugin_manager())
    data = build_report_data(rec, records, labels=ReportLabels())  # no closures given
    assert not data.all_closed
    tree = html5lib.HTMLParser(strict=True).parse(render_html(data))
    assert "Not every round is closed: these figures may still change." in text(tree)
    assert [r[1:] for r in table(tree, "table-closures")] == [["not closed"], ["not closed"]]
    assert len(table(tree, "table-figures")) == 3  # the scope's figures only
