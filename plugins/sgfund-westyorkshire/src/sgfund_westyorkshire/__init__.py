"""sgfund plugin for West Yorkshire's Safer Communities Fund.

Installed next to sgfund, it registers itself through the ``sgfund`` entry point
(``westyorkshire``). It gives:

- the safeguarding theme vocabulary ``wy-safeguarding`` (`vocabulary`), for any round that
  names it, and a keyword classifier for its themes (`themes`);
- the five districts with their ONS codes, and which district a postcode is in
  (`districts`), for rounds of the funds in `FUND_IDS`;
- the fund's rules for those rounds: the area rule, the exclusions and, where a round has no
  maximum of its own, the grant schedule;
- how its larger grants are paid (`payments`): half on acceptance, half on the final return.

`DATA_PLUGINS` are the two modules that give only the vocabulary and the districts: register
them (``make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)``) to use the data
without the rules (with the installed entry point as well, the vocabulary would be given twice).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from sgfund import Round, Vocabularies, hookimpl
from sgfund.types import Classifier, Rule
from sgfund_westyorkshire import districts, vocabulary
from sgfund_westyorkshire.area import AREA_RULE, area_status
from sgfund_westyorkshire.districts import DISTRICTS, FUND_IDS, sgfund_areas
from sgfund_westyorkshire.exclusions import EXCLUSION_RULES
from sgfund_westyorkshire.payments import sgfund_payment_plans
from sgfund_westyorkshire.schedule import max_grant_rule
from sgfund_westyorkshire.tables import max_grant_for, postcode_districts
from sgfund_westyorkshire.themes import SAFEGUARDING_CLASSIFIER
from sgfund_westyorkshire.vocabulary import (
    SAFEGUARDING_THEMES,
    VOCABULARY_ID,
    sgfund_theme_vocabularies,
)

__all__ = [
    "DATA_PLUGINS",
    "DISTRICTS",
    "FUND_IDS",
    "SAFEGUARDING_THEMES",
    "VOCABULARY_ID",
    "area_status",
    "max_grant_for",
    "postcode_districts",
    "sgfund_areas",
    "sgfund_eligibility_rules",
    "sgfund_payment_plans",
    "sgfund_theme_classifiers",
    "sgfund_theme_vocabularies",
]

__version__ = "0.1.0"

DATA_PLUGINS: tuple[ModuleType, ...] = (vocabulary, districts)


@hookimpl
def sgfund_eligibility_rules(round: Round) -> Iterator[Rule]:
    """The area rule, the exclusions and, where needed, the grant schedule."""
    if round.fund_id not in FUND_IDS:
        return
    yield AREA_RULE
    yield from EXCLUSION_RULES
    schedule = max_grant_rule(round)
    if schedule is not None:
        yield schedule


@hookimpl
def sgfund_theme_classifiers(round: Round, vocabularies: Vocabularies) -> Iterator[Classifier]:
    """The safeguarding-theme classifier, for rounds that use the safeguarding vocabulary."""
    if VOCABULARY_ID in round.theme_vocabularies:
        yield SAFEGUARDING_CLASSIFIER
