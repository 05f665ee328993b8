"""The fund's exclusions, as refer rules that quote the words that triggered them.

Words are a hint, not a verdict ("research shows that..." is not a research project), so every
exclusion refers to an officer rather than failing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from sgfund import Application, Round
from sgfund.types import Result, Rule, refer

__all__ = ["EXCLUSIONS", "EXCLUSION_RULES"]

# id -> (what the fund does not pay for, phrases as regular expressions, matched ignoring case)
EXCLUSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "general-appeals": (
        "general appeals",
        (r"general appeal", r"general fundraising", r"fundraising appeal", r"appeal for funds"),
    ),
    "research": (
        "research",
        (r"research", r"feasibility stud(?:y|ies)", r"academic stud(?:y|ies)"),
    ),
    "bursaries": (
        "bursaries or scholarships",
        (r"bursar(?:y|ies)", r"scholarships?", r"tuition fees?"),
    ),
    "travel": (
        "travel and trips",
        (r"travel(?:ling)?", r"trips? abroad", r"overseas trips?", r"residential trips?"),
    ),
    "statutory-funding": (
        "replacing statutory funding",
        (
            r"statutory (?:funding|services?|provision|dut(?:y|ies))",
            r"replace(?:s|ment)? (?:lost |existing )?(?:council |local authority )?funding",
        ),
    ),
    "food-banks": (
        "food for food banks",
        (r"food ?banks?", r"food parcels?"),
    ),
    "refreshments": (
        "refreshments",
        (r"refreshments?", r"catering", r"buffets?"),
    ),
}


def _exclusion_check(
    label: str, phrases: tuple[str, ...]
) -> Callable[[Application, Round, date], Result | None]:
    pattern = re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)

    def check(app: Application, round: Round, as_of: date) -> Result | None:
        for name, text in (("title", app.title), ("summary", app.summary)):
            found = pattern.search(text)
            if found is not None:
                return refer(
                    f'the {name} mentions "{found[0]}": the fund does not pay for {label}',
                    name,
                )
        return None

    return check


EXCLUSION_RULES: tuple[Rule, ...] = tuple(
    Rule(
        id=f"wy-exclusion-{key}",
        version="1",
        description=f"The fund does not pay for {label}. Applications whose title or summary "
        "suggests it are referred to an officer.",
        check=_exclusion_check(label, phrases),
    )
    for key, (label, phrases) in EXCLUSIONS.items()
)
