"""Collecting hook results through pluggy, with the plugin that gave each one (a leaf module).

sgfund's hooks all *collect*: every plugin's results are merged, sorted by id, and an id given
by two plugins is an error naming both. To know which plugin gave what, `SgfundPluginManager`
wraps each implementation while pluggy makes the call, so that the call, its tracing and
`add_hookcall_monitoring` stay pluggy's own. Wrappers are refused when a plugin registers,
because a wrapper could change results without the change being attributed to anyone.

Engines (eligibility, themes, areas, reconciliation) import `collect` from here; the factory
that builds managers lives in `sgfund.manager`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar, cast

import pluggy
from attrs import frozen

from sgfund.errors import PluginError
from sgfund.hookspecs import PROJECT_NAME

__all__ = ["Contribution", "Registered", "SgfundPluginManager", "collect"]

_PREFIX = f"{PROJECT_NAME}_"


@frozen
class Contribution:
    """What one plugin's implementation gave in one hook call (what monitoring sees)."""

    plugin: str
    items: tuple[object, ...]


class _Attributed:
    """A hook implementation whose results come back as a `Contribution` naming its plugin."""

    __slots__ = (
        "argnames",
        "hook_name",
        "hookwrapper",
        "impl",
        "kwargnames",
        "opts",
        "plugin",
        "plugin_name",
        "tryfirst",
        "trylast",
        "wrapper",
    )

    def __init__(self, impl: pluggy.HookImpl, hook_name: str) -> None:
        self.impl = impl
        self.hook_name = hook_name
        self.argnames = impl.argnames
        self.kwargnames = impl.kwargnames
        self.plugin = impl.plugin
        self.plugin_name = impl.plugin_name
        self.opts = impl.opts
        self.tryfirst = impl.tryfirst
        self.trylast = impl.trylast
        self.wrapper = False  # refused at registration
        self.hookwrapper = False

    def function(self, *args: object, **kwargs: object) -> Contribution:
        name = self.plugin_name
        try:
            returned = self.impl.function(*args, **kwargs)
            if returned is None:
                return Contribution(name, ())
            if isinstance(returned, str | bytes | Mapping) or not isinstance(returned, Iterable):
                raise PluginError(
                    f"plugin {name!r} returned {returned!r} from {self.hook_name}; expected a "
                    "list or generator of results (or nothing)",
                    plugin=name,
                )
            return Contribution(name, tuple(returned))
        except PluginError:
            raise
        except Exception as err:
            raise PluginError(
                f"plugin {name!r} raised in {self.hook_name}: {type(err).__name__}: {err}",
                plugin=name,
            ) from err

    def __repr__(self) -> str:
        return f"<hook implementation of {self.hook_name} by {self.plugin_name!r}>"


class SgfundPluginManager(pluggy.PluginManager):
    """A pluggy manager for sgfund's hooks (build one with `sgfund.make_plugin_manager`).

    It attributes every result of an ``sgfund_*`` hook to its plugin, refuses wrappers on those
    hooks when a plugin registers, turns registration failures into `PluginError`, and
    remembers which distribution each installed plugin came from.
    """

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        self.distributions: dict[str, tuple[str, str]] = {}

    def distribution_of(self, name: str) -> tuple[str, str] | None:
        """The (distribution name, version) a plugin was installed with, or None."""
        return self.distributions.get(name)

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register ``plugin`` as pluggy does; refuse it, registering nothing, if it breaks the
        contract (a hook sgfund's specification does not allow, or a wrapper).
        """  # noqa: D205 - the summary needs both lines
        label = name or self.get_canonical_name(plugin)
        try:
            registered = super().register(plugin, name)
        except pluggy.PluginValidationError as err:
            raise PluginError(f"plugin {label!r} breaks the contract: {err}", plugin=label) from err
        except ValueError as err:  # the name or the object is registered already
            raise PluginError(
                f"plugin {label!r} cannot be registered: {err}", plugin=label
            ) from err
        if registered is None:  # blocked
            return None
        wrapped = sorted(
            caller.name
            for caller in self.get_hookcallers(plugin) or ()
            if caller.name.startswith(_PREFIX)
            for impl in caller.get_hookimpls()
            if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper)
        )
        if wrapped:
            self.unregister(plugin)
            raise PluginError(
                f"plugin {registered!r} wraps {', '.join(wrapped)}: sgfund's hooks collect "
                "every plugin's results and take no wrappers (to replace another plugin's "
                "results, block that plugin and give your own)",
                plugin=registered,
            )
        return registered

    def _hookexec(
        self,
        hook_name: str,
        methods: Sequence[pluggy.HookImpl],
        kwargs: Mapping[str, object],
        firstresult: bool,
    ) -> object | list[object]:
        if hook_name.startswith(_PREFIX):
            # Attribute each result to its plugin while pluggy makes the call, so that
            # monitoring and tracing (which wrap what runs below) see every call.
            methods = cast("list[pluggy.HookImpl]", [_Attributed(m, hook_name) for m in methods])
        return super()._hookexec(hook_name, methods, kwargs, firstresult)


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
    pm: SgfundPluginManager, hook_name: str, kind: type[T], **kwargs: Any
) -> tuple[Registered[T], ...]:
    """Call one collecting hook once through pluggy, and merge every plugin's results.

    Results are sorted by id, never by pluggy's call order. A result that is not a ``kind``,
    or an id given twice (by two plugins, or twice by one), is a `PluginError` naming the
    plugins; so is an implementation that raises.
    """
    if not isinstance(pm, SgfundPluginManager):
        raise PluginError(
            f"{type(pm).__name__} cannot say which plugin gave each result: build the plugin "
            "manager with sgfund.make_plugin_manager"
        )
    caller: pluggy.HookCaller = getattr(pm.hook, hook_name)
    given = cast("list[Contribution]", caller(**kwargs))
    by_id: dict[str, Registered[T]] = {}
    for contribution in sorted(given, key=lambda c: c.plugin):
        plugin = contribution.plugin
        for item in contribution.items:
            if not isinstance(item, kind):
                raise PluginError(
                    f"plugin {plugin!r} gave {item!r} from {hook_name}; expected a {kind.__name__}",
                    plugin=plugin,
                )
            other = by_id.get(item.id)
            if other is not None:
                who = (
                    f"twice by plugin {plugin!r}"
                    if other.plugin == plugin
                    else f"by two plugins: {other.plugin!r} and {plugin!r}"
                )
                raise PluginError(
                    f"{kind.__name__} id {item.id!r} from {hook_name} is given {who}",
                    plugin=plugin,
                    rule_id=item.id,
                    plugins=(other.plugin, plugin),
                )
            by_id[item.id] = Registered(plugin, item)
    return tuple(by_id[key] for key in sorted(by_id))
