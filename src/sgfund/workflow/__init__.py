"""The officer's workflow: one function per step, over the ledger (see docs/cli.md).

The command line, the demo and the docs call these functions; they only parse and print.
"""

from __future__ import annotations

from sgfund.workflow.demo import (
    DEMO_STEPS,
    DemoPlan,
    DemoStep,
    DemoSummary,
    demo_plugin_manager,
    run_demo,
)
from sgfund.workflow.steps import (
    Published,
    Referral,
    assess_round,
    close_round,
    import_round,
    list_referrals,
    make_awards,
    publish,
    reconcile_scope,
    record_decisions,
    resolve_referral,
    scope_round_ids,
    setup_fund,
)

__all__ = [
    "DEMO_STEPS",
    "DemoPlan",
    "DemoStep",
    "DemoSummary",
    "Published",
    "Referral",
    "assess_round",
    "close_round",
    "demo_plugin_manager",
    "import_round",
    "list_referrals",
    "make_awards",
    "publish",
    "reconcile_scope",
    "record_decisions",
    "resolve_referral",
    "run_demo",
    "scope_round_ids",
    "setup_fund",
]
