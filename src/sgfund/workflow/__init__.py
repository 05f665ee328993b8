"""The officer's workflow: one function per step, over the ledger (see docs/cli.md).

The command line, the demo and the docs call these functions; they only parse and print.
"""

from __future__ import annotations

from sgfund.workflow.demo import (
    DEMO_STEPS,
    DemoRun,
    DemoStep,
    DemoSummary,
    demo_plugin_manager,
    run_demo,
    summary_text,
)
from sgfund.workflow.report import scope_report, write_scope_report
from sgfund.workflow.steps import (
    FORMATS,
    TABLES,
    Published,
    Referral,
    RoundOverview,
    ScopeChoice,
    assess_round,
    close_round,
    fund_file_in_force,
    import_round,
    list_referrals,
    make_awards,
    publish,
    reconcile_scope,
    record_decisions,
    resolve_referral,
    resolve_scope,
    round_criteria,
    rounds_overview,
    scope_id_for,
    scope_round_ids,
    scope_totals,
    setup_fund,
    write_table,
)

__all__ = [
    "DEMO_STEPS",
    "FORMATS",
    "TABLES",
    "DemoRun",
    "DemoStep",
    "DemoSummary",
    "Published",
    "Referral",
    "RoundOverview",
    "ScopeChoice",
    "assess_round",
    "close_round",
    "demo_plugin_manager",
    "fund_file_in_force",
    "import_round",
    "list_referrals",
    "make_awards",
    "publish",
    "reconcile_scope",
    "record_decisions",
    "resolve_referral",
    "resolve_scope",
    "round_criteria",
    "rounds_overview",
    "run_demo",
    "scope_id_for",
    "scope_report",
    "scope_round_ids",
    "scope_totals",
    "setup_fund",
    "summary_text",
    "write_scope_report",
    "write_table",
]
