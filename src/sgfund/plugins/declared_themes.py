"""Built-in classifier: the themes the applicant declared, kept and marked as declared."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sgfund.applications import Application
from sgfund.funds import Round
from sgfund.hookspecs import hookimpl
from sgfund.types import Classifier, ThemeHit, ThemeSource, hit

__all__ = ["DECLARED", "sgfund_theme_classifiers"]


def _declared(app: Application, round: Round) -> Iterator[ThemeHit]:
    # Unknown or archived themes are left to the declared-themes-known rule, which refers them.
    live = round.theme_slugs
    for slug in sorted(app.declared_themes):
        if slug in live:
            found = round.theme(slug)
            if found is not None and not found[1].archived:
                yield hit(slug, "declared by the applicant")


DECLARED = Classifier(
    id="declared-themes",
    version="1",
    description="The themes the applicant chose on the application form.",
    classify=_declared,
    source=ThemeSource.DECLARED,
)


@hookimpl
def sgfund_theme_classifiers(round: Round) -> Iterable[Classifier]:
    """Declared themes count in every round."""
    return (DECLARED,)
