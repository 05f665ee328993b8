"""What plugins hand back to the core: rules, classifiers, checks and their small results.

Every type here is a frozen attrs class. Hooks return these objects once per round (or scope);
the core then runs them in its own loops. Results are kept cheap on purpose: a rule says
nothing (``None``) when an application passes, and the core builds a `Finding` only when a
rule has something to say.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.applications import Application
from sgfund.errors import FieldError
from sgfund.funds import Round

if TYPE_CHECKING:
    from sgfund.scope import Scope
    from sgfund.totals import Totals

__all__ = [
    "BatchCheck",
    "BatchClassify",
    "Check",
    "Classifier",
    "Classify",
    "ColumnCheck",
    "ColumnClassify",
    "Discrepancy",
    "Finding",
    "ReconciliationCheck",
    "Result",
    "Rule",
    "Severity",
    "ThemeHit",
    "ThemeMatch",
    "ThemeSource",
    "Verdict",
    "fail",
    "hit",
    "not_applicable",
    "refer",
]


class Verdict(enum.StrEnum):
    """What one rule says about one application."""

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    REFER = "refer"  # needs an officer's judgement
    NOT_APPLICABLE = "not_applicable"


def _fields(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        return (values,)
    return tuple(values)


@frozen(slots=True)
class Result:
    """A rule's verdict on one application, with the reason and the fields it read.

    Rules return ``None`` for a pass; build results with `fail`, `refer` or `not_applicable`.
    ``fields`` are attribute paths of `Application`, such as ``"amount_requested"`` or
    ``"organisation.postcode"``.
    """

    verdict: Verdict
    reason: str
    fields: tuple[str, ...] = field(default=(), converter=_fields)


def fail(reason: str, *fields: str) -> Result:
    """The application breaks the rule: it cannot be funded."""
    return Result(Verdict.FAIL, reason, fields)


def refer(reason: str, *fields: str) -> Result:
    """An officer must look: the rule cannot decide on its own."""
    return Result(Verdict.REFER, reason, fields)


def not_applicable(reason: str, *fields: str) -> Result:
    """The rule does not apply to this application (recorded, but never blocks)."""
    return Result(Verdict.NOT_APPLICABLE, reason, fields)


# A rule's check over one application; None means pass.
Check = Callable[[Application, Round, date], Result | None]
# The batch form: (application id, result) pairs, only for applications that did not pass.
BatchCheck = Callable[[Round, Sequence[Application], date], Iterable[tuple[str, Result]]]
# The columnar form: same pairs, from a table (pyarrow or polars, from the ``columnar`` extra).
ColumnCheck = Callable[[Round, Any, date], Iterable[tuple[str, Result]]]


@frozen(kw_only=True)
class Rule:
    """An eligibility rule as published to applicants, and the code that applies it.

    ``id`` is a slug that stays the same across versions; ``version`` changes whenever the
    rule's meaning changes, so every assessment can say which version decided. A rule gives
    ``check`` (one application), ``check_batch`` (a whole batch) or both; the core uses the
    batch form when there is one. ``check_columns`` is the extension point for columnar
    tables: the core passes the table through untouched.
    """

    id: str = field(validator=v.slug)
    version: str = field(validator=v.version)
    description: str = field(converter=v.stripped, validator=v.text)
    check: Check | None = None
    check_batch: BatchCheck | None = None
    check_columns: ColumnCheck | None = None

    def __attrs_post_init__(self) -> None:
        if self.check is None and self.check_batch is None:
            raise FieldError("check", None, "check, check_batch or both")


@frozen(kw_only=True)
class Finding:
    """What one rule (at one version, from one plugin) said about one application.

    Findings exist only where a rule did not pass: ``verdict`` is fail, refer or not
    applicable. ``plugin`` is the name the rule's plugin was registered under.
    """

    rule_id: str = field(validator=v.slug)
    rule_version: str = field(validator=v.version)
    plugin: str = field(validator=v.text)
    verdict: Verdict = field(converter=Verdict)
    reason: str
    fields: tuple[str, ...] = field(default=(), converter=_fields)

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.rule_version} (plugin {self.plugin}): {self.reason}"


class ThemeSource(enum.StrEnum):
    """Where a theme came from: the applicant, a classifier, or an officer (who always wins).

    Classifiers are ``declared`` (the built-in one that reports the applicant's choice) or
    ``classifier`` (one that reads the application); ``officer`` marks an override.
    """

    DECLARED = "declared"
    CLASSIFIER = "classifier"
    OFFICER = "officer"


def _not_officer(source: ThemeSource) -> None:
    if source is ThemeSource.OFFICER:
        raise FieldError("source", source, "declared or classifier (officers override)")


@frozen(slots=True)
class ThemeHit:
    """A classifier's claim that an application serves ``theme``, and why."""

    theme: str
    reason: str


def hit(theme: str, reason: str) -> ThemeHit:
    """Say that the application serves ``theme`` (a slug in the round's vocabularies)."""
    return ThemeHit(theme, reason)


Classify = Callable[[Application, Round], Iterable[ThemeHit] | None]
# The batch form yields (application id, hit) pairs.
BatchClassify = Callable[[Round, Sequence[Application]], Iterable[tuple[str, ThemeHit]]]
ColumnClassify = Callable[[Round, Any], Iterable[tuple[str, ThemeHit]]]


@frozen(kw_only=True)
class Classifier:
    """Finds the themes an application serves (zero or more: themes are multi-label).

    ``source`` is `ThemeSource.CLASSIFIER` for classifiers that read the application's text
    and `ThemeSource.DECLARED` for the one that reports what the applicant chose.
    """

    id: str = field(validator=v.slug)
    version: str = field(validator=v.version)
    description: str = field(converter=v.stripped, validator=v.text)
    classify: Classify | None = None
    classify_batch: BatchClassify | None = None
    classify_columns: ColumnClassify | None = None
    source: ThemeSource = field(default=ThemeSource.CLASSIFIER, converter=ThemeSource)

    def __attrs_post_init__(self) -> None:
        if self.classify is None and self.classify_batch is None:
            raise FieldError("classify", None, "classify, classify_batch or both")
        _not_officer(self.source)


@frozen(kw_only=True)
class ThemeMatch:
    """A classifier's match: the theme, its vocabulary, the classifier's source, and why.

    ``by`` and ``version`` name the classifier, ``plugin`` the plugin that gave it.
    """

    theme: str = field(validator=v.slug)
    vocabulary: str = field(validator=v.slug)
    source: ThemeSource = field(converter=ThemeSource)
    reason: str
    by: str = field(validator=v.slug)
    version: str = field(validator=v.version)
    plugin: str = field(validator=v.text)

    def __attrs_post_init__(self) -> None:
        _not_officer(self.source)


class Severity(enum.StrEnum):
    """How much a discrepancy matters: errors block closing a round, the rest inform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@frozen(kw_only=True)
class Discrepancy:
    """A reconciliation check's finding: what was expected, what was computed, and by how much."""

    check_id: str = field(validator=v.slug)
    severity: Severity = field(converter=Severity)
    message: str = field(validator=v.text)
    expected: str | None = None
    actual: str | None = None
    difference: str | None = None


ScopeCheck = Callable[["Scope", "Totals"], Iterable[Discrepancy]]


@frozen(kw_only=True)
class ReconciliationCheck:
    """A check over a scope's computed totals, reporting discrepancies (none when all is well)."""

    id: str = field(validator=v.slug)
    version: str = field(validator=v.version)
    description: str = field(converter=v.stripped, validator=v.text)
    check: ScopeCheck
