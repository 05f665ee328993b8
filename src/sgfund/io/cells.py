"""Reading one cell's text as a value: money, dates, organisation types, outcomes, themes.

Each reader takes stripped, non-blank text and returns the value or raises `FieldError`
saying what was expected. Friendly names officers write (``"Registered charity"``,
``"Funded"``) are accepted from fixed lists; nothing else is guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from sgfund import _validate
from sgfund._text import bad_character
from sgfund.dates import parse_date, parse_datetime
from sgfund.decisions import AwardRoute, Outcome
from sgfund.errors import FieldError
from sgfund.io.columns import normalise_header as _key
from sgfund.money import CURRENCY, parse_money
from sgfund.organisations import OrgType
from sgfund.vocabulary import Vocabularies

__all__ = [
    "ORG_TYPE_NAMES",
    "OUTCOME_NAMES",
    "ROUTE_NAMES",
    "ThemeReader",
    "read_amount",
    "read_currency",
    "read_date",
    "read_identifier",
    "read_org_type",
    "read_outcome",
    "read_route",
    "read_submitted_at",
    "read_text",
]

# Identifiers become parts of 360Giving grant ids; no fund's reference is longer than this.
MAX_IDENTIFIER_CHARS = 200

E = TypeVar("E", OrgType, Outcome, AwardRoute)

ORG_TYPE_NAMES: dict[str, OrgType] = {
    "Registered charity": OrgType.REGISTERED_CHARITY,
    "Charity": OrgType.REGISTERED_CHARITY,
    "CIO": OrgType.CIO,
    "Charitable incorporated organisation": OrgType.CIO,
    "Charitable incorporated organization": OrgType.CIO,
    "Charitable company": OrgType.CHARITABLE_COMPANY,
    "CIC": OrgType.CIC,
    "Community interest company": OrgType.CIC,
    "CLG": OrgType.COMPANY_LIMITED_BY_GUARANTEE,
    "Company limited by guarantee": OrgType.COMPANY_LIMITED_BY_GUARANTEE,
    "Community group": OrgType.COMMUNITY_GROUP,
    "Unincorporated community group": OrgType.COMMUNITY_GROUP,
    "Unincorporated association": OrgType.COMMUNITY_GROUP,
    "Voluntary group": OrgType.COMMUNITY_GROUP,
    "Parish council": OrgType.PARISH_OR_TOWN_COUNCIL,
    "Town council": OrgType.PARISH_OR_TOWN_COUNCIL,
    "Parish or town council": OrgType.PARISH_OR_TOWN_COUNCIL,
    "Local authority": OrgType.LOCAL_AUTHORITY,
    "Statutory body": OrgType.STATUTORY_BODY,
    "Public body": OrgType.STATUTORY_BODY,
    "School": OrgType.SCHOOL,
    "Academy": OrgType.SCHOOL,
    "Individual": OrgType.INDIVIDUAL,
    "Other": OrgType.OTHER,
}

OUTCOME_NAMES: dict[str, Outcome] = {
    "Approved": Outcome.APPROVED,
    "Funded": Outcome.APPROVED,
    "Successful": Outcome.APPROVED,
    "Awarded": Outcome.APPROVED,
    "Rejected": Outcome.REJECTED,
    "Declined": Outcome.REJECTED,
    "Unsuccessful": Outcome.REJECTED,
    "Not funded": Outcome.REJECTED,
    "Withdrawn": Outcome.WITHDRAWN,
    "Deferred": Outcome.DEFERRED,
}

ROUTE_NAMES: dict[str, AwardRoute] = {
    "Competed": AwardRoute.COMPETED,
    "Competitive": AwardRoute.COMPETED,
    "Direct": AwardRoute.DIRECT,
    "Direct award": AwardRoute.DIRECT,
}


def _table(names: dict[str, E], members: list[E]) -> dict[str, E]:
    table = {_key(name): value for name, value in names.items()}
    table.update({_key(m.value): m for m in members})
    # The labels sgfund itself writes ("Police or other statutory body") read back too.
    table.update({_key(label): m for m in members if (label := getattr(m, "label", None))})
    return table


_ORG_TYPES = _table(ORG_TYPE_NAMES, list(OrgType))
_OUTCOMES = _table(OUTCOME_NAMES, list(Outcome))
_ROUTES = _table(ROUTE_NAMES, list(AwardRoute))


def _choice(text: str, table: dict[str, E], field: str, what: str) -> E:
    found = table.get(_key(text))
    if found is None:
        names = ", ".join(sorted({m.value for m in table.values()}))
        raise FieldError(field, text, f"{what}: one of {names} (or a usual name for one)")
    return found


def read_org_type(text: str, *, field: str = "organisation_type") -> OrgType:
    """An `OrgType` from its value or a usual name (see `ORG_TYPE_NAMES`), any case."""
    return _choice(text, _ORG_TYPES, field, "an organisation type")


def read_outcome(text: str, *, field: str = "outcome") -> Outcome:
    """An `Outcome` from its value or a usual name (see `OUTCOME_NAMES`), any case."""
    return _choice(text, _OUTCOMES, field, "a decision outcome")


def read_route(text: str, *, field: str = "route") -> AwardRoute:
    """An `AwardRoute` from its value or a usual name (see `ROUTE_NAMES`), any case."""
    return _choice(text, _ROUTES, field, "an award route")


def read_identifier(text: str, *, field: str) -> str:
    """An identifier as the models take it (no spaces or slashes), of at most 200 characters."""
    if len(text) > MAX_IDENTIFIER_CHARS or not _validate.IDENTIFIER.fullmatch(text):
        raise FieldError(
            field,
            text,
            "an identifier of letters, digits, '.', '_' and '-' (no spaces or slashes; "
            f"ASCII only; at most {MAX_IDENTIFIER_CHARS} characters)",
        )
    return text


def read_text(text: str, *, field: str) -> str:
    """Free text: anything but control characters (tab and line breaks are allowed)."""
    odd = bad_character(text)
    if odd is not None:
        raise FieldError(
            field,
            text,
            f"text without control characters, but it holds {odd} (tab and line "
            "breaks are allowed)",
        )
    return text


def read_currency(text: str, *, field: str = "currency") -> str:
    """The currency of a sheet's amounts: GBP (or £), since sgfund keeps money in pounds."""
    if text.strip().upper() not in (CURRENCY, "£"):
        raise FieldError(field, text, f"{CURRENCY}: sgfund keeps money in pounds sterling")
    return CURRENCY


def read_amount(text: str, *, field: str, positive: bool) -> Decimal:
    """Money through `parse_money`; more than £0.00 when ``positive``, else £0.00 or more."""
    amount = parse_money(text, field=field)
    if positive and amount <= 0:
        raise FieldError(field, text, "an amount of more than £0.00")
    if amount < 0:
        raise FieldError(field, text, "an amount of £0.00 or more")
    return amount


def read_date(text: str, *, field: str) -> date:
    """A date through `parse_date` (ISO, or UK day first; month-first dates refused)."""
    return parse_date(text, field=field)


def read_submitted_at(text: str, *, field: str = "submitted_at") -> datetime | date:
    """When an application arrived: a date and time, or a date alone.

    A date and time is London time unless an offset is given. A date alone (no ``:`` in
    the text) is returned as a ``date``: the day is known and the time is not, and no time
    is made up for it (see `sgfund.applications.Application.submitted_at`).
    """
    if ":" not in text:
        try:
            return parse_date(text, field=field)
        except FieldError as err:
            if not err.expected.startswith("a date such as"):
                raise  # a more particular reason (a US date, a two-digit year) stands
            # The cell could hold a time as well: say so, or an officer thinks it cannot.
            raise FieldError(field, err.value, f"{err.expected}{_OR_TIME}") from err
    return parse_datetime(text, field=field)


_OR_TIME = ", or a date and time such as 10/06/2022 11:59 (London time)"


class ThemeReader:
    """Reads a themes cell (``"youth-violence; Safer Streets"``) for one round.

    Items are separated by ``;``; each is a theme slug or label of the round's vocabularies,
    matched without regard to case, spaces or punctuation, after ``labels`` (a mapping
    file's ``values.themes``, keys already reduced by `normalise_header`) has translated the
    sheet's own labels. Reading turns text into slugs and nothing more: an archived theme is
    read (the ``declared-themes-known`` rule refers it at assessment); text that names no
    theme of the round cannot be read and is an error.
    """

    def __init__(self, vocabularies: Vocabularies, labels: Mapping[str, str] | None = None) -> None:
        self.round_id = vocabularies.round_id
        self.labels = dict(labels or {})
        self._known: dict[str, str] = {}
        for vocabulary in vocabularies.vocabularies:
            for theme in vocabulary.themes:
                self._known.setdefault(_key(theme.slug), theme.slug)
                self._known.setdefault(_key(theme.label), theme.slug)
        self._live = sorted(vocabularies.live_slugs)

    def read(self, text: str, *, field: str = "themes") -> tuple[frozenset[str], list[FieldError]]:
        """Return the slugs found and an error for each item that names no theme of the round."""
        slugs: set[str] = set()
        errors: list[FieldError] = []
        for item in (part.strip() for part in text.split(";")):
            if not item:
                continue
            slug = self._known.get(_key(self.labels.get(_key(item), item)))
            if slug is None:
                hint = ""
                if "," in item and all(_key(p) in self._known for p in item.split(",")):
                    hint = "; separate themes with ';', not ','"
                errors.append(
                    FieldError(
                        field,
                        item,
                        f"a theme of round {self.round_id}{hint}: one of {', '.join(self._live)}",
                    )
                )
                continue
            slugs.add(slug)
        return frozenset(slugs), errors
