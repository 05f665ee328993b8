"""Themes, theme vocabularies, and a round's vocabularies resolved: the one home of theme validity.

Vocabularies come from plugins (the ``sgfund_theme_vocabularies`` hook); a `Round` names the
ones it uses by id. `Vocabularies` is what a round's ids resolve to (see
`sgfund.themes.round_vocabularies`), and `Vocabularies.theme_problems` is the only place that
decides whether a theme slug is a theme of the round, and whether it is archived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.errors import FieldError, Problem, ValidationError

__all__ = ["Theme", "ThemeVocabulary", "Vocabularies"]


@frozen(kw_only=True)
class Theme:
    """One theme a project can serve: ``slug`` is stable, ``label`` is what people read.

    An ``archived`` theme stays readable (old awards keep their labels) but is not given to new
    projects: a declared archived theme is referred, and classifiers may not give it.
    """

    slug: str = field(validator=v.slug)
    label: str = field(converter=v.stripped, validator=v.text)
    archived: bool = False


def _themes(values: Iterable[Theme]) -> tuple[Theme, ...]:
    return tuple(values)


@frozen(kw_only=True)
class ThemeVocabulary:
    """A versioned list of themes, given by a plugin and named by rounds through its ``id``.

    ``version`` changes whenever a theme is added, archived or relabelled; assessments record
    the version they used. Example::

        ThemeVocabulary(
            id="pcp-priorities",
            label="Police and Crime Plan priorities",
            version="2021",
            themes=(
                Theme(slug="victims-witnesses", label="Supporting Victims and Witnesses"),
                Theme(slug="complex-needs", label="Multiple and Complex Needs", archived=True),
            ),
        )
    """

    id: str = field(validator=v.slug)
    label: str = field(converter=v.stripped, validator=v.text)
    version: str = field(validator=v.version)
    themes: tuple[Theme, ...] = field(converter=_themes)

    def __attrs_post_init__(self) -> None:
        slugs = [t.slug for t in self.themes]
        repeated = sorted({s for s in slugs if slugs.count(s) > 1})
        if repeated:
            raise FieldError("themes", repeated, "each theme slug once")

    def get(self, slug: str) -> Theme | None:
        """Return the theme with ``slug``, or None."""
        for theme in self.themes:
            if theme.slug == slug:
                return theme
        return None

    @property
    def slugs(self) -> frozenset[str]:
        """Every slug, archived or not."""
        return frozenset(t.slug for t in self.themes)

    @property
    def active_slugs(self) -> frozenset[str]:
        """Slugs of themes that can still be given to new projects."""
        return frozenset(t.slug for t in self.themes if not t.archived)


def _vocabularies(values: Iterable[ThemeVocabulary]) -> tuple[ThemeVocabulary, ...]:
    return tuple(values)


@frozen(kw_only=True)
class Vocabularies:
    """The theme vocabularies of one round, in the order the round names them.

    Built by `sgfund.themes.round_vocabularies`. A theme slug belongs to one vocabulary of the
    round only, so a slug always says which vocabulary (and label) it means.
    """

    round_id: str = field(validator=v.slug)
    vocabularies: tuple[ThemeVocabulary, ...] = field(converter=_vocabularies)
    _themes: Mapping[str, tuple[ThemeVocabulary, Theme]] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        found: dict[str, tuple[ThemeVocabulary, Theme]] = {}
        ids = [voc.id for voc in self.vocabularies]
        if len(set(ids)) != len(ids):
            raise FieldError("vocabularies", ids, "each vocabulary once")
        for vocabulary in self.vocabularies:
            for theme in vocabulary.themes:
                other = found.get(theme.slug)
                if other is not None:
                    raise FieldError(
                        "vocabularies",
                        theme.slug,
                        f"theme slugs unique across round {self.round_id}'s vocabularies "
                        f"({theme.slug!r} is in both {other[0].id} and {vocabulary.id})",
                    )
                found[theme.slug] = (vocabulary, theme)
        object.__setattr__(self, "_themes", MappingProxyType(found))

    def find(self, slug: str) -> tuple[ThemeVocabulary, Theme] | None:
        """The vocabulary and theme of ``slug``, or None if the round has no such theme."""
        return self._themes.get(slug)

    @property
    def slugs(self) -> frozenset[str]:
        """Every theme slug of the round, archived or not."""
        return frozenset(self._themes)

    @property
    def live_slugs(self) -> frozenset[str]:
        """Theme slugs that new projects can be given (not archived)."""
        return frozenset(s for s, (_, t) in self._themes.items() if not t.archived)

    @property
    def versions(self) -> dict[str, str]:
        """Vocabulary id -> version, as recorded with an assessment."""
        return {voc.id: voc.version for voc in self.vocabularies}

    @property
    def labels(self) -> dict[str, str]:
        """Theme slug -> label, in the vocabularies' order (for reports)."""
        return {t.slug: t.label for voc in self.vocabularies for t in voc.themes}

    def theme_problems(
        self, slugs: Iterable[str], *, field: str = "themes", archived_ok: bool = False
    ) -> list[Problem]:
        """One problem for each slug that is not a theme of the round (or is archived).

        This is sgfund's one test of theme validity: the built-in ``declared-themes-known``
        rule refers what it finds, the core refuses classifiers and officers that give such
        themes, and 360Giving export refuses unknown ones (``archived_ok``: archived themes
        stay readable on old awards).
        """
        problems = []
        for slug in sorted(slugs):
            found = self._themes.get(slug)
            if found is None:
                problems.append(
                    Problem(
                        f"theme {slug!r} is not in round {self.round_id}'s vocabularies",
                        field=field,
                        value=slug,
                        expected=", ".join(sorted(self.live_slugs)) or "(the round has none)",
                    )
                )
            elif found[1].archived and not archived_ok:
                problems.append(
                    Problem(
                        f"theme {slug!r} is archived in {found[0].id} v{found[0].version}",
                        field=field,
                        value=slug,
                        expected="a theme that is not archived",
                    )
                )
        return problems

    def check(self, slugs: Iterable[str], *, field: str = "themes") -> None:
        """Raise `ValidationError` listing every slug that is not a live theme of the round."""
        problems = self.theme_problems(slugs, field=field)
        if problems:
            raise ValidationError(problems)
