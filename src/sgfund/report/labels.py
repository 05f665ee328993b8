"""What the plugins say about a scope, for a report: theme and district labels, the criteria.

`report_labels` asks the plugins once per round (through `sgfund.manager.describe`, which
collects every hook's results with the plugin that gave them) and keeps plain data, so that
building a report from it is pure.
"""

from __future__ import annotations

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.collect import SgfundPluginManager
from sgfund.manager import describe
from sgfund.scope import Scope

__all__ = ["Criterion", "District", "PluginLine", "ReportLabels", "ThemeLabel", "report_labels"]


@frozen(kw_only=True)
class ThemeLabel:
    """A theme of one of the scope's vocabularies, in the vocabulary's order."""

    slug: str
    label: str
    vocabulary: str
    archived: bool = False


@frozen(kw_only=True)
class District:
    """An area a plugin names, with its code (e.g. an ONS code), in the plugin's order."""

    name: str
    code: str
    code_type: str


@frozen(kw_only=True)
class Criterion:
    """A rule, classifier, vocabulary or check as a plugin gives it now."""

    kind: str  # "rule", "classifier", "vocabulary" or "check"
    id: str
    version: str
    plugin: str
    description: str


@frozen(kw_only=True)
class PluginLine:
    """A registered plugin and the distribution it came from (None when registered in code)."""

    name: str
    distribution: str | None = None
    version: str | None = None


@frozen(kw_only=True)
class ReportLabels:
    """Labels and criteria for a report, from the plugins (see `report_labels`).

    Built by hand too (every field has a default): a report without labels shows slugs.
    """

    themes: tuple[ThemeLabel, ...] = field(default=(), converter=v.as_tuple)
    districts: tuple[District, ...] = field(default=(), converter=v.as_tuple)
    criteria: tuple[Criterion, ...] = field(default=(), converter=v.as_tuple)
    plugins: tuple[PluginLine, ...] = field(default=(), converter=v.as_tuple)

    @property
    def theme_labels(self) -> dict[str, str]:
        """Theme slug -> label, in the vocabularies' order."""
        return {t.slug: t.label for t in self.themes}


def report_labels(pm: SgfundPluginManager, scope: Scope) -> ReportLabels:
    """Ask ``pm``'s plugins, once per round of ``scope``, for labels and criteria.

    Themes and districts keep the order the plugins give them in; a theme or district named by
    two rounds is listed once. Criteria are listed once per (kind, id, version).
    """
    themes: dict[str, ThemeLabel] = {}
    districts: dict[str, District] = {}
    criteria: dict[tuple[str, str, str], Criterion] = {}

    def add(kind: str, id_: str, version: str, plugin: str, description: str) -> None:
        criteria.setdefault(
            (kind, id_, version),
            Criterion(kind=kind, id=id_, version=version, plugin=plugin, description=description),
        )

    listing = describe(pm, scope=scope)
    for rnd in scope.rounds:
        per_round = describe(pm, round=rnd)
        for voc in per_round.vocabularies:
            vocabulary = voc.item
            for theme in vocabulary.themes:
                themes.setdefault(
                    theme.slug,
                    ThemeLabel(
                        slug=theme.slug,
                        label=theme.label,
                        vocabulary=vocabulary.id,
                        archived=theme.archived,
                    ),
                )
            add("vocabulary", vocabulary.id, vocabulary.version, voc.plugin, vocabulary.label)
        for area_set in per_round.areas:
            for area in area_set.item.areas:
                districts.setdefault(
                    area.name, District(name=area.name, code=area.code, code_type=area.code_type)
                )
        for rule in per_round.rules:
            add("rule", rule.item.id, rule.item.version, rule.plugin, rule.item.description)
        for found in per_round.classifiers:
            item = found.item
            add("classifier", item.id, item.version, found.plugin, item.description)
    for check in listing.checks:
        add("check", check.item.id, check.item.version, check.plugin, check.item.description)
    return ReportLabels(
        themes=tuple(themes.values()),
        districts=tuple(districts.values()),
        criteria=tuple(criteria[key] for key in sorted(criteria)),
        plugins=tuple(
            PluginLine(name=p.name, distribution=p.distribution, version=p.version)
            for p in listing.plugins
        ),
    )
