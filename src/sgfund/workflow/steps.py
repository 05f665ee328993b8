"""The officer's steps, one function each, over a `sgfund.ledger.Ledger`.

Each step takes the plugin manager (``pm``) where plugins matter, the ``actor`` who takes the
step and the time it happened (``at``, aware) or the date it is judged on (``as_of``): no
step reads the clock. The command line, the demo and the docs all call these functions, so a
figure the demo prints is computed exactly as the CLI computes it. Scopes and reconciling are
in `sgfund.workflow.scopes`, publishing in `sgfund.workflow.publishing` (both re-exported).

Heavy modules (the 360Giving writer and schema, openpyxl) are imported inside the steps that
need them, so importing this module stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs
from attrs import frozen

from sgfund.applications import Application
from sgfund.assessment import Assessment, RoundAssessment, Status, assess
from sgfund.closure import RoundRecords, approval_problems
from sgfund.collect import SgfundPluginManager
from sgfund.dates import LONDON, london_text, require_aware
from sgfund.decisions import Award, Decision, Outcome
from sgfund.errors import WorkflowError
from sgfund.fundfile import FundFile, FundFileChanges
from sgfund.fundfile.ledger import apply_fund_file, diff_fund_file
from sgfund.funds import Round
from sgfund.io.importer import ImportResult, import_applications, read_decisions
from sgfund.io.mapping import SheetMapping
from sgfund.ledger import AnchoredClosure, Ledger
from sgfund.lifecycle import RoundState
from sgfund.review import Resolution
from sgfund.scope import DeclaredFigure
from sgfund.workflow.publishing import (
    FORMATS,
    TABLE_SUFFIXES,
    TABLES,
    Published,
    publish,
    unclosed_rounds,
    write_table,
)
from sgfund.workflow.scopes import (
    DeclaredChoice,
    ScopeChoice,
    declared_from_file,
    fund_file_in_force,
    reconcile_scope,
    resolve_scope,
    scope_id_for,
    scope_round_ids,
    scope_totals,
)

if TYPE_CHECKING:
    pass

__all__ = [
    "FORMATS",
    "TABLES",
    "TABLE_SUFFIXES",
    "DeclaredChoice",
    "Ineligible",
    "Published",
    "Referral",
    "RoundOverview",
    "ScopeChoice",
    "assess_round",
    "award_id_for",
    "close_round",
    "declared_from_file",
    "fund_file_in_force",
    "import_round",
    "list_ineligible",
    "list_referrals",
    "make_awards",
    "publish",
    "reconcile_scope",
    "record_decisions",
    "resolve_referral",
    "resolve_scope",
    "round_criteria",
    "rounds_overview",
    "scope_id_for",
    "scope_round_ids",
    "scope_totals",
    "setup_fund",
    "unclosed_rounds",
    "write_table",
]

MappingSource = str | os.PathLike[str] | Mapping[str, object] | SheetMapping


def _on(at: datetime) -> date:
    """The London calendar date of ``at`` (what an officer writes on a form)."""
    require_aware(at, field="at")
    return at.astimezone(LONDON).date()


def _advance(
    ledger: Ledger, round_id: str, target: RoundState, *, actor: str, at: datetime
) -> None:
    """Move ``round_id`` forward through each state up to ``target`` (none if already there)."""
    order = list(RoundState)
    state = ledger.round_state(round_id)
    while order.index(state) < order.index(target):
        state = order[order.index(state) + 1]
        ledger.set_round_state(round_id, state, actor=actor, at=at)


# --- setting up ---------------------------------------------------------------------------


def setup_fund(
    ledger: Ledger, fund_file: FundFile, *, actor: str, at: datetime, dry_run: bool = False
) -> FundFileChanges:
    """Set a fund up from its fund file, or apply an edited one; return what changes.

    The fund, its eras and its rounds (as drafts) are added and the file's text recorded,
    all audited (`sgfund.fundfile.apply_fund_file`); re-applying the same file writes
    nothing. A change to what the ledger keeps (a closed round, a stored round's fields) is
    refused with `FundFileRefused`, every problem as ``path:line: message``. ``dry_run``
    only says what would change.
    """
    if dry_run:
        return diff_fund_file(ledger, fund_file)
    return apply_fund_file(ledger, fund_file, actor=actor, at=at)


# --- applications in ----------------------------------------------------------------------


def import_round(
    ledger: Ledger,
    path: str | os.PathLike[str],
    *,
    pm: SgfundPluginManager,
    actor: str,
    at: datetime,
    mapping: MappingSource | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Import a sheet of applications (and any decisions in it) into the ledger, all or nothing.

    Every problem in the sheet is raised at once as a `DataError` located by file, row and
    column, and nothing is written. A draft round the sheet names is opened first (the
    applications were received while it was open).
    """
    result = import_applications(
        _Opening(ledger, actor=actor, at=at),
        path,
        actor=actor,
        pm=pm,
        at=at,
        mapping=mapping,
        sheet=sheet,
    )
    return result


class _Opening:
    """The ledger as the importer sees it, opening a draft round before adding to it."""

    def __init__(self, ledger: Ledger, *, actor: str, at: datetime) -> None:
        self._ledger = ledger
        self._actor = actor
        self._at = at

    def rounds(self) -> Mapping[str, object]:
        return self._ledger.rounds()

    def round(self, round_id: str) -> Round:
        return self._ledger.round(round_id)

    def transaction(self) -> AbstractContextManager[object]:
        return self._ledger.transaction()

    def add_applications(
        self, applications: Iterable[Application], *, actor: str, at: datetime | None = None
    ) -> int:
        apps = list(applications)
        for round_id in sorted({a.round_id for a in apps}):
            if self._ledger.round_state(round_id) is RoundState.DRAFT:
                self._ledger.set_round_state(
                    round_id, RoundState.OPEN, actor=self._actor, at=self._at
                )
        return self._ledger.add_applications(apps, actor=actor, at=at)

    def record_decisions(
        self, decisions: Iterable[Decision], *, actor: str, at: datetime | None = None
    ) -> int:
        return self._ledger.record_decisions(decisions, actor=actor, at=at)


# --- assessing and referrals --------------------------------------------------------------


def assess_round(
    ledger: Ledger,
    round_id: str,
    *,
    pm: SgfundPluginManager,
    actor: str,
    at: datetime,
    as_of: date | None = None,
) -> RoundAssessment:
    """Assess every application of a round with ``pm``'s plugins and record the assessment.

    Reads the applications from the ledger; ``as_of`` (the date the rules judge on) defaults
    to the London date of ``at``. The round is closed to applications first if it is still
    open; assessing again replaces the earlier assessments (each kept in the audit trail).
    """
    records = ledger.round_records(round_id)
    judged_on = as_of if as_of is not None else _on(at)
    assessed = assess(records.round, records.applications, pm=pm, as_of=judged_on)
    _keep_awards_closable(
        records, attrs.evolve(records, assessments=tuple(assessed)), doing="assessing again"
    )
    with ledger.transaction():
        _advance(ledger, round_id, RoundState.CLOSED_TO_APPLICATIONS, actor=actor, at=at)
        ledger.record_assessments(assessed, actor=actor, at=at)
        _advance(ledger, round_id, RoundState.ASSESSED, actor=actor, at=at)
    return assessed


def _keep_awards_closable(before: RoundRecords, after: RoundRecords, *, doing: str) -> None:
    """Refuse a change that would leave an award of an unclosed round unable to close.

    An award is not removed before its round closes, so once made, its application must stay
    one the round can close with (`sgfund.closure.approval_problems`).
    """
    awarded = {a.application_id for a in before.awards}
    refused = approval_problems(after, applications=awarded) if awarded else []
    if refused:
        raise WorkflowError(
            f"round {before.round.id!r}: not recorded; after {doing}, awards already made "
            "could not close:\n"
            + "\n".join(f"  - {r}" for r in refused)
            + "\nAn award is not withdrawn before its round closes: close the round, then "
            "offer and withdraw it ('sgfund offers make AWARD', 'sgfund payments withdraw "
            "AWARD --reason ...')"
        )


@frozen(kw_only=True)
class Referral:
    """An application the rules referred to an officer, and the officer's resolution if any.

    ``reasons`` are the referring findings as text (rule, version, plugin and message).
    """

    application_id: str
    round_id: str
    organisation: str
    title: str
    reasons: tuple[str, ...]
    resolution: Resolution | None = None

    @property
    def pending(self) -> bool:
        """True while no officer has resolved it."""
        return self.resolution is None


def _assessed_as(records: RoundRecords, status: Status) -> list[tuple[Application, Assessment]]:
    """The round's applications assessed as ``status``, by application id."""
    apps = {a.id: a for a in records.applications}
    found = [(apps[a.application_id], a) for a in records.assessments if a.status is status]
    return sorted(found, key=lambda pair: pair[0].id)


def _referrals(records: RoundRecords) -> list[Referral]:
    resolved = {r.application_id: r for r in records.resolutions}
    return [
        Referral(
            application_id=app.id,
            round_id=app.round_id,
            organisation=app.organisation.name,
            title=app.title,
            reasons=tuple(str(f) for f in assessment.referred),
            resolution=resolved.get(app.id),
        )
        for app, assessment in _assessed_as(records, Status.REFER)
    ]


@frozen(kw_only=True)
class Ineligible:
    """An application the rules assessed ineligible, with why.

    ``reasons`` are the failing findings as text (rule, version, plugin and message).
    """

    application_id: str
    round_id: str
    organisation: str
    title: str
    reasons: tuple[str, ...]


def list_ineligible(ledger: Ledger, round_id: str) -> tuple[Ineligible, ...]:
    """Every application of a round its latest assessment found ineligible, with the reasons."""
    return tuple(
        Ineligible(
            application_id=app.id,
            round_id=app.round_id,
            organisation=app.organisation.name,
            title=app.title,
            reasons=tuple(str(f) for f in assessment.failed),
        )
        for app, assessment in _assessed_as(ledger.round_records(round_id), Status.INELIGIBLE)
    )


def list_referrals(
    ledger: Ledger, round_id: str | None = None, *, pending_only: bool = False
) -> tuple[Referral, ...]:
    """The referral queue: every referred application (of one round, or of every round).

    With ``pending_only`` only those still waiting for an officer.
    """
    round_ids = [round_id] if round_id is not None else sorted(ledger.rounds())
    found = [r for rid in round_ids for r in _referrals(ledger.round_records(rid))]
    return tuple(r for r in found if r.pending or not pending_only)


def resolve_referral(
    ledger: Ledger,
    application_id: str,
    *,
    eligible: bool,
    reason: str,
    actor: str,
    at: datetime,
    round_id: str | None = None,
) -> Resolution:
    """Record an officer's resolution of a referred application, with the reason (audited).

    Refuses, with `WorkflowError`, an application that was not referred. Resolving again
    replaces the earlier resolution; the audit trail keeps both.
    """
    queue = {r.application_id: r for r in list_referrals(ledger, round_id)}
    if application_id not in queue:
        if not any(
            a.id == application_id
            for rid in ledger.rounds()
            for a in ledger.round_records(rid).applications
        ):
            raise WorkflowError(f"application {application_id!r} is not in the ledger")
        raise WorkflowError(
            f"application {application_id!r} is not referred"
            + (f" in round {round_id!r}" if round_id else "")
            + ": only referred applications are resolved by an officer"
        )
    resolution = Resolution(
        application_id=application_id,
        eligible=eligible,
        reason=reason,
        resolved_by=actor,
        resolved_on=_on(at),
    )
    records = ledger.round_records(queue[application_id].round_id)
    others = tuple(r for r in records.resolutions if r.application_id != application_id)
    after = attrs.evolve(records, resolutions=(*others, resolution))
    _keep_awards_closable(records, after, doing="this resolution")
    ledger.record_resolutions([resolution], actor=actor, at=at)
    return resolution


# --- decisions and awards -----------------------------------------------------------------


def record_decisions(
    ledger: Ledger,
    path: str | os.PathLike[str],
    round_id: str,
    *,
    actor: str,
    at: datetime,
    mapping: MappingSource | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Record a panel's decisions on a round's applications from a sheet, all or nothing.

    Every row must name an application of ``round_id``; every problem is raised at once as a
    `DataError` located by file, row and column.
    """
    records = ledger.round_records(round_id)
    result = read_decisions(
        path, applications=records.applications, round=records.round, mapping=mapping, sheet=sheet
    )
    refused = _awarded_changes(records, result.decisions)
    if refused:
        raise WorkflowError(
            f"{os.fspath(path)}: round {round_id!r} has awards that these decisions would "
            "leave without an approved decision, and an award is not withdrawn before its "
            "round closes:\n"
            + "\n".join(f"  - {r}" for r in refused)
            + "\nKeep those decisions approved (the amount may change: 'sgfund award' makes "
            "the award again); to take an award back, close the round, then offer and "
            "withdraw it ('sgfund offers make AWARD', 'sgfund payments withdraw AWARD "
            "--reason ...')"
        )
    ledger.record_decisions(result.decisions, actor=actor, at=at)
    return result


def _awarded_changes(records: RoundRecords, decisions: Sequence[Decision]) -> list[str]:
    """Decisions that would leave an award of an unclosed round without an approval.

    The ledger keeps every award it has made until the round closes (an award is replaced,
    never removed), and a round with an award but no approved decision cannot close.
    """
    awarded = {a.application_id: a for a in records.awards}
    return [
        f"application {d.application_id} has award {awarded[d.application_id].id}; "
        f"the sheet says {d.outcome}"
        for d in sorted(decisions, key=lambda d: d.application_id)
        if d.application_id in awarded and d.outcome is not Outcome.APPROVED
    ]


def award_id_for(application_id: str) -> str:
    """The id of the award made on an approved application."""
    return f"{application_id}-A"


def make_awards(ledger: Ledger, round_id: str, *, actor: str, at: datetime) -> tuple[Award, ...]:
    """Make the award of every approved decision of a round and mark the round decided.

    Each award carries the project's final themes (`sgfund.themes.final_themes`: an
    officer's override, else the classifiers' matches, else the declared themes). Awards
    already made are made again from the current decisions (a correction is audited).

    Refuses, with `WorkflowError` and before writing anything, while an approved decision
    is one the round could not close with (`sgfund.closure.approval_problems`: an
    application assessed or resolved ineligible, or referred and unresolved), naming each
    with the assessment's reasons.
    """
    records = ledger.round_records(round_id)
    refused = approval_problems(records)
    if refused:
        raise WorkflowError(
            f"round {round_id!r}: no awards made; an approved decision is one the round "
            "could not close with:\n"
            + "\n".join(f"  - {r}" for r in refused)
            + "\nCorrect the decisions ('sgfund decide'), or resolve the referrals "
            "('sgfund referrals resolve'), then award again"
        )
    apps = {a.id: a for a in records.applications}
    themes = records.final_themes()
    awards = tuple(
        Award.from_decision(
            d,
            apps[d.application_id],
            themes=themes[d.application_id],
            award_id=award_id_for(d.application_id),
        )
        for d in sorted(records.decisions, key=lambda d: d.application_id)
        if d.outcome is Outcome.APPROVED
    )
    with ledger.transaction():
        if awards:
            ledger.record_awards(awards, actor=actor, at=at)
        _advance(ledger, round_id, RoundState.DECIDED, actor=actor, at=at)
    return awards


# --- closing, reconciling, publishing ------------------------------------------------------


def close_round(
    ledger: Ledger,
    round_id: str,
    *,
    pm: SgfundPluginManager,
    actor: str,
    at: datetime,
    declared: Sequence[DeclaredFigure] | None = None,
    override_reason: str | None = None,
) -> AnchoredClosure:
    """Close a decided round: checked, reconciled against ``declared``, sealed and anchored.

    ``declared`` defaults to the round's figures in the fund file in force. Every reason it
    cannot close is raised at once (`ClosureRefused`). Publish ``str(closure.anchor)`` with
    the round's results.
    """
    if declared is None:
        ff = fund_file_in_force(ledger)
        declared = () if ff is None else ff.declared_for(round_id)
    return ledger.close_round(
        round_id, actor=actor, at=at, pm=pm, declared=declared, override_reason=override_reason
    )


@frozen(kw_only=True)
class RoundOverview:
    """A round at a glance: its window, where it is in its life and how many of each record
    it holds.
    """  # noqa: D205 - the summary needs both lines

    id: str
    name: str
    era: str
    funder: str
    state: str
    opens_at: datetime
    closes_at: datetime
    applications: int
    decisions: int
    awards: int
    awarded: Decimal
    referrals_pending: int


def rounds_overview(ledger: Ledger) -> tuple[RoundOverview, ...]:
    """Every round in the ledger, in the order they opened, with its state and counts."""
    found = []
    for rid, state in ledger.rounds().items():
        records = ledger.round_records(rid)
        rnd = records.round
        found.append(
            RoundOverview(
                id=rid,
                name=rnd.name,
                era=rnd.era.id,
                funder=rnd.era.funder_name,
                state=str(state),
                opens_at=rnd.opens_at,
                closes_at=rnd.closes_at,
                applications=len(records.applications),
                decisions=len(records.decisions),
                awards=len(records.awards),
                awarded=sum((a.amount for a in records.awards), start=Decimal("0.00")),
                referrals_pending=sum(1 for r in _referrals(records) if r.pending),
            )
        )
    return tuple(sorted(found, key=lambda o: (o.opens_at, o.id)))


def round_criteria(ledger: Ledger, round_id: str, *, pm: SgfundPluginManager) -> str:
    """A round's eligibility criteria as Markdown, to publish to applicants.

    Generated from the round itself (window, pot, grant limits, length) and the rules,
    themes and areas ``pm``'s plugins give it, each rule with its version.
    """
    from sgfund.manager import describe
    from sgfund.money import format_money

    rnd = ledger.round(round_id)
    listing = describe(pm, round=rnd)
    lines = [
        f"# {rnd.name}: eligibility criteria",
        "",
        f"- Funder: {rnd.era.funder_name}",
        f"- Opens: {london_text(rnd.opens_at, zone=False)} (UK time)",
        f"- Closes: {london_text(rnd.closes_at, zone=False)} (UK time)",
    ]
    if rnd.advertised_pot is not None:
        lines.append(f"- Funding available: {format_money(rnd.advertised_pot)}")
    if rnd.min_grant > 0:
        lines.append(f"- Smallest grant: {format_money(rnd.min_grant)}")
    if rnd.max_grant is not None:
        lines.append(f"- Largest grant: {format_money(rnd.max_grant)}")
    lines.append(f"- Longest project: {rnd.max_project_months} months")
    kinds = sorted(t.label for t in rnd.eligible_org_types)
    if kinds:
        lines.append(f"- Who can apply: {', '.join(kinds)}")
    lines.append("")
    return "\n".join(lines) + listing.to_markdown()
