"""sgfund: run small community-safety grant funds with exact money and an audit trail.

The public API is re-exported here; submodules are named after the domain.
"""

from __future__ import annotations

from sgfund.applications import Application
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
    SgfundError,
    ValidationError,
)
from sgfund.funds import Era, Fund, Round
from sgfund.io.importer import (
    ImportResult,
    import_applications,
    read_applications,
    read_decisions,
)
from sgfund.ledger import Ledger, LedgerPolicy, VerifyReport, open_ledger
from sgfund.money import apportion, format_money, parse_money, sum_money, to_money
from sgfund.organisations import Organisation, OrgType
from sgfund.vocabulary import SAFEGUARDING_THEMES, Theme, ThemeVocabulary

__version__ = "0.1.0"

__all__ = [
    "LONDON",
    "SAFEGUARDING_THEMES",
    "Application",
    "Award",
    "AwardRoute",
    "ClosureRefused",
    "DataError",
    "Decision",
    "Era",
    "ExportError",
    "FieldError",
    "FinancialYear",
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
    "ReconciliationError",
    "Round",
    "RoundClosedError",
    "SgfundError",
    "Theme",
    "ThemeVocabulary",
    "ValidationError",
    "VerifyReport",
    "__version__",
    "apportion",
    "dumps",
    "financial_year",
    "format_money",
    "import_applications",
    "loads",
    "london",
    "months_between",
    "open_ledger",
    "parse_date",
    "parse_datetime",
    "parse_money",
    "read_applications",
    "read_decisions",
    "structure",
    "sum_money",
    "to_money",
    "unstructure",
]
