"""The plugin contract: sgfund's hook specifications and the ``hookimpl`` marker.

``"sgfund"`` is the marker name, the plugin manager's name and the entry-point group. Plugin
authors only ever use `hookimpl`; the specifications below are the contract they implement.
Every hook is called once per round (or per reconciliation scope), never once per application:
it hands back objects from `sgfund.types`, `sgfund.vocabulary` or `sgfund.areas`, and the core
runs them in its own loops. Every hook *collects*: each plugin's results are merged and sorted
by id, an id given twice is a `PluginError` naming both plugins, and wrappers are refused. An
implementation may take any of its hook's arguments, in any order, or none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from sgfund.areas import AreaSet
    from sgfund.funds import Round
    from sgfund.postaward.plans import PaymentPlan
    from sgfund.scope import Scope
    from sgfund.types import Classifier, ReconciliationCheck, Rule
    from sgfund.vocabulary import ThemeVocabulary, Vocabularies

__all__ = ["PROJECT_NAME", "SgfundSpecs", "hookimpl", "hookspec"]

PROJECT_NAME = "sgfund"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class SgfundSpecs:
    """Hook specifications. Each docstring says when the hook is called and how results combine."""

    @hookspec
    def sgfund_theme_vocabularies(self, round: Round) -> Iterable[ThemeVocabulary] | None:
        """Theme vocabularies a plugin offers, for rounds to name by id.

        Called once per round, before rules and classifiers. The core keeps the vocabularies
        whose ids the round lists in ``Round.theme_vocabularies`` (in that order); a listed id
        that no plugin gives is a `PluginError`. Vocabulary ids are unique across plugins, and
        a theme slug may be in only one of a round's vocabularies.

        Example::

            @sgfund.hookimpl
            def sgfund_theme_vocabularies(round):
                yield ThemeVocabulary(id="pcp-priorities", label="...", version="1", themes=...)
        """

    @hookspec
    def sgfund_areas(self, round: Round) -> Iterable[AreaSet] | None:
        """Areas (names, codes and code types) and postcode lookups for ``round``.

        Called once per round when data about places is published (360Giving export). Area
        set ids are unique across plugins, and an area name may be in only one set.

        Example::

            @sgfund.hookimpl
            def sgfund_areas(round):
                yield AreaSet(id="districts", label="...", areas=(Area(...), ...))
        """

    @hookspec
    def sgfund_eligibility_rules(
        self, round: Round, vocabularies: Vocabularies
    ) -> Iterable[Rule] | None:
        """Eligibility rules that apply to applications in ``round``.

        Called once per round, with the round's resolved theme ``vocabularies``. Every rule
        runs over every application: an application is eligible only if no rule fails, and any
        ``refer`` puts it in the officers' queue. Rules see the application, the round and the
        assessment date, not the classifiers' themes. Return nothing (or an empty list) for
        rounds your plugin does not cover.

        Example::

            @sgfund.hookimpl
            def sgfund_eligibility_rules(round):
                yield Rule(id="max-grant", version="1", description="...", check=max_grant)
        """

    @hookspec
    def sgfund_theme_classifiers(
        self, round: Round, vocabularies: Vocabularies
    ) -> Iterable[Classifier] | None:
        """Theme classifiers for applications in ``round``.

        Called once per round, with the round's resolved theme ``vocabularies``. Multi-label:
        each classifier may give an application any number of live themes of the round's
        vocabularies, and every match is kept with its source, classifier and reason.

        Example::

            @sgfund.hookimpl
            def sgfund_theme_classifiers(round):
                yield Classifier(id="keywords", version="1", description="...", classify=find)
        """

    @hookspec
    def sgfund_reconciliation_checks(self, scope: Scope) -> Iterable[ReconciliationCheck] | None:
        """Checks over the computed totals of ``scope`` (one or more rounds).

        Called once per scope. Every check runs, and every discrepancy it reports is kept with
        its severity.

        Example::

            @sgfund.hookimpl
            def sgfund_reconciliation_checks(scope):
                yield ReconciliationCheck(id="count", version="1", description="...", check=count)
        """

    @hookspec
    def sgfund_register_commands(self) -> Iterable[click.Command] | None:
        """Commands a plugin adds to the ``sgfund`` command line (click commands or groups).

        Called once when the command line looks a command up or lists them (``sgfund
        --help``), never for ``--version``. Each command's name must be unique: a name that
        is one of sgfund's own commands, or that another plugin gives, is a `PluginError`
        naming the plugins. A command can take the ledger and plugins with
        ``@sgfund.cli.pass_session``.

        Example::

            @sgfund.hookimpl
            def sgfund_register_commands():
                @click.command()
                def hello():
                    click.echo("hello from my plugin")
                yield hello
        """

    @hookspec
    def sgfund_payment_plans(self, round: Round) -> Iterable[PaymentPlan] | None:
        """Payment plans for awards in ``round``: how each award is split into instalments.

        Called once per round, when offers are accepted. Of the plans that apply to an award
        (``from_amount`` at most its amount), a plan that is not a ``fallback`` wins, the one
        with the highest ``from_amount``; two tied are a `PluginError` naming both. The
        built-in ``sgfund.plugins.payments`` gives the fallback: one payment on acceptance.
        Parts are split by largest remainder, so they add up to the award exactly.

        Example::

            @sgfund.hookimpl
            def sgfund_payment_plans(round):
                yield PaymentPlan(
                    id="half-and-half", version="1", description="...",
                    shares=(Share(1, PayOn.ACCEPTANCE), Share(1, PayOn.FINAL_RETURN)),
                    from_amount=Decimal("5000.00"),
                )
        """
