"""Built-in classifier: the themes the applicant declared, kept and marked as declared."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sgfund.applications import Application
from sgfund.funds import Round
from sgfund.hookspecs import hookimpl
from sgfund.types import Classifier, ThemeHit, ThemeSource, hit
from sgfund.vocabulary import Vocabularies

__all__ = ["declared_classifier", "sgfund_theme_classifiers"]


def declared_classifier(vocabularies: Vocabularies) -> Classifier:
    """The ``declared-themes`` classifier for a round with these vocabularies.

    It reports the declared themes that are live themes of the round; the others are left to
    the ``declared-themes-known`` rule, which refers them.
    """
    live = vocabularies.live_slugs

    def declared(app: Application, round: Round) -> Iterator[ThemeHit]:
        for slug in sorted(app.declared_themes & live):
            yield hit(slug, "declared by the applicant")

    return Classifier(
        id="declared-themes",
        version="1",
        description="The themes the applicant chose on the application form.",
        classify=declared,
        source=ThemeSource.DECLARED,
    )


@hookimpl
def sgfund_theme_classifiers(round: Round, vocabularies: Vocabularies) -> Iterable[Classifier]:
    """Declared themes count in every round."""
    return (declared_classifier(vocabularies),)
