"""The seven safeguarding themes of the Mayor of West Yorkshire's 2022 safeguarding report."""

from __future__ import annotations

from collections.abc import Iterator

from sgfund import Round, Theme, ThemeVocabulary, hookimpl

__all__ = ["SAFEGUARDING_THEMES", "VOCABULARY_ID", "sgfund_theme_vocabularies"]

VOCABULARY_ID = "wy-safeguarding"

SAFEGUARDING_THEMES = ThemeVocabulary(
    id=VOCABULARY_ID,
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


@hookimpl
def sgfund_theme_vocabularies(round: Round) -> Iterator[ThemeVocabulary]:
    """The safeguarding vocabulary, for any round that names it."""
    yield SAFEGUARDING_THEMES
