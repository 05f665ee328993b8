"""`run_demo`: the whole job on the example fund, through the same steps the CLI takes.

The demo builds a new ledger in a folder from a demo plan (`sgfund.demoplan`; by default the
Safer Communities Fund example in ``examples/scf``) and takes every officer's step in
`sgfund.workflow.steps`: set up the fund from its fund file, import each round's sheet,
assess, resolve the referrals the plan expects (with reasons), record decisions, award,
close, reconcile the plan's scopes against their published figures, record GR2's post-award
history, write the committee report on each scope, publish 360Giving files (one per funder)
and the transparency table, and verify the ledger. It computes no figure by
any other path.

`DEMO_STEPS` is the list of those steps in order; each takes the `DemoRun` and adds to its
summary, so a new step is one more entry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import field, frozen

from sgfund.collect import SgfundPluginManager
from sgfund.demoplan import DemoPlan, load_demo_plan
from sgfund.errors import WorkflowError
from sgfund.ledger import Ledger, VerifyReport
from sgfund.money import format_money
from sgfund.reconcile import Reconciliation, report_dict
from sgfund.themes import round_vocabularies
from sgfund.workflow import steps

__all__ = [
    "DEMO_STEPS",
    "DemoRun",
    "DemoStep",
    "DemoSummary",
    "RoundSummary",
    "default_plan",
    "demo_plugin_manager",
    "run_demo",
    "summary_text",
]

LEDGER_NAME = "sgfund.db"


def default_plan() -> DemoPlan:
    """The Safer Communities Fund example (``examples/scf``, synthetic records)."""
    from sgfund.examples_scf import example_dir

    return load_demo_plan(example_dir())


# --- what the demo found ------------------------------------------------------------------


@frozen(kw_only=True)
class RoundSummary:
    """One round as the demo left it."""

    id: str
    sheet: str
    applications: int
    assessed: dict[str, int]
    referrals_resolved: int
    awards: int
    awarded: str  # money as text, e.g. "208253.16"
    anchor: str


@frozen(kw_only=True)
class DemoSummary:
    """What the demo did: each round, each reconciliation, the files written, the ledger."""

    folder: Path
    ledger: Path
    plugins: tuple[str, ...]
    rounds: tuple[RoundSummary, ...]
    reconciliations: tuple[Reconciliation, ...]
    files: tuple[Path, ...]
    verified: bool
    verify_text: str
    theme_labels: dict[str, dict[str, str]] = field(factory=dict)
    expected: dict[str, tuple[str, ...]] = field(factory=dict)  # published texts to show
    extra: dict[str, Any] = field(factory=dict)  # what added steps report, by step name

    @property
    def ok(self) -> bool:
        """True when every scope reconciled, showed its expected figures matched, and the
        ledger verified.
        """  # noqa: D205 - the summary needs both lines
        return self.verified and all(r.ok for r in self.reconciliations) and not self.unmatched

    @property
    def unmatched(self) -> tuple[str, ...]:
        """Published texts the plan expects to match that did not (or were not compared)."""
        missing = []
        for rec in self.reconciliations:
            matched = {f.figure.published_text for f in rec.figures if f.matched}
            missing += [
                f"{rec.scope_id}: {text}"
                for text in self.expected.get(rec.scope_id, ())
                if text not in matched
            ]
        return tuple(missing)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``sgfund demo --json`` (shape documented in docs/cli.md)."""
        return {
            "ok": self.ok,
            "folder": str(self.folder),
            "ledger": str(self.ledger),
            "plugins": list(self.plugins),
            "rounds": [
                {
                    "id": r.id,
                    "sheet": r.sheet,
                    "applications": r.applications,
                    "assessed": dict(r.assessed),
                    "referrals_resolved": r.referrals_resolved,
                    "awards": r.awards,
                    "awarded": r.awarded,
                    "anchor": r.anchor,
                }
                for r in self.rounds
            ],
            "reconciliations": [report_dict(r) for r in self.reconciliations],
            "files": [str(f) for f in self.files],
            "verified": self.verified,
            "unmatched": list(self.unmatched),
            **({"extra": self.extra} if self.extra else {}),
        }


class DemoRun:
    """The demo while it runs: the ledger, the plugins, the plan and what each step found."""

    def __init__(
        self, folder: Path, ledger: Ledger, pm: SgfundPluginManager, plan: DemoPlan
    ) -> None:
        self.folder = folder
        self.ledger = ledger
        self.pm = pm
        self.plan = plan
        self.imported: dict[str, tuple[int, str]] = {}
        self.assessed: dict[str, dict[str, int]] = {}
        self.resolved: dict[str, int] = {}
        self.anchors: dict[str, str] = {}
        self.awarded: dict[str, tuple[int, str]] = {}
        self.reconciliations: list[Reconciliation] = []
        self.theme_labels: dict[str, dict[str, str]] = {}
        self.expected: dict[str, tuple[str, ...]] = {}
        self.files: list[Path] = []
        self.report: VerifyReport | None = None
        self.extra: dict[str, Any] = {}


@frozen
class DemoStep:
    """One step of the demo: a name (for messages) and what it does to the run."""

    name: str
    run: Callable[[DemoRun], None]


def _set_up(run: DemoRun) -> None:
    plan = run.plan
    steps.setup_fund(run.ledger, plan.fund, actor=plan.actors.fund_admin, at=plan.set_up_at)


def _import(run: DemoRun) -> None:
    for planned in run.plan.rounds:
        result = steps.import_round(
            run.ledger,
            planned.sheet,
            pm=run.pm,
            actor=run.plan.actors.officer,
            at=planned.imported_at,
            mapping=planned.mapping,
        )
        run.imported[planned.round_id] = (len(result.applications), planned.sheet.name)


def _assess(run: DemoRun) -> None:
    for planned in run.plan.rounds:
        assessed = steps.assess_round(
            run.ledger,
            planned.round_id,
            pm=run.pm,
            actor=run.plan.actors.officer,
            at=planned.assessed_at,
        )
        run.assessed[planned.round_id] = {str(k): v for k, v in sorted(assessed.counts().items())}


def _resolve(run: DemoRun) -> None:
    for planned in run.plan.rounds:
        rid = planned.round_id
        expected = {p.application_id for p in planned.resolutions}
        queue = steps.list_referrals(run.ledger, rid, pending_only=True)
        unplanned = [r for r in queue if r.application_id not in expected]
        if unplanned:
            raise WorkflowError(
                f"round {rid}: referrals the demo plan does not expect: "
                + "; ".join(f"{r.application_id} ({'; '.join(r.reasons)})" for r in unplanned)
            )
        for p in planned.resolutions:
            steps.resolve_referral(
                run.ledger,
                p.application_id,
                eligible=p.eligible,
                reason=p.reason,
                actor=p.by,
                at=p.at,
                round_id=rid,
            )
        run.resolved[rid] = len(planned.resolutions)


def _decide(run: DemoRun) -> None:
    for planned in run.plan.rounds:
        if planned.decisions is not None:
            steps.record_decisions(
                run.ledger,
                planned.decisions,
                planned.round_id,
                actor=run.plan.actors.panel,
                at=planned.decided_at,
            )


def _award_and_close(run: DemoRun) -> None:
    for planned in run.plan.rounds:
        rid = planned.round_id
        steps.make_awards(run.ledger, rid, actor=run.plan.actors.panel, at=planned.decided_at)
        closure = steps.close_round(
            run.ledger, rid, pm=run.pm, actor=run.plan.actors.closer, at=planned.closed_at
        )
        total = closure.totals.awards
        run.awarded[rid] = (total.count, str(total.total))
        run.anchors[rid] = str(closure.anchor)


def _reconcile(run: DemoRun) -> None:
    for planned in run.plan.reconciliations:
        scope = steps.resolve_scope(run.ledger, planned.scope)
        run.reconciliations.append(
            steps.reconcile_scope(
                run.ledger,
                scope.round_ids,
                pm=run.pm,
                scope_id=scope.id,
                label=scope.label,
                declared=scope.declared,
            )
        )
        run.expected[scope.id] = planned.expect
        latest = run.ledger.round(scope.round_ids[-1])
        run.theme_labels[scope.id] = dict(round_vocabularies(run.pm, latest).labels)


def _report(run: DemoRun) -> None:
    # The committee report on each reconciled scope, from the reconciliation just made.
    from sgfund.report import write_report
    from sgfund.workflow.report import scope_report

    # After the award as of the day the post-award step stopped recording, if it ran.
    figures = run.extra.get("post_award")
    as_of = date.fromisoformat(figures["as_of"]) if figures else None
    for rec in run.reconciliations:
        data = scope_report(run.ledger, rec, pm=run.pm, post_award_as_of=as_of)
        for suffix in ("html", "md"):
            run.files.append(write_report(data, run.folder / f"{rec.scope_id}-report.{suffix}"))


def _post_award(run: DemoRun) -> None:
    from sgfund.workflow.demo_postaward import record_post_award

    # One transaction for the whole history: hundreds of steps, one commit to disk.
    with run.ledger.transaction():
        run.extra["post_award"] = record_post_award(run.ledger, run.pm)


def _publish(run: DemoRun) -> None:
    plan = run.plan
    fund = plan.fund.fund
    # After GR2's post-award events, if recorded, so the files carry awards as varied.
    figures = run.extra.get("post_award")
    as_of: date | datetime = plan.published_at
    if figures:
        as_of = date.fromisoformat(figures["as_of"]) + timedelta(days=1)
    published = steps.publish(
        run.ledger,
        [r.round_id for r in plan.rounds],
        run.folder,
        pm=run.pm,
        as_of=as_of,
        scope_id=fund.id,
        label=fund.name,
        formats=("json", "csv"),
    )
    run.files.extend(published.files)


def _verify(run: DemoRun) -> None:
    run.report = run.ledger.verify(anchors=run.anchors.values())


DEMO_STEPS: tuple[DemoStep, ...] = (
    DemoStep("set up the fund and its rounds", _set_up),
    DemoStep("import each round's sheet", _import),
    DemoStep("assess each round", _assess),
    DemoStep("resolve the referrals", _resolve),
    DemoStep("record the panels' decisions", _decide),
    DemoStep("award and close each round", _award_and_close),
    DemoStep("reconcile against the published figures", _reconcile),
    DemoStep("record GR2's offers, payments, returns, a variation and a clawback", _post_award),
    DemoStep("write the committee report on each scope", _report),
    DemoStep("publish 360Giving data and the transparency table", _publish),
    DemoStep("verify the ledger and the anchors", _verify),
)


def demo_plugin_manager(
    *, every_installed: bool = False, plan: DemoPlan | None = None
) -> SgfundPluginManager:
    """The demo's plugins: sgfund's built-ins and those the example fund file names.

    The fund file's ``[fund] plugins`` keeps other installed plugins from changing the
    demo's figures; ``every_installed`` uses every one instead. Raises `WorkflowError`
    saying how to install a named plugin that is missing.
    """
    from sgfund.examples_scf import MISSING_PLUGINS
    from sgfund.manager import installed_plugins, make_plugin_manager

    named = (plan if plan is not None else default_plan()).fund.plugins
    if named is not None and any(name not in installed_plugins() for name in named):
        raise WorkflowError(MISSING_PLUGINS)
    return make_plugin_manager(entry_points=True if every_installed or named is None else named)


def run_demo(
    folder: str | os.PathLike[str],
    *,
    pm: SgfundPluginManager,
    plan: DemoPlan | None = None,
    steps_to_run: Sequence[DemoStep] = DEMO_STEPS,
    progress: Callable[[DemoStep], None] | None = None,
) -> DemoSummary:
    """Build a new ledger in ``folder`` from the example data and take every step of the job.

    A ledger the demo left in ``folder`` before is replaced, so running it twice works.
    Returns what it did; raises the step's own error (with every problem) if one fails.
    ``progress`` is called after each step (for a progress bar).
    """
    chosen = plan if plan is not None else default_plan()
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    db = target / LEDGER_NAME
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    with Ledger.open(db) as ledger:
        run = DemoRun(target, ledger, pm, chosen)
        for step in steps_to_run:
            step.run(run)
            if progress is not None:
                progress(step)
    report = run.report
    return DemoSummary(
        folder=target,
        ledger=db,
        plugins=tuple(sorted(name for name, _ in pm.list_name_plugin())),
        rounds=tuple(
            RoundSummary(
                id=r.round_id,
                sheet=r.sheet.name,
                applications=run.imported.get(r.round_id, (0, ""))[0],
                assessed=run.assessed.get(r.round_id, {}),
                referrals_resolved=run.resolved.get(r.round_id, 0),
                awards=run.awarded.get(r.round_id, (0, "0.00"))[0],
                awarded=run.awarded.get(r.round_id, (0, "0.00"))[1],
                anchor=run.anchors.get(r.round_id, ""),
            )
            for r in chosen.rounds
        ),
        reconciliations=tuple(run.reconciliations),
        files=tuple(run.files),
        verified=report is not None and report.ok,
        verify_text="" if report is None else str(report),
        theme_labels=run.theme_labels,
        expected=run.expected,
        extra=run.extra,
    )


def summary_text(summary: DemoSummary) -> str:
    """The demo's summary as a person reads it: each round, each scope's figures, the files."""
    lines = []
    for r in summary.rounds:
        counts = ", ".join(f"{n} {_STATUS_WORDS.get(s, s)}" for s, n in r.assessed.items())
        lines.append(f"{r.id}: {r.applications} applications from {r.sheet}; {counts}")
        if r.referrals_resolved:
            lines.append(f"{r.id}: {r.referrals_resolved} referral(s) resolved by an officer")
        lines.append(f"{r.id}: closed; {r.awards} awards, {format_money(Decimal(r.awarded))}")
        lines.append(f"{r.id}: anchor {r.anchor}")
    for rec in summary.reconciliations:
        t = rec.totals
        lines += [
            "",
            f"{rec.label}: {t.awards.count} projects, {format_money(t.awards.total)} awarded "
            f"({', '.join(t.round_ids)})",
        ]
        lines += [
            f"  {'matched    ' if f.matched else 'DISCREPANCY'}  {f.explanation}"
            for f in rec.figures
        ]
        lines += [
            f"  {d.severity.upper():<7}  [{d.check_id}] {d.message}" for d in rec.discrepancies
        ]
        lines.append("  Result: " + ("reconciled" if rec.ok else f"{len(rec.errors)} error(s)"))
    post_award = summary.extra.get("post_award")
    if post_award:
        from sgfund.workflow.postaward import summary_lines

        label = (
            f"{post_award['round']} after the award (amounts as varied), "
            f"as of {post_award['as_of']}"
        )
        lines += ["", *summary_lines(post_award, label)]
    lines.append("")
    lines += [f"written: {path}" for path in summary.files]
    lines.append(f"ledger: {summary.ledger}")
    lines.append(summary.verify_text)
    return "\n".join(lines)


_STATUS_WORDS = {"refer": "referred"}
