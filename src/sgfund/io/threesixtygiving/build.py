"""sgfund awards as 360Giving grants and packages: one funder per package."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from attrs import frozen

from sgfund.applications import Application
from sgfund.areas import Area, Areas, beneficiary_area, recipient_area, round_areas
from sgfund.collect import SgfundPluginManager
from sgfund.dates import LONDON, months_between, require_aware
from sgfund.decisions import Award
from sgfund.errors import ExportError, Problem
from sgfund.funds import Round
from sgfund.io.threesixtygiving.checks import package_problems
from sgfund.io.threesixtygiving.problems import GrantProblem
from sgfund.io.threesixtygiving.publisher import FunderIdentity, Publisher
from sgfund.money import CURRENCY
from sgfund.organisations import Organisation, OrgType
from sgfund.postaward import Position
from sgfund.scope import Scope
from sgfund.themes import round_vocabularies
from sgfund.vocabulary import Vocabularies

__all__ = [
    "INDIVIDUAL_NAME",
    "INDIVIDUAL_TITLE",
    "FunderPackage",
    "build_package",
    "build_packages",
    "funder_slug",
    "grant_id",
    "organisation_id",
]

# 360Giving's guidance for grants to individuals: a generic title and name, nothing that
# could identify the person.
INDIVIDUAL_TITLE = "Grant to Individual Recipient"
INDIVIDUAL_NAME = "Individual Recipient"
PACKAGE_VERSION = "1.4"


@frozen(kw_only=True)
class FunderPackage:
    """One funder's 360Giving package (plain JSON-ready data; amounts are ``Decimal``)."""

    funder: FunderIdentity
    package: Mapping[str, Any]

    @property
    def grant_count(self) -> int:
        """How many grants the package holds."""
        return len(self.package["grants"])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def funder_slug(funder_id: str) -> str:
    """A funder's org-id as it appears in file names and package identifiers."""
    return _slug(funder_id)


def grant_id(publisher: Publisher, round_id: str, award_id: str) -> str:
    """The grant's 360Giving id: ``<prefix>-<round id>-<award id>``."""
    return f"{publisher.prefix}-{round_id}-{award_id}"


def organisation_id(organisation: Organisation, publisher: Publisher) -> str:
    """The recipient's org-id: from a register, else ``<prefix>-<stable key>``.

    The key is the organisation's own id if it has one, else its name and postcode, written
    in lower case with hyphens, so the same group gets the same id in every file.
    """
    registered = organisation.registered_id
    if registered is not None:
        return registered
    key = _slug(organisation.key)
    if not key:  # a name with no Latin letters or digits and no postcode
        key = "org-" + hashlib.sha256(organisation.key.encode()).hexdigest()[:12]
    return f"{publisher.prefix}-{key}"


def _as_of(as_of: date | datetime) -> tuple[date, str]:
    if isinstance(as_of, datetime):
        aware = require_aware(as_of, field="as_of")
        return aware.astimezone(LONDON).date(), aware.isoformat()
    return as_of, as_of.isoformat()


def _modified(publisher: Publisher, as_of: date | datetime) -> str | None:
    # dateModified needs a full date-time: the publisher's, else as_of's if it has a time.
    if publisher.last_modified is not None:
        return publisher.last_modified.isoformat()
    return as_of.isoformat() if isinstance(as_of, datetime) else None


@frozen
class _RoundData:
    """What plugins give a round that its grants need: theme vocabularies and areas."""

    round: Round
    vocabularies: Vocabularies
    areas: Areas


def _location(found: tuple[str, Area | None] | None) -> dict[str, Any] | None:
    # An area no plugin knows keeps its name but gets no code: a wrong code is worse than none.
    if found is None:
        return None
    name, area = found
    if area is None:
        return {"name": name}
    return {"name": area.name, "geoCode": area.code, "geoCodeType": area.code_type}


def _recipient(application: Application, data: _RoundData, publisher: Publisher) -> dict[str, Any]:
    organisation = application.organisation
    org: dict[str, Any] = {
        "id": organisation_id(organisation, publisher),
        "name": organisation.name,
    }
    if organisation.charity_number is not None:
        org["charityNumber"] = organisation.charity_number
    if organisation.company_number is not None:
        org["companyNumber"] = organisation.company_number
    if organisation.postcode is not None:
        org["postalCode"] = organisation.postcode
    location = _location(recipient_area(application, data.areas))
    if location is not None:
        org["location"] = [location]
    return org


def _classifications(
    award: Award, gid: str, data: _RoundData, publisher: Publisher
) -> tuple[list[dict[str, str]], list[Problem]]:
    """The award's final themes as classifications; a theme the round lacks is a problem."""
    problems: list[Problem] = [
        GrantProblem(p.message, grant_id=gid, field="themes", value=p.value, expected=p.expected)
        for p in data.vocabularies.theme_problems(award.themes, archived_ok=True)
    ]
    classifications = []
    for slug in sorted(award.themes):
        found = data.vocabularies.find(slug)
        if found is not None:
            vocabulary, theme = found
            classifications.append(
                {
                    "vocabulary": publisher.vocabulary_id(vocabulary.id),
                    "code": theme.slug,
                    "title": theme.label,
                }
            )
    return classifications, problems


def _grant(
    award: Award,
    application: Application,
    data: _RoundData,
    publisher: Publisher,
    modified: str | None = None,
    position: Position | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    round = data.round
    individual = application.organisation.type is OrgType.INDIVIDUAL
    gid = grant_id(publisher, round.id, award.id)
    funder = publisher.funder_for(round.era)
    grant: dict[str, Any] = {"id": gid}
    if individual:
        grant["title"] = INDIVIDUAL_TITLE
        grant["description"] = f"{INDIVIDUAL_TITLE}: {round.name}"
    else:
        grant["title"] = application.title
        grant["description"] = application.summary or application.title
    grant["currency"] = CURRENCY
    grant["amountAppliedFor"] = application.amount_requested
    end = award.end
    if position is None:
        grant["amountAwarded"] = award.amount
    else:
        # The award as currently varied, and what was paid to the grantee and not returned.
        end = position.end
        grant["amountAwarded"] = position.awarded
        if position.paid:
            grant["amountDisbursed"] = position.paid - position.recovered
    grant["awardDate"] = award.awarded_on.isoformat()
    grant["plannedDates"] = [
        {
            "startDate": award.start.isoformat(),
            "endDate": end.isoformat(),
            "duration": months_between(award.start, end),
        }
    ]
    if individual:
        # No name, no postcode, an id that says nothing about the person.
        grant["recipientIndividual"] = {
            "id": f"{publisher.prefix}-IND-{round.id}-{award.id}",
            "name": INDIVIDUAL_NAME,
        }
    else:
        grant["recipientOrganization"] = [_recipient(application, data, publisher)]
    location = _location(beneficiary_area(application, data.areas))
    if location is not None:
        grant["beneficiaryLocation"] = [location]
    grant["fundingOrganization"] = [{"id": funder.id, "name": funder.name}]
    grant["grantProgramme"] = [{"code": round.id, "title": round.name}]
    if publisher.data_source is not None:
        grant["dataSource"] = publisher.data_source
    if modified is not None:
        grant["dateModified"] = modified
    classifications, problems = _classifications(award, gid, data, publisher)
    if classifications:
        grant["classifications"] = classifications
    return grant, problems


def _rounds(scope: Scope | Iterable[Round]) -> tuple[str, str, tuple[Round, ...]]:
    if isinstance(scope, Scope):
        return scope.id, scope.label, scope.rounds
    rounds = tuple(scope)
    return "-".join(r.id for r in rounds), "; ".join(r.name for r in rounds), rounds


def build_packages(
    scope: Scope | Iterable[Round],
    applications: Iterable[Application],
    awards: Iterable[Award],
    *,
    publisher: Publisher,
    as_of: date | datetime,
    pm: SgfundPluginManager,
    anchors: Mapping[str, object] | None = None,
    post_award: Mapping[str, Position] | None = None,
) -> list[FunderPackage]:
    """Build one validated 360Giving package per funder for the awards of ``scope``.

    Each award becomes one grant, classified by the award's final themes (labels from the
    round's vocabularies) and located by the areas the plugins of ``pm`` give (each hook is
    called once per round). Every package is checked against the shipped schema (with
    formats) and the data-quality checks 360Giving calls critical; any problem in any package
    raises `ExportError` listing them all, located by grant id and JSON path.

    ``anchors`` maps a closed round's id to the anchor of its closure (`Ledger.closure_anchor`,
    or its printed form): each package lists those of its rounds in ``sgfundAnchors``, so an
    auditor can check the published anchors against the ledger file later.

    ``post_award`` (award id -> `sgfund.postaward.Position`, as ``Ledger.post_award`` gives)
    publishes each award as currently varied: ``amountAwarded`` is the current amount,
    ``plannedDates`` end at the current end, and ``amountDisbursed`` is what was paid less
    what was recovered, where payments exist. An award that came to nothing (declined, or
    withdrawn before any payment) is left out.
    """
    scope_id, label, rounds = _rounds(scope)
    by_round = {r.id: _RoundData(r, round_vocabularies(pm, r), round_areas(pm, r)) for r in rounds}
    as_of_date, issued = _as_of(as_of)
    problems: list[Problem] = _anchor_problems(anchors or {}, by_round)
    grouped = _grants_by_funder(
        awards,
        {a.id: a for a in applications},
        by_round,
        scope_id=scope_id,
        publisher=publisher,
        modified=_modified(publisher, as_of),
        positions=post_award or {},
        problems=problems,
    )
    if not grouped and not problems:
        problems.append(Problem(f"scope {scope_id} has no awards to publish", field="awards"))
    packages = []
    for funder, grants, funder_rounds in grouped.values():
        package = _package(scope_id, label, funder, grants, publisher=publisher, issued=issued)
        published = {
            rid: str(anchor)
            for rid, anchor in sorted((anchors or {}).items())
            if rid in funder_rounds
        }
        if published:
            package["sgfundAnchors"] = published
        problems.extend(package_problems(package, as_of=as_of_date))
        packages.append(FunderPackage(funder=funder, package=package))
    if problems:
        raise ExportError(problems, f"360Giving export of {scope_id} refused")
    return packages


_Grouped = dict[str, tuple[FunderIdentity, list[dict[str, Any]], set[str]]]


def _grants_by_funder(
    awards: Iterable[Award],
    by_application: Mapping[str, Application],
    by_round: Mapping[str, _RoundData],
    *,
    scope_id: str,
    publisher: Publisher,
    modified: str | None,
    positions: Mapping[str, Position],
    problems: list[Problem],
) -> _Grouped:
    """Each funder's grants (and the rounds they come from), in round and award order.

    An award that came to nothing after the award is left out; an award whose round or
    application is missing adds a problem to ``problems``, as do the grants' own.
    """
    grouped: _Grouped = {}
    for award in sorted(awards, key=lambda a: (a.round_id, a.id)):
        position = positions.get(award.id)
        if position is not None and position.awarded == 0:
            continue
        data = by_round.get(award.round_id)
        application = by_application.get(award.application_id)
        if data is None or application is None:
            missing = (
                f"round {award.round_id!r} is not in scope {scope_id}"
                if data is None
                else f"application {award.application_id!r} was not given"
            )
            problems.append(Problem(f"award {award.id}: {missing}", field="awards"))
            continue
        grant, found = _grant(award, application, data, publisher, modified, position)
        problems.extend(found)
        funder = publisher.funder_for(data.round.era)
        _, grants, rounds = grouped.setdefault(funder.id, (funder, [], set()))
        grants.append(grant)
        rounds.add(award.round_id)
    return grouped


def _package(
    scope_id: str,
    label: str,
    funder: FunderIdentity,
    grants: list[dict[str, Any]],
    *,
    publisher: Publisher,
    issued: str,
) -> dict[str, Any]:
    return {
        "version": PACKAGE_VERSION,
        "title": f"{label}: grants made by {funder.name}",
        "issued": issued,
        "identifier": f"{publisher.prefix}-{scope_id}-{_slug(funder.id)}",
        "publisher": {
            "name": publisher.name,
            **({"identifier": publisher.identifier} if publisher.identifier else {}),
            **({"website": publisher.website} if publisher.website else {}),
        },
        "license": publisher.licence,
        "grants": grants,
    }


def _anchor_problems(anchors: Mapping[str, object], rounds: Mapping[str, object]) -> list[Problem]:
    return [
        Problem(
            f"an anchor is given for round {rid!r}, which is not in the scope",
            field="anchors",
            value=rid,
            expected="anchors of the scope's rounds: " + ", ".join(sorted(rounds)),
        )
        for rid in sorted(anchors)
        if rid not in rounds
    ]


def build_package(
    scope: Scope | Iterable[Round],
    applications: Iterable[Application],
    awards: Iterable[Award],
    *,
    publisher: Publisher,
    as_of: date | datetime,
    pm: SgfundPluginManager,
    anchors: Mapping[str, object] | None = None,
    post_award: Mapping[str, Position] | None = None,
) -> FunderPackage:
    """Build the single 360Giving package of ``scope``; refuse a scope with several funders.

    360Giving files carry one funding organisation each (more is a critical data-quality
    fault): use `build_packages` to get one package per funder instead.
    """
    scope_id, _, _ = _rounds(scope)
    packages = build_packages(
        scope,
        applications,
        awards,
        publisher=publisher,
        as_of=as_of,
        pm=pm,
        anchors=anchors,
        post_award=post_award,
    )
    if len(packages) > 1:
        names = ", ".join(f"{p.funder.name} ({p.funder.id})" for p in packages)
        raise ExportError(
            [
                Problem(
                    f"scope {scope_id} has awards from {len(packages)} funders: {names}",
                    field="fundingOrganization",
                    expected="one funder per 360Giving file; export one file per funder",
                )
            ],
            f"360Giving export of {scope_id} refused: one funder per file",
        )
    return packages[0]
