"""The runnable examples work as a new user would run them."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(script: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script)],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )
    return result.stdout


def test_close_gr2_prints_a_reconciled_report(tmp_path):
    out = run("close_gr2.py", tmp_path)
    assert "Total awarded                     £326,032.84" in out
    assert "matched      computed £326,032.84 matches '£326,032.84' exactly" in out
    assert "matched      computed 61 matches '61 projects' exactly" in out
    assert "Result: reconciled" in out
    assert "closed by Finance officer at 07 October 2022 09:00" in out
    # A dozen statements or so, besides imports.
    tree = ast.parse((ROOT / "examples" / "close_gr2.py").read_text())
    statements = [n for n in tree.body if not isinstance(n, ast.Import | ast.ImportFrom | ast.Expr)]
    assert len(statements) <= 12


def test_demo_data_is_what_the_generator_makes(tmp_path):
    import shutil

    for name in ("make_demo_data.py",):
        shutil.copy(ROOT / "examples" / "data" / name, tmp_path / name)
    subprocess.run([sys.executable, str(tmp_path / "make_demo_data.py")], check=True)
    for sheet in ("gr1.csv", "gr2.csv"):
        assert (tmp_path / sheet).read_bytes() == (ROOT / "examples" / "data" / sheet).read_bytes()


def test_declared_figures_are_the_published_reference():
    shared = ROOT / "tests" / "data" / "reference" / "scf" / "declared-figures.csv"
    ours = ROOT / "examples" / "data" / "declared-figures.csv"
    assert ours.read_bytes() == shared.read_bytes()


def test_the_example_sheets_columns_are_the_ones_the_importer_knows():
    from sgfund.examples_scf import DECISION_COLUMNS, SHEET_COLUMNS
    from sgfund.io.columns import APPLICATION_COLUMNS, match_columns
    from sgfund.io.columns import DECISION_COLUMNS as DECISION_FIELDS

    header = [*SHEET_COLUMNS, *DECISION_COLUMNS]
    match, problems = match_columns(header, (*APPLICATION_COLUMNS, *DECISION_FIELDS))
    assert problems == []
    assert len(match.positions) == len(header)  # every column found, none left as a note
    for sheet in ("data/gr1.csv", "data/gr2.csv", "scf/mayor-gr1.csv", "scf/pcc-r16.csv"):
        first = (ROOT / "examples" / sheet).read_text(encoding="utf-8").splitlines()[0]
        assert first.split(",") == header, sheet
