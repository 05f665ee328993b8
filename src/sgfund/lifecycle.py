"""The round lifecycle as data: draft, open, closed to applications, assessed, decided, closed."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.errors import FieldError, LifecycleError

__all__ = ["TRANSITIONS", "Guard", "RoundState", "TransitionEvent", "transition"]


class RoundState(enum.StrEnum):
    """Where a round is in its life. ``closed`` is final."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED_TO_APPLICATIONS = "closed_to_applications"
    ASSESSED = "assessed"
    DECIDED = "decided"
    CLOSED = "closed"


@frozen(kw_only=True)
class TransitionEvent:
    """What one transition did: who moved the round, when, from where to where, and why."""

    round_id: str = field(validator=v.slug)
    actor: str = field(converter=v.stripped, validator=v.text)
    at: datetime = field(validator=v.aware)
    from_state: RoundState = field(converter=RoundState)
    to_state: RoundState = field(converter=RoundState)
    reason: str = field(default="", converter=v.stripped)


# A guard returns the reasons a transition cannot happen (empty when it can).
Guard = Callable[[], Sequence[str]]


TRANSITIONS: Mapping[RoundState, frozenset[RoundState]] = {
    RoundState.DRAFT: frozenset({RoundState.OPEN}),
    RoundState.OPEN: frozenset({RoundState.CLOSED_TO_APPLICATIONS}),
    RoundState.CLOSED_TO_APPLICATIONS: frozenset({RoundState.ASSESSED}),
    RoundState.ASSESSED: frozenset({RoundState.DECIDED}),
    RoundState.DECIDED: frozenset({RoundState.CLOSED}),
    RoundState.CLOSED: frozenset(),
}


def transition(
    round_id: str,
    state: RoundState | str,
    target: RoundState | str,
    *,
    actor: str,
    at: datetime,
    reason: str = "",
    guards: Sequence[Guard] = (),
) -> TransitionEvent:
    """Move a round from ``state`` to ``target`` if the move is listed and every guard passes.

    Every reason from every guard is collected into one `LifecycleError`. ``at`` is passed in:
    the library never reads the clock.
    """
    source = RoundState(state)
    goal = RoundState(target)
    if goal not in TRANSITIONS[source]:
        allowed = ", ".join(sorted(TRANSITIONS[source])) or "nothing (closed is final)"
        raise LifecycleError(
            f"round {round_id!r} cannot go from {source} to {goal}; from {source} it can go to "
            f"{allowed}",
            round_id=round_id,
            state=source,
            target=goal,
        )
    reasons = [r for guard in guards for r in guard()]
    if reasons:
        raise LifecycleError(
            f"round {round_id!r} cannot go from {source} to {goal}: " + "; ".join(reasons),
            round_id=round_id,
            state=source,
            target=goal,
        )
    if not actor or not actor.strip():
        raise FieldError("actor", actor, "the name of whoever makes the change")
    return TransitionEvent(
        round_id=round_id, actor=actor, at=at, from_state=source, to_state=goal, reason=reason
    )
