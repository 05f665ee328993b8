"""The plugin contract: sgfund's hook specifications and the ``hookimpl`` marker.

``"sgfund"`` is the marker name, the plugin manager's name and the entry-point group. Plugin
authors only ever use `hookimpl`; the specifications below are the contract they implement.
Every hook is called once per round (or per reconciliation scope), never once per application:
it hands back objects from `sgfund.types`, and the core runs them in its own loops.
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from sgfund.funds import Round
from sgfund.scope import Scope
from sgfund.types import Classifier, ReconciliationCheck, Rule

__all__ = ["PROJECT_NAME", "SgfundSpecs", "hookimpl", "hookspec"]

PROJECT_NAME = "sgfund"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class SgfundSpecs:
    """Hook specifications. Each docstring says when the hook is called and how results combine."""

    @hookspec
    def sgfund_eligibility_rules(self, round: Round) -> Iterable[Rule] | None:
        """Eligibility rules that apply to applications in ``round``.

        Called once per round. Collect all: every plugin's rules are merged and sorted by id,
        and two plugins giving the same rule id is a `PluginError` naming both. The core runs
        every rule over every application: an application is eligible only if no rule fails,
        and any ``refer`` puts it in the officers' queue. Return nothing (or an empty list)
        for rounds your plugin does not cover.

        Example::

            @sgfund.hookimpl
            def sgfund_eligibility_rules(round):
                yield Rule(id="max-grant", version="1", description="...", check=max_grant)
        """

    @hookspec
    def sgfund_theme_classifiers(self, round: Round) -> Iterable[Classifier] | None:
        """Theme classifiers for applications in ``round``.

        Called once per round. Collect all, multi-label: each classifier may give an
        application any number of themes from the round's vocabularies, and every match is
        kept with its source and reason. Classifier ids are unique across plugins.

        Example::

            @sgfund.hookimpl
            def sgfund_theme_classifiers(round):
                yield Classifier(id="keywords", version="1", description="...", classify=find)
        """

    @hookspec
    def sgfund_reconciliation_checks(self, scope: Scope) -> Iterable[ReconciliationCheck] | None:
        """Checks over the computed totals of ``scope`` (one or more rounds).

        Called once per scope. Collect all: every check runs, and every discrepancy it
        reports is kept with its severity. Check ids are unique across plugins.

        Example::

            @sgfund.hookimpl
            def sgfund_reconciliation_checks(scope):
                yield ReconciliationCheck(id="count", version="1", description="...", check=count)
        """
