"""Themes end to end: a round's vocabularies, running classifiers, and the final-themes rule.

A round names its vocabularies by id and plugins give them (`round_vocabularies`).
Classifiers (`classify`) find the themes each application serves; every match is kept with
its source, classifier and reason. `final_themes` is the one rule that decides a project's
themes, which awards carry into totals by theme and 360Giving classifications:

1. an officer's override (`sgfund.review.ThemeOverride`, stored with ``Ledger.set_themes``)
   wins;
2. otherwise the themes matched by classifiers whose source counts (by default
   `COUNTED_SOURCES`: every classifier, the built-in ``declared-themes`` one included), if
   any matched;
3. otherwise the themes the applicant declared.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.applications import Application
from sgfund.collect import Registered, SgfundPluginManager, collect
from sgfund.errors import FieldError, PluginError, RuleError
from sgfund.funds import Round
from sgfund.review import ThemeOverride
from sgfund.types import Classifier, ThemeHit, ThemeMatch, ThemeSource
from sgfund.vocabulary import ThemeVocabulary, Vocabularies

__all__ = [
    "COUNTED_SOURCES",
    "FinalThemes",
    "classify",
    "final_themes",
    "resolve_vocabularies",
    "round_vocabularies",
    "theme_classifiers",
    "vocabulary_entries",
]

Matches = dict[str, list[ThemeMatch]]


def vocabulary_entries(
    pm: SgfundPluginManager, round: Round
) -> tuple[Registered[ThemeVocabulary], ...]:
    """The vocabularies ``round`` names, as the plugins give them, in the round's order.

    Calls the ``sgfund_theme_vocabularies`` hook once. An id the round names that no plugin
    gives is a `PluginError` saying which ids the plugins do give.
    """
    given = collect(pm, "sgfund_theme_vocabularies", ThemeVocabulary, round=round)
    by_id = {entry.item.id: entry for entry in given}
    missing = [i for i in round.theme_vocabularies if i not in by_id]
    if missing:
        raise PluginError(
            f"round {round.id} uses theme vocabulary {', '.join(map(repr, missing))}, which no "
            f"registered plugin gives (given: {', '.join(sorted(by_id)) or 'none'}); register "
            "the plugin that defines it",
            rule_id=missing[0],
        )
    return tuple(by_id[i] for i in round.theme_vocabularies)


def resolve_vocabularies(
    round: Round, entries: Sequence[Registered[ThemeVocabulary]]
) -> Vocabularies:
    """The round's `Vocabularies` from its entries; a slug in two of them is a `PluginError`."""
    try:
        return Vocabularies(round_id=round.id, vocabularies=[e.item for e in entries])
    except FieldError as err:
        raise PluginError(
            f"round {round.id}'s vocabularies clash: expected {err.expected}",
            plugins=sorted({e.plugin for e in entries}),
        ) from err


def round_vocabularies(pm: SgfundPluginManager, round: Round) -> Vocabularies:
    """The theme vocabularies ``round`` names, resolved through the plugins of ``pm``."""
    return resolve_vocabularies(round, vocabulary_entries(pm, round))


def theme_classifiers(
    pm: SgfundPluginManager, round: Round, vocabularies: Vocabularies
) -> tuple[Registered[Classifier], ...]:
    """Ask every plugin, once, for its classifiers for ``round``; sorted by classifier id."""
    return collect(
        pm, "sgfund_theme_classifiers", Classifier, round=round, vocabularies=vocabularies
    )


class _Recorder:
    """Turns one classifier's hits into matches, refusing themes that are not live."""

    def __init__(
        self, entry: Registered[Classifier], vocabularies: Vocabularies, out: Matches
    ) -> None:
        self.entry = entry
        self.vocabularies = vocabularies
        self.live = vocabularies.live_slugs
        self.vocabulary_of = {
            t.slug: voc.id for voc in vocabularies.vocabularies for t in voc.themes
        }
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
        if found.theme not in self.live:
            [problem] = self.vocabularies.theme_problems([found.theme])
            raise self.error(
                app_id, f"gave a theme for {app_id!r} it may not give: {problem.message}"
            )
        if (app_id, found.theme) in self.seen:
            return
        self.seen.add((app_id, found.theme))
        item = self.entry.item
        # The theme is live in one of the round's vocabularies and the classifier's id and
        # version were validated when it was made: this runs once per match.
        self.out.setdefault(app_id, []).append(
            v.trusted(
                ThemeMatch,
                theme=found.theme,
                vocabulary=self.vocabulary_of[found.theme],
                source=item.source,
                reason=found.reason,
                by=item.id,
                version=item.version,
                plugin=self.entry.plugin,
            )
        )


def _run_batch(recorder: _Recorder, round: Round, applications: Sequence[Application]) -> None:
    batch = recorder.entry.item.classify_batch
    if batch is None:  # pragma: no cover - callers check first
        return
    known = {a.id for a in applications}
    try:
        pairs = list(batch(round, applications))
    except Exception as err:
        raise recorder.error(None, f"raised on a batch: {err!r}") from err
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2) or pair[0] not in known:
            raise recorder.error(None, f"gave {pair!r}; expected (application id, hit)")
        recorder.add(pair[0], pair[1])


def classify(
    classifiers: Iterable[Registered[Classifier]],
    vocabularies: Vocabularies,
    round: Round,
    applications: Sequence[Application],
) -> Matches:
    """Run every classifier over every application; return the matches by application id.

    Matches are sorted by theme, then source, then classifier. A theme that is not a live
    theme of the round's vocabularies, or a classifier that raises, is a `RuleError` naming
    the plugin.
    """
    out: Matches = {}
    for entry in classifiers:
        recorder = _Recorder(entry, vocabularies, out)
        if entry.item.classify_batch is not None:
            _run_batch(recorder, round, applications)
            continue
        one = entry.item.classify
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
    order = {ThemeSource.DECLARED: 0, ThemeSource.CLASSIFIER: 1}
    for matches in out.values():
        matches.sort(key=lambda m: (m.theme, order[m.source], m.by))
    return out


# Which classifier sources count towards a project's final themes, unless a caller says.
COUNTED_SOURCES = frozenset({ThemeSource.DECLARED, ThemeSource.CLASSIFIER})


@frozen(kw_only=True)
class FinalThemes:
    """A project's themes as `final_themes` decided them, and where they came from.

    ``source`` is ``officer`` for an override, ``classifier`` when some counted match came
    from a classifier reading the application, and ``declared`` otherwise.
    """

    themes: frozenset[str] = field(converter=v.theme_slugs)
    source: ThemeSource = field(converter=ThemeSource)


def final_themes(
    application: Application,
    matches: Iterable[ThemeMatch] = (),
    override: ThemeOverride | None = None,
    *,
    sources: Collection[ThemeSource] = COUNTED_SOURCES,
) -> FinalThemes:
    """Decide a project's final themes: override, else counted matches, else declared.

    ``matches`` are the application's `ThemeMatch` objects from its assessment
    (``Assessment.themes``); ``override`` is the officer's, if any; ``sources`` says which
    classifier sources count (the default counts every classifier).
    """
    if override is not None:
        if override.application_id != application.id:
            raise FieldError(
                "override", override.application_id, f"an override of {application.id}"
            )
        return FinalThemes(themes=override.themes, source=ThemeSource.OFFICER)
    counted = [m for m in matches if m.source in sources]
    if counted:
        classified = any(m.source is ThemeSource.CLASSIFIER for m in counted)
        return FinalThemes(
            themes=frozenset(m.theme for m in counted),
            source=ThemeSource.CLASSIFIER if classified else ThemeSource.DECLARED,
        )
    return FinalThemes(themes=application.declared_themes, source=ThemeSource.DECLARED)
