"""The README's tour and commands stay true."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block_after(marker: str) -> str:
    match = re.search(re.escape(marker) + r"\s*```\w*\n(.*?)```", README, re.S)
    assert match, marker
    return match.group(1).strip()


def test_readme_has_exactly_two_setup_commands_each_one_line():
    main = _block_after("<!-- main-command -->")
    test = _block_after("<!-- test-command -->")
    assert "\n" not in main
    assert "\n" not in test
    assert main.startswith("python3 -m venv .venv")
    assert "pytest" in test
    assert README.count("<!-- main-command -->") == 1
    assert README.count("<!-- test-command -->") == 1


def test_python_examples_in_the_readme_run():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README


def test_main_job_reproduces_the_published_figures(main_job_run):
    out, tmp_path = main_job_run
    assert "mayor-gr1: closed; 39 awards, £208,253.16" in out
    assert "mayor-gr2: closed; 61 awards, £326,032.84" in out
    assert "the chain is whole and every closed round matches" in out
    assert "100 projects, £534,286.00 awarded (mayor-gr1, mayor-gr2)" in out
    assert "matched      computed 100 matches '100 projects' exactly" in out
    assert "matched      computed £534,286.00 matches '£534,286' rounded to £1 (£534,286)" in out
    assert "Result: reconciled" in out
    assert "mayor-gr2: anchor sgfund-anchor:v1:" in out
    assert (tmp_path / "sgfund-demo" / "sgfund.db").exists()
    grants = (tmp_path / "sgfund-demo" / "scf-xi-sgfund-wyca.json").read_text(encoding="utf-8")
    assert grants.count('"amountAwarded"') == 100
    assert "written: sgfund-demo/scf-xi-sgfund-wyca.json" in out
    assert "written: sgfund-demo/scf-transparency.csv" in out
    assert "written: sgfund-demo/mayor-scf-2022-report.html" in out
    report = (tmp_path / "sgfund-demo" / "mayor-scf-2022-report.html").read_text(encoding="utf-8")
    assert "awarded £534,286 to 100 projects." in report
    assert "Every declared figure matches the ledger" in report
