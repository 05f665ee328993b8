"""The ledger: a SQLite file or a PostgreSQL database with an append-only, hash-chained audit trail.

``Ledger.open()`` opens ``./sgfund.db`` (or ``$SGFUND_DB``, or the path given). Every change
goes through the ledger's methods, inside one transaction, and appends an event naming its
actor and carrying a digest of exactly what it wrote; the database's own triggers refuse
anything else, from any tool. Closing a round writes its closure record, state and event at
once and returns the closing event's `Anchor` to publish. ``verify()`` (or `verify_file`)
checks the schema, the chain, every record against its event, and every round. See
``docs/ledger.md``.
"""

from __future__ import annotations

from sgfund.ledger import kinds
from sgfund.ledger.closing import AnchoredClosure
from sgfund.ledger.copying import copy_ledger
from sgfund.ledger.core import (
    DEFAULT_PATH,
    ENV_VAR,
    AnchorLike,
    Ledger,
    is_url,
    ledger_exists,
    open_ledger,
    verify_file,
)
from sgfund.ledger.events import ANCHOR_PREFIX, Anchor, Event
from sgfund.ledger.kinds import Kind
from sgfund.ledger.policy import LedgerPolicy
from sgfund.ledger.schema import SCHEMA_VERSION
from sgfund.ledger.store import LedgerStore, Transaction
from sgfund.ledger.verify import VerifyProblem, VerifyReport

__all__ = [
    "ANCHOR_PREFIX",
    "DEFAULT_PATH",
    "ENV_VAR",
    "SCHEMA_VERSION",
    "Anchor",
    "AnchorLike",
    "AnchoredClosure",
    "Event",
    "Kind",
    "Ledger",
    "LedgerPolicy",
    "LedgerStore",
    "Transaction",
    "VerifyProblem",
    "VerifyReport",
    "copy_ledger",
    "is_url",
    "kinds",
    "ledger_exists",
    "open_ledger",
    "verify_file",
]
