"""A classifier for the seven safeguarding themes, from the project's title and summary.

Each theme has a list of phrases; each match names the phrase and where it was found. The
phrase lists are versioned with the classifier: change a list, raise ``VERSION``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sgfund import Application, Round
from sgfund.types import Classifier, ThemeHit, hit

__all__ = ["PHRASES", "SAFEGUARDING_CLASSIFIER", "VERSION"]

VERSION = "1"

# Theme slug -> phrases (regular expressions, ignoring case; acronyms must be upper case).
PHRASES: dict[str, tuple[str, ...]] = {
    "child-sexual-abuse-exploitation": (
        r"child sexual (?:abuse|exploitation)",
        r"sexual exploitation of (?:children|young people)",
        r"child exploitation",
        r"grooming",
        r"(?-i:CSE)",
    ),
    "domestic-abuse": (
        r"domestic (?:abuse|violence)",
        r"coercive control",
        r"controlling behaviour",
        r"abusive relationships?",
        r"intimate partner",
        r"refuges?",
    ),
    "fraud-cyber-crime": (
        r"fraud",
        r"scams?",
        r"cyber ?crimes?",
        r"online safety",
        r"phishing",
    ),
    "human-trafficking-modern-slavery": (
        r"modern slavery",
        r"human trafficking",
        r"trafficked",
        r"forced labour",
    ),
    "honour-based-abuse": (
        r"honour[- ]based",
        r"so[- ]called honour",
        r"forced marriage",
        r"female genital mutilation",
        r"(?-i:FGM)",
    ),
    "stalking-harassment": (
        r"stalk(?:ing|ers?)",
        r"harass(?:ment|ed)",
    ),
    "rape-sexual-offences": (
        r"rape",
        r"sexual (?:assault|violence|offences?)",
        r"(?-i:ISVA)",
    ),
}

_PATTERNS = tuple(
    (theme, re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE))
    for theme, phrases in PHRASES.items()
)


def _classify(app: Application, round: Round) -> Iterator[ThemeHit]:
    for theme, pattern in _PATTERNS:
        for name, text in (("title", app.title), ("summary", app.summary)):
            found = pattern.search(text)
            if found is not None:
                yield hit(theme, f'the {name} mentions "{found[0]}"')
                break


SAFEGUARDING_CLASSIFIER = Classifier(
    id="wy-safeguarding-keywords",
    version=VERSION,
    description="Finds the seven safeguarding themes of the Mayor's 2022 report in the "
    "project's title and summary, from a list of phrases for each theme.",
    classify=_classify,
)
