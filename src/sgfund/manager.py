"""The plugin manager factory, and `describe`: what the plugins contribute, for publishing.

Importing sgfund loads no plugin: `make_plugin_manager` builds a fresh manager each time it is
called, with the built-in plugins, the caller's plugins and the installed distributions'
entry points in the ``sgfund`` group (all of them, the ones named, or none).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import warnings
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import attrs
import pluggy
from attrs import frozen

from sgfund.areas import AreaSet
from sgfund.checks import reconciliation_checks
from sgfund.collect import Registered, SgfundPluginManager, collect
from sgfund.eligibility import eligibility_rules
from sgfund.errors import PluginError
from sgfund.funds import Round
from sgfund.hookspecs import PROJECT_NAME, SgfundSpecs
from sgfund.plugins import DEFAULT_PLUGINS
from sgfund.scope import Scope
from sgfund.themes import resolve_vocabularies, theme_classifiers, vocabulary_entries
from sgfund.types import Classifier, ReconciliationCheck, Rule
from sgfund.vocabulary import ThemeVocabulary

__all__ = [
    "PluginInfo",
    "PluginListing",
    "Registered",
    "SgfundPluginManager",
    "describe",
    "installed_plugins",
    "make_plugin_manager",
]


def _plugin_name(plugin: object) -> str:
    name = getattr(plugin, "__name__", None)
    return name if isinstance(name, str) else type(plugin).__name__


_Found = tuple[importlib.metadata.EntryPoint, str, str]


def _entry_points() -> dict[str, _Found]:
    found: dict[str, _Found] = {}
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            # The same distribution can sit twice on sys.path; the first one wins, as on import.
            if ep.group == PROJECT_NAME and ep.name not in found:
                found[ep.name] = (ep, dist.metadata["Name"], dist.version)
    return {name: found[name] for name in sorted(found)}


def installed_plugins() -> tuple[str, ...]:
    """Entry-point names of every installed sgfund plugin, sorted (nothing is imported)."""
    return tuple(_entry_points())


def make_plugin_manager(
    *,
    plugins: Iterable[object] = (),
    defaults: bool = True,
    entry_points: bool | Collection[str] = True,
    blocked: Iterable[str] = (),
    skip_broken: bool = False,
) -> SgfundPluginManager:
    """Build a plugin manager with sgfund's hook specifications.

    ``defaults`` registers the built-in plugins of `sgfund.plugins` (named by module, e.g.
    ``"sgfund.plugins.rules"``); ``plugins`` adds the caller's own (modules, classes or
    instances, named by ``__name__`` or their class name). ``entry_points`` says which installed
    plugins of the ``sgfund`` entry-point group to load: ``True`` every one, ``False`` none, or
    a collection of entry-point names (each must be installed). ``blocked`` names plugins never
    to register (built-ins by module name, installed ones by entry-point name); a blocked name
    that matches nothing is warned about. A plugin that fails to import is a `PluginError`
    naming its distribution, unless ``skip_broken`` is true, in which case it is skipped with a
    warning. A hook implementation whose name matches no specification (a misspelt hook), or
    a wrapper, is a `PluginError`.
    """
    if isinstance(entry_points, str):
        raise TypeError("entry_points takes True, False or a collection of entry-point names")
    given = list(plugins)
    blocked = list(blocked)
    pm = SgfundPluginManager()
    pm.add_hookspecs(SgfundSpecs)
    for name in blocked:
        pm.set_blocked(name)
    if defaults:
        for module_name in DEFAULT_PLUGINS:
            if not pm.is_blocked(module_name):
                pm.register(importlib.import_module(module_name), name=module_name)
    for plugin in given:
        name = _plugin_name(plugin)
        if not pm.is_blocked(name):
            pm.register(plugin, name=name)
    installed = _entry_points()
    if entry_points is not False:
        wanted = None if entry_points is True else sorted(entry_points)
        _load_entry_points(pm, installed, wanted, skip_broken=skip_broken)
    _warn_unmatched(blocked, {*DEFAULT_PLUGINS, *map(_plugin_name, given), *installed})
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as err:
        name = pm.get_name(err.plugin) or _plugin_name(err.plugin)
        raise PluginError(
            f"plugin {name!r} implements a hook sgfund does not have: {err}", plugin=name
        ) from err
    return pm


def _warn_unmatched(blocked: Sequence[str], known: set[str]) -> None:
    for name in blocked:
        if name not in known:
            warnings.warn(
                f"blocked plugin {name!r} matches no built-in, given or installed plugin "
                f"(built-ins are blocked by module name, installed plugins by entry-point name)",
                UserWarning,
                stacklevel=3,
            )


def _load_entry_points(
    pm: SgfundPluginManager,
    installed: dict[str, _Found],
    wanted: list[str] | None,
    *,
    skip_broken: bool,
) -> None:
    if wanted is not None:
        missing = [name for name in wanted if name not in installed]
        if missing:
            raise PluginError(
                f"no installed sgfund plugin is called {', '.join(map(repr, missing))} "
                f"(installed: {', '.join(installed) or 'none'})",
                plugin=missing[0],
            )
    for name in wanted if wanted is not None else list(installed):
        ep, dist_name, dist_version = installed[name]
        if pm.is_blocked(name) or pm.has_plugin(name):
            continue
        try:
            plugin = ep.load()
        except Exception as err:
            message = (
                f"plugin {name!r} from distribution {dist_name} {dist_version} "
                f"failed to import ({ep.value}): {type(err).__name__}: {err}"
            )
            if skip_broken:
                warnings.warn(f"skipped {message}", RuntimeWarning, stacklevel=4)
                continue
            raise PluginError(message, plugin=name) from err
        pm.register(plugin, name=name)
        pm.distributions[name] = (dist_name, dist_version)


@frozen(kw_only=True)
class PluginInfo:
    """A registered plugin: its name, the distribution and version it came from, its hooks."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]


def _section(title: str, lines: Sequence[str]) -> list[str]:
    return [f"## {title}", "", *lines, ""] if lines else []


def _line(entry: Registered[Any], version: str | None, text: str) -> str:
    shown = f"version {version}, " if version else ""
    return f"- **{entry.item.id}** ({shown}plugin {entry.plugin}): {text}"


@frozen(kw_only=True)
class PluginListing:
    """Everything the plugins contribute to a round or scope: a fund's published criteria.

    Each item is `Registered`: ``entry.plugin`` names the plugin that gave ``entry.item``.
    """

    plugins: tuple[PluginInfo, ...]
    vocabularies: tuple[Registered[ThemeVocabulary], ...] = ()
    areas: tuple[Registered[AreaSet], ...] = ()
    rules: tuple[Registered[Rule], ...] = ()
    classifiers: tuple[Registered[Classifier], ...] = ()
    checks: tuple[Registered[ReconciliationCheck], ...] = ()

    def to_markdown(self) -> str:
        """Criteria, themes, areas and checks as Markdown, each naming the plugin that gave it."""
        lines = _section(
            "Eligibility rules",
            [_line(r, r.item.version, r.item.description) for r in self.rules],
        )
        lines += _section(
            "Theme classifiers",
            [_line(c, c.item.version, c.item.description) for c in self.classifiers],
        )
        lines += _section(
            "Theme vocabularies",
            [
                _line(
                    v,
                    v.item.version,
                    f"{v.item.label}: "
                    + ", ".join(
                        t.label + (" (archived)" if t.archived else "") for t in v.item.themes
                    ),
                )
                for v in self.vocabularies
            ],
        )
        lines += _section(
            "Areas",
            [
                _line(
                    a,
                    None,
                    f"{a.item.label}: "
                    + ", ".join(f"{x.name} ({x.code_type} {x.code})" for x in a.item.areas),
                )
                for a in self.areas
            ],
        )
        lines += _section(
            "Reconciliation checks",
            [_line(c, c.item.version, c.item.description) for c in self.checks],
        )
        plugins = []
        for p in self.plugins:
            origin = f"{p.distribution} {p.version}" if p.distribution else "registered in code"
            plugins.append(f"- {p.name} ({origin})")
        return "\n".join([*lines, "## Plugins", "", *plugins]) + "\n"


def _plugin_infos(pm: SgfundPluginManager) -> tuple[PluginInfo, ...]:
    infos = []
    own_version = importlib.metadata.version(PROJECT_NAME)
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        dist = pm.distribution_of(name)
        if dist is None and name.startswith(f"{PROJECT_NAME}.plugins."):
            dist = (PROJECT_NAME, own_version)
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        infos.append(
            PluginInfo(
                name=name,
                distribution=dist[0] if dist else None,
                version=dist[1] if dist else None,
                hooks=hooks,
            )
        )
    return tuple(sorted(infos, key=lambda i: i.name))


def describe(
    pm: SgfundPluginManager, *, round: Round | None = None, scope: Scope | None = None
) -> PluginListing:
    """List the plugins, what they give to ``round`` and what they give to ``scope``.

    For a round: the vocabularies it names, the areas, the rules and the classifiers; for a
    scope: the reconciliation checks. Hooks take a round (or scope) because a plugin may give
    different rules to different rounds; without one, only the plugins are listed. A round
    naming a vocabulary that no plugin gives is a `PluginError`, as in an assessment.
    """
    listing = PluginListing(plugins=_plugin_infos(pm))
    if round is not None:
        entries = vocabulary_entries(pm, round)
        vocabularies = resolve_vocabularies(round, entries)
        listing = attrs.evolve(
            listing,
            vocabularies=entries,
            areas=collect(pm, "sgfund_areas", AreaSet, round=round),
            rules=eligibility_rules(pm, round, vocabularies),
            classifiers=theme_classifiers(pm, round, vocabularies),
        )
    if scope is not None:
        listing = attrs.evolve(listing, checks=reconciliation_checks(pm, scope))
    return listing
