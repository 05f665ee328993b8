"""sgfund: run small community-safety grant funds with exact money and an audit trail.

The public API for the main job is re-exported here (docs/modules.md maps every module).
"""

from __future__ import annotations

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
