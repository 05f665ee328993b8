"""Checks a 360Giving package must pass before sgfund writes it.

The shipped schema first, then what 360Giving's data-quality tool calls critical: zero or
negative amounts, line breaks in identifiers, award dates in the future, e-mail addresses in
titles or descriptions, more than one funding organisation in a file, and repeated grant ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sgfund.io.threesixtygiving.problems import GrantProblem
from sgfund.io.threesixtygiving.schema import schema_problems

__all__ = ["EMAIL", "critical_problems", "package_problems"]

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]")
_DATE_START = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def _ids(grant: Mapping[str, Any], path: str) -> list[tuple[str, Any]]:
    found = [(f"{path}.id", grant.get("id"))]
    for key in ("recipientOrganization", "fundingOrganization"):
        orgs = grant.get(key)
        if isinstance(orgs, list):
            for i, org in enumerate(orgs):
                if isinstance(org, dict):
                    found.append((f"{path}.{key}[{i}].id", org.get("id")))
    person = grant.get("recipientIndividual")
    if isinstance(person, dict):
        found.append((f"{path}.recipientIndividual.id", person.get("id")))
    return found


def _grant_problems(
    grant: Mapping[str, Any], path: str, as_of: date | None
) -> list[tuple[str, str, Any, str]]:
    out: list[tuple[str, str, Any, str]] = []
    amount = grant.get("amountAwarded")
    if isinstance(amount, int | Decimal) and not isinstance(amount, bool) and amount <= 0:
        out.append((f"{path}.amountAwarded", "amount awarded is not positive", amount, "> 0"))
    for where, value in _ids(grant, path):
        if isinstance(value, str) and _LINE_BREAK.search(value):
            out.append((where, "identifier contains a line break", value, "no line breaks"))
    award_date = grant.get("awardDate")
    if as_of is not None and isinstance(award_date, str):
        match = _DATE_START.match(award_date)
        try:
            day = date.fromisoformat(match[1]) if match else None
        except ValueError:
            day = None  # the schema check reports a date that is not a date
        if day is not None and day > as_of:
            out.append(
                (
                    f"{path}.awardDate",
                    f"award date is in the future (after {as_of.isoformat()})",
                    award_date,
                    f"on or before {as_of.isoformat()}",
                )
            )
    for key in ("title", "description"):
        text = grant.get(key)
        if isinstance(text, str) and EMAIL.search(text):
            out.append(
                (f"{path}.{key}", f"{key} contains an e-mail address", text, "no e-mail address")
            )
    return out


def critical_problems(
    package: Mapping[str, Any], *, as_of: date | None = None, file: str | None = None
) -> list[GrantProblem]:
    """The 360Giving critical data-quality faults in ``package``, each located.

    ``as_of`` is the day the data is published: an award date after it is in the future.
    """
    grants = package.get("grants")
    if not isinstance(grants, list):
        return []
    problems = []
    funders: dict[str, str] = {}
    seen: dict[str, int] = {}
    for i, grant in enumerate(grants):
        if not isinstance(grant, dict):
            continue
        gid = grant.get("id") if isinstance(grant.get("id"), str) else None
        path = f"$.grants[{i}]"
        for where, message, value, expected in _grant_problems(grant, path, as_of):
            problems.append(
                GrantProblem(
                    message, grant_id=gid, file=file, field=where, value=value, expected=expected
                )
            )
        if gid is not None:
            if gid in seen:
                problems.append(
                    GrantProblem(
                        f"grant id repeats grant {seen[gid]}",
                        grant_id=gid,
                        file=file,
                        field=f"{path}.id",
                        value=gid,
                        expected="a grant id used once",
                    )
                )
            seen.setdefault(gid, i)
        orgs = grant.get("fundingOrganization")
        for org in orgs if isinstance(orgs, list) else []:
            if isinstance(org, dict) and isinstance(org.get("id"), str):
                funders.setdefault(org["id"], str(org.get("name", "")))
    if len(funders) > 1:
        named = ", ".join(f"{name} ({fid})" for fid, name in sorted(funders.items()))
        problems.append(
            GrantProblem(
                f"{len(funders)} funding organisations in one file: {named}",
                file=file,
                field="$.grants[*].fundingOrganization",
                expected="one funding organisation per file",
            )
        )
    return problems


def package_problems(
    package: Mapping[str, Any], *, as_of: date | None = None, file: str | None = None
) -> list[GrantProblem]:
    """Schema problems (with formats checked) and critical data-quality faults, all of them."""
    return [
        *schema_problems(package, file=file),
        *critical_problems(package, as_of=as_of, file=file),
    ]
