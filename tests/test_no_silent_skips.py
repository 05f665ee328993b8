"""In CI (CI=true) a test that skips without an allowed reason fails, so nothing vanishes."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
TESTS = """
import sys
import pytest

def test_runs():
    pass

def test_needs_data():
    pytest.skip("shared reference data not present")

@pytest.mark.skipif(True, reason="named pipes are POSIX")
def test_platform():
    pass

@pytest.mark.xfail(reason="known bug", strict=True)
def test_known_bug():
    raise AssertionError
"""


@pytest.fixture
def suite(pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_suite=TESTS)
    return pytester


@pytest.mark.parametrize("value", ["true", "True", "1"])
def test_an_unexplained_skip_fails_in_ci(suite, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    result = suite.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1, skipped=1, xfailed=1)
    result.stdout.fnmatch_lines(
        ["*skipped in CI (CI=true) without an allowed reason: shared reference data not present*"]
    )


def test_outside_ci_a_skip_is_only_a_skip(suite, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    result = suite.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1, skipped=2, xfailed=1)


def test_a_module_skipped_at_import_fails_in_ci(pytester, monkeypatch):
    monkeypatch.setenv("CI", "true")
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_optional='import pytest\npytest.importorskip("no_such_package_x")\n')
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    assert result.ret != 0
    result.stdout.fnmatch_lines(
        ["*without an allowed reason: could not import 'no_such_package_x'*"]
    )
