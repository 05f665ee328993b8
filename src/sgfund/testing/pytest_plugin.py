"""pytest plugin for sgfund users and plugin authors, registered through ``pytest11``.

When ``SGFUND_HYPOTHESIS_PROFILE`` is set (``dev`` is fast, ``ci`` thorough) it registers and
loads that hypothesis profile; otherwise it leaves hypothesis' settings alone, so installing
sgfund never changes another project's test run. Fixtures for plugin authors: ``sgfund_pm``
(built-in plugins), ``sgfund_bare_pm`` (specifications only), ``sgfund_installed_pm``
(built-ins and installed plugins), ``sgfund_round`` (a sample round) and
``sgfund_rule_contract``. hypothesis is imported only if it is installed, and only when needed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sgfund.funds import Round
    from sgfund.manager import SgfundPluginManager


def pytest_configure(config: pytest.Config) -> None:
    """Load the hypothesis profile ``SGFUND_HYPOTHESIS_PROFILE`` names, if it names one."""
    name = os.environ.get("SGFUND_HYPOTHESIS_PROFILE")
    if not name:
        return
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
    settings.load_profile(name)


# Fixtures for plugin authors. sgfund modules are imported inside the fixtures so that merely
# installing sgfund costs other projects' test runs nothing.


@pytest.fixture
def sgfund_pm() -> SgfundPluginManager:
    """A fresh plugin manager with sgfund's built-in plugins and no installed ones."""
    from sgfund.manager import make_plugin_manager

    return make_plugin_manager(entry_points=False)


@pytest.fixture
def sgfund_bare_pm() -> SgfundPluginManager:
    """A fresh plugin manager with the hook specifications only: register your plugin on it."""
    from sgfund.manager import make_plugin_manager

    return make_plugin_manager(defaults=False, entry_points=False)


@pytest.fixture
def sgfund_installed_pm() -> SgfundPluginManager:
    """A fresh plugin manager with the built-ins and every installed ``sgfund`` plugin."""
    from sgfund.manager import make_plugin_manager

    return make_plugin_manager()


@pytest.fixture
def sgfund_round() -> Round:
    """A sample round: the Mayor's Safer Communities Fund Grant Round 2."""
    from sgfund.sample import GR2

    return GR2


@pytest.fixture
def sgfund_rule_contract() -> Callable[..., None]:
    """`sgfund.testing.contract.check_rule_contract`, for tests that prefer a fixture."""
    from sgfund.testing.contract import check_rule_contract

    return check_rule_contract
