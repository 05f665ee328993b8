"""Run theme classifiers over a round's applications, and record officers' overrides.

Themes are multi-label: every match is kept with its source (declared, classifier, officer),
who gave it and why. An officer's override always wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pluggy

from sgfund.applications import Application
from sgfund.errors import RuleError
from sgfund.funds import Round
from sgfund.manager import Registered, collect
from sgfund.types import Classifier, ThemeHit, ThemeMatch, ThemeSource

__all__ = ["classify", "officer_themes", "theme_classifiers"]

Matches = dict[str, list[ThemeMatch]]


def theme_classifiers(pm: pluggy.PluginManager, round: Round) -> tuple[Registered[Classifier], ...]:
    """Ask every plugin, once, for its classifiers for ``round``; sorted by classifier id."""
    return collect(pm, "sgfund_theme_classifiers", Classifier, round=round)


def _live_themes(round: Round) -> dict[str, str]:
    """Theme slug -> vocabulary id, for the themes that take new projects."""
    live: dict[str, str] = {}
    for vocabulary in round.theme_vocabularies:
        for slug in sorted(vocabulary.active_slugs):
            live.setdefault(slug, vocabulary.id)
    return live


class _Recorder:
    """Turns one classifier's hits into matches, refusing themes the round does not have."""

    def __init__(self, entry: Registered[Classifier], live: dict[str, str], out: Matches) -> None:
        self.entry = entry
        self.live = live
        self.out = out
        self.seen: set[tuple[str, str]] = set()

    def error(self, app_id: str | None, message: str) -> RuleError:
        item = self.entry.item
        return RuleError(
            f"classifier {item.id!r} (version {item.version}) from plugin "
            f"{self.entry.plugin!r} {message}",
            plugin=self.entry.plugin,
            rule_id=item.id,
            application_id=app_id,
        )

    def add(self, app_id: str, found: object) -> None:
        if type(found) is not ThemeHit:
            raise self.error(app_id, f"gave {found!r} for {app_id!r}; expected a ThemeHit")
        vocabulary = self.live.get(found.theme)
        if vocabulary is None:
            raise self.error(
                app_id,
                f"gave theme {found.theme!r} for {app_id!r}, which is not a live theme of "
                f"this round (known: {', '.join(sorted(self.live))})",
            )
        if (app_id, found.theme) in self.seen:
            return
        self.seen.add((app_id, found.theme))
        item = self.entry.item
        self.out.setdefault(app_id, []).append(
            ThemeMatch(
                theme=found.theme,
                vocabulary=vocabulary,
                source=item.source,
                reason=found.reason,
                by=item.id,
                version=item.version,
            )
        )


def classify(
    classifiers: Iterable[Registered[Classifier]],
    round: Round,
    applications: Sequence[Application],
) -> Matches:
    """Run every classifier over every application; return the matches by application id.

    Matches are sorted by theme, then source, then classifier. A theme outside the round's
    live vocabularies, or a classifier that raises, is a `RuleError` naming the plugin.
    """
    live = _live_themes(round)
    out: Matches = {}
    for entry in classifiers:
        recorder = _Recorder(entry, live, out)
        item = entry.item
        if item.classify_batch is not None:
            known = {a.id for a in applications}
            try:
                pairs = list(item.classify_batch(round, applications))
            except Exception as err:
                raise recorder.error(None, f"raised on a batch: {err!r}") from err
            for pair in pairs:
                if not (isinstance(pair, tuple) and len(pair) == 2) or pair[0] not in known:
                    raise recorder.error(None, f"gave {pair!r}; expected (application id, hit)")
                recorder.add(pair[0], pair[1])
            continue
        one = item.classify
        if one is None:  # pragma: no cover - Classifier refuses this
            continue
        for app in applications:
            try:
                hits = one(app, round)
                found = list(hits) if hits is not None else ()
            except Exception as err:
                raise recorder.error(
                    app.id, f"raised on application {app.id!r}: {type(err).__name__}: {err}"
                ) from err
            for each in found:
                recorder.add(app.id, each)
    order = {ThemeSource.OFFICER: 0, ThemeSource.DECLARED: 1, ThemeSource.CLASSIFIER: 2}
    for matches in out.values():
        matches.sort(key=lambda m: (m.theme, order[m.source], m.by))
    return out


def officer_themes(
    round: Round, themes: Iterable[str], *, by: str, reason: str
) -> tuple[ThemeMatch, ...]:
    """An officer's themes for an application, checked against the round's vocabularies.

    Raises `ValidationError` listing every slug that is unknown or archived.
    """
    slugs = sorted(set(themes))
    round.check_themes(slugs)
    matches = []
    for slug in slugs:
        found = round.theme(slug)
        if found is None:  # pragma: no cover - check_themes refused it already
            continue
        matches.append(
            ThemeMatch(
                theme=slug,
                vocabulary=found[0].id,
                source=ThemeSource.OFFICER,
                reason=reason,
                by=by,
            )
        )
    return tuple(matches)
