"""The embedded ledger: a SQLite store with an append-only, hash-chained audit trail.

``Ledger.open()`` opens ``./sgfund.db`` (or ``$SGFUND_DB``, or the path given). Every change
goes through the ledger's methods, inside one transaction, and appends an event naming its
actor; closing a round writes its closure record, state and event at once; ``verify()`` walks
the chain and re-checks every closed round. See ``docs/ledger.md``.
"""

from __future__ import annotations

from sgfund.ledger.audit import Event, VerifyProblem, VerifyReport
from sgfund.ledger.core import DEFAULT_PATH, ENV_VAR, Ledger, LedgerPolicy, open_ledger
from sgfund.ledger.schema import SCHEMA_VERSION
from sgfund.ledger.store import LedgerStore, Transaction

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "SCHEMA_VERSION",
    "Event",
    "Ledger",
    "LedgerPolicy",
    "LedgerStore",
    "Transaction",
    "VerifyProblem",
    "VerifyReport",
    "open_ledger",
]
