"""The README's first command, exactly as written, in a fresh copy with a fresh environment."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def main_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- main-command -->\s*```\w*\n(.*?)```", readme, re.S)
    assert match, "README.md has no main command"
    return match.group(1).strip()


def fresh_copy(target: Path) -> None:
    """The project's files as a clone would have them (tracked and new, not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.mark.slow
def test_the_readme_first_command_works_on_a_fresh_machine(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to copy the project from")
    project = tmp_path / "sgfund"
    fresh_copy(project)
    run = subprocess.run(
        ["bash", "-c", main_command()],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "100 projects, £534,286.00 awarded" in out
    assert "matched      computed £534,286.00 matches '£534,286'" in out
    assert "matched      computed 33 matches '33 grants' exactly" in out
    assert "matched      computed £176,272.82 matches '£176,272.82' exactly" in out
    assert "Result: reconciled" in out
    assert "Traceback" not in run.stderr
    written = [project / line.removeprefix("written: ") for line in out.splitlines()]
    files = [p for p in written if p.suffix == ".json" and p.exists()]
    assert len(files) == 2, out  # one per funder: the PCC's and the Mayor's
    (report,) = [p for p in written if p.name == "mayor-scf-2022-report.html"]
    assert "awarded £534,286 to 100 projects." in report.read_text(encoding="utf-8")

    from sgfund.io.threesixtygiving import read_360giving

    for path in files:
        grants = read_360giving(path)
        assert grants.records and not grants.problems
