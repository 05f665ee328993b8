"""Publishing: 360Giving files (one per funder) and tables, from closed rounds only.

Rounds that are not closed are refused unless the caller includes them on purpose
(``include_unclosed``), so provisional figures never go out as open data unmarked. Heavy
modules (the 360Giving writer and schema, openpyxl) are imported when a file is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from attrs import field, frozen

from sgfund.closure import RoundRecords
from sgfund.collect import SgfundPluginManager
from sgfund.dates import LONDON
from sgfund.errors import FieldError, RoundsNotClosed, WorkflowError
from sgfund.ledger import Ledger
from sgfund.lifecycle import RoundState
from sgfund.scope import Scope
from sgfund.workflow.scopes import fund_file_in_force

if TYPE_CHECKING:
    from sgfund.io.export import Table as ExportTable
    from sgfund.io.threesixtygiving import FunderPackage, Publisher
    from sgfund.postaward import Position

__all__ = [
    "FORMATS",
    "TABLES",
    "TABLE_SUFFIXES",
    "Published",
    "publish",
    "unclosed_rounds",
    "write_table",
]

Format = Literal["json", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("json", "csv", "xlsx")


@frozen(kw_only=True)
class Published:
    """What `publish` or `write_table` wrote: the files, how many grants each funder's
    360Giving package holds (none for a table), and the rounds published before they closed.

    ``unclosed`` maps each such round's id to its state; it is empty unless
    ``include_unclosed`` let them through, and then their figures are provisional.
    """  # noqa: D205 - the summary needs both lines

    files: tuple[Path, ...]
    grants: Mapping[str, int] = field(factory=dict)
    unclosed: Mapping[str, RoundState] = field(factory=dict)

    @property
    def total_grants(self) -> int:
        """Grants across every funder."""
        return sum(self.grants.values())


def unclosed_rounds(ledger: Ledger, round_ids: Sequence[str]) -> dict[str, RoundState]:
    """The rounds of ``round_ids`` that are not closed, with their states, in the order given."""
    states = {rid: ledger.round_state(rid) for rid in round_ids}
    return {rid: state for rid, state in states.items() if state is not RoundState.CLOSED}


def _publishable(
    ledger: Ledger, round_ids: Sequence[str], *, what: str, include_unclosed: bool
) -> dict[str, RoundState]:
    """The one rule for open data: only closed rounds' figures are final, so a round that is
    not closed is refused (`RoundsNotClosed`, naming each and its state) unless
    ``include_unclosed``; then the unclosed rounds are returned, to be marked.
    """  # noqa: D205 - the summary needs both lines
    unclosed = unclosed_rounds(ledger, round_ids)
    if unclosed and not include_unclosed:
        raise RoundsNotClosed(what, {rid: str(state) for rid, state in unclosed.items()})
    return unclosed


def _formats(formats: Iterable[str]) -> list[Format]:
    wanted = list(dict.fromkeys(formats))
    for fmt in wanted:
        if fmt not in FORMATS:
            raise FieldError("format", fmt, "one of " + ", ".join(FORMATS))
    return wanted  # type: ignore[return-value]  # checked just above


def _closed_state(
    ledger: Ledger, records: Sequence[RoundRecords], as_of: date | datetime
) -> tuple[dict[str, object], dict[str, Position]]:
    """Closed rounds' anchors, and their awards as varied (post-award.md) as of ``as_of``."""
    closed = [r.round.id for r in records if ledger.round_state(r.round.id) is RoundState.CLOSED]
    # The anchors go into the JSON packages, where an auditor can find them later.
    anchors: dict[str, object] = {rid: ledger.closure_anchor(rid) for rid in closed}
    day = as_of.astimezone(LONDON).date() if isinstance(as_of, datetime) else as_of
    positions = {
        award_id: position
        for rid in closed
        for award_id, position in ledger.post_award(rid, as_of=day).items()
    }
    return anchors, positions


def _funder_packages(
    ledger: Ledger,
    records: Sequence[RoundRecords],
    *,
    pm: SgfundPluginManager,
    as_of: date | datetime,
    scope_id: str,
    label: str,
    publisher: Publisher | None,
) -> list[FunderPackage]:
    """Every funder's 360Giving package, each era by its own publisher, built and validated."""
    from sgfund.io.threesixtygiving.build import build_packages

    by_era: dict[str, list[RoundRecords]] = {}
    for r in records:
        by_era.setdefault(r.round.era.id, []).append(r)
    publishers = _publishers(ledger, sorted(by_era), publisher)
    anchors, positions = _closed_state(ledger, records, as_of)
    packages = []
    for era_id, era_records in by_era.items():
        scope = Scope(id=scope_id, label=label, rounds=[r.round for r in era_records])
        packages += build_packages(
            scope,
            [a for r in era_records for a in r.applications],
            [a for r in era_records for a in r.awards],
            publisher=publishers[era_id],
            as_of=as_of,
            pm=pm,
            anchors={r.round.id: anchors[r.round.id] for r in era_records if r.round.id in anchors},
            post_award=positions,
        )
    return packages


def _transparency_table(
    records: Sequence[RoundRecords], *, scope_id: str, label: str
) -> ExportTable:
    from sgfund.io.transparency import transparency_table

    scope = Scope(id=scope_id, label=label, rounds=[r.round for r in records])
    return transparency_table(
        scope,
        [a for r in records for a in r.applications],
        [d for r in records for d in r.decisions],
        [a for r in records for a in r.awards],
    )


def publish(
    ledger: Ledger,
    round_ids: Sequence[str],
    directory: str | os.PathLike[str],
    *,
    pm: SgfundPluginManager,
    as_of: date | datetime,
    scope_id: str,
    label: str,
    publisher: Publisher | None = None,
    formats: Iterable[Format] = ("json", "csv"),
    transparency: bool = True,
    include_unclosed: bool = False,
) -> Published:
    """Publish the rounds' awards: 360Giving files, one per funder, and a transparency table.

    Only closed rounds are published: a round that is not closed (decided, say) holds
    provisional figures and is refused with `RoundsNotClosed`, naming each such round and its
    state, before anything is built. ``include_unclosed`` publishes them anyway; they are then
    listed in `Published.unclosed`, for the caller to warn about.

    Each era's awards are published by that era's publisher in the fund file in force (or
    by ``publisher``, given). The 360Giving packages are built and validated once
    (`build_packages`), all of them before any file is written; each is then written in
    every format asked for, as ``<scope id>-<funder>.<format>``. The transparency table is
    ``<scope id>-transparency.csv``. Grants of closed rounds are published as varied after
    the award, with ``amountDisbursed`` (paid less recovered) as of ``as_of`` where payments
    were made (see post-award.md). A problem in any package raises `ExportError` listing them
    all, and nothing is written.
    """
    from sgfund.io.export import write_csv
    from sgfund.io.threesixtygiving.build import funder_slug
    from sgfund.io.threesixtygiving.write import write_built_package

    wanted = _formats(formats)
    unclosed = _publishable(ledger, round_ids, what="open data", include_unclosed=include_unclosed)
    records = [ledger.round_records(rid) for rid in round_ids]
    packages = _funder_packages(
        ledger,
        records,
        pm=pm,
        as_of=as_of,
        scope_id=scope_id,
        label=label,
        publisher=publisher,
    )
    table = _transparency_table(records, scope_id=scope_id, label=label) if transparency else None
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        write_built_package(
            folder / f"{scope_id}-{funder_slug(package.funder.id)}.{fmt}", package.package
        )
        for package in packages
        for fmt in wanted
    ]
    if table is not None:
        files.append(write_csv(folder / f"{scope_id}-transparency.csv", table))
    return Published(
        files=tuple(files),
        grants={p.funder.id: p.grant_count for p in packages},
        unclosed=unclosed,
    )


def _publishers(
    ledger: Ledger, era_ids: Sequence[str], given: Publisher | None
) -> dict[str, Publisher]:
    if given is not None:
        return dict.fromkeys(era_ids, given)
    ff = fund_file_in_force(ledger)
    found = {} if ff is None else dict(ff.publishers)
    missing = [era for era in era_ids if era not in found]
    if missing:
        raise WorkflowError(
            f"no 360Giving publisher for era(s) {', '.join(missing)}: give one in the fund "
            "file ([eras.publisher]) or name the publisher"
        )
    return {era: found[era] for era in era_ids}


TABLES = ("transparency", "applications", "awards")
Table = Literal["transparency", "applications", "awards"]


TABLE_SUFFIXES = (".csv", ".xlsx")


def write_table(
    ledger: Ledger,
    round_ids: Sequence[str],
    what: Table,
    path: str | os.PathLike[str],
    *,
    scope_id: str,
    label: str,
    include_unclosed: bool = False,
) -> Published:
    """Write one table of the rounds (CSV, or XLSX by the suffix), all or nothing.

    ``path`` must end ``.csv`` or ``.xlsx`` (`FieldError` otherwise, before anything is read).

    ``transparency`` is one row per award as the public sees it: published data, so like
    `publish` it refuses rounds that are not closed (`RoundsNotClosed`) unless
    ``include_unclosed``, and then lists them in `Published.unclosed`. ``applications`` and
    ``awards`` are the officers' working tables (`sgfund.io.export`), for any round.
    """
    from sgfund.io.export import application_table, award_table, write_csv, write_xlsx

    if what not in TABLES:
        raise FieldError("table", what, "one of " + ", ".join(TABLES))
    target = Path(path)
    # The suffix says the format: anything else would be a CSV under a misleading name.
    if target.suffix.lower() not in TABLE_SUFFIXES:
        raise FieldError(
            "out", os.fspath(path), "a file name ending " + " or ".join(TABLE_SUFFIXES)
        )
    unclosed: dict[str, RoundState] = {}
    if what == "transparency":
        unclosed = _publishable(
            ledger, round_ids, what="the transparency table", include_unclosed=include_unclosed
        )
    records = [ledger.round_records(rid) for rid in round_ids]
    applications = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    if what == "transparency":
        table = _transparency_table(records, scope_id=scope_id, label=label)
    elif what == "applications":
        table = application_table(applications)
    else:
        table = award_table(awards, applications)
    written = (
        write_xlsx(target, table) if target.suffix.lower() == ".xlsx" else write_csv(target, table)
    )
    return Published(files=(written,), unclosed=unclosed)
