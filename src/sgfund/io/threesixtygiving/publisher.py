"""Who publishes a 360Giving file: prefix, name, licence and funder identities.

Area codes (``geoCode``/``geoCodeType``) come from plugins (`sgfund.areas.round_areas`), not
from the publisher.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.dates import require_aware
from sgfund.errors import FieldError
from sgfund.funds import Era

__all__ = ["CC_BY_4", "FunderIdentity", "Publisher"]

CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"


@frozen(kw_only=True)
class FunderIdentity:
    """The funding organisation as it appears in open data: org-id and name."""

    id: str = field(validator=v.identifier)
    name: str = field(converter=v.stripped, validator=v.text)


def _funders(values: Mapping[str, FunderIdentity]) -> Mapping[str, FunderIdentity]:
    return MappingProxyType(dict(values))


_URL = re.compile(r"\Ahttps?://\S+\Z")


def _optional_url(_inst: object, attribute: object, value: str | None) -> None:
    if value is not None and not _URL.match(value):
        raise FieldError(getattr(attribute, "name", "url"), value, "an http(s) URL")


def _optional_aware(_inst: object, attribute: object, value: datetime | None) -> None:
    if value is not None:
        if not isinstance(value, datetime):
            raise FieldError("last_modified", value, "an aware datetime")
        require_aware(value, field="last_modified")


def _url(_inst: object, attribute: object, value: str) -> None:
    if not _URL.match(value):
        raise FieldError(getattr(attribute, "name", "url"), value, "an http(s) URL")


@frozen(kw_only=True, eq=False)
class Publisher:
    """The publisher of 360Giving files and the identities it publishes under.

    ``prefix`` is the publisher's 360Giving prefix (``"360G-wyca"``): grant ids are
    ``<prefix>-<round id>-<award id>``. ``funders`` maps an era id to the funder identity to
    publish for that era, overriding ``Era.funder_id``/``funder_name``. ``data_source`` and
    ``last_modified`` fill each grant's ``dataSource`` and ``dateModified``.
    """

    prefix: str = field(validator=v.identifier)
    name: str = field(converter=v.stripped, validator=v.text)
    website: str | None = field(default=None, validator=_optional_url)
    identifier: str | None = field(default=None)
    licence: str = field(default=CC_BY_4, validator=_url)
    funders: Mapping[str, FunderIdentity] = field(factory=dict, converter=_funders)
    data_source: str | None = field(default=None, validator=_optional_url)
    last_modified: datetime | None = field(default=None, validator=_optional_aware)

    def funder_for(self, era: Era) -> FunderIdentity:
        """The funder to publish for ``era``: the configured one, else the era's own."""
        found = self.funders.get(era.id)
        if found is not None:
            return found
        return FunderIdentity(id=era.funder_id, name=era.funder_name)

    def vocabulary_id(self, vocabulary_id: str) -> str:
        """The classification vocabulary id for one of the fund's theme vocabularies."""
        return f"{self.prefix}-{vocabulary_id}"
