"""The ledger's footing: opening a store, the clock, transactions and the policy in force."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from sgfund.dates import require_aware
from sgfund.errors import FieldError, LedgerError
from sgfund.ledger.events import Anchor
from sgfund.ledger.kinds import Row
from sgfund.ledger.policy import LedgerPolicy, stored_policy
from sgfund.ledger.postgres import PostgresStore, is_url
from sgfund.ledger.sqlite import SqliteStore
from sgfund.ledger.store import LedgerStore
from sgfund.ledger.writing import WriteContext

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "AnchorLike",
    "Clock",
    "LedgerBase",
    "checked_actor",
    "ledger_exists",
    "open_store",
]

ENV_VAR = "SGFUND_DB"
DEFAULT_PATH = "sgfund.db"

Clock = Callable[[], datetime]
AnchorLike = Anchor | str | tuple[int, str]


def checked_actor(actor: str) -> str:
    """The actor's name, stripped; an empty one is a `FieldError`."""
    if not isinstance(actor, str) or not actor.strip():
        raise FieldError("actor", actor, "the name of whoever makes the change")
    return actor.strip()


def open_store(
    location: str | os.PathLike[str],
    *,
    timeout: float = 30.0,  # float-ok: seconds, not money
    readonly: bool = False,
) -> LedgerStore:
    """The store for a location: a PostgreSQL database for a URL, else a SQLite file."""
    if is_url(location):
        return PostgresStore(str(location), timeout=timeout, readonly=readonly)
    return SqliteStore(Path(location), timeout=timeout, readonly=readonly)


def ledger_exists(location: str | os.PathLike[str]) -> bool:
    """Whether there is a ledger at ``location`` (a file, or a database sgfund initialised),
    without making one. An unreachable server raises `LedgerError`.
    """  # noqa: D205 - the summary needs both lines
    if not is_url(location):
        return Path(location).is_file()
    store = PostgresStore(str(location), readonly=True)
    try:
        return store.initialised()
    finally:
        store.close()


class LedgerBase:
    """What every part of `Ledger` stands on: the store, the clock, transactions and the
    policy in force. `Ledger` is the class to use.
    """  # noqa: D205 - the summary needs both lines

    def __init__(
        self,
        store: LedgerStore,
        *,
        clock: Clock | None = None,
        policy: LedgerPolicy | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy or LedgerPolicy()
        self._context: WriteContext | None = None

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        clock: Clock | None = None,
        policy: LedgerPolicy | None = None,
        timeout: float = 30.0,  # float-ok: seconds, not money
    ) -> Self:
        """Open (creating and migrating if need be) the ledger file or database.

        ``path`` is a SQLite file, or a PostgreSQL URL (``postgresql://user@host/db``, needs
        the ``postgres`` extra; see `sgfund.ledger.postgres`). It defaults to the ``SGFUND_DB``
        environment variable, then ``./sgfund.db``.
        ``timeout`` is how many seconds a write waits for another process's write. A file that
        is not a ledger, or is damaged, raises `LedgerError` naming it and what is wrong.
        """
        chosen = path if path is not None else os.environ.get(ENV_VAR) or DEFAULT_PATH
        return cls(open_store(chosen, timeout=timeout), clock=clock, policy=policy)

    @property
    def location(self) -> str:
        """Where the ledger is stored."""
        return self._store.location

    def close(self) -> None:
        """Close the ledger."""
        self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Self]:
        """Make several calls all or nothing together: they commit when the block ends.

        If anything in the block raises, every change made in it is rolled back, events
        included. A call inside the block that raises undoes its own changes only, so the
        block may catch its error and carry on.
        """
        with self._writing():
            yield self

    # --- helpers -------------------------------------------------------------------------

    def _when(self, at: datetime | None) -> datetime:
        if at is None:
            if self._clock is None:
                raise LedgerError(
                    "no time given: pass at= (a timezone-aware datetime) or open the ledger "
                    "with clock="
                )
            at = self._clock()
        require_aware(at, field="at")
        return at.astimezone(UTC)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[WriteContext]:
        outer = self._context
        with self._store.write() as tx:
            context = outer if outer is not None else WriteContext(tx)
            self._context = context
            try:
                yield context
            except BaseException:
                context.forget()
                raise
            finally:
                self._context = outer

    def _policy_of(self, row: Row | None) -> LedgerPolicy:
        stored = LedgerPolicy() if row is None else stored_policy(row)
        return stored.tightened_by(self._policy)
