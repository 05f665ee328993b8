"""Anchors leave the file: printed, parsed, returned by closing, and checked by verify."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sgfund.errors import LedgerError
from sgfund.examples_scf import SCF
from sgfund.ledger import ANCHOR_PREFIX, Anchor, AnchoredClosure, Ledger, verify_file

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT
DOCS = Path(__file__).resolve().parents[1] / "docs" / "ledger.md"


def _history(path: Path, decider: str = "clerk") -> dict[str, AnchoredClosure]:
    closed = {}
    with Ledger.open(path) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        for round_id in ("gr-a", "gr-b"):
            worker.prepare_round(ledger, round_id, 3, decider=decider)
            closed[round_id] = ledger.close_round(round_id, pm=worker.PM, actor="manager", at=AT)
        worker.prepare_round(ledger, "gr-c", 2)
    return closed


@pytest.fixture
def ledger_file(tmp_path):
    path = tmp_path / "l.db"
    return path, _history(path)


def test_closing_returns_the_closing_events_anchor(ledger_file):
    path, closed = ledger_file
    with Ledger.open(path) as ledger:
        closing = next(e for e in ledger.events(round_id="gr-a") if e.action == "round.closed")
        assert closed["gr-a"].anchor == closing.anchor == (closing.id, closing.hash)
        assert ledger.closure("gr-a") == closed["gr-a"]
        assert ledger.closure_anchor("gr-a") == closed["gr-a"].anchor
        assert closed["gr-a"].totals.awards.count > 0  # still the closure record
        with pytest.raises(LedgerError, match="not closed"):
            ledger.closure_anchor("gr-c")


def test_an_anchor_prints_and_parses_back(ledger_file):
    _, closed = ledger_file
    anchor = closed["gr-b"].anchor
    text = str(anchor)
    assert re.fullmatch(rf"{ANCHOR_PREFIX}:\d+:[0-9a-f]{{64}}", text)
    assert Anchor.parse(text) == anchor
    assert Anchor.parse(f"  {text}\n") == anchor
    assert Anchor.parse((anchor.event_id, anchor.hash)) == anchor
    assert f"{anchor}" == text


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "sgfund-anchor:v1:7",
        "sgfund-anchor:v2:7:" + "a" * 64,
        "sgfund-anchor:v1:0:" + "a" * 64,
        "sgfund-anchor:v1:7:" + "A" * 64,
        "sgfund-anchor:v1:7:" + "a" * 63,
        (True, "a" * 64),
        (7,),
    ],
)
def test_a_malformed_anchor_is_refused(bad):
    with pytest.raises(LedgerError, match="not a ledger anchor"):
        Anchor.parse(bad)


def test_published_anchors_verify_in_every_form(ledger_file):
    path, closed = ledger_file
    anchors = [str(closed["gr-a"].anchor), closed["gr-b"].anchor]
    with Ledger.open(path) as ledger:
        head = ledger.head()
        report = ledger.verify(anchors=[*anchors, tuple(head)])
    assert report.ok, str(report)
    assert report.anchors_checked == 3
    assert report.head == head
    assert verify_file(path, anchors=anchors).ok


def test_a_ledger_rebuilt_from_scratch_fails_the_published_anchor(ledger_file, tmp_path):
    _, closed = ledger_file
    # The same history with one actor changed: a consistent chain, but not the one published.
    forged = tmp_path / "forged.db"
    _history(forged, decider="someone-else")
    assert verify_file(forged).ok
    report = verify_file(forged, anchor=closed["gr-a"].anchor)
    (problem,) = report.problems
    assert problem.kind == "anchor"
    assert "rewritten" in problem.message


def test_a_trail_cut_short_fails_the_anchor(ledger_file, tmp_path):
    _, closed = ledger_file
    earlier = tmp_path / "earlier.db"
    with Ledger.open(earlier) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        worker.prepare_round(ledger, "gr-a", 3)
    report = verify_file(earlier, anchor=closed["gr-a"].anchor)
    assert [p.kind for p in report.problems] == ["anchor"]
    assert "cut short" in report.problems[0].message


def _docs_script() -> str:
    text = DOCS.read_text()
    block = text.split("<!-- anchor-check -->\n```python\n", 1)[1]
    return block.split("```", 1)[0]


def _run_docs_script(tmp_path, path, anchor):
    script = tmp_path / "check_anchor.py"
    script.write_text(_docs_script())
    return subprocess.run(
        [sys.executable, script, path, str(anchor)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_documented_standard_library_check_accepts_a_good_anchor(ledger_file, tmp_path):
    path, closed = ledger_file
    result = _run_docs_script(tmp_path, path, closed["gr-b"].anchor)
    assert result.returncode == 0, result.stderr
    assert "are as they were" in result.stdout


def test_the_documented_check_catches_an_edited_event_and_a_rewritten_chain(ledger_file, tmp_path):
    path, closed = ledger_file
    anchor = closed["gr-b"].anchor
    edited = tmp_path / "edited.db"
    shutil.copy(path, edited)
    conn = sqlite3.connect(edited)
    conn.execute("DROP TRIGGER events_update")
    conn.execute("UPDATE events SET actor = 'forger' WHERE id = 5")
    conn.commit()
    conn.close()
    result = _run_docs_script(tmp_path, edited, anchor)
    assert result.returncode != 0
    assert "event 5 was altered" in result.stderr
    wrong = Anchor(anchor.event_id, "0" * 64)
    result = _run_docs_script(tmp_path, path, wrong)
    assert result.returncode != 0
    assert "not in the chain with the published hash" in result.stderr


def test_the_published_360giving_file_carries_the_anchors_that_verify_checks(ledger_file, tmp_path):
    pytest.importorskip("jsonschema")
    from datetime import date

    from sgfund.io.threesixtygiving import Publisher, read_360giving
    from sgfund.workflow.steps import publish

    path, closed = ledger_file
    with Ledger.open(path) as ledger:
        published = publish(
            ledger,
            ["gr-a", "gr-b"],
            tmp_path / "open-data",
            pm=worker.PM,
            publisher=Publisher(prefix="360G-example", name="Example publisher"),
            as_of=date(2023, 4, 1),
            scope_id="gr-ab",
            label="Rounds A and B",
            formats=["json"],
            transparency=False,
        )
    (package,) = published.files
    anchors = read_360giving(package, prefix="360G-example").metadata["sgfundAnchors"]
    assert anchors == {rid: str(closed[rid].anchor) for rid in ("gr-a", "gr-b")}
    # The auditor's check, from the published file alone: the ledger holds those events...
    assert verify_file(path, anchors=anchors.values()).ok
    # ...and a ledger rewritten after publication does not.
    forged = tmp_path / "forged.db"
    _history(forged, decider="someone-else")
    report = verify_file(forged, anchors=anchors.values())
    assert {p.kind for p in report.problems} == {"anchor"}
