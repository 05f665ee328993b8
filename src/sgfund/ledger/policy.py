"""Who may do what: a fund's policy, stored with the fund, and separation of duties."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from sgfund.decisions import Decision
from sgfund.funds import Fund
from sgfund.ledger.kinds import DECISIONS, FUNDS, Row, to_json
from sgfund.ledger.store import Record

__all__ = ["LedgerPolicy", "duty_reasons", "fund_row", "stored_policy"]


@frozen(kw_only=True)
class LedgerPolicy:
    """Rules a fund (or a whole ledger) sets on who may do what.

    ``separate_closer_from_decider``: whoever closes a round must not have recorded, or be
    named as the decider of, any of its decisions (separation of duties).
    """

    separate_closer_from_decider: bool = False

    def tightened_by(self, other: LedgerPolicy) -> LedgerPolicy:
        """This policy with every rule ``other`` turns on turned on too."""
        return LedgerPolicy(
            separate_closer_from_decider=self.separate_closer_from_decider
            or other.separate_closer_from_decider
        )


def fund_row(fund: Fund, policy: LedgerPolicy) -> Row:
    """A fund and its policy as a row (the policy is part of what its event digests)."""
    return (fund.id, fund.name, int(policy.separate_closer_from_decider), to_json(fund))


def stored_policy(row: Row) -> LedgerPolicy:
    """The policy stored with a fund's row."""
    return LedgerPolicy(
        separate_closer_from_decider=bool(row[FUNDS.position("separate_closer_from_decider")])
    )


def duty_reasons(
    policy: LedgerPolicy, actor: str, stored: Iterable[Record], decisions: Iterable[Decision]
) -> list[str]:
    """Why ``actor`` may not close a round whose decision rows and decisions are given."""
    if not policy.separate_closer_from_decider:
        return []
    me = actor.casefold()
    recorded_by = DECISIONS.position("recorded_by")
    mine = sorted(
        {r.row[0] for r in stored if str(r.row[recorded_by]).casefold() == me}
        | {d.application_id for d in decisions if d.decided_by.casefold() == me}
    )
    if not mine:
        return []
    shown = ", ".join(mine[:5]) + (f" and {len(mine) - 5} more" if len(mine) > 5 else "")
    return [
        f"separation of duties: {actor} recorded or made decisions in this round ({shown}); "
        "someone else must close it"
    ]
