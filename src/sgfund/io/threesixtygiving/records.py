"""One 360Giving grant into an sgfund record, with every problem and oddity of the grant.

Strict reading (sgfund's own exports) makes every oddity a problem. Lenient reading (other
publishers' data) keeps what the standard allows but sgfund's models would not (a postcode or
charity number from outside the UK, an amount with a float artefact) and reports each as a
warning located by grant id and JSON path; only what makes an award impossible is a problem.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from attrs import frozen
from dateutil.relativedelta import relativedelta

from sgfund import _validate as v
from sgfund.decisions import Award
from sgfund.errors import FieldError, MoneyTypeError
from sgfund.io.threesixtygiving.problems import GrantProblem
from sgfund.io.threesixtygiving.publisher import FunderIdentity
from sgfund.money import CURRENCY, round_money, to_money
from sgfund.organisations import (
    Organisation,
    OrgType,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)

__all__ = ["AMOUNT_FIELDS", "NO_PROGRAMME", "GrantRecord", "grant_record"]

T = TypeVar("T")
NO_PROGRAMME = "no-programme"
# Money fields of a grant; each is read exactly (never through float).
AMOUNT_FIELDS = ("amountAppliedFor", "amountAwarded", "amountDisbursed")
_REGISTERS = (("GB-CHC-", "charity"), ("GB-SC-", "charity"), ("GB-NIC-", "charity"))
_FULL_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})")
_YEAR_MONTH = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?")
_NOT_ID = re.compile(r"[^A-Za-z0-9._-]+")


@frozen(kw_only=True)
class GrantRecord:
    """One imported grant: the sgfund `Award` and what 360Giving says around it.

    ``recipient`` is None for a grant to an individual; its registered numbers and postcode
    are those sgfund can read as UK ones (others stay in ``data`` as given).
    ``award.application_id`` is the award id, since 360Giving carries no application
    reference. ``data`` is the grant as read, amounts as exact ``Decimal`` (rounded to the
    penny where a warning said so): what a re-export writes.
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
    data: Mapping[str, Any]


def _first(grant: Mapping[str, Any], key: str) -> dict[str, Any]:
    items = grant.get(key)
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0]
    return {}


def _period_start(text: str) -> date:
    match = _YEAR_MONTH.fullmatch(text)
    if match:
        return date(int(match[1]), int(match[2] or 1), 1)
    found = _FULL_DATE.match(text)
    if found is None:
        raise FieldError("date", text, "a date such as 2022-06-10")
    return date.fromisoformat(found[1])


def _period_end(text: str) -> date:
    match = _YEAR_MONTH.fullmatch(text)
    if match:
        start = date(int(match[1]), int(match[2] or 1), 1)
        return start + relativedelta(months=1 if match[2] else 12, days=-1)
    return _period_start(text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


_AWARD_FIELDS = {
    "id": "id",
    "application_id": "id",
    "round_id": "grantProgramme[0].code",
    "amount": "amountAwarded",
    "awarded_on": "awardDate",
    "start": "plannedDates[0].startDate",
    "end": "plannedDates[0].endDate",
}


class _Grant:
    """Collects problems and warnings while one grant is turned into a record."""

    def __init__(
        self, grant: Mapping[str, Any], path: str, file: str | None, *, lenient: bool
    ) -> None:
        self.grant = grant
        self.data: dict[str, Any] = copy.deepcopy(dict(grant))
        self.path = path
        self.file = file
        self.lenient = lenient
        raw_id = grant.get("id")
        self.id = raw_id if isinstance(raw_id, str) else None
        self.problems: list[GrantProblem] = []
        self.warnings: list[GrantProblem] = []

    def _located(
        self, message: str, where: str, value: object, expected: str | None
    ) -> GrantProblem:
        return GrantProblem(
            message,
            grant_id=self.id,
            file=self.file,
            field=f"{self.path}.{where}",
            value=value,
            expected=expected,
        )

    def problem(self, message: str, where: str, value: object, expected: str | None) -> None:
        self.problems.append(self._located(message, where, value, expected))

    def oddity(self, message: str, where: str, value: object, expected: str | None) -> None:
        """Something the standard allows and sgfund's models do not: kept, with a warning."""
        found = self._located(message, where, value, expected)
        (self.warnings if self.lenient else self.problems).append(found)

    def attempt(self, where: str, make: Callable[[], T]) -> T | None:
        try:
            return make()
        except (FieldError, MoneyTypeError, ValueError, TypeError, OverflowError) as err:
            inner = getattr(err, "field", None)
            at = _AWARD_FIELDS.get(inner or "", where) if where == "$award" else where
            self.problem(str(err), at, getattr(err, "value", None), getattr(err, "expected", None))
            return None

    def amount(self, key: str) -> Decimal | None:
        """An amount read exactly; a float artefact is rounded to the penny (lenient)."""
        value = self.grant.get(key)
        if value is None or isinstance(value, bool) or not isinstance(value, int | Decimal):
            return None
        exact = Decimal(value)
        if exact.is_finite():
            rounded = round_money(exact) if abs(exact) < Decimal("1e15") else exact
            if rounded != exact:
                self.oddity(
                    f"{key} {value} is not whole pence; read as {rounded}",
                    key,
                    value,
                    "an amount in whole pence",
                )
                if not self.lenient:
                    return None
                self.data[key] = rounded
                exact = rounded
        return self.attempt(key, lambda: to_money(exact, field=key))


def _registered(org: Mapping[str, Any], base: str) -> list[tuple[str, str, str]]:
    """(field, value, JSON path) of the registered numbers a recipient gives."""
    found = []
    org_id = str(org.get("id", ""))
    charity = org.get("charityNumber")
    if isinstance(charity, str) and charity.strip():
        found.append(("charity_number", charity, f"{base}.charityNumber"))
    else:
        for prefix, _ in _REGISTERS:
            if org_id.startswith(prefix):
                number = org_id.removeprefix(prefix)
                number = f"NIC{number}" if prefix == "GB-NIC-" else number
                found.append(("charity_number", number, f"{base}.id"))
    company = org.get("companyNumber")
    if isinstance(company, str) and company.strip():
        found.append(("company_number", company, f"{base}.companyNumber"))
    elif org_id.startswith("GB-COH-"):
        found.append(("company_number", org_id.removeprefix("GB-COH-"), f"{base}.id"))
    postcode = org.get("postalCode")
    if isinstance(postcode, str) and postcode.strip():
        found.append(("postcode", postcode, f"{base}.postalCode"))
    return found


_NORMALISE = {
    "charity_number": normalise_charity_number,
    "company_number": normalise_company_number,
    "postcode": normalise_postcode,
}


def _organisation(g: _Grant, district: str | None) -> Organisation | None:
    org = _first(g.grant, "recipientOrganization")
    if not org:
        return None
    base = "recipientOrganization[0]"
    found = _registered(org, base)
    fields = {name: value for name, value, _ in found}
    kind = org.get("organisationType")
    org_type = OrgType(kind) if kind in {t.value for t in OrgType} else OrgType.OTHER

    def build() -> Organisation:
        return Organisation(name=org.get("name", ""), type=org_type, district=district, **fields)

    # The model normalises each number and postcode once; only a recipient it refuses has
    # them checked one by one, to report (and leave out) each one that is not a UK one.
    try:
        return build()
    except FieldError:
        pass
    for name, value, where in found:
        try:
            _NORMALISE[name](value, field=name)
        except FieldError as err:
            del fields[name]
            what = name.replace("_", " ")
            g.oddity(
                f"{value!r} is not a UK {what} ({err.expected}); kept as given",
                where,
                value,
                err.expected,
            )
    return g.attempt(f"{base}.name", build)


def _award_id(g: _Grant, round_id: str, prefix: str | None) -> str:
    grant_id = g.id or ""
    heads = (f"{prefix}-{round_id}-", f"{prefix}-") if prefix is not None else ()
    head = next((h for h in heads if grant_id.startswith(h) and len(grant_id) > len(h)), None)
    if head is not None:
        found = grant_id.removeprefix(head)
    elif f"-{round_id}-" in grant_id:
        found = grant_id.split(f"-{round_id}-", 1)[1]
    else:
        found = grant_id
    if v.IDENTIFIER.match(found) or not g.lenient:
        return found
    safe = _NOT_ID.sub("-", found).strip("-._") or "grant"
    g.warnings.append(
        g._located(
            f"the grant id has characters an sgfund award id cannot hold; the award id is {safe!r}",
            "id",
            grant_id,
            "letters, digits, '.', '_' and '-'",
        )
    )
    return safe


def _dates(g: _Grant, awarded_on: date | None) -> tuple[date | None, date | None]:
    planned = _first(g.grant, "plannedDates")
    where = "plannedDates[0]"
    start = awarded_on
    if "startDate" in planned:
        start = g.attempt(f"{where}.startDate", lambda: _period_start(planned["startDate"]))
    end = start
    if "endDate" in planned:
        end = g.attempt(f"{where}.endDate", lambda: _period_end(planned["endDate"]))
    elif "duration" in planned and start is not None:
        first = start

        def by_duration() -> date:
            months = int(planned["duration"])
            return first + relativedelta(months=months, days=-1) if months > 0 else first

        end = g.attempt(f"{where}.duration", by_duration)
    return start, end


def _themes(grant: Mapping[str, Any], prefix: str | None) -> frozenset[str]:
    vocab_prefix = f"{prefix}-" if prefix is not None else ""
    classifications = grant.get("classifications")
    return frozenset(
        c["code"]
        for c in (classifications if isinstance(classifications, list) else [])
        if isinstance(c, dict)
        and isinstance(c.get("code"), str)
        and v.SLUG.match(c["code"])
        and str(c.get("vocabulary", "")).startswith(vocab_prefix)
    )


def _check_currency(g: _Grant) -> None:
    # An award is money in pounds: a grant in dollars or euros read as an award would be
    # added into the total as if it were pounds, so it is left out, saying why.
    currency = g.grant.get("currency")
    if isinstance(currency, str) and currency != CURRENCY:  # a missing one fails the schema
        g.problem(
            f"the grant is in {currency!r}, not {CURRENCY}: sgfund's awards and totals are in "
            "pounds sterling, so a grant in another currency is left out rather than added "
            "as if it were pounds",
            "currency",
            currency,
            CURRENCY,
        )


def grant_record(
    grant: Mapping[str, Any],
    path: str,
    file: str | None,
    *,
    prefix: str | None,
    lenient: bool,
) -> tuple[GrantRecord | None, list[GrantProblem], list[GrantProblem]]:
    """Turn one grant into a record; return it (None if it cannot be one), problems, warnings.

    Every problem of the grant is found, not only the first.
    """
    g = _Grant(grant, path, file, lenient=lenient)
    programme = _first(grant, "grantProgramme")
    code = programme.get("code")
    round_id = code if isinstance(code, str) and v.SLUG.match(code) else None
    if round_id is None:
        round_id = _slug(code) if isinstance(code, str) and _slug(code) else NO_PROGRAMME
    award_id = _award_id(g, round_id, prefix)
    _check_currency(g)
    amounts = {key: g.amount(key) for key in AMOUNT_FIELDS}
    awarded_on = g.attempt("awardDate", lambda: _period_start(grant["awardDate"]))
    start, end = _dates(g, awarded_on)
    award = None
    amount = amounts["amountAwarded"]
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
                themes=_themes(grant, prefix),
            ),
        )
    recipient_location = _first(_first(grant, "recipientOrganization"), "location")
    beneficiary = _first(grant, "beneficiaryLocation").get("name")
    organisation = _organisation(g, recipient_location.get("name") or beneficiary)
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
    if award is None or funder_identity is None or g.problems or g.id is None:
        return None, g.problems, g.warnings
    record = GrantRecord(
        grant_id=g.id,
        award=award,
        title=grant.get("title", ""),
        description=grant.get("description", ""),
        amount_applied_for=amounts["amountAppliedFor"],
        recipient=organisation,
        recipient_id=recipient_id,
        funder=funder_identity,
        programme_code=code if isinstance(code, str) else None,
        programme_title=programme.get("title"),
        beneficiary_district=beneficiary,
        data=g.data,
    )
    return record, g.problems, g.warnings
