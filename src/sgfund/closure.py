"""Round closure: every application decided, every award recorded, totals reconciled, frozen.

`close_round` is a pure function over a round's records; the ledger calls it inside one
transaction and stores the `ClosureRecord` it returns.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pluggy
from attrs import field, frozen

from sgfund import _validate as v
from sgfund.applications import Application
from sgfund.convert import unstructure
from sgfund.decisions import Award, Decision, Outcome, decision_problems
from sgfund.errors import ClosureRefused, RoundClosedError
from sgfund.funds import Round
from sgfund.lifecycle import RoundState
from sgfund.money import format_money
from sgfund.reconcile import FigureResult, Reconciliation, reconcile
from sgfund.review import Resolution, ThemeOverride
from sgfund.scope import DeclaredFigure, Scope
from sgfund.totals import Totals, compute_totals
from sgfund.types import Discrepancy

__all__ = ["ClosureRecord", "RoundRecords", "close_round", "closure_digest", "closure_problems"]


@frozen(kw_only=True)
class RoundRecords:
    """Everything about one round, as plain frozen models."""

    round: Round
    applications: tuple[Application, ...] = field(converter=v.as_tuple)
    decisions: tuple[Decision, ...] = field(default=(), converter=v.as_tuple)
    awards: tuple[Award, ...] = field(default=(), converter=v.as_tuple)
    assessments: tuple[Any, ...] = field(default=(), converter=v.as_tuple)
    resolutions: tuple[Resolution, ...] = field(default=(), converter=v.as_tuple)
    theme_overrides: tuple[ThemeOverride, ...] = field(default=(), converter=v.as_tuple)


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
    """SHA-256 of the round's facts in a canonical form, independent of record order."""
    body = {
        "round": unstructure(records.round),
        "applications": sorted(
            (unstructure(a) for a in records.applications), key=lambda d: d["id"]
        ),
        "decisions": sorted(
            (unstructure(d) for d in records.decisions), key=lambda d: d["application_id"]
        ),
        "awards": sorted((unstructure(a) for a in records.awards), key=lambda d: d["id"]),
        "resolutions": sorted(
            (unstructure(r) for r in records.resolutions), key=lambda d: d["application_id"]
        ),
        "theme_overrides": sorted(
            (unstructure(o) for o in records.theme_overrides), key=lambda d: d["application_id"]
        ),
    }
    return hashlib.sha256(_canonical(body)).hexdigest()


def _status(assessment: Any) -> str:
    return str(getattr(assessment, "status", ""))


def closure_problems(records: RoundRecords, *, state: RoundState | None = None) -> list[str]:
    """Every reason the round's records are not ready to close (empty when they are)."""
    rnd = records.round
    reasons: list[str] = []
    if state is not None and RoundState(state) is not RoundState.DECIDED:
        reasons.append(f"the round is {RoundState(state)}, not decided")
    apps = {a.id: a for a in records.applications}
    for app in records.applications:
        if app.round_id != rnd.id:
            reasons.append(f"application {app.id} belongs to round {app.round_id}")
    decisions: dict[str, Decision] = {}
    for recorded in records.decisions:
        if recorded.application_id in decisions:
            reasons.append(f"application {recorded.application_id} has more than one decision")
        decisions[recorded.application_id] = recorded
        if recorded.application_id not in apps:
            reasons.append(f"decision for unknown application {recorded.application_id}")
    awards_by_app: dict[str, list[Award]] = {}
    for award in records.awards:
        awards_by_app.setdefault(award.application_id, []).append(award)
        if award.round_id != rnd.id:
            reasons.append(f"award {award.id} belongs to round {award.round_id}")
    resolved = {r.application_id: r for r in records.resolutions}
    assessed = {getattr(a, "application_id", None): a for a in records.assessments}
    overrides = {o.application_id: o for o in records.theme_overrides}

    for app_id in sorted(apps):
        app = apps[app_id]
        decision = decisions.get(app_id)
        if decision is None:
            reasons.append(f"application {app_id} has no decision")
        elif decision.outcome is Outcome.DEFERRED:
            reasons.append(f"application {app_id} is deferred: decide it before closing")
        status = _status(assessed.get(app_id))
        if status == "refer" and app_id not in resolved:
            reasons.append(f"application {app_id} was referred and the referral is unresolved")
        eligible = resolved[app_id].eligible if app_id in resolved else status not in {"ineligible"}
        granted = awards_by_app.get(app_id, [])
        if decision is not None and decision.outcome is Outcome.APPROVED:
            reasons.extend(p.message for p in decision_problems(decision, app, rnd))
            if not eligible:
                reasons.append(f"application {app_id} is approved but was assessed ineligible")
            if len(granted) != 1:
                reasons.append(
                    f"application {app_id} is approved but has {len(granted)} awards, not 1"
                )
            elif granted[0].amount != decision.amount_awarded:
                reasons.append(
                    f"award {granted[0].id} is {format_money(granted[0].amount)} but the decision "
                    f"on {app_id} awarded {format_money(decision.amount_awarded)}"
                )
        elif granted:
            reasons.append(f"application {app_id} has an award but no approved decision")
        override = overrides.get(app_id)
        if override is not None and granted and granted[0].themes != override.themes:
            reasons.append(
                f"award {granted[0].id} themes differ from the officer's override on {app_id}"
            )
    for app_id in sorted(set(awards_by_app) - set(apps)):
        reasons.append(f"award for unknown application {app_id}")
    return reasons


def close_round(
    records: RoundRecords,
    *,
    actor: str,
    at: datetime,
    pm: pluggy.PluginManager | None = None,
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
    totals = compute_totals(rnd, records.applications, records.awards)
    scope = Scope(id=rnd.id, label=rnd.name, rounds=(rnd,), declared=tuple(declared))
    reconciliation = reconcile(scope, totals, pm=pm)
    reconciliation_errors = [
        f"reconciliation [{d.check_id}]: {d.message}" for d in reconciliation.errors
    ]
    if reconciliation_errors and not override_reason:
        reasons.extend(reconciliation_errors)
    if reasons:
        raise ClosureRefused(records.round.id, reasons)
    rule_versions: dict[str, str] = {}
    findings: Counter[str] = Counter()
    for assessment in records.assessments:
        findings[_status(assessment) or "unknown"] += 1
        for rule_id, version in getattr(assessment, "rule_versions", {}).items():
            rule_versions[rule_id] = version
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
