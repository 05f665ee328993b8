"""Stored rows back into models: JSON through `sgfund.convert`, by kind.

Every kind is read back as its own sgfund model; the file never chooses what code runs.
Assessments carry the version of the JSON they were stored as (`kinds.ASSESSMENT_FORMAT`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sgfund.closure import RoundRecords
from sgfund.convert import structure
from sgfund.errors import LedgerError
from sgfund.funds import Round
from sgfund.ledger.kinds import (
    APPLICATIONS,
    ASSESSMENT_FORMAT,
    ASSESSMENTS,
    AWARDS,
    DECISIONS,
    RESOLUTIONS,
    THEME_OVERRIDES,
    Kind,
    Row,
)
from sgfund.ledger.store import Record, Transaction

__all__ = ["decode", "load_round", "round_records"]


def decode(kind: Kind, row: Row) -> Any:
    """The model a stored row of ``kind`` holds."""
    if kind.model is None:
        raise LedgerError(f"{kind.name} are not read back as models")
    if kind is ASSESSMENTS:
        version = row[kind.position("format")]
        if version != ASSESSMENT_FORMAT:
            raise LedgerError(
                f"the assessment of {row[0]} is stored in format {version}; this sgfund reads "
                f"format {ASSESSMENT_FORMAT}"
                + (": upgrade sgfund" if version > ASSESSMENT_FORMAT else "")
            )
    return structure(json.loads(row[-1]), kind.model)


def load_round(data: str) -> Round:
    """A round from its stored JSON."""
    return structure(json.loads(data), Round)


def _decoded(kind: Kind, records: Iterable[Record]) -> list[Any]:
    return [decode(kind, record.row) for record in records]


def round_records(tx: Transaction, rnd: Round) -> RoundRecords:
    """Everything stored about ``rnd``, as frozen models."""
    round_id = rnd.id
    return RoundRecords(
        round=rnd,
        applications=_decoded(APPLICATIONS, tx.round_rows(APPLICATIONS, round_id)),
        decisions=_decoded(DECISIONS, tx.round_rows(DECISIONS, round_id)),
        awards=_decoded(AWARDS, tx.round_rows(AWARDS, round_id)),
        assessments=_decoded(ASSESSMENTS, tx.round_rows(ASSESSMENTS, round_id)),
        resolutions=_decoded(RESOLUTIONS, tx.round_rows(RESOLUTIONS, round_id)),
        theme_overrides=_decoded(THEME_OVERRIDES, tx.round_rows(THEME_OVERRIDES, round_id)),
    )
