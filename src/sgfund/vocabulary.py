"""Themes and theme vocabularies, with the seven safeguarding themes of the Mayor's 2022 report."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.errors import FieldError

__all__ = ["SAFEGUARDING_THEMES", "Theme", "ThemeVocabulary"]


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class Theme:
    """One theme a project can serve: ``slug`` is stable, ``label`` is what people read."""

    slug: str = field(validator=v.slug)
    label: str = field(converter=v.stripped, validator=v.text)
    archived: bool = False


def _themes(values: Iterable[Theme]) -> tuple[Theme, ...]:
    return tuple(values)


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class ThemeVocabulary:
    """A versioned list of themes; archived themes stay readable but take no new projects."""

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


SAFEGUARDING_THEMES = ThemeVocabulary(
    id="wy-safeguarding",
    label="Safeguarding themes (Mayor of West Yorkshire, 2022)",
    version="2022",
    themes=(
        Theme(slug="child-sexual-abuse-exploitation", label="Child Sexual Abuse and Exploitation"),
        Theme(slug="domestic-abuse", label="Domestic Abuse"),
        Theme(slug="fraud-cyber-crime", label="Fraud and Cyber Crime"),
        Theme(
            slug="human-trafficking-modern-slavery", label="Human Trafficking and Modern Slavery"
        ),
        Theme(slug="honour-based-abuse", label='So Called "Honour" Based Abuse'),
        Theme(slug="stalking-harassment", label="Stalking and Harassment"),
        Theme(slug="rape-sexual-offences", label="Rape and Sexual Offences"),
    ),
)
