"""Models to stored rows and back: JSON through `sgfund.convert`, money as integer pence."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from sgfund.applications import Application
from sgfund.closure import RoundRecords
from sgfund.convert import structure, unstructure
from sgfund.decisions import Award, Decision
from sgfund.errors import LedgerError
from sgfund.funds import Round
from sgfund.ledger.audit import canonical
from sgfund.ledger.store import (
    ApplicationRow,
    AssessmentRow,
    AwardRow,
    DecisionRow,
    OrganisationRow,
    ResolutionRow,
    RoundContents,
    ThemeOverrideRow,
)
from sgfund.review import Resolution, ThemeOverride

__all__ = [
    "application_row",
    "assessment_row",
    "award_row",
    "decision_row",
    "organisation_row",
    "pence",
    "records_from",
    "resolution_row",
    "theme_override_row",
    "to_json",
]

# Classes of assessments this process has stored or read, by their stored type name.
_ASSESSMENT_TYPES: dict[str, type] = {}


def to_json(obj: object) -> str:
    """A model as canonical JSON text."""
    return canonical(unstructure(obj))


def pence(amount: Decimal) -> int:
    """Whole pence of an exact two-place amount."""
    return int(amount.scaleb(2))


def organisation_row(app: Application) -> OrganisationRow:
    """The applicant of ``app`` as a row keyed by `Organisation.key`."""
    org = app.organisation
    return OrganisationRow(org.key, org.name, str(org.type), to_json(org))


def application_row(app: Application) -> ApplicationRow:
    """One application as a row."""
    return ApplicationRow(
        app.id, app.round_id, app.organisation.key, pence(app.amount_requested), to_json(app)
    )


def decision_row(decision: Decision, *, recorded_by: str) -> DecisionRow:
    """One decision as a row, with the actor who recorded it."""
    return DecisionRow(
        decision.application_id,
        str(decision.outcome),
        pence(decision.amount_awarded),
        recorded_by,
        to_json(decision),
    )


def award_row(award: Award) -> AwardRow:
    """One award as a row."""
    return AwardRow(
        award.id, award.application_id, award.round_id, pence(award.amount), to_json(award)
    )


def _type_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def assessment_row(assessment: Any) -> AssessmentRow:
    """Any attrs assessment with ``application_id``, ``status`` and ``rule_versions``."""
    cls = type(assessment)
    if not attrs.has(cls):
        raise LedgerError(f"an assessment must be an attrs class instance, not {cls.__name__}")
    name = _type_name(cls)
    _ASSESSMENT_TYPES[name] = cls
    versions = getattr(assessment, "rule_versions", {}) or {}
    return AssessmentRow(
        str(assessment.application_id),
        str(getattr(assessment, "status", "")),
        canonical({str(k): str(v) for k, v in dict(versions).items()}),
        name,
        to_json(assessment),
    )


def resolution_row(resolution: Resolution) -> ResolutionRow:
    """One resolved referral as a row."""
    return ResolutionRow(resolution.application_id, resolution.eligible, to_json(resolution))


def theme_override_row(override: ThemeOverride) -> ThemeOverrideRow:
    """One officer's theme choice as a row."""
    return ThemeOverrideRow(
        override.application_id, canonical(sorted(override.themes)), to_json(override)
    )


def _assessment_type(name: str) -> type:
    known = _ASSESSMENT_TYPES.get(name)
    if known is not None:
        return known
    module_name, _, qualname = name.partition(":")
    # Only sgfund's own modules are imported by name: the file must not choose what runs.
    if module_name != "sgfund" and not module_name.startswith("sgfund."):
        raise LedgerError(
            f"assessments of type {name} cannot be read back: record one in this process "
            "first, or use sgfund's Assessment"
        )
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, type):
        raise LedgerError(f"{name} is not a class")
    _ASSESSMENT_TYPES[name] = found
    return found


def read_assessment(row: AssessmentRow) -> Any:
    """Rebuild a stored assessment as its own class."""
    return structure(json.loads(row.data), _assessment_type(row.type))


def records_from(
    round_data: str, contents: RoundContents, *, assessments: bool = True
) -> RoundRecords:
    """Build a round's `RoundRecords` from its stored rows (assessments optional)."""

    def load(rows: Any, cls: type) -> list[Any]:
        return [structure(json.loads(r.data), cls) for r in rows]

    return RoundRecords(
        round=structure(json.loads(round_data), Round),
        applications=load(contents.applications, Application),
        decisions=load(contents.decisions, Decision),
        awards=load(contents.awards, Award),
        assessments=[read_assessment(r) for r in contents.assessments] if assessments else (),
        resolutions=load(contents.resolutions, Resolution),
        theme_overrides=load(contents.theme_overrides, ThemeOverride),
    )


def column_problems(contents: RoundContents) -> list[str]:
    """Where a key column disagrees with the JSON it was written from (a sign of tampering)."""
    problems = []

    def data(text: str) -> Mapping[str, Any]:
        loaded: Mapping[str, Any] = json.loads(text)
        return loaded

    for app in contents.applications:
        d = data(app.data)
        if pence(Decimal(d["amount_requested"])) != app.amount_requested_pence:
            problems.append(f"application {app.id}: amount column differs from its record")
        if d["id"] != app.id or d["round_id"] != app.round_id:
            problems.append(f"application {app.id}: id or round column differs from its record")
    for dec in contents.decisions:
        d = data(dec.data)
        if (
            pence(Decimal(d["amount_awarded"])) != dec.amount_awarded_pence
            or d["outcome"] != dec.outcome
            or d["application_id"] != dec.application_id
        ):
            problems.append(f"decision on {dec.application_id}: a column differs from its record")
    for award in contents.awards:
        d = data(award.data)
        if (
            pence(Decimal(d["amount"])) != award.amount_pence
            or d["id"] != award.id
            or d["application_id"] != award.application_id
            or d["round_id"] != award.round_id
        ):
            problems.append(f"award {award.id}: a column differs from its record")
    return problems
