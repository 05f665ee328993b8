"""Reading 360Giving JSON packages and CSV sheets into sgfund awards, for analysis and checks.

Every problem is reported at once, located by grant id and by JSON path (JSON) or row and
column title (CSV); nothing is returned half-read.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from attrs import frozen
from dateutil.relativedelta import relativedelta

from sgfund import _validate as v
from sgfund.decisions import Award
from sgfund.errors import DataError, FieldError, MoneyTypeError, Problem
from sgfund.io.threesixtygiving.checks import critical_problems
from sgfund.io.threesixtygiving.columns import ObjectSpec, grant_spec, unflatten_row
from sgfund.io.threesixtygiving.problems import GrantProblem
from sgfund.io.threesixtygiving.publisher import FunderIdentity
from sgfund.io.threesixtygiving.schema import schema_problems
from sgfund.money import to_money
from sgfund.organisations import Organisation, OrgType

__all__ = [
    "NO_PROGRAMME",
    "GrantRecord",
    "ImportedGrants",
    "load_package",
    "read_360giving",
]

T = TypeVar("T")
PathLike = str | os.PathLike[str]
NO_PROGRAMME = "no-programme"
_REGISTERS = (("GB-CHC-", "charity"), ("GB-SC-", "charity"), ("GB-NIC-", "charity"))
_FULL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@frozen(kw_only=True)
class GrantRecord:
    """One imported grant: the sgfund `Award` and what 360Giving says around it.

    ``recipient`` is None for a grant to an individual. ``award.application_id`` is the award
    id, since 360Giving carries no application reference.
    """

    grant_id: str
    award: Award
    title: str
    description: str
    amount_applied_for: Decimal | None
    recipient: Organisation | None
    recipient_id: str
    funder: FunderIdentity
    programme_code: str | None
    programme_title: str | None
    beneficiary_district: str | None


@frozen(kw_only=True)
class ImportedGrants:
    """What a 360Giving file held: its grants as records, and the package metadata."""

    records: tuple[GrantRecord, ...]
    metadata: Mapping[str, Any]

    @property
    def awards(self) -> tuple[Award, ...]:
        """The awards, in file order."""
        return tuple(r.award for r in self.records)

    @property
    def funders(self) -> tuple[FunderIdentity, ...]:
        """Each funding organisation once, in order of first appearance."""
        return tuple(dict.fromkeys(r.funder for r in self.records))


# --- loading files into plain packages ------------------------------------------------------


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except json.JSONDecodeError as err:
        problem = Problem(f"not JSON: {err.msg}", file=str(path), row=err.lineno)
        raise DataError([problem], f"cannot read {path}", file=str(path)) from err
    if not isinstance(data, dict):
        problem = Problem("expected a 360Giving package object", file=str(path), field="$")
        raise DataError([problem], f"cannot read {path}", file=str(path))
    return data


def _column_for(path: str, columns: Sequence[str]) -> str | None:
    """The CSV column a JSON path such as ``$.grants[2].plannedDates[0].endDate`` came from."""
    parts = re.findall(r"\.([^.\[]+)|\[(\d+)\]", path)[1:]
    titles: list[str] = []
    spec: ObjectSpec | None = grant_spec()
    for key, index in parts:
        if index:
            titles.append(index)
            continue
        f = spec.fields.get(key) if spec is not None else None
        titles.append(f.title if f else key)
        spec = f.spec if f and f.spec else None
    for candidate in (titles, [t for t in titles if not t.isdigit()]):
        title = ":".join(candidate)
        if title in columns:
            return title
    return None


def _load_csv(path: Path) -> tuple[dict[str, Any], dict[int, int], list[GrantProblem]]:
    problems: list[GrantProblem] = []
    grants: list[dict[str, Any]] = []
    rows: dict[int, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            problem = GrantProblem("the file has no header row", file=str(path), row=1)
            raise DataError([problem], f"cannot read {path}", file=str(path))
        repeated = sorted({t for t in header if header.count(t) > 1})
        for title in repeated:
            problems.append(GrantProblem("column appears twice", file=str(path), column=title))
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(
                    GrantProblem(
                        f"{len(cells)} cells but {len(header)} column titles",
                        file=str(path),
                        row=number,
                    )
                )
            row = dict(zip(header, cells, strict=False))
            grant, errors = unflatten_row(row, header)
            gid = grant.get("id") if isinstance(grant.get("id"), str) else None
            for title, message in errors.items():
                problems.append(
                    GrantProblem(
                        message,
                        grant_id=gid,
                        file=str(path),
                        row=number,
                        column=title,
                        field=title,
                        value=row.get(title),
                    )
                )
            rows[len(grants)] = number
            grants.append(grant)
    return {"grants": grants}, rows, problems


def _relocate(
    problems: Sequence[GrantProblem], path: Path, rows: Mapping[int, int], columns: Sequence[str]
) -> list[GrantProblem]:
    """Point problems found by JSON path at the CSV row and column they came from."""
    out = []
    for p in problems:
        match = re.match(r"^\$\.grants\[(\d+)\]", p.field or "")
        row = rows.get(int(match[1])) if match else None
        column = _column_for(p.field, columns) if match and p.field else None
        out.append(
            GrantProblem(
                p.message,
                grant_id=p.grant_id,
                file=str(path),
                row=row,
                column=column,
                field=column or p.field,
                value=p.value,
                expected=p.expected,
            )
        )
    return out


def _load(source: Path, as_of: date | None) -> tuple[dict[str, Any], dict[int, int], list[str]]:
    if source.suffix.lower() == ".csv":
        package, rows, problems = _load_csv(source)
        with source.open(encoding="utf-8-sig", newline="") as handle:
            columns = next(csv.reader(handle), [])
        found = [*schema_problems(package), *critical_problems(package, as_of=as_of)]
        problems.extend(_relocate(found, source, rows, columns))
    else:
        package, rows, columns = _load_json(source), {}, []
        problems = [
            *schema_problems(package, file=str(source)),
            *critical_problems(package, as_of=as_of, file=str(source)),
        ]
    if problems:
        raise DataError(problems, f"{source} is not valid 360Giving data", file=str(source))
    return package, rows, columns


def load_package(path: PathLike, *, as_of: date | None = None) -> dict[str, Any]:
    """Read a 360Giving JSON package or CSV sheet (by suffix) into checked plain data.

    Numbers become ``Decimal``. The package is checked against the shipped schema and the
    critical data-quality checks (award dates after ``as_of``, if given, are in the future);
    any problem raises `DataError` listing all of them. A CSV gives a package of grants only.
    """
    return _load(Path(path), as_of)[0]


# --- grants into sgfund records --------------------------------------------------------------


def _first(grant: Mapping[str, Any], key: str) -> dict[str, Any]:
    items = grant.get(key)
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0]
    return {}


def _period_start(text: str) -> date:
    match = _YEAR_MONTH.match(text)
    if match:
        return date(int(match[1]), int(match[2] or 1), 1)
    return date.fromisoformat(_FULL_DATE.match(text)[1])  # type: ignore[index]


def _period_end(text: str) -> date:
    match = _YEAR_MONTH.match(text)
    if match:
        start = date(int(match[1]), int(match[2] or 1), 1)
        return start + relativedelta(months=1 if match[2] else 12, days=-1)
    return date.fromisoformat(_FULL_DATE.match(text)[1])  # type: ignore[index]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Grant:
    """Collects problems while one grant is turned into a record."""

    def __init__(self, grant: Mapping[str, Any], path: str, file: str | None) -> None:
        self.grant = grant
        self.path = path
        self.file = file
        self.id = grant["id"]
        self.problems: list[GrantProblem] = []

    def attempt(self, field: str, make: Callable[[], T]) -> T | None:
        try:
            return make()
        except (FieldError, MoneyTypeError, ValueError, TypeError) as err:
            inner = getattr(err, "field", None)
            where = _AWARD_FIELDS.get(inner or "", field) if field == "$award" else field
            self.problems.append(
                GrantProblem(
                    str(err),
                    grant_id=self.id,
                    file=self.file,
                    field=f"{self.path}.{where}",
                    value=getattr(err, "value", None),
                    expected=getattr(err, "expected", None),
                )
            )
            return None


_AWARD_FIELDS = {
    "id": "id",
    "application_id": "id",
    "round_id": "grantProgramme[0].code",
    "amount": "amountAwarded",
    "awarded_on": "awardDate",
    "start": "plannedDates[0].startDate",
    "end": "plannedDates[0].endDate",
}


def _registered(org: Mapping[str, Any]) -> tuple[str | None, str | None]:
    org_id = str(org.get("id", ""))
    charity = org.get("charityNumber")
    company = org.get("companyNumber")
    if charity is None:
        for prefix, _ in _REGISTERS:
            if org_id.startswith(prefix):
                number = org_id.removeprefix(prefix)
                charity = f"NIC{number}" if prefix == "GB-NIC-" else number
    if company is None and org_id.startswith("GB-COH-"):
        company = org_id.removeprefix("GB-COH-")
    return charity, company


def _organisation(g: _Grant, district: str | None) -> Organisation | None:
    org = _first(g.grant, "recipientOrganization")
    if not org:
        return None
    charity, company = _registered(org)
    try:
        org_type = OrgType(org.get("organisationType") or OrgType.OTHER)
    except ValueError:
        org_type = OrgType.OTHER
    base = "recipientOrganization[0]"
    names = {
        "name": "name",
        "charity_number": "charityNumber",
        "company_number": "companyNumber",
        "postcode": "postalCode",
        "district": "location[0].name",
    }
    try:
        return Organisation(
            name=org.get("name", ""),
            type=org_type,
            charity_number=charity,
            company_number=company,
            postcode=org.get("postalCode"),
            district=district,
        )
    except FieldError as err:
        g.problems.append(
            GrantProblem(
                str(err),
                grant_id=g.id,
                file=g.file,
                field=f"{g.path}.{base}.{names.get(err.field, err.field)}",
                value=err.value,
                expected=err.expected,
            )
        )
        return None


def _award_id(grant_id: str, round_id: str, prefix: str | None) -> str:
    if prefix is not None:
        for head in (f"{prefix}-{round_id}-", f"{prefix}-"):
            if grant_id.startswith(head) and len(grant_id) > len(head):
                return grant_id.removeprefix(head)
    marker = f"-{round_id}-"
    if marker in grant_id:
        return grant_id.split(marker, 1)[1]
    return grant_id


def _record(g: _Grant, prefix: str | None) -> GrantRecord | None:
    grant = g.grant
    programme = _first(grant, "grantProgramme")
    code = programme.get("code")
    round_id = code if isinstance(code, str) and v.SLUG.match(code) else None
    if round_id is None:
        round_id = _slug(code) if isinstance(code, str) and _slug(code) else NO_PROGRAMME
    award_id = _award_id(g.id, round_id, prefix)
    amount = g.attempt("amountAwarded", lambda: to_money(grant["amountAwarded"], field="amount"))
    awarded_on = g.attempt("awardDate", lambda: _period_start(grant["awardDate"]))
    planned = _first(grant, "plannedDates")
    start = awarded_on
    if "startDate" in planned:
        start = g.attempt("plannedDates[0].startDate", lambda: _period_start(planned["startDate"]))
    end = start
    if "endDate" in planned:
        end = g.attempt("plannedDates[0].endDate", lambda: _period_end(planned["endDate"]))
    elif "duration" in planned and start is not None:
        months = int(planned["duration"])
        end = start + relativedelta(months=months, days=-1) if months > 0 else start
    vocab_prefix = f"{prefix}-" if prefix is not None else ""
    classifications = grant.get("classifications")
    themes = {
        c["code"]
        for c in (classifications if isinstance(classifications, list) else [])
        if isinstance(c, dict)
        and isinstance(c.get("code"), str)
        and str(c.get("vocabulary", "")).startswith(vocab_prefix)
    }
    award = None
    if amount is not None and awarded_on is not None and start is not None and end is not None:
        award = g.attempt(
            "$award",
            lambda: Award(
                id=award_id,
                application_id=award_id,
                round_id=round_id,
                amount=amount,
                awarded_on=awarded_on,
                start=start,
                end=end,
                themes=frozenset(themes),
            ),
        )
    recipient_location = _first(_first(grant, "recipientOrganization"), "location")
    beneficiary = _first(grant, "beneficiaryLocation").get("name")
    district = recipient_location.get("name") or beneficiary
    organisation = _organisation(g, district)
    person = grant.get("recipientIndividual")
    recipient_id = (
        _first(grant, "recipientOrganization").get("id")
        or (person.get("id") if isinstance(person, dict) else None)
        or ""
    )
    funder = _first(grant, "fundingOrganization")
    funder_identity = g.attempt(
        "fundingOrganization[0].id",
        lambda: FunderIdentity(id=funder.get("id", ""), name=funder.get("name", "")),
    )
    if award is None or funder_identity is None or g.problems:
        return None
    applied = grant.get("amountAppliedFor")
    return GrantRecord(
        grant_id=g.id,
        award=award,
        title=grant.get("title", ""),
        description=grant.get("description", ""),
        amount_applied_for=applied if isinstance(applied, Decimal) else None,
        recipient=organisation,
        recipient_id=recipient_id,
        funder=funder_identity,
        programme_code=code if isinstance(code, str) else None,
        programme_title=programme.get("title"),
        beneficiary_district=beneficiary,
    )


def read_360giving(
    path: PathLike, *, prefix: str | None = None, as_of: date | None = None
) -> ImportedGrants:
    """Read a 360Giving JSON package or CSV sheet (standard titles) into sgfund records.

    ``prefix`` is the publisher's 360Giving prefix: with it, award ids are read back from
    ``<prefix>-<round>-<award>`` grant ids and only the publisher's own classifications become
    themes. The round id is the grant programme code (``no-programme`` if there is none).
    Raises `DataError` listing every problem, each located by grant id and field or column.
    """
    source = Path(path)
    package, rows, columns = _load(source, as_of)
    is_csv = bool(columns)
    records = []
    problems: list[GrantProblem] = []
    for i, grant in enumerate(package["grants"]):
        g = _Grant(grant, f"$.grants[{i}]", None if is_csv else str(source))
        record = _record(g, prefix)
        problems.extend(g.problems)
        if record is not None:
            records.append(record)
    if problems:
        if is_csv:
            problems = _relocate(problems, source, rows, columns)
        raise DataError(problems, f"{source}: grants that sgfund cannot read", file=str(source))
    metadata = {k: val for k, val in package.items() if k != "grants"}
    return ImportedGrants(records=tuple(records), metadata=metadata)
