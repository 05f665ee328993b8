"""sgfund: run small community-safety grant funds with exact money and an audit trail.

The public API for the main job is re-exported here (docs/modules.md maps every module).
Names are resolved on first use (PEP 562): `import sgfund` loads no submodule, so a script
that only needs the money functions does not pay for the ledger, the importer or pluggy.
"""

from __future__ import annotations

import sys
from importlib import import_module as _import_module
from types import ModuleType as _ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sgfund.applications import Application
    from sgfund.areas import Area, Areas, AreaSet, round_areas
    from sgfund.assessment import Assessment, RoundAssessment, Status, assess
    from sgfund.closure import ClosureRecord, RoundRecords, close_round
    from sgfund.collect import SgfundPluginManager
    from sgfund.convert import dumps, loads, structure, unstructure
    from sgfund.dates import (
        LONDON,
        FinancialYear,
        financial_year,
        london,
        months_between,
        parse_date,
        parse_datetime,
    )
    from sgfund.decisions import Award, AwardRoute, Decision, Outcome
    from sgfund.errors import (
        ClosureRefused,
        DataError,
        ExportError,
        FieldError,
        LedgerError,
        LifecycleError,
        MissingExtraError,
        MoneyTypeError,
        PluginError,
        Problem,
        ReconciliationError,
        RoundClosedError,
        RuleError,
        SgfundError,
        ValidationError,
    )
    from sgfund.funds import Era, Fund, Round
    from sgfund.hookspecs import hookimpl
    from sgfund.io.importer import (
        ImportResult,
        import_applications,
        read_applications,
        read_decisions,
    )
    from sgfund.io.threesixtygiving import Publisher, write_360giving_csv, write_360giving_json
    from sgfund.ledger import Ledger, LedgerPolicy, VerifyReport, open_ledger
    from sgfund.lifecycle import RoundState
    from sgfund.manager import describe, installed_plugins, make_plugin_manager
    from sgfund.money import apportion, format_money, parse_money, sum_money, to_money
    from sgfund.organisations import Organisation, OrgType
    from sgfund.reconcile import Reconciliation, reconcile, report_json, report_text
    from sgfund.review import Resolution, ThemeOverride
    from sgfund.scope import DeclaredFigure, Figure, Precision, Scope
    from sgfund.themes import FinalThemes, final_themes, round_vocabularies
    from sgfund.totals import Totals, compute_totals
    from sgfund.types import (
        Classifier,
        Discrepancy,
        Finding,
        ReconciliationCheck,
        Result,
        Rule,
        Severity,
        ThemeHit,
        ThemeMatch,
        ThemeSource,
        Verdict,
        fail,
        hit,
        not_applicable,
        refer,
    )
    from sgfund.vocabulary import Theme, ThemeVocabulary, Vocabularies

__version__ = "0.1.0"

# Which module defines each public name.
_LAZY: dict[str, str] = {
    "Application": "sgfund.applications",
    "Area": "sgfund.areas",
    "Areas": "sgfund.areas",
    "AreaSet": "sgfund.areas",
    "round_areas": "sgfund.areas",
    "Assessment": "sgfund.assessment",
    "RoundAssessment": "sgfund.assessment",
    "Status": "sgfund.assessment",
    "assess": "sgfund.assessment",
    "ClosureRecord": "sgfund.closure",
    "RoundRecords": "sgfund.closure",
    "close_round": "sgfund.closure",
    "SgfundPluginManager": "sgfund.collect",
    "dumps": "sgfund.convert",
    "loads": "sgfund.convert",
    "structure": "sgfund.convert",
    "unstructure": "sgfund.convert",
    "LONDON": "sgfund.dates",
    "FinancialYear": "sgfund.dates",
    "financial_year": "sgfund.dates",
    "london": "sgfund.dates",
    "months_between": "sgfund.dates",
    "parse_date": "sgfund.dates",
    "parse_datetime": "sgfund.dates",
    "Award": "sgfund.decisions",
    "AwardRoute": "sgfund.decisions",
    "Decision": "sgfund.decisions",
    "Outcome": "sgfund.decisions",
    "ClosureRefused": "sgfund.errors",
    "DataError": "sgfund.errors",
    "ExportError": "sgfund.errors",
    "FieldError": "sgfund.errors",
    "LedgerError": "sgfund.errors",
    "LifecycleError": "sgfund.errors",
    "MissingExtraError": "sgfund.errors",
    "MoneyTypeError": "sgfund.errors",
    "PluginError": "sgfund.errors",
    "Problem": "sgfund.errors",
    "ReconciliationError": "sgfund.errors",
    "RoundClosedError": "sgfund.errors",
    "RuleError": "sgfund.errors",
    "SgfundError": "sgfund.errors",
    "ValidationError": "sgfund.errors",
    "Era": "sgfund.funds",
    "Fund": "sgfund.funds",
    "Round": "sgfund.funds",
    "hookimpl": "sgfund.hookspecs",
    "ImportResult": "sgfund.io.importer",
    "import_applications": "sgfund.io.importer",
    "read_applications": "sgfund.io.importer",
    "read_decisions": "sgfund.io.importer",
    "Publisher": "sgfund.io.threesixtygiving",
    "write_360giving_csv": "sgfund.io.threesixtygiving",
    "write_360giving_json": "sgfund.io.threesixtygiving",
    "Ledger": "sgfund.ledger",
    "LedgerPolicy": "sgfund.ledger",
    "VerifyReport": "sgfund.ledger",
    "open_ledger": "sgfund.ledger",
    "RoundState": "sgfund.lifecycle",
    "describe": "sgfund.manager",
    "installed_plugins": "sgfund.manager",
    "make_plugin_manager": "sgfund.manager",
    "apportion": "sgfund.money",
    "format_money": "sgfund.money",
    "parse_money": "sgfund.money",
    "sum_money": "sgfund.money",
    "to_money": "sgfund.money",
    "Organisation": "sgfund.organisations",
    "OrgType": "sgfund.organisations",
    "Reconciliation": "sgfund.reconcile",
    "reconcile": "sgfund.reconcile",
    "report_json": "sgfund.reconcile",
    "report_text": "sgfund.reconcile",
    "Resolution": "sgfund.review",
    "ThemeOverride": "sgfund.review",
    "DeclaredFigure": "sgfund.scope",
    "Figure": "sgfund.scope",
    "Precision": "sgfund.scope",
    "Scope": "sgfund.scope",
    "FinalThemes": "sgfund.themes",
    "final_themes": "sgfund.themes",
    "round_vocabularies": "sgfund.themes",
    "Totals": "sgfund.totals",
    "compute_totals": "sgfund.totals",
    "Classifier": "sgfund.types",
    "Discrepancy": "sgfund.types",
    "Finding": "sgfund.types",
    "ReconciliationCheck": "sgfund.types",
    "Result": "sgfund.types",
    "Rule": "sgfund.types",
    "Severity": "sgfund.types",
    "ThemeHit": "sgfund.types",
    "ThemeMatch": "sgfund.types",
    "ThemeSource": "sgfund.types",
    "Verdict": "sgfund.types",
    "fail": "sgfund.types",
    "hit": "sgfund.types",
    "not_applicable": "sgfund.types",
    "refer": "sgfund.types",
    "Theme": "sgfund.vocabulary",
    "ThemeVocabulary": "sgfund.vocabulary",
    "Vocabularies": "sgfund.vocabulary",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sgfund' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(_ModuleType):
    """Keeps `sgfund.reconcile` the function once the module of the same name is loaded.

    The import system binds each loaded submodule as an attribute of its package; for
    `sgfund.reconcile` that would hide the public function (eager imports used to rebind it).
    (Module-level names here start with an underscore: a submodule such as `sgfund.types`
    is bound over any global of the same name.)
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, _ModuleType) and _LAZY.get(name, "").rpartition(".")[2] == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "LONDON",
    "Application",
    "Area",
    "AreaSet",
    "Areas",
    "Assessment",
    "Award",
    "AwardRoute",
    "Classifier",
    "ClosureRecord",
    "ClosureRefused",
    "DataError",
    "Decision",
    "DeclaredFigure",
    "Discrepancy",
    "Era",
    "ExportError",
    "FieldError",
    "Figure",
    "FinalThemes",
    "FinancialYear",
    "Finding",
    "Fund",
    "ImportResult",
    "Ledger",
    "LedgerError",
    "LedgerPolicy",
    "LifecycleError",
    "MissingExtraError",
    "MoneyTypeError",
    "OrgType",
    "Organisation",
    "Outcome",
    "PluginError",
    "Precision",
    "Problem",
    "Publisher",
    "Reconciliation",
    "ReconciliationCheck",
    "ReconciliationError",
    "Resolution",
    "Result",
    "Round",
    "RoundAssessment",
    "RoundClosedError",
    "RoundRecords",
    "RoundState",
    "Rule",
    "RuleError",
    "Scope",
    "Severity",
    "SgfundError",
    "SgfundPluginManager",
    "Status",
    "Theme",
    "ThemeHit",
    "ThemeMatch",
    "ThemeOverride",
    "ThemeSource",
    "ThemeVocabulary",
    "Totals",
    "ValidationError",
    "Verdict",
    "VerifyReport",
    "Vocabularies",
    "__version__",
    "apportion",
    "assess",
    "close_round",
    "compute_totals",
    "describe",
    "dumps",
    "fail",
    "final_themes",
    "financial_year",
    "format_money",
    "hit",
    "hookimpl",
    "import_applications",
    "installed_plugins",
    "loads",
    "london",
    "make_plugin_manager",
    "months_between",
    "not_applicable",
    "open_ledger",
    "parse_date",
    "parse_datetime",
    "parse_money",
    "read_applications",
    "read_decisions",
    "reconcile",
    "refer",
    "report_json",
    "report_text",
    "round_areas",
    "round_vocabularies",
    "structure",
    "sum_money",
    "to_money",
    "unstructure",
    "write_360giving_csv",
    "write_360giving_json",
]
