"""The records of a round in the ledger: applications, decisions, awards and the rest.

Assessments, resolutions, theme overrides and post-award steps too; one event per round.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sgfund.applications import Application
from sgfund.assessment import Assessment
from sgfund.collect import SgfundPluginManager
from sgfund.dates import LONDON
from sgfund.decisions import Award, Decision
from sgfund.errors import LedgerError
from sgfund.ledger.base import LedgerBase, checked_actor
from sgfund.ledger.kinds import (
    APPLICATIONS,
    ASSESSMENTS,
    AWARD_STEPS,
    AWARDS,
    DECISIONS,
    ORGANISATIONS,
    RESOLUTIONS,
    THEME_OVERRIDES,
    Kind,
    Row,
    themes_checked,
)
from sgfund.ledger.postaward import round_positions, steps_check
from sgfund.ledger.records import load_round
from sgfund.ledger.store import DuplicateKeyError
from sgfund.ledger.writing import WriteContext, duplicate_problems, write_records
from sgfund.postaward import AwardStep, Position
from sgfund.review import Resolution, ThemeOverride
from sgfund.themes import round_vocabularies

__all__ = ["RecordsMixin"]


class RecordsMixin(LedgerBase):
    """`Ledger`'s methods that record what happens to a round's applications and awards."""

    def add_applications(
        self, applications: Iterable[Application], *, actor: str, at: datetime | None = None
    ) -> int:
        """Add new applications, all or nothing; return how many.

        Refuses with `DataError`, listing every problem and writing nothing, if a round is
        unknown or an id is repeated or already stored. Declared themes are stored as given:
        unknown or archived ones are referred by the ``declared-themes-known`` rule at
        assessment. A round past ``open`` raises `LedgerError`; a closed one
        `RoundClosedError`.
        """
        who, when = checked_actor(actor), self._when(at)
        apps = list(applications)
        try:
            with self._writing() as s:
                companions = _new_organisations(s, apps, who)
                write_records(s, APPLICATIONS, apps, actor=who, at=when, companions=companions)
                s.remember(apps)
        except DuplicateKeyError:
            with self._store.read() as tx:
                raise duplicate_problems(tx, APPLICATIONS, apps) from None
        return len(apps)

    def record(
        self, kind: Kind, items: Iterable[Any], *, actor: str, at: datetime | None = None
    ) -> int:
        """Record a batch of any kind of record that belongs to a round (`sgfund.ledger.kinds`),
        all or nothing, one event per round; return how many.

        The methods below are this for their kind. A kind that is not correctable refuses a
        key already stored; a correctable one replaces it, keeping the earlier version. Theme
        overrides are checked against the round's vocabularies, which plugins give: record
        them with `set_themes`.
        """  # noqa: D205 - the summary needs both lines
        if kind is APPLICATIONS:
            return self.add_applications(items, actor=actor, at=at)
        if kind is AWARD_STEPS:
            return self.record_award_steps(items, actor=actor, at=at)
        if kind is THEME_OVERRIDES:
            raise LedgerError(
                "theme overrides are checked against the round's vocabularies, which plugins "
                "give: record them with set_themes(..., pm=...)"
            )
        return self._record(kind, list(items), actor, at)

    def _record(
        self, kind: Kind, items: Sequence[Any], actor: str, at: datetime | None, **options: Any
    ) -> int:
        who, when = checked_actor(actor), self._when(at)
        if not kind.in_round:
            raise LedgerError(f"{kind.name} are not records of a round")
        with self._writing() as s:
            write_records(s, kind, items, actor=who, at=when, **options)
        return len(items)

    def record_assessments(
        self, assessments: Iterable[Assessment], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store assessments (`sgfund.assessment.Assessment`, or a `RoundAssessment`),
        replacing earlier ones of the same applications. All or nothing; the event records
        the rule versions used.
        """  # noqa: D205 - the summary needs both lines
        return self._record(
            ASSESSMENTS,
            list(assessments),
            actor,
            at,
            versions=lambda a: {str(k): str(v) for k, v in dict(a.rule_versions).items()},
        )

    def record_resolutions(
        self, resolutions: Iterable[Resolution], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store officers' resolutions of referred applications. All or nothing."""
        return self._record(RESOLUTIONS, list(resolutions), actor, at)

    def set_themes(
        self,
        application_id: str,
        themes: Iterable[str],
        *,
        actor: str,
        reason: str,
        pm: SgfundPluginManager,
        at: datetime | None = None,
    ) -> ThemeOverride:
        """Record an officer's choice of an application's themes, with the reason.

        This is sgfund's one theme override: it wins in `sgfund.themes.final_themes`, and the
        event records the themes and the reason. The themes must be live themes of the
        round's vocabularies, which ``pm``'s plugins give.
        """
        who, when = checked_actor(actor), self._when(at)
        override = ThemeOverride(
            application_id=application_id,
            themes=frozenset(themes),
            reason=reason,
            set_by=who,
            set_on=when.astimezone(LONDON).date(),
        )
        detail = {"themes": sorted(override.themes), "reason": override.reason}
        check = themes_checked("themes", lambda rnd: round_vocabularies(pm, rnd))
        self._record(THEME_OVERRIDES, [override], who, when, detail=detail, check=check)
        return override

    def record_decisions(
        self, decisions: Iterable[Decision], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store decisions, all or nothing; a decision on an application already decided
        replaces it (a correction: the earlier one is kept and the event lists it).

        Decisions are stored as given; whether one can stand (a recorded justification for an
        award above the round's maximum grant or the amount requested,
        `sgfund.decisions.decision_problems`) is decided when the round closes.
        """  # noqa: D205 - the summary needs both lines
        return self._record(DECISIONS, list(decisions), actor, at)

    def record_awards(
        self, awards: Iterable[Award], *, actor: str, at: datetime | None = None
    ) -> int:
        """Store awards, all or nothing; an award with an id already stored replaces it."""
        return self._record(AWARDS, list(awards), actor, at)

    def record_award_steps(
        self, steps: Iterable[AwardStep], *, actor: str, at: datetime | None = None
    ) -> int:
        """Record post-award steps (`sgfund.postaward.AwardStep`) of closed rounds' awards.

        All or nothing, one event per round. Each award's stored steps are replayed and the
        new ones applied after them: a step that cannot happen (paying before acceptance,
        paying an instalment twice, paying more than awarded, the authoriser paying, ...) or
        a batch after which the award's money does not add up is refused with `DataError`
        giving the reason, and nothing is written. Each step's ``by`` must be ``actor``.
        """
        who, when = checked_actor(actor), self._when(at)
        items = list(steps)
        with self._writing() as s:
            check = steps_check(s.tx, who)
            write_records(s, AWARD_STEPS, items, actor=who, at=when, check=check)
        return len(items)

    def post_award(
        self,
        round_id: str,
        *,
        as_of: date | None = None,
        awards: Iterable[str] | None = None,
    ) -> dict[str, Position]:
        """Every award of a round (or those named) and where it stands, by award id.

        With ``as_of``, where each stood at the end of that day (London).
        """
        with self._store.read() as tx:
            row = tx.round(round_id)
            if row is None:
                raise LedgerError(f"round {round_id!r} is not in the ledger")
            chosen = None if awards is None else list(awards)
            return round_positions(tx, load_round(row.data), as_of=as_of, awards=chosen)


def _new_organisations(
    context: WriteContext, apps: Sequence[Any], actor: str
) -> dict[str, list[tuple[Kind, Row]]]:
    """Organisations not yet stored, each with the first round (by id) it applies to."""
    keyed = [(a.round_id, a.organisation.key, a) for a in apps if isinstance(a, Application)]
    taken = set(context.tx.rows(ORGANISATIONS, sorted({key for _, key, _ in keyed})))
    by_round: dict[str, list[tuple[Kind, Row]]] = {}
    for round_id, key, app in sorted(keyed, key=lambda t: t[0]):
        if key not in taken:
            taken.add(key)
            row = ORGANISATIONS.row(app.organisation, actor)
            by_round.setdefault(round_id, []).append((ORGANISATIONS, row))
    return by_round
