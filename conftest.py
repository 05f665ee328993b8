"""sgfund's own test runs use the fast hypothesis profile unless told otherwise (CI says ``ci``)."""

import os

import pytest

# Read by sgfund's pytest plugin (sgfund.testing.pytest_plugin) when pytest configures itself.
os.environ.setdefault("SGFUND_HYPOTHESIS_PROFILE", "dev")

# In CI (CI=true) a skipped test is a failure unless its reason starts with one of these: a test
# that cannot run on this platform. Anything else (missing data, a missing optional package)
# means CI did not check what it claims to; see docs/testing.md.
ALLOWED_SKIP_REASONS = (
    "POSIX file kinds and modes",
    "named pipes are POSIX",
    "ru_maxrss in KiB is Linux's",
    "slow; run with -m slow",
    "shared reference folder not beside this checkout",
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _unallowed_skip(report: pytest.TestReport | pytest.CollectReport) -> str | None:
    if not report.skipped or hasattr(report, "wasxfail") or not _in_ci():
        return None
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    reason = reason.removeprefix("Skipped: ")
    if reason.startswith(ALLOWED_SKIP_REASONS):
        return None
    return (
        f"skipped in CI (CI=true) without an allowed reason: {reason}\n"
        "CI must run every test; allowed reasons are listed in conftest.py"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):  # noqa: ANN001, ANN201, D103
    report = yield
    problem = _unallowed_skip(report)
    if problem:
        report.outcome = "failed"
        report.longrepr = problem
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):  # noqa: ANN001, ANN201, D103
    report = yield
    problem = _unallowed_skip(report)
    if problem:
        report.outcome = "failed"
        report.longrepr = problem
    return report
