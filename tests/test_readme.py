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
    assert "pcc-r20: closed; 33 awards, £176,272.82" in out
    assert "pcc-r16: closed; 1 awards, £6,000.00" in out
    assert "the chain is whole and every closed round matches" in out
    assert "100 projects, £534,286.00 awarded (mayor-gr1, mayor-gr2)" in out
    assert "matched      computed 100 matches '100 projects' exactly" in out
    assert (
        "matched      computed £534,286.00 matches '£534,286' rounded to £1 "
        "(the computed figure rounds to £534,286)" in out
    )
    assert "matched      computed 33 matches '33 grants' exactly" in out
    assert "matched      computed £176,272.82 matches '£176,272.82' exactly" in out
    assert "Result: reconciled" in out and "error(s)" not in out
    assert "mayor-gr2: anchor sgfund-anchor:v1:" in out
    assert (tmp_path / "sgfund-demo" / "sgfund.db").exists()
    mayor = (tmp_path / "sgfund-demo" / "wy-scf-xi-sgfund-wyca.json").read_text(encoding="utf-8")
    assert mayor.count('"amountAwarded"') == 100
    pcc = (tmp_path / "sgfund-demo" / "wy-scf-xi-sgfund-wy-pcc.json").read_text(encoding="utf-8")
    assert pcc.count('"amountAwarded"') == 70
    assert "written: sgfund-demo/wy-scf-xi-sgfund-wyca.json" in out
    assert "written: sgfund-demo/wy-scf-xi-sgfund-wy-pcc.json" in out
    assert "written: sgfund-demo/wy-scf-transparency.csv" in out

    assert "written: sgfund-demo/mayor-scf-2022-report.html" in out
    report = (tmp_path / "sgfund-demo" / "mayor-scf-2022-report.html").read_text(encoding="utf-8")
    assert "awarded £534,286 to 100 projects." in report
    assert "Every declared figure matches the ledger" in report


def test_the_command_line_tour_takes_a_round_from_its_sheet_to_open_data(tmp_path, monkeypatch):
    import shlex
    import shutil

    from click.testing import CliRunner

    from sgfund.cli import cli

    shutil.copytree(ROOT / "examples" / "scf", tmp_path / "examples" / "scf")
    monkeypatch.chdir(tmp_path)
    env: dict[str, str] = {}
    outputs = []
    for line in _block_after("<!-- cli-tour -->").splitlines():
        program, *args = shlex.split(line)
        if program == "export":
            key, value = args[0].split("=", 1)
            env[key] = value
            continue
        assert program == "sgfund", line
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 0, (line, result.output, result.stderr)
        outputs.append(result.stdout)
    assert "mayor-gr2: closed; 61 awards, £326,032.84; anchor sgfund-anchor:v1:" in "".join(outputs)
    published = sorted(p.name for p in (tmp_path / "open-data").iterdir())
    assert published == [
        "mayor-gr2-transparency.csv",
        "mayor-gr2-xi-sgfund-wyca.csv",
        "mayor-gr2-xi-sgfund-wyca.json",
    ]
    assert "the chain is whole" in outputs[-1]
