"""The plugin manager factory, the merging of hook results, and introspection.

Importing sgfund loads no plugin: `make_plugin_manager` builds a fresh manager each time it is
called, with the built-in plugins, the caller's plugins and (unless told not to) every
installed distribution's entry point in the ``sgfund`` group.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import warnings
from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar, cast

import pluggy
from attrs import frozen

from sgfund.errors import PluginError
from sgfund.funds import Round
from sgfund.hookspecs import PROJECT_NAME, SgfundSpecs
from sgfund.plugins import DEFAULT_PLUGINS
from sgfund.scope import Scope
from sgfund.types import Classifier, ReconciliationCheck, Rule

__all__ = [
    "PluginInfo",
    "PluginListing",
    "Registered",
    "SgfundPluginManager",
    "collect",
    "describe",
    "make_plugin_manager",
]


class SgfundPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers which distribution each entry-point plugin came from."""

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        self.distributions: dict[str, tuple[str, str]] = {}

    def distribution_of(self, name: str) -> tuple[str, str] | None:
        """The (distribution name, version) a plugin was installed with, or None."""
        return self.distributions.get(name)


def _plugin_name(plugin: object) -> str:
    name = getattr(plugin, "__name__", None)
    return name if isinstance(name, str) else type(plugin).__name__


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as err:
        raise PluginError(f"plugin {name!r} breaks the contract: {err}", plugin=name) from err
    except ValueError as err:  # the name or the object is registered already
        raise PluginError(f"plugin {name!r} cannot be registered: {err}", plugin=name) from err


def _entry_points() -> list[tuple[importlib.metadata.EntryPoint, str, str]]:
    found: dict[str, tuple[importlib.metadata.EntryPoint, str, str]] = {}
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            # The same distribution can sit twice on sys.path; the first one wins, as on import.
            if ep.group == PROJECT_NAME and ep.name not in found:
                found[ep.name] = (ep, dist.metadata["Name"], dist.version)
    return [found[name] for name in sorted(found)]


def make_plugin_manager(
    *,
    plugins: Iterable[object] = (),
    defaults: bool = True,
    entry_points: bool = True,
    blocked: Iterable[str] = (),
    skip_broken: bool = False,
) -> SgfundPluginManager:
    """Build a plugin manager with sgfund's hook specifications.

    ``defaults`` registers the built-in plugins of `sgfund.plugins`; ``plugins`` adds the
    caller's own (modules, classes or instances, named by ``__name__`` or their class name);
    ``entry_points`` loads every installed plugin in the ``sgfund`` entry-point group.
    ``blocked`` names plugins never to register (built-ins are named by module, e.g.
    ``"sgfund.plugins.rules"``; installed ones by entry-point name). A plugin that fails to
    import is a `PluginError` naming its distribution, unless ``skip_broken`` is true, in
    which case it is skipped with a warning. A hook implementation whose name matches no
    specification (a misspelt hook) is a `PluginError`.
    """
    pm = SgfundPluginManager()
    pm.add_hookspecs(SgfundSpecs)
    for name in blocked:
        pm.set_blocked(name)
    if defaults:
        for module_name in DEFAULT_PLUGINS:
            if not pm.is_blocked(module_name):
                _register(pm, importlib.import_module(module_name), module_name)
    for plugin in plugins:
        name = _plugin_name(plugin)
        if not pm.is_blocked(name):
            _register(pm, plugin, name)
    if entry_points:
        _load_entry_points(pm, skip_broken=skip_broken)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as err:
        name = pm.get_name(err.plugin) or _plugin_name(err.plugin)
        raise PluginError(
            f"plugin {name!r} implements a hook sgfund does not have: {err}", plugin=name
        ) from err
    return pm


def _load_entry_points(pm: SgfundPluginManager, *, skip_broken: bool) -> None:
    for ep, dist_name, dist_version in _entry_points():
        if pm.is_blocked(ep.name) or pm.has_plugin(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as err:
            message = (
                f"plugin {ep.name!r} from distribution {dist_name} {dist_version} "
                f"failed to import ({ep.value}): {type(err).__name__}: {err}"
            )
            if skip_broken:
                warnings.warn(f"skipped {message}", RuntimeWarning, stacklevel=3)
                continue
            raise PluginError(message, plugin=ep.name) from err
        _register(pm, plugin, ep.name)
        pm.distributions[ep.name] = (dist_name, dist_version)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_HasId)


@frozen
class Registered(Generic[T]):
    """A hook result with the name of the plugin that gave it."""

    plugin: str
    item: T


def collect(
    pm: pluggy.PluginManager, hook_name: str, kind: type[T], **kwargs: object
) -> tuple[Registered[T], ...]:
    """Call one collecting hook once, attribute every result to its plugin, and merge.

    Each plugin's implementation is called in turn so that results (and failures) can name
    their plugin. Results are sorted by id, never by pluggy's call order; an id given twice
    is a `PluginError` naming both plugins.
    """
    caller: pluggy.HookCaller = getattr(pm.hook, hook_name)
    by_id: dict[str, Registered[T]] = {}
    for impl in caller.get_hookimpls():
        plugin = impl.plugin_name
        if impl.wrapper or impl.hookwrapper:
            raise PluginError(
                f"plugin {plugin!r} wraps {hook_name}: sgfund's collecting hooks take no wrappers "
                "(block the other plugin and give your own instead)",
                plugin=plugin,
            )
        try:
            returned = cast(
                "Iterable[object] | None", impl.function(*(kwargs[a] for a in impl.argnames))
            )
            items = list(returned) if returned is not None else []
        except PluginError:
            raise
        except Exception as err:
            raise PluginError(
                f"plugin {plugin!r} raised in {hook_name}: {type(err).__name__}: {err}",
                plugin=plugin,
            ) from err
        for item in items:
            if not isinstance(item, kind):
                raise PluginError(
                    f"plugin {plugin!r} gave {item!r} from {hook_name}; expected a {kind.__name__}",
                    plugin=plugin,
                )
            other = by_id.get(item.id)
            if other is not None:
                raise PluginError(
                    f"{kind.__name__.lower()} id {item.id!r} is given by two plugins: "
                    f"{other.plugin!r} and {plugin!r}",
                    plugin=plugin,
                    rule_id=item.id,
                    plugins=(other.plugin, plugin),
                )
            by_id[item.id] = Registered(plugin, item)
    return tuple(by_id[key] for key in sorted(by_id))


@frozen(kw_only=True)
class PluginInfo:
    """A registered plugin: its name, and the distribution and version it came from."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]


@frozen(kw_only=True)
class PluginListing:
    """Everything the plugins contribute: what a fund publishes as its criteria."""

    plugins: tuple[PluginInfo, ...]
    rules: tuple[Registered[Rule], ...] = ()
    classifiers: tuple[Registered[Classifier], ...] = ()
    checks: tuple[Registered[ReconciliationCheck], ...] = ()

    def to_markdown(self) -> str:
        """Eligibility criteria, themes and checks as Markdown for applicants and auditors."""
        lines: list[str] = []
        if self.rules:
            lines += ["## Eligibility rules", ""]
            lines += [
                f"- **{r.item.id}** (version {r.item.version}): {r.item.description}"
                for r in self.rules
            ]
            lines.append("")
        if self.classifiers:
            lines += ["## Theme classifiers", ""]
            lines += [
                f"- **{c.item.id}** (version {c.item.version}): {c.item.description}"
                for c in self.classifiers
            ]
            lines.append("")
        if self.checks:
            lines += ["## Reconciliation checks", ""]
            lines += [
                f"- **{c.item.id}** (version {c.item.version}): {c.item.description}"
                for c in self.checks
            ]
            lines.append("")
        lines += ["## Plugins", ""]
        for p in self.plugins:
            origin = f"{p.distribution} {p.version}" if p.distribution else "registered in code"
            lines.append(f"- {p.name} ({origin})")
        return "\n".join(lines) + "\n"


def _plugin_infos(pm: pluggy.PluginManager) -> tuple[PluginInfo, ...]:
    infos = []
    own_version = importlib.metadata.version(PROJECT_NAME)
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        dist = pm.distribution_of(name) if isinstance(pm, SgfundPluginManager) else None
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
    pm: pluggy.PluginManager, *, round: Round | None = None, scope: Scope | None = None
) -> PluginListing:
    """List the plugins, and the rules and classifiers for ``round`` and checks for ``scope``.

    Hooks take a round (or scope) because a plugin may give different rules to different
    rounds; without one, only the plugins are listed.
    """
    listing = PluginListing(plugins=_plugin_infos(pm))
    rules: tuple[Registered[Rule], ...] = ()
    classifiers: tuple[Registered[Classifier], ...] = ()
    checks: tuple[Registered[ReconciliationCheck], ...] = ()
    if round is not None:
        rules = collect(pm, "sgfund_eligibility_rules", Rule, round=round)
        classifiers = collect(pm, "sgfund_theme_classifiers", Classifier, round=round)
    if scope is not None:
        checks = collect(pm, "sgfund_reconciliation_checks", ReconciliationCheck, scope=scope)
    return PluginListing(
        plugins=listing.plugins, rules=rules, classifiers=classifiers, checks=checks
    )
