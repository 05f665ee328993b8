"""sgfund plugin for West Yorkshire's Safer Communities Fund.

Installed next to sgfund, it registers itself through the ``sgfund`` entry point. Its rules
apply to rounds of the funds in `FUND_IDS`; its theme classifier to any round that uses the
safeguarding vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator

from sgfund import Round, hookimpl
from sgfund.types import Classifier, Rule
from sgfund_westyorkshire.area import AREA_RULE, area_status
from sgfund_westyorkshire.exclusions import EXCLUSION_RULES
from sgfund_westyorkshire.schedule import max_grant_rule
from sgfund_westyorkshire.tables import max_grant_for, postcode_districts
from sgfund_westyorkshire.themes import SAFEGUARDING_CLASSIFIER, VOCABULARY_ID

__all__ = [
    "FUND_IDS",
    "area_status",
    "max_grant_for",
    "postcode_districts",
    "sgfund_eligibility_rules",
    "sgfund_theme_classifiers",
]

__version__ = "0.1.0"

# The funds these rules belong to (sgfund.sample.SCF is "wy-scf").
FUND_IDS = frozenset({"wy-scf"})


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
def sgfund_theme_classifiers(round: Round) -> Iterator[Classifier]:
    """The safeguarding-theme classifier, for rounds that use the safeguarding vocabulary."""
    if any(voc.id == VOCABULARY_ID for voc in round.theme_vocabularies):
        yield SAFEGUARDING_CLASSIFIER
