"""`run_demo`: the whole job on the example fund, through the same steps the CLI takes.

The demo builds a new ledger in a folder from the example data and takes every officer's
step in `sgfund.workflow.steps`: set up the fund, import each round's sheet, assess,
resolve the referrals the plan expects (with reasons), award, close, reconcile the scopes
against their published figures, write the committee report on each scope, publish 360Giving
files (one per funder) and the transparency table, and verify the ledger. It computes no
figure by any other path.

`DEMO_STEPS` is the list of those steps in order; each takes the `DemoRun` and adds to its
summary, so a new step (post-award monitoring, say) is one more entry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import field, frozen

from sgfund.collect import SgfundPluginManager
from sgfund.dates import london
from sgfund.errors import WorkflowError
from sgfund.funds import Fund, Round
from sgfund.io.declared import read_declared_figures
from sgfund.ledger import Ledger, VerifyReport
from sgfund.money import format_money
from sgfund.reconcile import Reconciliation, report_dict
from sgfund.scope import DeclaredFigure
from sgfund.themes import round_vocabularies
from sgfund.workflow import steps

__all__ = [
    "DEMO_STEPS",
    "DemoPlan",
    "DemoReconciliation",
    "DemoRound",
    "DemoRun",
    "DemoStep",
    "DemoSummary",
    "PlannedResolution",
    "RoundSummary",
    "default_plan",
    "demo_plugin_manager",
    "run_demo",
    "summary_text",
]

LEDGER_NAME = "sgfund.db"


# --- the plan -------------------------------------------------------------------------------


@frozen(kw_only=True)
class PlannedResolution:
    """A referral the example data expects, and how the officer resolves it."""

    application_id: str
    eligible: bool
    reason: str
    at: datetime
    by: str


@frozen(kw_only=True)
class DemoRound:
    """One round's steps in the demo: its sheet, and when each step happened and by whom."""

    round: Round
    sheet: Path
    mapping: Path | None = None
    decisions: Path | None = None  # a panel's sheet; None when the sheet has the decisions
    imported_at: datetime
    assessed_at: datetime
    decided_at: datetime
    closed_at: datetime
    resolutions: tuple[PlannedResolution, ...] = ()
    officer: str = "grants-officer"
    panel: str = "panel-secretary"
    manager: str = "fund-manager"


@frozen(kw_only=True)
class DemoReconciliation:
    """A scope to reconcile: its rounds (a scope key such as ``a+b``) and published figures."""

    key: str
    id: str
    label: str
    declared: tuple[DeclaredFigure, ...]


@frozen(kw_only=True)
class DemoPlan:
    """Everything the demo does, in order, with the times and actors of each step."""

    fund: Fund
    set_up_at: datetime
    rounds: tuple[DemoRound, ...]
    declared: dict[str, list[DeclaredFigure]]
    reconciliations: tuple[DemoReconciliation, ...]
    publisher: Any  # sgfund.io.threesixtygiving.Publisher (imported lazily)
    published_on: date
    scope_id: str
    scope_label: str
    admin: str = "fund-admin"


def _data_dir() -> Path:
    """The example sheets: beside the package in a source checkout or editable install."""
    return Path(__file__).resolve().parents[3] / "examples" / "data"


def default_plan(data: str | os.PathLike[str] | None = None) -> DemoPlan:
    """The Mayor's Grant Rounds 1 and 2 from ``examples/data`` (synthetic records)."""
    from sgfund.examples_scf import GR1, GR2, SCF
    from sgfund.io.threesixtygiving import Publisher

    folder = Path(data) if data is not None else _data_dir()
    if not (folder / "gr1.csv").is_file():
        raise WorkflowError(f"the example data is not in {folder} (looked for gr1.csv there)")
    declared = read_declared_figures(folder / "declared-figures.csv").by_scope
    rounds = []
    for rnd, sheet, decided in (
        (GR1, "gr1.csv", london(2022, 3, 1, 10)),
        (GR2, "gr2.csv", london(2022, 10, 6, 10)),
    ):
        rounds.append(
            DemoRound(
                round=rnd,
                sheet=folder / sheet,
                imported_at=rnd.closes_at,
                assessed_at=rnd.closes_at,
                decided_at=decided,
                closed_at=decided,
            )
        )
    return DemoPlan(
        fund=SCF,
        set_up_at=datetime(2021, 11, 1, tzinfo=UTC),
        rounds=tuple(rounds),
        declared=declared,
        reconciliations=(
            DemoReconciliation(
                key="mayor-gr1+mayor-gr2",
                id="mayor-scf-2022",
                label="Mayor's Safer Communities Fund 2022 (GR1 + GR2)",
                declared=tuple(declared["mayor-gr1+mayor-gr2"]),
            ),
        ),
        publisher=Publisher(
            prefix="360G-sgfund-demo", name="Safer Communities Fund (demo records)"
        ),
        # After GR2's post-award events (to January 2024), so the files carry them.
        published_on=date(2024, 2, 1),
        scope_id="scf",
        scope_label="Safer Communities Fund (demo records)",
    )


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
    extra: dict[str, Any] = field(factory=dict)  # what added steps report, by step name

    @property
    def ok(self) -> bool:
        """True when every scope reconciled and the ledger verified."""
        return self.verified and all(r.ok for r in self.reconciliations)

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
    steps.setup_fund(
        run.ledger, plan.fund, [r.round for r in plan.rounds], actor=plan.admin, at=plan.set_up_at
    )


def _import(run: DemoRun) -> None:
    for planned in run.plan.rounds:
        result = steps.import_round(
            run.ledger,
            planned.sheet,
            pm=run.pm,
            actor=planned.officer,
            at=planned.imported_at,
            mapping=planned.mapping,
        )
        run.imported[planned.round.id] = (len(result.applications), planned.sheet.name)


def _assess(run: DemoRun) -> None:
    for planned in run.plan.rounds:
        assessed = steps.assess_round(
            run.ledger,
            planned.round.id,
            pm=run.pm,
            actor=planned.officer,
            at=planned.assessed_at,
            as_of=planned.round.closes_at.date(),
        )
        run.assessed[planned.round.id] = {str(k): v for k, v in sorted(assessed.counts().items())}


def _resolve(run: DemoRun) -> None:
    for planned in run.plan.rounds:
        rid = planned.round.id
        expected = {p.application_id: p for p in planned.resolutions}
        queue = steps.list_referrals(run.ledger, rid, pending_only=True)
        unplanned = sorted(r.application_id for r in queue if r.application_id not in expected)
        if unplanned:
            raise WorkflowError(
                f"round {rid}: referrals the example data does not expect: "
                + "; ".join(
                    f"{r.application_id} ({'; '.join(r.reasons)})"
                    for r in queue
                    if r.application_id in unplanned
                )
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
                planned.round.id,
                actor=planned.panel,
                at=planned.decided_at,
            )


def _award_and_close(run: DemoRun) -> None:
    for planned in run.plan.rounds:
        rid = planned.round.id
        steps.make_awards(run.ledger, rid, actor=planned.panel, at=planned.decided_at)
        closure = steps.close_round(
            run.ledger,
            rid,
            pm=run.pm,
            actor=planned.manager,
            at=planned.closed_at,
            declared=run.plan.declared.get(rid, ()),
        )
        total = closure.totals.awards
        run.awarded[rid] = (total.count, str(total.total))
        run.anchors[rid] = str(closure.anchor)


def _reconcile(run: DemoRun) -> None:
    for planned in run.plan.reconciliations:
        round_ids = steps.scope_round_ids(run.ledger, planned.key)
        run.reconciliations.append(
            steps.reconcile_scope(
                run.ledger,
                round_ids,
                pm=run.pm,
                scope_id=planned.id,
                label=planned.label,
                declared=planned.declared,
            )
        )
        latest = run.ledger.round(round_ids[-1])
        run.theme_labels[planned.id] = dict(round_vocabularies(run.pm, latest).labels)


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


def _publish(run: DemoRun) -> None:
    plan = run.plan
    published = steps.publish(
        run.ledger,
        [r.round.id for r in plan.rounds],
        run.folder,
        pm=run.pm,
        publisher=plan.publisher,
        as_of=plan.published_on,
        scope_id=plan.scope_id,
        label=plan.scope_label,
        formats=("json", "csv"),
    )
    run.files.extend(published.files)


def _post_award(run: DemoRun) -> None:
    from sgfund.workflow.demo_postaward import record_post_award

    # One transaction for the whole history: hundreds of steps, one commit to disk.
    with run.ledger.transaction():
        run.extra["post_award"] = record_post_award(run.ledger, run.pm)


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


def demo_plugin_manager(*, every_installed: bool = False) -> SgfundPluginManager:
    """The demo's plugins: sgfund's built-ins and those the example fund declares.

    The declared set (`sgfund.examples_scf.ENTRY_POINTS`) keeps other installed plugins
    from changing the demo's figures; ``every_installed`` uses every one instead. Raises
    `WorkflowError` saying how to install a declared plugin that is missing.
    """
    from sgfund.examples_scf import ENTRY_POINTS, MISSING_PLUGINS
    from sgfund.manager import installed_plugins, make_plugin_manager

    if any(name not in installed_plugins() for name in ENTRY_POINTS):
        raise WorkflowError(MISSING_PLUGINS)
    return make_plugin_manager(entry_points=True if every_installed else ENTRY_POINTS)


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
                id=r.round.id,
                sheet=run.imported.get(r.round.id, (0, r.sheet.name))[1],
                applications=run.imported.get(r.round.id, (0, ""))[0],
                assessed=run.assessed.get(r.round.id, {}),
                referrals_resolved=run.resolved.get(r.round.id, 0),
                awards=run.awarded.get(r.round.id, (0, "0.00"))[0],
                awarded=run.awarded.get(r.round.id, (0, "0.00"))[1],
                anchor=run.anchors.get(r.round.id, ""),
            )
            for r in chosen.rounds
        ),
        reconciliations=tuple(run.reconciliations),
        files=tuple(run.files),
        verified=report is not None and report.ok,
        verify_text="" if report is None else str(report),
        theme_labels=run.theme_labels,
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

        label = f"{post_award['round']} after the award, as of {post_award['as_of']}"
        lines += ["", *summary_lines(post_award, label)]
    lines.append("")
    lines += [f"written: {path}" for path in summary.files]
    lines.append(f"ledger: {summary.ledger}")
    lines.append(summary.verify_text)
    return "\n".join(lines)


_STATUS_WORDS = {"refer": "referred"}
