"""Post-award steps in the ledger: replayed from storage, checked on write and by ``verify()``.

An award's steps are stored one row each (``kinds.AWARD_STEPS``) by events of the award's
round. Replaying them batch by batch (each event's steps are one batch) through
`sgfund.postaward.advance` gives the award's position, and checks every rule and every money
invariant after each event: on write, before anything is stored, and in ``verify()``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date
from itertools import groupby, takewhile
from typing import Any

from sgfund.applications import Application
from sgfund.decisions import Award
from sgfund.errors import Problem
from sgfund.funds import Round
from sgfund.ledger.kinds import AWARD_STEPS, AWARDS, Check
from sgfund.ledger.records import decode
from sgfund.ledger.store import Transaction
from sgfund.postaward import AwardStep, Position, PostAwardError, advance, start

__all__ = ["post_award_problems", "round_positions", "steps_check"]

Batches = list[list[AwardStep]]


def _awards(
    tx: Transaction, round_id: str, only: Collection[str] | None = None
) -> dict[str, Award]:
    if only is None:
        rows = tx.round_rows(AWARDS, round_id)
    else:
        at = AWARDS.position("round_id")
        rows = [r for r in tx.rows(AWARDS, sorted(only)).values() if r.row[at] == round_id]
    awards = (decode(AWARDS, r.row) for r in rows)
    return {a.id: a for a in awards}


def _stored(
    tx: Transaction, round_id: str, only: Collection[str] | None = None
) -> dict[str, Batches]:
    """Each award's stored steps (of the awards ``only``), in order, grouped by event."""
    award_at, seq_at = AWARD_STEPS.position("award_id"), AWARD_STEPS.position("seq")
    if only is None:
        found_rows = tx.round_rows(AWARD_STEPS, round_id)
    else:
        round_at = AWARD_STEPS.position("round_id")
        found_rows = [
            r
            for r in tx.rows_with(AWARD_STEPS, "award_id", sorted(only))
            if r.row[round_at] == round_id
        ]
    rows = sorted(found_rows, key=lambda r: (r.row[award_at], r.row[seq_at]))
    found: dict[str, Batches] = {}
    for award_id, records in groupby(rows, key=lambda r: r.row[award_at]):
        batches = found.setdefault(award_id, [])
        for _event, group in groupby(records, key=lambda r: r.event_id):
            batches.append([decode(AWARD_STEPS, r.row) for r in group])
    return found


def _replayed(award: Award, rnd: Round, batches: Batches) -> Position:
    position = start(award, max_months=rnd.max_project_months)
    for batch in batches:
        position = advance(position, batch)
    return position


def round_positions(
    tx: Transaction,
    rnd: Round,
    *,
    as_of: date | None = None,
    awards: Collection[str] | None = None,
) -> dict[str, Position]:
    """Every award of ``rnd`` (or those in ``awards``) and where it stands, by award id.

    With ``as_of``, only the batches whose steps all happened on or before that day (London)
    count: where each award stood at the end of that day.
    """
    only = None if awards is None else set(awards)
    stored = _stored(tx, rnd.id, only)
    decided = _awards(tx, rnd.id, only)
    found = {}
    for award_id in sorted(decided):
        batches = stored.get(award_id, [])
        if as_of is not None:
            batches = list(takewhile(lambda b: all(s.on <= as_of for s in b), batches))
        found[award_id] = _replayed(decided[award_id], rnd, batches)
    return found


def steps_check(tx: Transaction, actor: str) -> Check:
    """The write check of a batch of steps: each award's stored steps replayed, then the new.

    Each step must be by ``actor`` (the event's actor), for an award of the round; the new
    steps of each award, applied after its stored ones, must be allowed and leave its money
    adding up.
    """

    def check(
        batch: Sequence[tuple[int, Any]], rnd: Round, _apps: Mapping[str, Application]
    ) -> Iterator[tuple[int, Problem]]:
        wanted = {step.award_id for _, step in batch}
        awards = _awards(tx, rnd.id, wanted)
        stored = _stored(tx, rnd.id, wanted)
        new: dict[str, list[tuple[int, AwardStep]]] = {}
        for index, step in batch:
            if step.by.casefold() != actor.casefold():
                yield (
                    index,
                    Problem(
                        f"is by {step.by!r}, but is being recorded by {actor!r}: each records "
                        "their own steps",
                        field="by",
                        value=step.by,
                        expected=actor,
                    ),
                )
            elif step.award_id not in awards:
                yield (
                    index,
                    Problem(
                        f"award {step.award_id!r} is not an award of round {rnd.id!r}",
                        field="award_id",
                        value=step.award_id,
                    ),
                )
            else:
                new.setdefault(step.award_id, []).append((index, step))
        for award_id, items in sorted(new.items()):
            try:
                position = _replayed(awards[award_id], rnd, stored.get(award_id, []))
                advance(position, [step for _, step in items])
            except PostAwardError as err:
                for problem in err.problems:
                    yield items[0][0], Problem(problem, field="action")

    return check


def post_award_problems(tx: Transaction, rnd: Round) -> list[tuple[str, str]]:
    """``(entity, message)`` for every award of ``rnd`` whose stored steps do not replay."""
    awards = _awards(tx, rnd.id)
    problems = []
    for award_id, batches in sorted(_stored(tx, rnd.id).items()):
        entity = f"award {award_id}"
        if award_id not in awards:
            problems.append((entity, "has post-award steps but is not an award of this round"))
            continue
        try:
            _replayed(awards[award_id], rnd, batches)
        except PostAwardError as err:
            problems.extend((entity, f"its steps do not replay: {p}") for p in err.problems)
    return problems
