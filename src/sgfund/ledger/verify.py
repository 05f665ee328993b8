"""Checking a ledger: the hash chain, and every closed round against what it was closed with."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sgfund.closure import ClosureRecord, closure_digest
from sgfund.convert import structure
from sgfund.errors import SgfundError
from sgfund.ledger.audit import VerifyProblem, VerifyReport, check_chain
from sgfund.ledger.rows import column_problems, records_from
from sgfund.ledger.store import ClosureRow, EventRow, RoundRow, Transaction
from sgfund.lifecycle import RoundState
from sgfund.totals import compute_totals

__all__ = ["verify_store"]


def verify_store(tx: Transaction, *, anchor: tuple[int, str] | None = None) -> VerifyReport:
    """Check everything in one read snapshot; see `sgfund.ledger.Ledger.verify`."""
    closures = {c.round_id: c for c in tx.closures()}
    keep = frozenset(c.event_id for c in closures.values())
    if anchor is not None:
        keep |= {anchor[0]}
    chain = check_chain(tx.events(), keep=keep)
    problems = list(chain.problems)
    if anchor is not None:
        found = chain.events.get(anchor[0])
        if found is None or found.hash != anchor[1]:
            problems.append(
                VerifyProblem(
                    kind="anchor",
                    event_id=anchor[0],
                    message=f"event {anchor[0]} with hash {anchor[1][:12]}... is not in the "
                    "chain: the trail was cut short or rewritten",
                )
            )
    rounds = tx.rounds()
    for row in rounds:
        problems.extend(_check_round(tx, row, closures.get(row.id), chain.events))
    for round_id in sorted(set(closures) - {row.id for row in rounds}):
        problems.append(
            VerifyProblem(
                kind="state",
                round_id=round_id,
                message=f"closure record for round {round_id}, which is not in the ledger",
            )
        )
    return VerifyReport(
        events_checked=chain.count,
        rounds_checked=len(closures),
        head=chain.head,
        problems=tuple(problems),
    )


def _check_round(
    tx: Transaction, row: RoundRow, closure: ClosureRow | None, events: Mapping[int, EventRow]
) -> list[VerifyProblem]:
    def problem(message: str, kind: str = "closure") -> VerifyProblem:
        return VerifyProblem(kind=kind, round_id=row.id, message=f"round {row.id}: {message}")

    closed = row.state == RoundState.CLOSED
    if closure is None:
        return [problem("is marked closed but has no closure record", "state")] if closed else []
    problems = []
    if not closed:
        problems.append(problem(f"has a closure record but its state is {row.state}", "state"))
    event = events.get(closure.event_id)
    if event is None:
        problems.append(problem(f"its closing event {closure.event_id} is missing"))
    elif (event.action, event.round_id, event.digest) != ("round.closed", row.id, closure.digest):
        problems.append(
            problem(
                f"its closure record does not match its closing event {event.id} "
                "(digest, round or action differ)"
            )
        )
    try:
        record = structure(json.loads(closure.record), ClosureRecord)
        contents = tx.round_contents(row.id)
        # Assessments are not part of the digest; reading them back may need their plugin.
        records = records_from(row.data, contents, assessments=False)
    except (SgfundError, ValueError, KeyError) as err:
        return [*problems, problem(f"its stored records cannot be read: {err}")]
    if record.digest != closure.digest:
        problems.append(problem("the digest in its closure record differs from the stored one"))
    digest = closure_digest(records)
    if digest != closure.digest:
        problems.append(
            problem(
                f"its records no longer match the digest it was closed with "
                f"({digest[:12]}... now, {closure.digest[:12]}... at closing)"
            )
        )
    totals = compute_totals(records.round, records.applications, records.awards)
    if totals != record.totals:
        problems.append(
            problem(
                f"its totals are now {totals.awards.count} award(s), {totals.awards.total}; "
                f"it was closed with {record.totals.awards.count}, {record.totals.awards.total}"
            )
        )
    problems.extend(problem(text) for text in column_problems(contents))
    return problems
