"""Which installed plugins judge a fund's rounds.

A fund file names them (``[fund] plugins``), so a plugin installed for something else cannot
change the fund's eligibility findings, themes or totals. A caller can choose instead (the
command line's ``--plugins``): every installed plugin, none (sgfund's built-ins only) or a
list of entry-point names. A fund file that names none leaves every installed plugin in use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import frozen

from sgfund.errors import WorkflowError

if TYPE_CHECKING:
    from sgfund.collect import SgfundPluginManager
    from sgfund.ledger import Ledger

__all__ = [
    "PluginChoice",
    "fund_plugin_manager",
    "not_installed",
    "parse_plugin_choice",
    "plugins_in_force",
]

EVERY = "all"
NONE = "none"


@frozen
class PluginChoice:
    """Which installed plugins to use: ``names`` (entry-point names), or None for every one.

    ``source`` says where the choice came from, for people: ``"--plugins"``, ``"fund file"``
    or ``"default"`` (no fund file names them: every installed plugin).
    """

    names: tuple[str, ...] | None
    source: str

    def describe(self) -> str:
        """One line for people: which plugins and why."""
        if self.names is None:
            which = "every installed plugin"
        elif not self.names:
            which = "sgfund's built-ins only"
        else:
            which = ", ".join(self.names) + " (and sgfund's built-ins)"
        why = {
            "--plugins": "as --plugins asks",
            "fund file": "as the fund file names them",
            "default": "the fund file names none",
        }.get(self.source, self.source)
        return f"{which}: {why}"


def parse_plugin_choice(text: str, *, source: str = "--plugins") -> PluginChoice:
    """``all``, ``none`` or comma-separated entry-point names (spaces around them ignored)."""
    cleaned = text.strip()
    if cleaned.lower() == EVERY:
        return PluginChoice(None, source)
    if cleaned.lower() == NONE or not cleaned:
        return PluginChoice((), source)
    names = [part.strip() for part in cleaned.split(",")]
    if any(not name for name in names):
        raise WorkflowError(
            f"{source}: {text!r} has an empty name; expected 'all', 'none' or entry-point "
            "names separated by commas, such as 'westyorkshire'"
        )
    return PluginChoice(tuple(sorted(set(names))), source)


def plugins_in_force(ledger: Ledger | None) -> PluginChoice:
    """The plugins the fund files in force name (every installed one if none names them).

    A ledger of several funds whose fund files name different plugins is a `WorkflowError`:
    the caller must choose.
    """
    if ledger is None:
        return PluginChoice(None, "default")
    from sgfund.fundfile.ledger import plugins_text, stored_fund_file

    funds = sorted({ledger.round(rid).fund_id for rid in ledger.rounds()})
    named: dict[str, tuple[str, ...] | None] = {}
    for fund_id in funds:
        stored = stored_fund_file(ledger, fund_id)
        named[fund_id] = None if stored is None else stored.plugins
    sets = set(named.values())
    if len(sets) > 1:
        listed = "; ".join(f"{fund}: {plugins_text(names)}" for fund, names in named.items())
        raise WorkflowError(
            f"the ledger's funds name different plugins ({listed}): choose with --plugins"
        )
    names = sets.pop() if sets else None
    return PluginChoice(names, "default" if names is None else "fund file")


def not_installed(names: tuple[str, ...] | None) -> list[str]:
    """Which of ``names`` (a fund file's plugins) are not installed here."""
    from sgfund.manager import installed_plugins

    installed = installed_plugins()
    return [name for name in names or () if name not in installed]


def fund_plugin_manager(
    ledger: Ledger | None, *, choice: PluginChoice | None = None
) -> tuple[SgfundPluginManager, PluginChoice]:
    """A plugin manager with sgfund's built-ins and the chosen plugins, and the choice.

    ``choice`` (the caller's) wins over the fund files in force (`plugins_in_force`). A named
    plugin that is not installed is a `WorkflowError` saying which are installed.
    """
    from sgfund.manager import installed_plugins, make_plugin_manager

    chosen = choice if choice is not None else plugins_in_force(ledger)
    if chosen.names is None:
        return make_plugin_manager(), chosen
    missing = not_installed(chosen.names)
    if missing:
        installed = installed_plugins()
        where = "the fund file names" if chosen.source == "fund file" else f"{chosen.source} names"
        raise WorkflowError(
            f"{where} plugin(s) {', '.join(map(repr, missing))}, not installed "
            f"(installed: {', '.join(installed) or 'none'}): install them, or choose others "
            "with --plugins"
        )
    return make_plugin_manager(entry_points=chosen.names), chosen
