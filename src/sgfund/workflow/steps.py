"""The officer's steps, one function each, over a `sgfund.ledger.Ledger`.

Each step takes the plugin manager (``pm``) where plugins matter, the ``actor`` who takes the
step and the time it happened (``at``, aware) or the date it is judged on (``as_of``): no
step reads the clock. The command line, the demo and the docs all call these functions, so a
figure the demo prints is computed exactly as the CLI computes it.

Heavy modules (the 360Giving writer and schema, openpyxl) are imported inside the steps that
need them, so importing this module stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs
from attrs import field, frozen

from sgfund.applications import Application
from sgfund.assessment import Assessment, RoundAssessment, Status, assess
from sgfund.closure import RoundRecords, approval_problems
from sgfund.collect import SgfundPluginManager
from sgfund.dates import LONDON, london_text, require_aware
from sgfund.decisions import Award, Decision, Outcome
from sgfund.errors import FieldError, RoundsNotClosed, WorkflowError
from sgfund.fundfile import FundFile, FundFileChanges
from sgfund.fundfile.ledger import apply_fund_file, diff_fund_file, stored_fund_file
from sgfund.funds import Round
from sgfund.io.importer import ImportResult, import_applications, read_decisions
from sgfund.io.mapping import SheetMapping
from sgfund.ledger import AnchoredClosure, Ledger
from sgfund.lifecycle import RoundState
from sgfund.reconcile import Reconciliation, reconcile
from sgfund.review import Resolution
from sgfund.scope import DeclaredFigure, Scope
from sgfund.totals import Totals, compute_totals

if TYPE_CHECKING:
    from sgfund.io.export import Table as ExportTable
    from sgfund.io.threesixtygiving import FunderPackage, Publisher
    from sgfund.postaward import Position

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

Format = Literal["json", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("json", "csv", "xlsx")
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


def fund_file_in_force(ledger: Ledger) -> FundFile | None:
    """The fund file last applied to the ledger's fund (None if no fund file was applied).

    A ledger holding rounds of several funds is a `WorkflowError`: say which scope instead.
    """
    funds = {ledger.round(rid).fund_id for rid in ledger.rounds()}
    if not funds:
        return None
    if len(funds) > 1:
        raise WorkflowError(
            f"the ledger holds rounds of several funds ({', '.join(sorted(funds))}): "
            "give the figures and publishers explicitly"
        )
    return stored_fund_file(ledger, funds.pop())


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


def scope_id_for(key: str) -> str:
    """A scope key as an identifier: ``mayor-gr1+mayor-gr2`` -> ``mayor-gr1_mayor-gr2``."""
    return key.replace("..", "_to_").replace("+", "_")


def scope_round_ids(ledger: Ledger, key: str) -> tuple[str, ...]:
    """The rounds a scope key names: ``"a+b"`` (each), ``"a..c"`` (a range) or one round id.

    A range runs over the ledger's rounds in the order they opened. An unknown round is a
    `WorkflowError`.
    """
    known = ledger.rounds()
    ordered = sorted(known, key=lambda rid: (ledger.round(rid).opens_at, rid))
    chosen: list[str] = []
    for part in key.split("+"):
        first, dots, last = part.strip().partition("..")
        for rid in (first, last) if dots else (first,):
            if rid not in known:
                raise WorkflowError(
                    f"scope {key!r}: round {rid!r} is not in the ledger "
                    f"(rounds: {', '.join(ordered) or 'none'})"
                )
        if dots:
            start, end = ordered.index(first), ordered.index(last)
            chosen.extend(ordered[start : end + 1])
        else:
            chosen.append(first)
    return tuple(dict.fromkeys(chosen))


@frozen(kw_only=True)
class ScopeChoice:
    """A scope as the ledger and its fund file define it: rounds, label, published figures."""

    id: str
    label: str
    round_ids: tuple[str, ...]
    declared: tuple[DeclaredFigure, ...]


def resolve_scope(ledger: Ledger, key: str) -> ScopeChoice:
    """What a scope key names: a scope of the fund file in force (``mayor-scf-2022``), or
    rounds (`scope_round_ids`); with the fund file's published figures for that key.
    """  # noqa: D205 - the summary needs both lines
    ff = fund_file_in_force(ledger)
    declared = () if ff is None else ff.declared_for(key)
    if ff is not None and key in ff.scopes:
        scope = ff.scopes[key]
        return ScopeChoice(
            id=scope.id,
            label=scope.label,
            round_ids=tuple(r.id for r in scope.rounds),
            declared=declared,
        )
    round_ids = scope_round_ids(ledger, key)
    label = ledger.round(round_ids[0]).name if len(round_ids) == 1 else key
    return ScopeChoice(id=scope_id_for(key), label=label, round_ids=round_ids, declared=declared)


@frozen(kw_only=True)
class DeclaredChoice:
    """A declared-figures CSV's figures for one scope key, and what in the file was not used.

    ``warnings`` name each row that is not a figure sgfund computes (by row) and each scope in
    the file that names no scope or round in the ledger, so a reconciliation is never reported
    without saying that the file held figures it did not compare.
    """

    file: str
    figures: tuple[DeclaredFigure, ...]
    warnings: tuple[str, ...]


def declared_from_file(ledger: Ledger, path: str | os.PathLike[str], key: str) -> DeclaredChoice:
    """The figures for scope ``key`` in a declared-figures CSV (`read_declared_figures`).

    Figures for other scopes the ledger knows are left for those scopes without a word; the
    rest of the file is in `DeclaredChoice.warnings`.
    """
    from sgfund.io.declared import read_declared_figures

    name = os.fspath(path)
    read = read_declared_figures(name)
    warnings = [f"{name}: row {row}: {reason}; not compared" for row, reason in read.skipped]
    for other, figures in sorted(read.by_scope.items()):
        if other == key:
            continue
        try:
            resolve_scope(ledger, other)
        except WorkflowError as err:
            warnings.append(f"{name}: {len(figures)} figure(s) not compared: {err}")
    if key not in read.by_scope:
        held = ", ".join(repr(k) for k in sorted(read.by_scope)) or "none"
        warnings.append(f"{name}: no figures for scope {key!r} (scopes in the file: {held})")
    return DeclaredChoice(
        file=name, figures=tuple(read.by_scope.get(key, ())), warnings=tuple(warnings)
    )


def reconcile_scope(
    ledger: Ledger,
    round_ids: Sequence[str],
    *,
    pm: SgfundPluginManager,
    scope_id: str,
    label: str,
    declared: Sequence[DeclaredFigure] = (),
) -> Reconciliation:
    """Reconcile the rounds' totals, as the ledger holds them, against ``declared`` figures."""
    records = [ledger.round_records(rid) for rid in round_ids]
    scope = Scope(id=scope_id, label=label, rounds=[r.round for r in records], declared=declared)
    applications = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    return reconcile(scope, compute_totals(scope, applications, awards), pm=pm)


@frozen(kw_only=True)
class Published:
    """What `publish` or `write_table` wrote: the files, how many grants each funder's
    360Giving package holds (none for a table), and the rounds published before they closed.

    ``unclosed`` maps each such round's id to its state; it is empty unless
    ``include_unclosed`` let them through, and then their figures are provisional.
    """  # noqa: D205 - the summary needs both lines

    files: tuple[Path, ...]
    grants: Mapping[str, int] = field(factory=dict)
    unclosed: Mapping[str, RoundState] = field(factory=dict)

    @property
    def total_grants(self) -> int:
        """Grants across every funder."""
        return sum(self.grants.values())


def unclosed_rounds(ledger: Ledger, round_ids: Sequence[str]) -> dict[str, RoundState]:
    """The rounds of ``round_ids`` that are not closed, with their states, in the order given."""
    states = {rid: ledger.round_state(rid) for rid in round_ids}
    return {rid: state for rid, state in states.items() if state is not RoundState.CLOSED}


def _publishable(
    ledger: Ledger, round_ids: Sequence[str], *, what: str, include_unclosed: bool
) -> dict[str, RoundState]:
    """The one rule for open data: only closed rounds' figures are final, so a round that is
    not closed is refused (`RoundsNotClosed`, naming each and its state) unless
    ``include_unclosed``; then the unclosed rounds are returned, to be marked.
    """  # noqa: D205 - the summary needs both lines
    unclosed = unclosed_rounds(ledger, round_ids)
    if unclosed and not include_unclosed:
        raise RoundsNotClosed(what, {rid: str(state) for rid, state in unclosed.items()})
    return unclosed


def _formats(formats: Iterable[str]) -> list[Format]:
    wanted = list(dict.fromkeys(formats))
    for fmt in wanted:
        if fmt not in FORMATS:
            raise FieldError("format", fmt, "one of " + ", ".join(FORMATS))
    return wanted  # type: ignore[return-value]  # checked just above


def _closed_state(
    ledger: Ledger, records: Sequence[RoundRecords], as_of: date | datetime
) -> tuple[dict[str, object], dict[str, Position]]:
    """Closed rounds' anchors, and their awards as varied (post-award.md) as of ``as_of``."""
    closed = [r.round.id for r in records if ledger.round_state(r.round.id) is RoundState.CLOSED]
    # The anchors go into the JSON packages, where an auditor can find them later.
    anchors: dict[str, object] = {rid: ledger.closure_anchor(rid) for rid in closed}
    day = as_of.astimezone(LONDON).date() if isinstance(as_of, datetime) else as_of
    positions = {
        award_id: position
        for rid in closed
        for award_id, position in ledger.post_award(rid, as_of=day).items()
    }
    return anchors, positions


def _funder_packages(
    ledger: Ledger,
    records: Sequence[RoundRecords],
    *,
    pm: SgfundPluginManager,
    as_of: date | datetime,
    scope_id: str,
    label: str,
    publisher: Publisher | None,
) -> list[FunderPackage]:
    """Every funder's 360Giving package, each era by its own publisher, built and validated."""
    from sgfund.io.threesixtygiving.build import build_packages

    by_era: dict[str, list[RoundRecords]] = {}
    for r in records:
        by_era.setdefault(r.round.era.id, []).append(r)
    publishers = _publishers(ledger, sorted(by_era), publisher)
    anchors, positions = _closed_state(ledger, records, as_of)
    packages = []
    for era_id, era_records in by_era.items():
        scope = Scope(id=scope_id, label=label, rounds=[r.round for r in era_records])
        packages += build_packages(
            scope,
            [a for r in era_records for a in r.applications],
            [a for r in era_records for a in r.awards],
            publisher=publishers[era_id],
            as_of=as_of,
            pm=pm,
            anchors={r.round.id: anchors[r.round.id] for r in era_records if r.round.id in anchors},
            post_award=positions,
        )
    return packages


def _transparency_table(
    records: Sequence[RoundRecords], *, scope_id: str, label: str
) -> ExportTable:
    from sgfund.io.transparency import transparency_table

    scope = Scope(id=scope_id, label=label, rounds=[r.round for r in records])
    return transparency_table(
        scope,
        [a for r in records for a in r.applications],
        [d for r in records for d in r.decisions],
        [a for r in records for a in r.awards],
    )


def publish(
    ledger: Ledger,
    round_ids: Sequence[str],
    directory: str | os.PathLike[str],
    *,
    pm: SgfundPluginManager,
    as_of: date | datetime,
    scope_id: str,
    label: str,
    publisher: Publisher | None = None,
    formats: Iterable[Format] = ("json", "csv"),
    transparency: bool = True,
    include_unclosed: bool = False,
) -> Published:
    """Publish the rounds' awards: 360Giving files, one per funder, and a transparency table.

    Only closed rounds are published: a round that is not closed (decided, say) holds
    provisional figures and is refused with `RoundsNotClosed`, naming each such round and its
    state, before anything is built. ``include_unclosed`` publishes them anyway; they are then
    listed in `Published.unclosed`, for the caller to warn about.

    Each era's awards are published by that era's publisher in the fund file in force (or
    by ``publisher``, given). The 360Giving packages are built and validated once
    (`build_packages`), all of them before any file is written; each is then written in
    every format asked for, as ``<scope id>-<funder>.<format>``. The transparency table is
    ``<scope id>-transparency.csv``. Grants of closed rounds are published as varied after
    the award, with ``amountDisbursed`` (paid less recovered) as of ``as_of`` where payments
    were made (see post-award.md). A problem in any package raises `ExportError` listing them
    all, and nothing is written.
    """
    from sgfund.io.export import write_csv
    from sgfund.io.threesixtygiving.build import funder_slug
    from sgfund.io.threesixtygiving.write import write_built_package

    wanted = _formats(formats)
    unclosed = _publishable(ledger, round_ids, what="open data", include_unclosed=include_unclosed)
    records = [ledger.round_records(rid) for rid in round_ids]
    packages = _funder_packages(
        ledger,
        records,
        pm=pm,
        as_of=as_of,
        scope_id=scope_id,
        label=label,
        publisher=publisher,
    )
    table = _transparency_table(records, scope_id=scope_id, label=label) if transparency else None
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        write_built_package(
            folder / f"{scope_id}-{funder_slug(package.funder.id)}.{fmt}", package.package
        )
        for package in packages
        for fmt in wanted
    ]
    if table is not None:
        files.append(write_csv(folder / f"{scope_id}-transparency.csv", table))
    return Published(
        files=tuple(files),
        grants={p.funder.id: p.grant_count for p in packages},
        unclosed=unclosed,
    )


def _publishers(
    ledger: Ledger, era_ids: Sequence[str], given: Publisher | None
) -> dict[str, Publisher]:
    if given is not None:
        return dict.fromkeys(era_ids, given)
    ff = fund_file_in_force(ledger)
    found = {} if ff is None else dict(ff.publishers)
    missing = [era for era in era_ids if era not in found]
    if missing:
        raise WorkflowError(
            f"no 360Giving publisher for era(s) {', '.join(missing)}: give one in the fund "
            "file ([eras.publisher]) or name the publisher"
        )
    return {era: found[era] for era in era_ids}


def scope_totals(ledger: Ledger, round_ids: Sequence[str], *, scope_id: str, label: str) -> Totals:
    """The rounds' totals as the ledger holds them (`sgfund.totals.compute_totals`)."""
    records = [ledger.round_records(rid) for rid in round_ids]
    scope = Scope(id=scope_id, label=label, rounds=[r.round for r in records])
    applications = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    return compute_totals(scope, applications, awards)


TABLES = ("transparency", "applications", "awards")
Table = Literal["transparency", "applications", "awards"]


TABLE_SUFFIXES = (".csv", ".xlsx")


def write_table(
    ledger: Ledger,
    round_ids: Sequence[str],
    what: Table,
    path: str | os.PathLike[str],
    *,
    scope_id: str,
    label: str,
    include_unclosed: bool = False,
) -> Published:
    """Write one table of the rounds (CSV, or XLSX by the suffix), all or nothing.

    ``path`` must end ``.csv`` or ``.xlsx`` (`FieldError` otherwise, before anything is read).

    ``transparency`` is one row per award as the public sees it: published data, so like
    `publish` it refuses rounds that are not closed (`RoundsNotClosed`) unless
    ``include_unclosed``, and then lists them in `Published.unclosed`. ``applications`` and
    ``awards`` are the officers' working tables (`sgfund.io.export`), for any round.
    """
    from sgfund.io.export import application_table, award_table, write_csv, write_xlsx

    if what not in TABLES:
        raise FieldError("table", what, "one of " + ", ".join(TABLES))
    target = Path(path)
    # The suffix says the format: anything else would be a CSV under a misleading name.
    if target.suffix.lower() not in TABLE_SUFFIXES:
        raise FieldError(
            "out", os.fspath(path), "a file name ending " + " or ".join(TABLE_SUFFIXES)
        )
    unclosed: dict[str, RoundState] = {}
    if what == "transparency":
        unclosed = _publishable(
            ledger, round_ids, what="the transparency table", include_unclosed=include_unclosed
        )
    records = [ledger.round_records(rid) for rid in round_ids]
    applications = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    if what == "transparency":
        table = _transparency_table(records, scope_id=scope_id, label=label)
    elif what == "applications":
        table = application_table(applications)
    else:
        table = award_table(awards, applications)
    written = (
        write_xlsx(target, table) if target.suffix.lower() == ".xlsx" else write_csv(target, table)
    )
    return Published(files=(written,), unclosed=unclosed)


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
