"""`sgfund report`: the committee report on a scope in the ledger, through click's runner."""

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sgfund.cli import cli
from sgfund.workflow import demo_plugin_manager, run_demo

ROOT = Path(__file__).resolve().parents[1]
DECLARED = ROOT / "examples" / "data" / "declared-figures.csv"
SCOPE = "mayor-gr1+mayor-gr2"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-cli")
    run_demo(folder, pm=demo_plugin_manager())
    return folder / "sgfund.db"


def report(db, *args):
    return CliRunner().invoke(cli, ["--db", str(db), "report", *args])


def test_writes_html_and_markdown_and_prints_the_headline(db, tmp_path):
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    result = report(db, SCOPE, "--declared", str(DECLARED), "--out", str(html), "--out", str(md))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "In 2022 the Mayor's Safer Communities Fund (Grant Rounds 1 and 2) awarded £534,286 "
        "to 100 projects."
    )
    assert lines[1:] == [f"written: {html}", f"written: {md}"]
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "| 100 projects |" in md.read_text(encoding="utf-8")


def test_json_names_the_files_and_every_figure(db, tmp_path):
    out = tmp_path / "r.html"
    result = report(
        db, SCOPE, "--declared", str(DECLARED), "--label", "Mayor's SCF 2022", "--out", str(out),
        "--title", "Community Outcomes: safeguarding", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"] == [str(out)]
    assert (data["projects"], data["awarded"], data["ok"]) == (100, "534286.00", True)
    mine = {
        f["published_text"]: f["matched"] for f in data["figures"] if f["for"] != "Mayor's SCF 2022"
    }
    # Each round's own figures, from its closure (the fund file declares both rounds').
    assert mine == {
        "£208,253.16": True,
        "39 projects": True,
        "£326,032.84": True,
        "61 projects": True,
    }
    scoped = [f for f in data["figures"] if f["for"] == "Mayor's SCF 2022"]
    assert {f["published_text"] for f in scoped} == {"100 projects", "£534,286", "over £530,000"}
    assert "<title>Community Outcomes: safeguarding</title>" in out.read_text(encoding="utf-8")


def test_a_figure_that_does_not_match_exits_1_and_the_report_says_so(db, tmp_path):
    declared = tmp_path / "declared.csv"
    declared.write_text(
        "scope,figure,published_text,value,precision,published,source_ids,note\n"
        f"{SCOPE},projects,101 projects,101,exact,2023-01,a misprint,\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.html"
    result = report(db, SCOPE, "--declared", str(declared), "--out", str(out))
    assert result.exit_code == 1
    page = out.read_text(encoding="utf-8")
    assert "1 of 5 declared figures do not match." in page
    assert "not matched" in page


def test_without_jinja2_it_names_the_extra_and_writes_nothing(db, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "jinja2", None)
    out = tmp_path / "r.html"
    result = report(db, SCOPE, "--out", str(out))
    assert result.exit_code == 1
    assert 'pip install "sgfund[report]"' in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_exit_2(db):
    result = report(db, SCOPE)
    assert result.exit_code == 2
    assert "--out" in result.stderr


def test_an_unknown_round_is_a_problem_not_a_traceback(db, tmp_path):
    result = report(db, "nope", "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 1
    assert "nope" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_an_out_name_that_is_not_html_or_markdown_is_refused_and_nothing_is_written(db, tmp_path):
    good, bad = tmp_path / "r.html", tmp_path / "r.pdf"
    result = report(db, SCOPE, "--out", str(good), "--out", str(bad))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        f"sgfund: out: expected a file name ending .html, .htm, .md, .markdown, got '{bad}'"
    )
    assert "Traceback" not in result.stderr
    assert not good.exists() and not bad.exists()
