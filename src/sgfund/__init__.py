"""sgfund: run small community-safety grant funds with exact money and an audit trail.

The public API is re-exported here; submodules are named after the domain.
"""

from __future__ import annotations

from sgfund.applications import Application
from sgfund.assessment import Assessment, RoundAssessment, Status, assess
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
from sgfund.ledger import Ledger, LedgerPolicy, VerifyReport, open_ledger
from sgfund.manager import describe, make_plugin_manager
from sgfund.money import apportion, format_money, parse_money, sum_money, to_money
from sgfund.organisations import Organisation, OrgType
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
from sgfund.vocabulary import SAFEGUARDING_THEMES, Theme, ThemeVocabulary

__version__ = "0.1.0"

__all__ = [
    "LONDON",
    "SAFEGUARDING_THEMES",
    "Application",
    "Assessment",
    "Award",
    "AwardRoute",
    "Classifier",
    "ClosureRefused",
    "DataError",
    "Decision",
    "Discrepancy",
    "Era",
    "ExportError",
    "FieldError",
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
    "Problem",
    "ReconciliationCheck",
    "ReconciliationError",
    "Result",
    "Round",
    "RoundAssessment",
    "RoundClosedError",
    "Rule",
    "RuleError",
    "Severity",
    "SgfundError",
    "Status",
    "Theme",
    "ThemeHit",
    "ThemeMatch",
    "ThemeSource",
    "ThemeVocabulary",
    "ValidationError",
    "Verdict",
    "VerifyReport",
    "__version__",
    "apportion",
    "assess",
    "describe",
    "dumps",
    "fail",
    "financial_year",
    "format_money",
    "hit",
    "hookimpl",
    "import_applications",
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
    "refer",
    "structure",
    "sum_money",
    "to_money",
    "unstructure",
]
