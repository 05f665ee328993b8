"""The PostgreSQL schema of the ledger: the same tables and guards, rendered for PostgreSQL.

Nothing here is a second copy of a rule: the tables and guards come from
`sgfund.ledger.schema` (generated from the kinds), and this module only renders them in
PostgreSQL's dialect. A table's SQLite DDL becomes PostgreSQL DDL (``TEXT`` is ``text COLLATE
"C"``, so keys sort byte by byte as sgfund digests them; ``INTEGER`` is ``bigint``; money stays
integer pence). Each guard becomes a PL/pgSQL ``BEFORE ... FOR EACH ROW`` trigger function that
raises the same ``sgfund:`` message (SQLSTATE 23000) for the first condition that holds. Every
table also gets a ``BEFORE TRUNCATE`` trigger: nothing is deleted from the ledger, however.
``INSERT ... ON CONFLICT`` meets the insert guard before any conflict is looked at, so it is
refused like a plain insert of a stored key.

`expected_catalog` describes what the migrations create, for `storage_problems` to compare
with the server's catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from attrs import frozen

from sgfund.ledger.kinds import AWARD_STEPS, Kind
from sgfund.ledger.schema import (
    _NEVER_DELETED,
    V2_PARTS,
    V4_GUARDS,
    Guard,
    Part,
    _q,
    kind_parts,
)

__all__ = [
    "PG_MIGRATIONS",
    "VERSION_TABLE",
    "ExpectedCatalog",
    "expected_catalog",
    "function_body",
    "kind_ddl",
    "pg_condition",
    "pg_table",
]

# Where the schema version lives (SQLite's PRAGMA user_version has no PostgreSQL twin).
VERSION_TABLE = "sgfund_schema"
_TRUNCATE_FUNCTION = "sgfund_refuse_truncate"
# RAISE ... USING ERRCODE: integrity_constraint_violation, so drivers report an IntegrityError.
_ERRCODE = "23000"

# Trigger type bits in pg_trigger.tgtype.
_ROW, _BEFORE, _INSERT, _DELETE, _UPDATE, _TRUNCATE = 1, 2, 4, 8, 16, 32
_OPERATION = {"INSERT": _INSERT, "DELETE": _DELETE, "UPDATE": _UPDATE}


def pg_condition(condition: str) -> str:
    """A guard's condition (SQLite's dialect) in PostgreSQL's."""
    if condition == "1":
        return "true"
    text = condition.replace(" IS NOT ", " IS DISTINCT FROM ")
    text = text.replace(" ELSE 0 END", " ELSE false END")
    text = text.replace("json_extract(detail, '$.to')", "(detail::jsonb ->> 'to')")
    # SQLite's printf('%05d') pads to five digits and never cuts a longer number short.
    return re.sub(
        r"printf\('%s#%05d', ([\w.]+), ([\w.]+)\)",
        r"(\1 || '#' || CASE WHEN \2 BETWEEN 0 AND 99999 THEN lpad(\2::text, 5, '0') "
        r"ELSE \2::text END)",
        text,
    )


def pg_table(sql: str) -> str:
    """A table's DDL (SQLite's dialect) in PostgreSQL's."""
    text = re.sub(r"\bTEXT\b", 'text COLLATE "C"', sql)
    text = re.sub(r"\bINTEGER\b", "bigint", text)
    return text.replace(") STRICT, WITHOUT ROWID;", ");").replace(") STRICT;", ");")


def function_body(guard: Guard) -> str:
    """The PL/pgSQL body of a guard's trigger function (stored verbatim: verify compares it)."""
    lines = []
    if guard.states:
        lines.append("DECLARE")
        lines.extend(f"    {name} text;" for name, _ in guard.states)
    lines.append("BEGIN")
    lines.extend(f"    {name} := {expr};" for name, expr in guard.states)
    for message, condition in guard.refusals:
        lines.append(f"    IF {pg_condition(condition)} THEN")
        lines.append(
            f"        RAISE EXCEPTION USING ERRCODE = '{_ERRCODE}', MESSAGE = {_q(message)};"
        )
        lines.append("    END IF;")
    lines.append(f"    RETURN {'OLD' if guard.when == 'DELETE' else 'NEW'};")
    lines.append("END")
    return "\n" + "\n".join(lines) + "\n"


_TRUNCATE_BODY = (
    "\nBEGIN\n"
    f"    RAISE EXCEPTION USING ERRCODE = '{_ERRCODE}', MESSAGE = {_q(_NEVER_DELETED)};\n"
    "END\n"
)


def _function(name: str, body: str) -> str:
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $guard${body}$guard$;\n"


def _tables(part: Part) -> list[str]:
    return re.findall(r"CREATE TABLE (\w+)", part[0])


def _part_ddl(part: Part) -> str:
    sql = pg_table(part[0])
    for guard in part[1]:
        sql += _function(guard.name, function_body(guard))
        sql += (
            f"CREATE TRIGGER {guard.name} BEFORE {guard.when} ON {guard.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {guard.name}();\n"
        )
    for table in _tables(part):
        sql += (
            f"CREATE TRIGGER {table}_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {_TRUNCATE_FUNCTION}();\n"
        )
    return sql


def kind_ddl(kind: Kind) -> str:
    """The table, indexes and guards of ``kind`` in PostgreSQL (for a migration adding a kind:
    the PostgreSQL twin of `sgfund.ledger.schema.kind_ddl`).
    """  # noqa: D205
    return _part_ddl(kind_parts(kind))


def _v2() -> str:
    sql = _function(_TRUNCATE_FUNCTION, _TRUNCATE_BODY)
    return sql + "".join(_part_ddl(part) for part in V2_PARTS)


# The parts each migration after the first adds (as `sgfund.ledger.schema.MIGRATIONS` does);
# schema 4 only replaces two guards' functions (a later body wins).
_PARTS_BY_VERSION: tuple[tuple[Part, ...], ...] = (
    (),
    V2_PARTS,
    (kind_parts(AWARD_STEPS),),
    (("", V4_GUARDS),),
)


def _replaced(guards: tuple[Guard, ...]) -> str:
    """New bodies for existing guards' functions (their triggers stay as they are)."""
    return "".join(
        f"CREATE OR REPLACE FUNCTION {g.name}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $guard${function_body(g)}$guard$;\n"
        for g in guards
    )


# Migration n takes the version from n-1 to n, as for SQLite. Schema 1 was never written to
# PostgreSQL, so its step creates only the version table.
PG_MIGRATIONS: tuple[str, ...] = (
    f"CREATE TABLE {VERSION_TABLE} (version bigint NOT NULL);\n"
    f"INSERT INTO {VERSION_TABLE} (version) VALUES (0);\n",
    _v2(),
    "".join(_part_ddl(part) for part in _PARTS_BY_VERSION[2]),
    _replaced(V4_GUARDS),
)


@frozen
class ExpectedCatalog:
    """What the migrations create, as the catalog queries in `sgfund.ledger.postgres` see it.

    ``columns``: (table, column, type, not null); ``constraints``: (table, type letter) ->
    count; ``indexes``: names of indexes that back no constraint; ``triggers``: (table, name,
    tgtype, function); ``functions``: name -> body.
    """

    tables: frozenset[str]
    columns: frozenset[tuple[str, str, str, bool]]
    constraints: tuple[tuple[tuple[str, str], int], ...]
    indexes: frozenset[str]
    triggers: frozenset[tuple[str, str, int, str]]
    functions: tuple[tuple[str, str], ...]


def _table_blocks(sql: str) -> Iterator[tuple[str, list[str]]]:
    for match in re.finditer(r"CREATE TABLE (\w+) \(\n(.*?)\n\);", sql, re.S):
        yield match.group(1), [line.strip() for line in match.group(2).split(",\n")]


@cache
def expected_catalog() -> ExpectedCatalog:
    """What the PostgreSQL migrations create (see `ExpectedCatalog`)."""
    tables = {VERSION_TABLE}
    columns = {(VERSION_TABLE, "version", "bigint", True)}
    constraints: dict[tuple[str, str], int] = {}
    indexes: set[str] = set()
    triggers: set[tuple[str, str, int, str]] = set()
    functions = {_TRUNCATE_FUNCTION: _TRUNCATE_BODY}
    for part in (part for parts in _PARTS_BY_VERSION for part in parts):
        sql = pg_table(part[0])
        indexes.update(re.findall(r"CREATE INDEX (\w+)", sql))
        for table, lines in _table_blocks(sql):
            tables.add(table)
            triggers.add((table, f"{table}_truncate", _BEFORE | _TRUNCATE, _TRUNCATE_FUNCTION))
            for line in lines:
                body = re.sub(r"--[^\n]*\n", "", line).strip()
                found = re.match(r"(\w+) (text|bigint)\b", body)
                if found and found.group(1) not in {"PRIMARY", "CHECK"}:
                    type_ = "text" if found.group(2) == "text" else "bigint"
                    not_null = "NOT NULL" in body or "PRIMARY KEY" in body
                    columns.add((table, found.group(1), type_, not_null))
                for letter, word in (
                    ("p", "PRIMARY KEY"),
                    ("u", "UNIQUE"),
                    ("f", "REFERENCES"),
                    ("c", "CHECK ("),
                ):
                    if word in body:
                        constraints[(table, letter)] = constraints.get((table, letter), 0) + 1
        for guard in part[1]:
            functions[guard.name] = function_body(guard)
            tgtype = _ROW | _BEFORE | _OPERATION[guard.when]
            triggers.add((guard.table, guard.name, tgtype, guard.name))
    return ExpectedCatalog(
        tables=frozenset(tables),
        columns=frozenset(columns),
        constraints=tuple(sorted(constraints.items())),
        indexes=frozenset(indexes),
        triggers=frozenset(triggers),
        functions=tuple(sorted(functions.items())),
    )
