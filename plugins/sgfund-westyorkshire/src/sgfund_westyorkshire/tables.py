"""The plugin's data tables, read once from the package (see data/SOURCE.md for sources)."""

from __future__ import annotations

import csv
import enum
import io
import re
from decimal import Decimal
from functools import cache
from importlib import resources

from attrs import frozen

from sgfund.money import to_money

__all__ = [
    "WEST_YORKSHIRE_AREAS",
    "AreaStatus",
    "PostcodeDistrict",
    "max_grant_for",
    "postcode_districts",
    "round_number",
]

# Postcode areas mostly within West Yorkshire: an unlisted district here is referred.
WEST_YORKSHIRE_AREAS = frozenset({"BD", "HX", "HD", "LS", "WF"})


class AreaStatus(enum.StrEnum):
    """How a postcode district lies against the West Yorkshire boundary."""

    INSIDE = "inside"
    STRADDLES = "straddles"
    OUTSIDE = "outside"


@frozen
class PostcodeDistrict:
    """One row of postcode_districts.csv."""

    code: str
    status: AreaStatus
    districts: tuple[str, ...]
    note: str


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("sgfund_westyorkshire").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def postcode_districts() -> dict[str, PostcodeDistrict]:
    """Postcode district (outward code) -> its row."""
    table = {}
    for row in _read("postcode_districts.csv"):
        code = row["postcode_district"].strip().upper()
        districts = tuple(d.strip() for d in row["districts"].split(";") if d.strip())
        table[code] = PostcodeDistrict(code, AreaStatus(row["status"]), districts, row["note"])
    return table


_ROUND = re.compile(r"^(?:pcc-r(?P<pcc>\d+)|mayor-gr(?P<mayor>\d+))$")


def round_number(round_id: str) -> int | None:
    """Order rounds: PCC round N is N, the Mayor's Grant Round N is 100 + N; None if neither."""
    match = _ROUND.match(round_id)
    if match is None:
        return None
    if match["pcc"] is not None:
        return int(match["pcc"])
    return 100 + int(match["mayor"])


@cache
def _schedule() -> tuple[tuple[int, int | None, Decimal], ...]:
    rows = []
    for row in _read("max_grants.csv"):
        first = round_number(row["first_round"])
        last = round_number(row["last_round"]) if row["last_round"] else None
        if first is None:  # pragma: no cover - the shipped table is tested
            raise ValueError(f"max_grants.csv: unknown round {row['first_round']!r}")
        rows.append((first, last, to_money(row["max_grant"], field="max_grant")))
    return tuple(rows)


def max_grant_for(round_id: str) -> Decimal | None:
    """The fund's maximum grant for ``round_id`` from the schedule, or None if it has none."""
    number = round_number(round_id)
    if number is None:
        return None
    for first, last, amount in _schedule():
        if first <= number and (last is None or number <= last):
            return amount
    return None
