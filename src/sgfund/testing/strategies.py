"""Hypothesis strategies for every sgfund model, valid by construction.

Plugin authors reuse these to property-test their rules. Money never comes from floats:
amounts are drawn as whole pence and turned into ``Decimal``. Places are made up
(`DISTRICTS`, with postcodes to match); rounds name no theme vocabulary unless given
``vocabulary_ids``, and applications declare themes only from the ``themes`` they are given.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from sgfund.applications import Application
from sgfund.closure import RoundRecords
from sgfund.dates import LONDON
from sgfund.decisions import Award, AwardRoute, Decision, Outcome
from sgfund.funds import DEFAULT_ELIGIBLE_TYPES, Era, Fund, Round
from sgfund.money import CENT
from sgfund.organisations import Organisation, OrgType
from sgfund.scope import DeclaredFigure, Figure, Precision, Scope
from sgfund.themes import FinalThemes
from sgfund.types import ThemeSource
from sgfund.vocabulary import Theme, ThemeVocabulary

__all__ = [
    "DISTRICTS",
    "applications",
    "awards",
    "decisions",
    "eras",
    "funded_rounds",
    "funds",
    "london_datetimes",
    "money",
    "organisations",
    "postcodes",
    "round_records",
    "rounds",
    "slugs",
    "themes",
    "vocabularies",
]

# Made-up districts, each with postcode areas of its own, so a postcode says its district.
DISTRICTS = ("Eastmoor", "Northgate", "Riverside", "Southvale", "Westbrook")
_AREAS = {
    "Eastmoor": "EM",
    "Northgate": "NG",
    "Riverside": "RV",
    "Southvale": "SV",
    "Westbrook": "WB",
}

slugs = st.from_regex(r"\A[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}\Z")
identifiers = st.from_regex(r"\A[A-Z]{2,4}-[0-9]{1,6}\Z")
_words = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F),
    min_size=1,
    max_size=12,
)
names = st.lists(_words, min_size=1, max_size=5).map(" ".join)


def money(
    min_value: Decimal | int = Decimal("0.01"), max_value: Decimal | int = Decimal("10000.00")
) -> st.SearchStrategy[Decimal]:
    """Two-place ``Decimal`` amounts between the bounds, from whole pence (never floats)."""
    low = int(Decimal(min_value) / CENT)
    high = int(Decimal(max_value) / CENT)
    return st.integers(low, high).map(lambda p: (Decimal(p) * CENT).quantize(CENT))


def london_datetimes(
    min_value: datetime = datetime(2014, 1, 1),  # noqa: DTZ001 - bounds are naive by hypothesis' rule
    max_value: datetime = datetime(2030, 12, 31),  # noqa: DTZ001
) -> st.SearchStrategy[datetime]:
    """Aware Europe/London datetimes to the minute, on both sides of clock changes."""
    # Through UTC and back, so times in the spring gap become real London times.
    return st.datetimes(min_value, max_value, timezones=st.just(LONDON)).map(
        lambda d: d.replace(second=0, microsecond=0).astimezone(UTC).astimezone(LONDON)
    )


@st.composite
def postcodes(draw: st.DrawFn, district: str | None = None) -> str:
    """Well-formed postcodes of the made-up `DISTRICTS`, optionally for one district."""
    area = _AREAS[district] if district else draw(st.sampled_from(sorted(_AREAS.values())))
    number = draw(st.integers(1, 29))
    inward = draw(st.integers(0, 9))
    letters = draw(st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2))
    return f"{area}{number} {inward}{letters}"


def themes() -> st.SearchStrategy[Theme]:
    """Single themes with valid slugs."""
    return st.builds(Theme, slug=slugs, label=names, archived=st.just(False))


@st.composite
def vocabularies(draw: st.DrawFn) -> ThemeVocabulary:
    """Vocabularies of one to eight distinct themes."""
    theme_list = draw(st.lists(themes(), min_size=1, max_size=8, unique_by=lambda t: t.slug))
    return ThemeVocabulary(
        id=draw(slugs), label=draw(names), version=str(draw(st.integers(1, 9))), themes=theme_list
    )


def funds() -> st.SearchStrategy[Fund]:
    """Funds with slug ids."""
    return st.builds(Fund, id=slugs, name=names)


@st.composite
def eras(draw: st.DrawFn) -> Era:
    """Funder eras with a start and maybe an end."""
    start = draw(st.dates(date(2014, 1, 1), date(2025, 12, 31)))
    end = draw(st.none() | st.just(start + relativedelta(years=draw(st.integers(1, 8)))))
    return Era(
        id=draw(slugs),
        funder_id=f"GB-GOR-{draw(st.integers(1, 99999)):05d}",
        funder_name=draw(names),
        start=start,
        end=end,
    )


@st.composite
def rounds(
    draw: st.DrawFn, *, vocabulary_ids: Sequence[str] = (), round_id: str | None = None
) -> Round:
    """Rounds with a window of 1 to 90 days and money limits that make sense together.

    They name the theme vocabularies ``vocabulary_ids`` (none by default).
    """
    opens_at = draw(london_datetimes(max_value=datetime(2029, 1, 1)))  # noqa: DTZ001
    closes_at = (
        (opens_at + timedelta(days=draw(st.integers(1, 90)))).astimezone(UTC).astimezone(LONDON)
    )
    max_grant = draw(money(Decimal(1000), Decimal(10000)))
    min_grant = draw(st.sampled_from([Decimal("0.00"), Decimal("250.00"), Decimal("500.00")]))
    return Round(
        id=round_id or draw(slugs),
        name=draw(names),
        fund_id="scf",
        era=draw(eras()),
        opens_at=opens_at,
        closes_at=closes_at,
        advertised_pot=draw(st.none() | money(Decimal(10000), Decimal(1000000))),
        min_grant=min_grant,
        max_grant=max_grant,
        max_project_months=draw(st.sampled_from([6, 12, 18, 24])),
        eligible_org_types=DEFAULT_ELIGIBLE_TYPES,
        theme_vocabularies=tuple(vocabulary_ids),
        area=draw(st.none() | st.sampled_from(DISTRICTS)),
    )


@st.composite
def organisations(
    draw: st.DrawFn, *, types: st.SearchStrategy[OrgType] | None = None
) -> Organisation:
    """Organisations with numbers that fit their type and a district with a matching postcode."""
    org_type = draw(
        types
        if types is not None
        else st.sampled_from([t for t in OrgType if t is not OrgType.INDIVIDUAL])
    )
    charity = company = None
    if org_type in {OrgType.REGISTERED_CHARITY, OrgType.CIO, OrgType.CHARITABLE_COMPANY}:
        charity = draw(st.from_regex(r"\A(?:[1-9][0-9]{5,6}|SC0[0-9]{5}|NIC1[0-9]{5})\Z"))
    if org_type in {OrgType.CHARITABLE_COMPANY, OrgType.CIC, OrgType.COMPANY_LIMITED_BY_GUARANTEE}:
        company = draw(st.from_regex(r"\A(?:0[0-9]{7}|SC[0-9]{6})\Z"))
    district = draw(st.sampled_from(DISTRICTS))
    return Organisation(
        name=draw(names),
        type=org_type,
        charity_number=charity,
        company_number=company,
        postcode=draw(postcodes(district)),
        district=district,
    )


@st.composite
def applications(
    draw: st.DrawFn,
    round: Round | None = None,
    *,
    application_id: str | None = None,
    themes: Collection[str] = (),
    max_themes: int = 3,
) -> Application:
    """Applications that fit ``round`` (one is drawn if not given): in its window and limits.

    Declared themes are drawn from ``themes`` (slugs; none if empty).
    """
    rnd = round if round is not None else draw(rounds())
    ceiling = rnd.max_grant if rnd.max_grant is not None else Decimal(10000)
    amount = draw(money(max(rnd.min_grant, Decimal("1.00")), ceiling))
    window = rnd.closes_at - rnd.opens_at
    seconds = draw(st.integers(0, int(window.total_seconds()) - 1))
    submitted = (rnd.opens_at + timedelta(seconds=seconds)).astimezone(UTC).astimezone(LONDON)
    start = submitted.date() + relativedelta(months=draw(st.integers(1, 4)))
    months = draw(st.integers(1, rnd.max_project_months))
    end = start + relativedelta(months=months) - relativedelta(days=1)
    declared = draw(_themes_from(themes, max_themes))
    return Application(
        id=application_id or draw(identifiers),
        round_id=rnd.id,
        organisation=draw(organisations()),
        title=draw(names),
        summary=draw(names),
        amount_requested=amount,
        project_start=start,
        project_end=end,
        submitted_at=submitted,
        declared_themes=declared,
    )


def _themes_from(themes: Collection[str], max_size: int) -> st.SearchStrategy[frozenset[str]]:
    if not themes:
        return st.just(frozenset())
    return st.frozensets(st.sampled_from(sorted(themes)), max_size=max_size)


@st.composite
def decisions(draw: st.DrawFn, application: Application | None = None) -> Decision:
    """Decisions on ``application`` (or a made-up id), approved ones for at most the request."""
    app = application if application is not None else draw(applications())
    outcome = draw(st.sampled_from(list(Outcome)))
    amount = (
        draw(money(Decimal("0.01"), app.amount_requested))
        if outcome is Outcome.APPROVED
        else Decimal("0.00")
    )
    route = (
        draw(st.sampled_from(list(AwardRoute)))
        if outcome is Outcome.APPROVED
        else AwardRoute.COMPETED
    )
    return Decision(
        application_id=app.id,
        outcome=outcome,
        decided_on=app.submitted_on + timedelta(days=draw(st.integers(1, 120))),
        decided_by=draw(names),
        amount_awarded=amount,
        route=route,
        justification=draw(names) if route is AwardRoute.DIRECT else None,
        reasons=draw(st.just("") | names),
    )


@st.composite
def awards(draw: st.DrawFn, application: Application | None = None) -> Award:
    """Awards made from an approved decision on ``application``, with its declared themes."""
    app = application if application is not None else draw(applications())
    amount = draw(money(Decimal("0.01"), app.amount_requested))
    decision = Decision(
        application_id=app.id,
        outcome=Outcome.APPROVED,
        decided_on=app.submitted_on + timedelta(days=draw(st.integers(1, 120))),
        decided_by="officer",
        amount_awarded=amount,
    )
    return Award.from_decision(decision, app, themes=_declared(app))


def _declared(app: Application) -> FinalThemes:
    return FinalThemes(themes=app.declared_themes, source=ThemeSource.DECLARED)


@st.composite
def round_records(
    draw: st.DrawFn,
    round: Round | None = None,
    *,
    max_applications: int = 15,
    round_id: str | None = None,
    themes: Collection[str] = (),
) -> RoundRecords:
    """A whole decided round: applications, one final decision each, an award per approval.

    Approved amounts never exceed the request or the round's maximum; awards carry up to four
    of ``themes``, about half of them several. Every application id is unique in the round.
    """
    rnd = round if round is not None else draw(rounds(round_id=round_id))
    count = draw(st.integers(1, max_applications))
    apps: list[Application] = []
    decided: list[Decision] = []
    granted: list[Award] = []
    for i in range(count):
        app = draw(applications(rnd, application_id=f"{rnd.id.upper()}-{i + 1:04d}", themes=themes))
        apps.append(app)
        approve = draw(st.booleans())
        decided_on = app.submitted_on + timedelta(days=draw(st.integers(1, 120)))
        if approve:
            amount = draw(money(Decimal("0.01"), app.amount_requested))
            decision = Decision(
                application_id=app.id,
                outcome=Outcome.APPROVED,
                decided_on=decided_on,
                decided_by="panel",
                amount_awarded=amount,
            )
            final = FinalThemes(themes=draw(_themes_from(themes, 4)), source=ThemeSource.CLASSIFIER)
            granted.append(Award.from_decision(decision, app, award_id=f"{app.id}-A", themes=final))
        else:
            decision = Decision(
                application_id=app.id,
                outcome=draw(st.sampled_from([Outcome.REJECTED, Outcome.WITHDRAWN])),
                decided_on=decided_on,
                decided_by="panel",
            )
        decided.append(decision)
    return RoundRecords(round=rnd, applications=apps, decisions=decided, awards=granted)


@st.composite
def funded_rounds(
    draw: st.DrawFn,
    round: Round | None = None,
    *,
    min_awards: int = 1,
    max_awards: int = 6,
    themes: Collection[str] = (),
) -> RoundRecords:
    """A round with applications (unique ids) and one award for each: consistent by construction.

    Awards come from approved decisions, so their ids are their applications' ids, their themes
    are the declared ones (from ``themes``) and their dates follow the round's window.
    """
    rnd = round if round is not None else draw(rounds())
    ids = draw(st.lists(identifiers, min_size=min_awards, max_size=max_awards, unique=True))
    apps = [draw(applications(rnd, application_id=app_id, themes=themes)) for app_id in ids]
    return RoundRecords(round=rnd, applications=apps, awards=[draw(awards(app)) for app in apps])


# Strategies for plugin authors: applications that may break a round's rules, batches of them,
# and whole rounds with awards and the figures declared for them.

_ASSESSMENT_STRATEGIES = (
    "application_batches",
    "as_of_dates",
    "rounds_with_declared_totals",
    "wild_applications",
)


@st.composite
def wild_applications(
    draw: st.DrawFn,
    round: Round,
    *,
    application_id: str | None = None,
    themes: Collection[str] = (),
) -> Application:
    """Applications to ``round`` that may break its rules, yet are valid models.

    Some ask for more than the maximum grant or less than the minimum, arrive late or early,
    run too long, come from individuals, miss their summary, or declare unknown themes (beside
    any drawn from ``themes``).
    """
    app = draw(applications(round, application_id=application_id, themes=themes))
    changes: dict[str, object] = {}
    if draw(st.booleans()):
        changes["amount_requested"] = draw(money(Decimal("0.01"), Decimal("20000.00")))
    if draw(st.booleans()):
        changes["submitted_at"] = round.closes_at + timedelta(
            minutes=draw(st.integers(-100_000, 100_000))
        )
    if draw(st.booleans()):
        end = app.project_start + relativedelta(months=draw(st.integers(1, 36)))
        changes["project_end"] = end
    if draw(st.booleans()):
        changes["organisation"] = draw(organisations(types=st.sampled_from(list(OrgType))))
    if draw(st.booleans()):
        changes["summary"] = draw(st.just("") | names)
    if draw(st.booleans()):
        changes["declared_themes"] = draw(st.sets(slugs, max_size=2)) | app.declared_themes
    if not changes:
        return app
    return attrs.evolve(app, **changes)  # type: ignore[arg-type]


@st.composite
def application_batches(
    draw: st.DrawFn,
    round: Round,
    *,
    min_size: int = 0,
    max_size: int = 12,
    wild: bool = True,
    themes: Collection[str] = (),
) -> list[Application]:
    """Batches of applications to ``round`` with distinct ids, declaring some of ``themes``.

    With ``wild`` (the default) applications may break the round's rules, and the same
    organisation sometimes applies twice.
    """
    size = draw(st.integers(min_size, max_size))
    make = wild_applications if wild else applications
    batch = [draw(make(round, application_id=f"APP-{i + 1}", themes=themes)) for i in range(size)]
    if wild and len(batch) >= 2 and draw(st.booleans()):
        batch[-1] = attrs.evolve(batch[-1], organisation=batch[0].organisation)
    return batch


def as_of_dates(round: Round) -> st.SearchStrategy[date]:
    """Assessment dates from the round's closing day to four months after."""
    closed = round.closes_at.astimezone(LONDON).date()
    return st.integers(0, 120).map(lambda days: closed + timedelta(days=days))


@st.composite
def rounds_with_declared_totals(
    draw: st.DrawFn, *, max_awards: int = 12
) -> tuple[Scope, tuple[Application, ...], tuple[Award, ...]]:
    """A one-round scope, its applications, its awards, and the exact count and total declared.

    The declared figures agree with the awards, so a reconciliation check should report no
    error; change one to test that it does.
    """
    rnd = draw(rounds())
    apps = draw(application_batches(rnd, min_size=1, max_size=max_awards, wild=False))
    funded = draw(st.lists(st.sampled_from(apps), unique_by=lambda a: a.id, max_size=len(apps)))
    award_list = tuple(draw(awards(app)) for app in funded)
    total = sum((a.amount for a in award_list), start=Decimal("0.00"))
    declared = (
        DeclaredFigure(
            figure=Figure.PROJECTS,
            value=len(award_list),
            precision=Precision.EXACT,
            published_text=f"{len(award_list)} projects",
        ),
        DeclaredFigure(
            figure=Figure.TOTAL_AWARDED,
            value=total,
            precision=Precision.EXACT,
            published_text=f"£{total:,}",
        ),
    )
    scope = Scope(id=f"{rnd.id}-scope", label=rnd.name, rounds=(rnd,), declared=declared)
    return scope, tuple(apps), award_list


__all__ += _ASSESSMENT_STRATEGIES
