"""The columnar path: a sheet read column by column, and rules run over columns (polars).

`read_table` reads an applications sheet as `sgfund.io.importer.read_applications` does,
with the same result (applications, decisions, problems with their rows and columns), but
column by column, a batch of rows at a time, and also returns the good applications as a
polars table. `assess_table` assesses a round with the rules that offer ``check_columns``
run over that table and the rest over the objects (`sgfund.assessment.assess_columns`); the
result is the same as `sgfund.assessment.assess` gives. Needs the ``columnar`` extra.

Table columns (one row per good application, in file order): ``application_id``,
``round_id``, ``amount_requested`` (whole pence, Int64), ``organisation_type``,
``organisation_postcode``, ``charity_number``, ``company_number``, ``delivery_postcode``,
``title``, ``summary``. Absent values are null.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from attrs import frozen

from sgfund.applications import Application
from sgfund.assessment import RoundAssessment, assess_columns
from sgfund.collect import SgfundPluginManager
from sgfund.funds import Round
from sgfund.io.importer import BadRows, ImportResult, MappingSource, _read_applications
from sgfund.tables import as_pence, polars

__all__ = ["CHUNK_ROWS", "TableRead", "application_table", "assess_table", "read_table"]

# Rows read column by column at a time: enough to amortise the per-column work, few enough
# that a batch's cells stay small whatever the size of the sheet.
CHUNK_ROWS = 20_000


@frozen
class TableRead:
    """What `read_table` found: the importer's result and its good applications as a table."""

    result: ImportResult
    table: Any  # polars.DataFrame


def read_table(
    path: str | os.PathLike[str],
    *,
    rounds: Mapping[str, Round] | Iterable[Round],
    pm: SgfundPluginManager,
    mapping: MappingSource | None = None,
    bad_rows: BadRows = "refuse",
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    chunk: int = CHUNK_ROWS,
) -> TableRead:
    """Read an applications sheet column by column; options and errors as `read_applications`.

    ``result`` equals what `read_applications` returns for the same arguments (a bad file
    raises the same `DataError`); ``table`` holds the good applications as columns.
    """
    pl = polars()
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, not {chunk!r}")
    result = _read_applications(
        path,
        rounds=rounds,
        pm=pm,
        mapping=mapping,
        bad_rows=bad_rows,
        validate_only=False,
        open_options={"encoding": encoding, "delimiter": delimiter, "sheet": sheet},
        chunk=chunk,
    )
    return TableRead(result=result, table=application_table(result.applications, pl))


def application_table(applications: Sequence[Application], pl: Any = None) -> Any:
    """The table of `read_table` for ``applications``."""
    pl = pl or polars()
    orgs = [a.organisation for a in applications]
    return pl.DataFrame(
        {
            "application_id": [a.id for a in applications],
            "round_id": [a.round_id for a in applications],
            "amount_requested": [as_pence(a.amount_requested) for a in applications],
            "organisation_type": [o.type.value for o in orgs],
            "organisation_postcode": [o.postcode for o in orgs],
            "charity_number": [o.charity_number for o in orgs],
            "company_number": [o.company_number for o in orgs],
            "delivery_postcode": [a.delivery_postcode for a in applications],
            "title": [a.title for a in applications],
            "summary": [a.summary for a in applications],
        },
        schema={
            "application_id": pl.Utf8,
            "round_id": pl.Utf8,
            "amount_requested": pl.Int64,
            "organisation_type": pl.Utf8,
            "organisation_postcode": pl.Utf8,
            "charity_number": pl.Utf8,
            "company_number": pl.Utf8,
            "delivery_postcode": pl.Utf8,
            "title": pl.Utf8,
            "summary": pl.Utf8,
        },
    )


def assess_table(
    round: Round,
    read: TableRead,
    *,
    pm: SgfundPluginManager,
    as_of: date,
) -> RoundAssessment:
    """Assess the applications of ``round`` in ``read``; the same result as `assess`."""
    pl = polars()
    apps = [a for a in read.result.applications if a.round_id == round.id]
    table = read.table.filter(pl.col("round_id") == round.id)
    return assess_columns(round, apps, table, pm=pm, as_of=as_of)
