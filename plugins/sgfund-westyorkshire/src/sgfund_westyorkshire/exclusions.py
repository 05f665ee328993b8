"""The fund's exclusions, as refer rules that quote the words that triggered them.

Words are a hint, not a verdict ("research shows that..." is not a research project), so every
exclusion refers to an officer rather than failing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from sgfund import Application, Round
from sgfund.tables import polars
from sgfund.types import Check, ColumnCheck, Result, Rule, refer

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


# Text with only ASCII characters: there polars' regular expressions (Rust) and Python's
# agree on these patterns; any other text is looked at by Python's, row by row.
_ASCII = r"^[\x00-\x7F]*$"


def _exclusion_check(label: str, phrases: tuple[str, ...]) -> tuple[Check, ColumnCheck]:
    alternatives = "|".join(phrases)
    pattern = re.compile(r"\b(?:" + alternatives + r")\b", re.IGNORECASE)
    column_pattern = r"(?i)\b(?:" + alternatives + r")\b"

    def text_check(title: str, summary: str) -> Result | None:
        for name, text in (("title", title), ("summary", summary)):
            found = pattern.search(text)
            if found is not None:
                return refer(
                    f'the {name} mentions "{found[0]}": the fund does not pay for {label}',
                    name,
                )
        return None

    def check(app: Application, round: Round, as_of: date) -> Result | None:
        return text_check(app.title, app.summary)

    def check_columns(round: Round, table: Any, as_of: date) -> Iterator[tuple[str, Result]]:
        pl = polars()
        title, summary = pl.col("title"), pl.col("summary")
        maybe = (
            title.str.contains(column_pattern)
            | summary.str.contains(column_pattern)
            | ~title.str.contains(_ASCII)
            | ~summary.str.contains(_ASCII)
        )
        for app_id, title_text, summary_text in (
            table.filter(maybe).select("application_id", "title", "summary").iter_rows()
        ):
            result = text_check(title_text, summary_text)
            if result is not None:
                yield app_id, result

    return check, check_columns


EXCLUSION_RULES: tuple[Rule, ...] = tuple(
    Rule(
        id=f"wy-exclusion-{key}",
        version="1",
        description=f"The fund does not pay for {label}. Applications whose title or summary "
        "suggests it are referred to an officer.",
        check=checks[0],
        check_columns=checks[1],
    )
    for key, (label, phrases) in EXCLUSIONS.items()
    for checks in [_exclusion_check(label, phrases)]
)
