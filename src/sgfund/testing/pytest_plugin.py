"""pytest plugin for sgfund users and plugin authors, registered through ``pytest11``.

When ``SGFUND_HYPOTHESIS_PROFILE`` names a profile (``dev`` is fast, ``ci`` thorough) it
registers and loads that hypothesis profile; another name is a usage error; without the
variable it leaves hypothesis' settings alone, so installing sgfund never changes another
project's test run. Fixtures for plugin authors (see docs/plugins.md, "Testing kit"):

- ``sgfund_pm``: a fresh manager with the built-in plugins and no installed ones;
- ``sgfund_bare_pm``: a fresh manager with the hook specifications only;
- ``sgfund_installed_pm``: the built-ins and every installed plugin;
- ``sgfund_round``: `sgfund.testing.builders.ROUND`, a generic round (session scope, so it
  can be used inside ``@given`` tests);
- ``sgfund_rule_contract``: `sgfund.testing.contract.check_rule_contract`.

hypothesis is imported only if it is installed, and only when needed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sgfund.collect import SgfundPluginManager
    from sgfund.funds import Round

PROFILE_VARIABLE = "SGFUND_HYPOTHESIS_PROFILE"
PROFILES = ("ci", "dev")


def pytest_configure(config: pytest.Config) -> None:
    """Load the hypothesis profile ``SGFUND_HYPOTHESIS_PROFILE`` names, if it names one."""
    name = os.environ.get(PROFILE_VARIABLE)
    if not name:
        return
    if name not in PROFILES:
        raise pytest.UsageError(
            f"{PROFILE_VARIABLE}={name!r} names no sgfund hypothesis profile; "
            f"use one of: {', '.join(PROFILES)} (or unset it to leave hypothesis alone)"
        )
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


@pytest.fixture(scope="session")
def sgfund_round() -> Round:
    """`sgfund.testing.builders.ROUND`: a generic round that names no theme vocabulary."""
    from sgfund.testing.builders import ROUND

    return ROUND


@pytest.fixture
def sgfund_rule_contract() -> Callable[..., None]:
    """`sgfund.testing.contract.check_rule_contract`, for tests that prefer a fixture."""
    from sgfund.testing.contract import check_rule_contract

    return check_rule_contract
