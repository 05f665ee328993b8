"""One error hierarchy for sgfund; every error carries the data that explains it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

__all__ = [
    "ClosureRefused",
    "DataError",
    "ExportError",
    "FieldError",
    "LedgerError",
    "LifecycleError",
    "MissingExtraError",
    "MoneyTypeError",
    "PluginError",
    "Problem",
    "ReconciliationError",
    "RoundClosedError",
    "RoundsNotClosed",
    "RuleError",
    "SgfundError",
    "ValidationError",
    "WorkflowError",
]


class SgfundError(Exception):
    """Root of every error sgfund raises on purpose."""


class FieldError(SgfundError, ValueError):
    """One field holds a value that is never legitimate.

    ``field`` names the field, ``value`` is what was given and ``expected`` says what would do.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}: expected {expected}, got {value!r}")


class MoneyTypeError(SgfundError, TypeError):
    """Money was given as a float or bool, which can never be exact."""

    def __init__(self, value: object, field: str | None = None) -> None:
        self.field = field
        self.value = value
        where = f"{field}: " if field else ""
        # From the converter, ``value`` is already described ("float 6000.5").
        what = value if isinstance(value, str) else f"{type(value).__name__} {value!r}"
        super().__init__(
            f"{where}money must be a Decimal, int or text such as '1234.50', not {what}"
        )


class Problem:
    """One located problem in input data: where it is, what was there and what was expected."""

    __slots__ = ("column", "expected", "field", "file", "message", "row", "value")

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        field: str | None = None,
        value: object = None,
        expected: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.field = field
        self.value = value
        self.expected = expected

    def where(self) -> str:
        """Say where the problem is, as a person would look for it."""
        parts = []
        if self.file is not None:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.field is not None and self.field != self.column:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON reports and error CSVs."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "value": None if self.value is None else str(self.value),
            "expected": self.expected,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(str(self))


class ValidationError(SgfundError, ValueError):
    """Several problems found at once; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        head = summary or f"{len(self.problems)} problem(s) found"
        lines = [head, *(f"  - {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


class DataError(ValidationError):
    """Input data (a file, a row, a cell) is not what sgfund can take; nothing was written."""

    def __init__(
        self,
        problems: Iterable[Problem],
        summary: str | None = None,
        *,
        file: str | None = None,
    ) -> None:
        self.file = file
        super().__init__(problems, summary)


class PluginError(SgfundError):
    """A plugin broke the contract: a clash of ids, a failing import, a rule that raised."""

    def __init__(
        self,
        message: str,
        *,
        plugin: str | None = None,
        rule_id: str | None = None,
        plugins: Sequence[str] = (),
    ) -> None:
        self.plugin = plugin
        self.rule_id = rule_id
        self.plugins = tuple(plugins)
        super().__init__(message)


class RuleError(PluginError):
    """A rule, classifier or check raised or broke its contract while running.

    Names the plugin, the rule (``rule_id``) and, where one is known, the application.
    """

    def __init__(
        self,
        message: str,
        *,
        plugin: str,
        rule_id: str,
        application_id: str | None = None,
    ) -> None:
        self.application_id = application_id
        super().__init__(message, plugin=plugin, rule_id=rule_id)


class ReconciliationError(SgfundError):
    """Computed totals disagree with what must hold."""

    def __init__(self, message: str, *, expected: object = None, actual: object = None) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(message)


class LifecycleError(SgfundError):
    """A round cannot move from one state to another."""

    def __init__(self, message: str, *, round_id: str, state: str, target: str) -> None:
        self.round_id = round_id
        self.state = state
        self.target = target
        super().__init__(message)


class RoundClosedError(SgfundError):
    """The round is closed: nothing about it changes any more."""

    def __init__(self, round_id: str, closed_at: datetime | None, closed_by: str | None) -> None:
        self.round_id = round_id
        self.closed_at = closed_at
        self.closed_by = closed_by
        from sgfund.dates import london_text  # dates imports this module

        when = london_text(closed_at) if closed_at else "an unknown time"
        who = closed_by or "an unknown actor"
        super().__init__(f"round {round_id!r} was closed at {when} by {who}")


class ClosureRefused(SgfundError):
    """Closing a round was refused; ``reasons`` lists every reason at once."""

    def __init__(self, round_id: str, reasons: Sequence[str]) -> None:
        self.round_id = round_id
        self.reasons = tuple(reasons)
        lines = [f"round {round_id!r} cannot be closed:", *(f"  - {r}" for r in self.reasons)]
        super().__init__("\n".join(lines))


class LedgerError(SgfundError):
    """The ledger refused a change or found its records inconsistent."""


class ExportError(ValidationError):
    """An export would not be valid; nothing was written."""


class MissingExtraError(SgfundError, ImportError):
    """An optional dependency is not installed; the message says which extra brings it."""

    def __init__(self, package: str, *, extra: str, purpose: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{purpose} needs {package}, which is not installed; "
            f'install it with: pip install "sgfund[{extra}]"',
            name=package,
        )


class WorkflowError(SgfundError):
    """An officer's step cannot be taken as asked (a referral that is not one, an unknown scope)."""


class RoundsNotClosed(WorkflowError):
    """Publishing was refused: rounds that are not closed hold provisional figures.

    ``rounds`` maps each such round's id to its state, in the order asked for.
    """

    def __init__(self, what: str, rounds: Mapping[str, str]) -> None:
        self.what = what
        self.rounds = dict(rounds)
        listed = ", ".join(f"{rid} ({state})" for rid, state in self.rounds.items())
        super().__init__(
            f"not publishing {what}: {len(self.rounds)} round(s) not closed, whose figures are "
            f"provisional: {listed}; close each round first, or publish them marked as "
            "provisional with --include-unclosed (include_unclosed=True from Python)"
        )
