import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sgfund import Application, Organisation, OrgType, london
from sgfund.examples_scf import GR2


@pytest.fixture
def sample_app() -> Application:
    return Application(
        id="GR2-001",
        round_id=GR2.id,
        organisation=Organisation(
            name="Calder Valley Refuge",
            type=OrgType.REGISTERED_CHARITY,
            charity_number="1990001",
            postcode="hx1 1aa",
            district="Calderdale",
        ),
        title="Safe at home",
        summary="Support for survivors of domestic abuse",
        amount_requested="£5,950.00",
        project_start=date(2022, 11, 1),
        project_end=date(2023, 10, 31),
        submitted_at=london(2022, 6, 1, 14, 30),
        declared_themes={"domestic-abuse", "stalking-harassment"},
    )


ROOT = Path(__file__).resolve().parents[1]


def readme_main_command() -> list[str]:
    """The sgfund command the README's main command ends with, as arguments after 'sgfund'."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- main-command -->\s*```\w*\n(.*?)```", readme, re.S)
    assert match, "README.md has no main command"
    program, *args = match.group(1).strip().split("&&")[-1].split()
    assert program == ".venv/bin/sgfund", program
    return args


@pytest.fixture(scope="session")
def main_job_run(tmp_path_factory):
    """The README's main command run once, in an empty folder: (stdout, folder).

    It runs through this interpreter (``python -m sgfund``), the same program the console
    script starts; the slow test runs the README's line itself in a fresh environment.
    """
    folder = tmp_path_factory.mktemp("main-job")
    result = subprocess.run(
        [sys.executable, "-m", "sgfund", *readme_main_command()],
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    )
    return result.stdout, folder
