"""Closing a round in the ledger: checked, sealed by one event, and anchored.

Inside the caller's write transaction: the round's stored records are checked against the
events that wrote them (so closing never seals a record changed behind the ledger's back), the
closure rules of `sgfund.closure` and separation of duties run, and then the closing event, the
closure record and the state are written together. The result carries the closing event's
`Anchor`, to publish with the round's results.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import attrs
from attrs import frozen

from sgfund import closure as closure_rules
from sgfund.closure import ClosureRecord
from sgfund.collect import SgfundPluginManager
from sgfund.errors import ClosureRefused
from sgfund.ledger.events import Anchor
from sgfund.ledger.kinds import DECISIONS, to_json
from sgfund.ledger.policy import LedgerPolicy, duty_reasons
from sgfund.ledger.store import ClosureRow
from sgfund.ledger.verify import round_problems
from sgfund.ledger.writing import WriteContext
from sgfund.lifecycle import RoundState
from sgfund.scope import DeclaredFigure

__all__ = ["AnchoredClosure", "anchored", "close"]


@frozen(kw_only=True)
class AnchoredClosure(ClosureRecord):
    """A closure record as the ledger holds it, with the anchor of its closing event.

    ``str(closure.anchor)`` is the printable anchor (``sgfund-anchor:v1:<id>:<hash>``) to
    publish with the round's results; `sgfund.ledger.Ledger.verify` checks it later.
    """

    anchor: Anchor


def anchored(record: ClosureRecord, anchor: Anchor) -> AnchoredClosure:
    """``record`` with its anchor."""
    return AnchoredClosure(**attrs.asdict(record, recurse=False), anchor=anchor)


def close(
    context: WriteContext,
    round_id: str,
    *,
    actor: str,
    at: datetime,
    policy: LedgerPolicy,
    pm: SgfundPluginManager,
    declared: Sequence[DeclaredFigure],
    override_reason: str | None,
) -> AnchoredClosure:
    """Close ``round_id`` in ``context``'s transaction, or raise `ClosureRefused`."""
    tx = context.tx
    row, _ = context.open_round(round_id)
    problems, records = round_problems(tx, round_id)
    if problems or records is None:
        raise ClosureRefused(
            round_id,
            [f"the ledger's records do not match the events that wrote them: {p}" for p in problems]
            or ["the ledger's records of this round cannot all be read"],
        )
    reasons = duty_reasons(policy, actor, tx.round_rows(DECISIONS, round_id), records.decisions)
    try:
        record = closure_rules.close_round(
            records,
            actor=actor,
            at=at,
            pm=pm,
            declared=declared,
            override_reason=override_reason,
            state=RoundState(row.state),
        )
    except ClosureRefused as refused:
        raise ClosureRefused(round_id, [*refused.reasons, *reasons]) from None
    if reasons:
        raise ClosureRefused(round_id, reasons)
    text = to_json(record)
    event = context.append(
        at=at,
        actor=actor,
        action="round.closed",
        entity=f"round:{round_id}",
        round_id=round_id,
        digest=record.digest,
        rule_versions=record.rule_versions,
        detail={
            "from": row.state,
            "to": str(RoundState.CLOSED),
            "applications": record.totals.applications.count,
            "awards": record.totals.awards.count,
            "awarded": str(record.totals.awards.total),
            "override_reason": record.override_reason,
            # The closure record's own text is pinned by the chain, every field of it.
            "record": hashlib.sha256(text.encode()).hexdigest(),
        },
    )
    tx.insert_closure(ClosureRow(round_id, at.isoformat(), actor, record.digest, event.id, text))
    tx.set_round_state(round_id, RoundState.CLOSED)
    context.moved(round_id, RoundState.CLOSED)
    return anchored(record, Anchor(event.id, event.hash))
