"""Round closure: every application decided, every award recorded, totals reconciled, frozen.

`close_round` is a pure function over a round's records; the ledger calls it inside one
transaction and stores the `ClosureRecord` it returns.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from operator import attrgetter

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.applications import Application
from sgfund.assessment import Assessment, Status
from sgfund.collect import SgfundPluginManager
from sgfund.convert import unstructure
from sgfund.decisions import Award, Decision, Outcome, decision_problems
from sgfund.errors import ClosureRefused, ReconciliationError, RoundClosedError
from sgfund.funds import Round
from sgfund.lifecycle import RoundState
from sgfund.money import format_money
from sgfund.reconcile import FigureResult, Reconciliation, reconcile
from sgfund.review import Resolution, ThemeOverride
from sgfund.scope import DeclaredFigure, Scope
from sgfund.themes import FinalThemes, final_themes
from sgfund.totals import Totals, compute_totals
from sgfund.types import Discrepancy, Finding

__all__ = [
    "ClosureRecord",
    "RoundRecords",
    "approval_problems",
    "close_round",
    "closure_digest",
    "closure_problems",
]


@frozen(kw_only=True)
class RoundRecords:
    """Everything about one round, as plain frozen models."""

    round: Round
    applications: tuple[Application, ...] = field(converter=v.as_tuple)
    decisions: tuple[Decision, ...] = field(default=(), converter=v.as_tuple)
    awards: tuple[Award, ...] = field(default=(), converter=v.as_tuple)
    assessments: tuple[Assessment, ...] = field(default=(), converter=v.as_tuple)
    resolutions: tuple[Resolution, ...] = field(default=(), converter=v.as_tuple)
    theme_overrides: tuple[ThemeOverride, ...] = field(default=(), converter=v.as_tuple)

    def final_themes(self) -> dict[str, FinalThemes]:
        """Every application's final themes (`sgfund.themes.final_themes`), by application id.

        Uses each application's assessment (its classifiers' matches) and the officer's
        override, where the records hold them; one pass over the records.
        """
        matches = {a.application_id: a.themes for a in self.assessments}
        overrides = {o.application_id: o for o in self.theme_overrides}
        return {
            app.id: final_themes(app, matches.get(app.id, ()), overrides.get(app.id))
            for app in self.applications
        }


@frozen(kw_only=True)
class ClosureRecord:
    """What closing a round produced: its totals, how they reconciled and a digest of the data.

    The ``digest`` is the same for the same data whatever order it came in; the ledger
    recomputes it to prove a closed round was not changed.
    """

    round_id: str = field(validator=v.slug)
    closed_at: datetime = field(validator=v.aware)
    closed_by: str = field(converter=v.stripped, validator=v.text)
    digest: str
    totals: Totals
    figures: tuple[FigureResult, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    check_versions: Mapping[str, str] = field(factory=dict)
    rule_versions: Mapping[str, str] = field(factory=dict)
    findings_summary: Mapping[str, int] = field(factory=dict)
    override_reason: str | None = None

    def reconciliation(self, label: str | None = None) -> Reconciliation:
        """The reconciliation made at closure, for `sgfund.reconcile.report_text` and friends."""
        return Reconciliation(
            scope_id=self.round_id,
            label=label or self.round_id,
            totals=self.totals,
            figures=self.figures,
            discrepancies=self.discrepancies,
            check_versions=self.check_versions,
        )


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def closure_digest(records: RoundRecords) -> str:
    """SHA-256 of the round's facts in a canonical form, independent of record order.

    The canonical form is the JSON object ``{"applications": [...], "awards": [...],
    "decisions": [...], "resolutions": [...], "round": {...}, "theme_overrides": [...]}``
    (keys sorted, records sorted by id, compact separators). It is hashed a record at a
    time, so a round of a million applications never has all of its JSON in memory at once.
    """
    lists: dict[str, tuple[Sequence[object], str]] = {
        "applications": (records.applications, "id"),
        "awards": (records.awards, "id"),
        "decisions": (records.decisions, "application_id"),
        "resolutions": (records.resolutions, "application_id"),
        "theme_overrides": (records.theme_overrides, "application_id"),
    }
    digest = hashlib.sha256()
    for index, name in enumerate(sorted([*lists, "round"])):
        digest.update(b"," if index else b"{")
        digest.update(_canonical(name) + b":")
        if name == "round":
            digest.update(_canonical(unstructure(records.round)))
            continue
        items, key = lists[name]
        digest.update(b"[")
        for position, item in enumerate(sorted(items, key=attrgetter(key))):
            if position:
                digest.update(b",")
            digest.update(_canonical(unstructure(item)))
        digest.update(b"]")
    digest.update(b"}")
    return digest.hexdigest()


def _said(findings: tuple[Finding, ...]) -> str:
    return "; ".join(str(f) for f in findings)


def _assessment_problems(
    app_id: str, assessed: Assessment | None, resolved: Resolution | None, approved: bool
) -> list[str]:
    """Referrals left unresolved, and approvals of what was assessed ineligible, with why."""
    if assessed is None:
        return []
    if assessed.status is Status.REFER and resolved is None:
        return [
            f"application {app_id} was referred and the referral is unresolved: "
            + _said(assessed.referred)
        ]
    eligible = (
        resolved.eligible if resolved is not None else assessed.status is not Status.INELIGIBLE
    )
    if approved and not eligible:
        why = _said(assessed.failed) if resolved is None else f"resolved: {resolved.reason}"
        return [f"application {app_id} is approved but was assessed ineligible: {why}"]
    return []


def approval_problems(
    records: RoundRecords, *, applications: Collection[str] | None = None
) -> list[str]:
    """Approved decisions the round could not close with, because of the assessment, with why.

    An approval of an application assessed ineligible (or resolved ineligible by an officer),
    or referred with the referral unresolved: the rule `closure_problems` applies, so that
    awards are not made for what can never close. ``applications`` limits it to those ids.
    """
    resolved = {r.application_id: r for r in records.resolutions}
    assessed = {a.application_id: a for a in records.assessments}
    return [
        problem
        for d in sorted(records.decisions, key=lambda d: d.application_id)
        if d.outcome is Outcome.APPROVED
        and (applications is None or d.application_id in applications)
        for problem in _assessment_problems(
            d.application_id, assessed.get(d.application_id), resolved.get(d.application_id), True
        )
    ]


def _award_problems(app_id: str, decision: Decision | None, granted: list[Award]) -> list[str]:
    if decision is None or decision.outcome is not Outcome.APPROVED:
        return [f"application {app_id} has an award but no approved decision"] if granted else []
    if len(granted) != 1:
        return [f"application {app_id} is approved but has {len(granted)} awards, not 1"]
    if granted[0].amount != decision.amount_awarded:
        return [
            f"award {granted[0].id} is {format_money(granted[0].amount)} but the decision "
            f"on {app_id} awarded {format_money(decision.amount_awarded)}"
        ]
    return []


def _record_problems(records: RoundRecords) -> list[str]:
    """Records that belong elsewhere, or are given twice."""
    rnd = records.round
    apps = {a.id for a in records.applications}
    reasons = [
        f"application {a.id} belongs to round {a.round_id}"
        for a in records.applications
        if a.round_id != rnd.id
    ]
    seen: set[str] = set()
    for recorded in records.decisions:
        if recorded.application_id in seen:
            reasons.append(f"application {recorded.application_id} has more than one decision")
        seen.add(recorded.application_id)
        if recorded.application_id not in apps:
            reasons.append(f"decision for unknown application {recorded.application_id}")
    for award in records.awards:
        if award.round_id != rnd.id:
            reasons.append(f"award {award.id} belongs to round {award.round_id}")
    awarded = {a.application_id for a in records.awards}
    reasons += [f"award for unknown application {i}" for i in sorted(awarded - apps)]
    return reasons


def closure_problems(records: RoundRecords, *, state: RoundState | None = None) -> list[str]:
    """Every reason the round's records are not ready to close (empty when they are).

    A referral or failure is named by its rule, version and plugin.
    """
    reasons: list[str] = []
    if state is not None and RoundState(state) is not RoundState.DECIDED:
        reasons.append(f"the round is {RoundState(state)}, not decided")
    reasons += _record_problems(records)
    decisions = {d.application_id: d for d in records.decisions}
    awards: dict[str, list[Award]] = {}
    for award in records.awards:
        awards.setdefault(award.application_id, []).append(award)
    resolved = {r.application_id: r for r in records.resolutions}
    assessed = {a.application_id: a for a in records.assessments}
    overrides = {o.application_id: o for o in records.theme_overrides}
    for app in sorted(records.applications, key=lambda a: a.id):
        decision = decisions.get(app.id)
        if decision is None:
            reasons.append(f"application {app.id} has no decision")
        elif decision.outcome is Outcome.DEFERRED:
            reasons.append(f"application {app.id} is deferred: decide it before closing")
        approved = decision is not None and decision.outcome is Outcome.APPROVED
        reasons += _assessment_problems(
            app.id, assessed.get(app.id), resolved.get(app.id), approved
        )
        granted = awards.get(app.id, [])
        if approved and decision is not None:
            reasons.extend(p.message for p in decision_problems(decision, app, records.round))
        reasons += _award_problems(app.id, decision, granted)
        override = overrides.get(app.id)
        if override is not None and granted and granted[0].themes != override.themes:
            reasons.append(
                f"award {granted[0].id} themes differ from the officer's override on {app.id}"
            )
    return reasons


def close_round(
    records: RoundRecords,
    *,
    actor: str,
    at: datetime,
    pm: SgfundPluginManager,
    declared: Sequence[DeclaredFigure] = (),
    override_reason: str | None = None,
    state: RoundState | None = None,
    closed: ClosureRecord | None = None,
) -> ClosureRecord:
    """Close a round, or refuse listing every reason at once (`ClosureRefused`).

    Refuses while an application has no final decision, a referral is unresolved, an award
    does not match its decision, or reconciliation against ``declared`` figures (and the
    checks of ``pm``'s plugins) finds an error. An officer may close despite reconciliation
    errors by giving ``override_reason``, which is recorded; other reasons cannot be overridden.
    A round that is already ``closed`` (its record given) raises `RoundClosedError` saying
    when and by whom.
    """
    if closed is not None:
        raise RoundClosedError(closed.round_id, closed.closed_at, closed.closed_by)
    reasons = closure_problems(records, state=state)
    rnd = records.round
    try:
        totals = compute_totals(rnd, records.applications, records.awards)
    except ReconciliationError as err:
        # Awards whose application is unknown or of another round: already a reason above,
        # and there are no totals to reconcile until they are fixed.
        raise ClosureRefused(rnd.id, [*reasons, f"totals cannot be computed: {err}"]) from None
    scope = Scope(id=rnd.id, label=rnd.name, rounds=(rnd,), declared=tuple(declared))
    reconciliation = reconcile(scope, totals, pm=pm)
    reconciliation_errors = [
        f"reconciliation [{reconciliation.source_of(d)}]: {d.message}"
        for d in reconciliation.errors
    ]
    if reconciliation_errors and not override_reason:
        reasons.extend(reconciliation_errors)
    if reasons:
        raise ClosureRefused(records.round.id, reasons)
    rule_versions: dict[str, str] = {}
    findings: Counter[str] = Counter()
    for assessment in records.assessments:
        findings[str(assessment.status)] += 1
        rule_versions.update(assessment.rule_versions)
    return ClosureRecord(
        round_id=records.round.id,
        closed_at=at,
        closed_by=actor,
        digest=closure_digest(records),
        totals=totals,
        figures=reconciliation.figures,
        discrepancies=reconciliation.discrepancies,
        check_versions=dict(reconciliation.check_versions),
        rule_versions=dict(sorted(rule_versions.items())),
        findings_summary=dict(sorted(findings.items())),
        override_reason=override_reason if reconciliation_errors else None,
    )
