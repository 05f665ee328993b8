"""Organisations that apply: their type, registration numbers, postcode and district."""

from __future__ import annotations

import enum
import re

from attrs import field, frozen

from sgfund import _validate as v
from sgfund._text import non_ascii_digit
from sgfund.errors import FieldError

__all__ = [
    "OrgType",
    "Organisation",
    "normalise_charity_number",
    "normalise_company_number",
    "normalise_postcode",
]


class OrgType(enum.StrEnum):
    """The closed list of organisation types a fund deals with."""

    REGISTERED_CHARITY = "registered-charity"
    CIO = "cio"
    CHARITABLE_COMPANY = "charitable-company"
    CIC = "cic"
    COMPANY_LIMITED_BY_GUARANTEE = "company-limited-by-guarantee"
    COMMUNITY_GROUP = "unincorporated-community-group"
    PARISH_OR_TOWN_COUNCIL = "parish-or-town-council"
    LOCAL_AUTHORITY = "local-authority"
    STATUTORY_BODY = "statutory-body"
    SCHOOL = "school"
    INDIVIDUAL = "individual"
    OTHER = "other"

    @property
    def label(self) -> str:
        """How people write the type, e.g. ``"Registered charity"`` or ``"CIC"``."""
        return _ORG_TYPE_LABELS[self]


_ORG_TYPE_LABELS = {
    OrgType.REGISTERED_CHARITY: "Registered charity",
    OrgType.CIO: "CIO",
    OrgType.CHARITABLE_COMPANY: "Charitable company",
    OrgType.CIC: "CIC",
    OrgType.COMPANY_LIMITED_BY_GUARANTEE: "Company limited by guarantee",
    OrgType.COMMUNITY_GROUP: "Unincorporated community group",
    OrgType.PARISH_OR_TOWN_COUNCIL: "Parish or town council",
    OrgType.LOCAL_AUTHORITY: "Local authority",
    OrgType.STATUTORY_BODY: "Police or other statutory body",
    OrgType.SCHOOL: "School",
    OrgType.INDIVIDUAL: "Individual",
    OrgType.OTHER: "Other",
}


_EW_CHARITY = re.compile(r"[0-9]{6,7}")
_SC_CHARITY = re.compile(r"SC[0-9]{6}")
_NI_CHARITY = re.compile(r"NIC[0-9]{6}")
_COMPANY = re.compile(r"[0-9]{8}|[A-Z]{2}[0-9]{6}")
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")


def _ascii_digits(value: str, field: str, what: str) -> None:
    odd = non_ascii_digit(value)
    if odd is not None:
        raise FieldError(field, value, f"{what} in ASCII digits 0-9 ({odd} is not one)")


def normalise_charity_number(value: str, *, field: str = "charity_number") -> str:
    """Validate and normalise a UK charity number, keeping leading zeros.

    England and Wales: 6 or 7 digits. Scotland: ``SC`` and 6 digits (``"sc 012345"`` becomes
    ``"SC012345"``). Northern Ireland: ``NIC`` and 6 digits.
    """
    _ascii_digits(value, field, "a charity number")
    cleaned = re.sub(r"[\s-]", "", value).upper()
    if any(p.fullmatch(cleaned) for p in (_EW_CHARITY, _SC_CHARITY, _NI_CHARITY)):
        return cleaned
    raise FieldError(
        field,
        value,
        "a charity number: 6-7 digits (England and Wales), SC + 6 digits (Scotland) "
        "or NIC + 6 digits (Northern Ireland)",
    )


def normalise_company_number(value: str, *, field: str = "company_number") -> str:
    """Validate and normalise a Companies House number to its 8 characters.

    Spreadsheets drop leading zeros, so 6 or 7 digits are padded back to 8. A two-letter
    prefix (SC, NI, OC, CE, ...) is followed by 6 digits.
    """
    _ascii_digits(value, field, "a company number")
    cleaned = re.sub(r"\s", "", value).upper()
    if cleaned.isascii() and cleaned.isdigit() and 6 <= len(cleaned) < 8:
        cleaned = cleaned.zfill(8)
    if _COMPANY.fullmatch(cleaned):
        return cleaned
    raise FieldError(
        field, value, "a company number of 8 characters: 8 digits, or 2 letters and 6 digits"
    )


def normalise_postcode(value: str, *, field: str = "postcode") -> str:
    """Validate a UK postcode and write it the standard way, e.g. ``"SW1A 1AA"``."""
    _ascii_digits(value, field, "a postcode")
    cleaned = re.sub(r"\s+", "", value).upper()
    match = _POSTCODE.fullmatch(cleaned)
    if match is None:
        raise FieldError(field, value, "a UK postcode such as SW1A 1AA")
    return f"{match[1]} {match[2]}"


def _charity(value: str | None) -> str | None:
    value = v.optional_stripped(value)
    return None if value is None else normalise_charity_number(value)


def _company(value: str | None) -> str | None:
    value = v.optional_stripped(value)
    return None if value is None else normalise_company_number(value)


def _postcode(value: str | None) -> str | None:
    value = v.optional_stripped(value)
    return None if value is None else normalise_postcode(value)


@frozen(kw_only=True)
class Organisation:
    """An applicant organisation.

    ``id`` is the fund's own reference when it has one; `key` gives a stable identity
    either way (registered number first, then the name and postcode).
    """

    name: str = field(converter=v.stripped, validator=v.text)
    type: OrgType = field(converter=OrgType)
    id: str | None = field(default=None, converter=v.optional_stripped)
    charity_number: str | None = field(default=None, converter=_charity)
    company_number: str | None = field(default=None, converter=_company)
    postcode: str | None = field(default=None, converter=_postcode)
    district: str | None = field(default=None, converter=v.optional_stripped)

    def __attrs_post_init__(self) -> None:
        if self.id is not None and not v.IDENTIFIER.fullmatch(self.id):
            raise FieldError("id", self.id, "an identifier without spaces or slashes")

    @property
    def postcode_district(self) -> str | None:
        """The outward part of the postcode, e.g. ``"SW1A"`` for ``"SW1A 1AA"``."""
        return None if self.postcode is None else self.postcode.split(" ")[0]

    @property
    def registered_id(self) -> str | None:
        """An org-id from a register (GB-CHC, GB-SC, GB-NIC, GB-COH), or None if unregistered."""
        number = self.charity_number
        if number is not None:
            if number.startswith("SC"):
                return f"GB-SC-{number}"
            if number.startswith("NIC"):
                return f"GB-NIC-{number[3:]}"
            return f"GB-CHC-{number}"
        if self.company_number is not None:
            return f"GB-COH-{self.company_number}"
        return None

    @property
    def key(self) -> str:
        """Who this organisation is, for spotting the same applicant twice."""
        if self.id is not None:
            return self.id
        registered = self.registered_id
        if registered is not None:
            return registered
        name = re.sub(r"[^a-z0-9]+", " ", self.name.lower()).strip()
        return f"{name}|{self.postcode or ''}"
