"""An example sgfund plugin: a theme vocabulary, a classifier for it, and a referral rule."""

import re

from sgfund import Classifier, Rule, Theme, ThemeVocabulary, hit, hookimpl, refer

# Rounds that want these themes name the vocabulary by id: theme_vocabularies=("pcp-priorities",)
PRIORITIES = ThemeVocabulary(
    id="pcp-priorities",
    label="Police and Crime Plan priorities",
    version="1",
    themes=(
        Theme(slug="victims-witnesses", label="Supporting Victims and Witnesses"),
        Theme(slug="safer-places", label="Safer Places and Thriving Communities"),
        Theme(slug="complex-needs", label="Multiple and Complex Needs"),
    ),
)

WORDS = {
    "victims-witnesses": re.compile(r"\b(?:victims?|witness(?:es)?)\b", re.IGNORECASE),
    "safer-places": re.compile(r"\b(?:streets?|parks?|neighbourhoods?)\b", re.IGNORECASE),
    "complex-needs": re.compile(r"\b(?:homelessness|addiction|mental health)\b", re.IGNORECASE),
}


def priorities(app, round):
    text = f"{app.title} {app.summary}"
    for slug, pattern in WORDS.items():
        found = pattern.search(text)
        if found:
            yield hit(slug, f'the application mentions "{found[0]}"')


PRIORITY_WORDS = Classifier(
    id="pcp-priority-words",
    version="1",
    description="Finds the plan's priorities from words in the title and summary.",
    classify=priorities,
)

MIN_WORDS = 12


def summary_length(app, round, as_of):
    words = len(app.summary.split())
    if words >= MIN_WORDS:
        return None  # a pass costs nothing
    return refer(
        f"the summary has {words} words; an officer needs at least {MIN_WORDS} to assess it",
        "summary",
    )


SUMMARY_LENGTH = Rule(
    id="summary-length",
    version="1",
    description=f"The project summary has at least {MIN_WORDS} words.",
    check=summary_length,
)


@hookimpl
def sgfund_theme_vocabularies(round):
    yield PRIORITIES


@hookimpl
def sgfund_theme_classifiers(round):
    if PRIORITIES.id in round.theme_vocabularies:
        yield PRIORITY_WORDS


@hookimpl
def sgfund_eligibility_rules(round):
    if PRIORITIES.id in round.theme_vocabularies:
        yield SUMMARY_LENGTH
