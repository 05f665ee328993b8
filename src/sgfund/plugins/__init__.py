"""Built-in plugins: ordinary plugins, registered through the same call as third-party ones.

`DEFAULT_PLUGINS` names their modules; `sgfund.manager.make_plugin_manager` imports and
registers them (under their module names, so ``blocked=["sgfund.plugins.rules"]`` turns
them off). Importing this package imports none of them.
"""

from __future__ import annotations

__all__ = ["DEFAULT_PLUGINS"]

DEFAULT_PLUGINS: tuple[str, ...] = (
    "sgfund.plugins.rules",
    "sgfund.plugins.declared_themes",
    "sgfund.plugins.reconciliation",
    "sgfund.plugins.payments",
)
