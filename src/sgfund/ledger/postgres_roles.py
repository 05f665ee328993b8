"""Database roles for a PostgreSQL ledger: an owner, officers and auditors.

`roles_sql` is the SQL a database administrator runs once (as a superuser, or a role with
CREATEROLE that owns the schema), before or after the ledger is initialised; it can be run
again safely. It creates three group roles (``NOLOGIN``: grant them to people's login roles):

- ``<prefix>_owner`` owns the ledger's tables, triggers and functions. Open the ledger as the
  owner to initialise the database and to run migrations, and for nothing else: an owner can
  drop or disable a trigger (``verify()`` would report it, and the records it let through).
- ``<prefix>_officer`` reads and writes through the ledger: ``SELECT``, ``INSERT`` and ``UPDATE``
  on its tables, where every insert and update meets the guards; no ``DELETE``, ``TRUNCATE``,
  ``REFERENCES`` or ``TRIGGER``, and, not owning anything, it cannot drop, disable or replace a
  trigger or function, nor alter a table.
- ``<prefix>_auditor`` reads everything and changes nothing: ``SELECT`` only, and its sessions
  are read-only by default. ``verify()`` and every reading method work as an auditor.

The privileges on tables the owner creates later are set with ``ALTER DEFAULT PRIVILEGES``, and
on tables already there with ``GRANT ... ON ALL TABLES``, so the order does not matter.
"""

# ruff: noqa: S608 - role and schema names are checked to be plain SQL names first

from __future__ import annotations

import re

from attrs import frozen

__all__ = ["LedgerRoles", "roles_sql"]

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")


def _name(value: str, what: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError(f"{what} {value!r} is not a plain lower-case SQL name")
    return value


@frozen
class LedgerRoles:
    """The names of the three roles (``prefix`` + ``_owner``, ``_officer``, ``_auditor``)."""

    prefix: str = "sgfund"

    @property
    def owner(self) -> str:
        """Owns the schema objects; migrations only."""
        return f"{self.prefix}_owner"

    @property
    def officer(self) -> str:
        """Writes through the ledger."""
        return f"{self.prefix}_officer"

    @property
    def auditor(self) -> str:
        """Reads everything, changes nothing."""
        return f"{self.prefix}_auditor"


def _create(role: str) -> str:
    return (
        f"DO $roles$ BEGIN CREATE ROLE {role} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $roles$;\n"
    )


def roles_sql(*, prefix: str = "sgfund", schema: str = "public") -> str:
    """The SQL creating the owner, officer and auditor roles of a ledger in ``schema``."""
    roles = LedgerRoles(_name(prefix, "prefix"))
    schema = _name(schema, "schema")
    owner, officer, auditor = roles.owner, roles.officer, roles.auditor
    default = f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema}"
    return (
        "-- sgfund ledger roles: an owner for migrations, officers who write through the ledger,\n"
        "-- auditors who only read. Grant them to login roles: GRANT sgfund_officer TO alice;\n"
        + _create(owner)
        + _create(officer)
        + _create(auditor)
        + f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {owner};\n"
        + f"GRANT USAGE ON SCHEMA {schema} TO {officer}, {auditor};\n"
        + f"REVOKE CREATE ON SCHEMA {schema} FROM {officer}, {auditor};\n"
        + f"{default} GRANT SELECT, INSERT, UPDATE ON TABLES TO {officer};\n"
        + f"{default} GRANT SELECT ON TABLES TO {auditor};\n"
        + f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA {schema} TO {officer};\n"
        + f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {auditor};\n"
        + f"ALTER ROLE {auditor} SET default_transaction_read_only = on;\n"
    )
