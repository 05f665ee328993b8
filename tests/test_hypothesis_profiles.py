"""The pytest plugin loads sgfund's hypothesis profiles only when asked to."""

import os
import subprocess
import sys

PROBE = """
from hypothesis import settings

def test_profile():
    print("PROFILE", settings.default.max_examples)
"""


def run_probe(tmp_path, **env):
    (tmp_path / "test_probe.py").write_text(PROBE)
    clean = {k: v for k, v in os.environ.items() if k != "SGFUND_HYPOTHESIS_PROFILE"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "test_probe.py"],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return next(line for line in result.stdout.splitlines() if line.startswith("PROFILE"))


def test_another_project_keeps_hypothesis_defaults(tmp_path):
    assert run_probe(tmp_path) == "PROFILE 100"


def test_the_environment_variable_chooses_a_profile(tmp_path):
    assert run_probe(tmp_path, SGFUND_HYPOTHESIS_PROFILE="ci") == "PROFILE 400"
    assert run_probe(tmp_path, SGFUND_HYPOTHESIS_PROFILE="dev") == "PROFILE 50"
