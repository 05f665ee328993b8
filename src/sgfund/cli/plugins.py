"""Commands that plugins add through the ``sgfund_register_commands`` hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sgfund.errors import PluginError

if TYPE_CHECKING:
    from sgfund.collect import Contribution, SgfundPluginManager

__all__ = ["plugin_commands"]


def plugin_commands(
    pm: SgfundPluginManager | None, *, reserved: set[str]
) -> dict[str, click.Command]:
    """Every plugin's commands by name; a name sgfund or another plugin uses is a `PluginError`.

    The hook is called once; commands are merged in plugin-name order, never pluggy's.
    """
    if pm is None:
        return {}
    given: list[Contribution] = pm.hook.sgfund_register_commands()
    found: dict[str, tuple[str, click.Command]] = {}
    for contribution in sorted(given, key=lambda c: c.plugin):
        plugin = contribution.plugin
        for command in contribution.items:
            if not isinstance(command, click.Command) or not command.name:
                raise PluginError(
                    f"plugin {plugin!r} gave {command!r} from sgfund_register_commands; "
                    "expected a named click command",
                    plugin=plugin,
                )
            if command.name in reserved:
                raise PluginError(
                    f"plugin {plugin!r} gives a command {command.name!r}, which is sgfund's own",
                    plugin=plugin,
                )
            other = found.get(command.name)
            if other is not None:
                raise PluginError(
                    f"command {command.name!r} is given by two plugins: {other[0]!r} and "
                    f"{plugin!r}",
                    plugin=plugin,
                    plugins=(other[0], plugin),
                )
            found[command.name] = (plugin, command)
    return {name: command for name, (_, command) in sorted(found.items())}
