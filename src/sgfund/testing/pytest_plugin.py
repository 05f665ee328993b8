"""pytest plugin for sgfund users and plugin authors, registered through ``pytest11``.

It selects a hypothesis profile from ``SGFUND_HYPOTHESIS_PROFILE`` (``dev`` by default, ``ci``
for a thorough run) and offers fixtures. hypothesis is imported only if it is installed.
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register and load the hypothesis profiles ``dev`` (fast) and ``ci`` (thorough)."""
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # pragma: no cover - hypothesis comes with the test extra
        return
    settings.register_profile("dev", max_examples=50, deadline=None)
    settings.register_profile(
        "ci",
        max_examples=400,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
    )
    settings.load_profile(os.environ.get("SGFUND_HYPOTHESIS_PROFILE", "dev"))
