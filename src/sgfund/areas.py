"""Areas a fund works in: names, the codes open data publishes for them, and postcode lookups.

Areas come from plugins (the ``sgfund_areas`` hook) as `AreaSet` objects; `round_areas` merges
what the plugins give for a round into one `Areas`. 360Giving export uses it for the location
of recipients and beneficiaries (``geoCode`` and ``geoCodeType``). sgfund itself holds no
area: a district that no plugin names is published by name only, without a code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.applications import Application
from sgfund.collect import SgfundPluginManager, collect
from sgfund.errors import FieldError, PluginError
from sgfund.funds import Round

__all__ = ["Area", "AreaSet", "Areas", "PostcodeLookup", "beneficiary_area", "round_areas"]

# A normalised postcode ("SW1A 1AA") -> the name of the area it is in, or None if unsure.
PostcodeLookup = Callable[[str], str | None]


@frozen(kw_only=True)
class Area:
    """A named area and its code, e.g. ``Area(name="Riverside", code="E08000001", code_type="MD")``.

    ``name`` is written as applications write the organisation's district. ``code_type`` is
    from 360Giving's geoCodeType codelist (``MD`` metropolitan district, ``UA``, ``NMD``,
    ``LONB``, ``WD`` ward, ...).
    """

    name: str = field(converter=v.stripped, validator=v.text)
    code: str = field(validator=v.identifier)
    code_type: str = field(validator=v.identifier)


def _areas(values: Iterable[Area]) -> tuple[Area, ...]:
    return tuple(values)


@frozen(kw_only=True)
class AreaSet:
    """A plugin's areas: an id, a label, the areas, and optionally a postcode lookup.

    ``locate(postcode)`` gets a normalised postcode and returns the name of one of ``areas``
    (or None when it cannot say). Area names are unique within the set.
    """

    id: str = field(validator=v.slug)
    label: str = field(converter=v.stripped, validator=v.text)
    areas: tuple[Area, ...] = field(converter=_areas)
    locate: PostcodeLookup | None = None

    def __attrs_post_init__(self) -> None:
        names = [a.name for a in self.areas]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise FieldError("areas", repeated, "each area name once")


def _sets(values: Iterable[AreaSet]) -> tuple[AreaSet, ...]:
    return tuple(values)


@frozen(kw_only=True)
class Areas:
    """Every area the plugins give for one round, by name, and their postcode lookups."""

    sets: tuple[AreaSet, ...] = field(default=(), converter=_sets)
    _by_name: Mapping[str, Area] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, Area] = {}
        owner: dict[str, str] = {}
        for area_set in self.sets:
            for area in area_set.areas:
                if area.name in owner:
                    raise FieldError(
                        "areas",
                        area.name,
                        f"each area named once ({area.name!r} is in both {owner[area.name]} "
                        f"and {area_set.id})",
                    )
                owner[area.name] = area_set.id
                by_name[area.name] = area
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    def get(self, name: str) -> Area | None:
        """The area called ``name``, or None."""
        return self._by_name.get(name)

    def locate(self, postcode: str) -> Area | None:
        """The area a normalised postcode is in, asking each set's lookup in id order."""
        for area_set in self.sets:
            if area_set.locate is None:
                continue
            name = area_set.locate(postcode)
            if name is not None:
                return self._by_name.get(name)
        return None


def beneficiary_area(application: Application, areas: Areas) -> tuple[str, Area | None] | None:
    """Where a project benefits: the area of its delivery postcode, else the applicant's district.

    Returns the name to publish and its `Area` when a plugin knows it, or None when there is
    nothing to say. A district no plugin knows keeps its name without a code.
    """
    if application.delivery_postcode is not None:
        found = areas.locate(application.delivery_postcode)
        if found is not None:
            return found.name, found
    return recipient_area(application, areas)


def recipient_area(application: Application, areas: Areas) -> tuple[str, Area | None] | None:
    """Where the applicant is: its district, else the area of its postcode; None if unknown."""
    organisation = application.organisation
    if organisation.district is not None:
        return organisation.district, areas.get(organisation.district)
    if organisation.postcode is not None:
        found = areas.locate(organisation.postcode)
        if found is not None:
            return found.name, found
    return None


def round_areas(pm: SgfundPluginManager, round: Round) -> Areas:
    """Ask every plugin, once, for its areas for ``round``, and merge them.

    An area set id given by two plugins, or one area name in two sets, is a `PluginError`.
    """
    given = collect(pm, "sgfund_areas", AreaSet, round=round)
    try:
        return Areas(sets=tuple(entry.item for entry in given))
    except FieldError as err:
        plugins = sorted({entry.plugin for entry in given})
        raise PluginError(
            f"the areas given for round {round.id} clash: expected {err.expected}",
            plugins=plugins,
        ) from err
