"""Example data: West Yorkshire's Safer Communities Fund, its eras, rounds and sample records.

This is sgfund's one module of regional example data, for the demo, the examples and sgfund's
own tests; nothing in the library defaults to it. Its rounds name the theme vocabulary
``wy-safeguarding``, which the ``sgfund-westyorkshire`` plugin gives (as it gives the
districts and their codes), so use them with a plugin manager that has that plugin:
``make_plugin_manager(entry_points=ENTRY_POINTS)``.

Figures come from the fund's published rounds. Funder ids are placeholders under the
``XI-SGFUND`` prefix until a publisher sets its real org-ids.

The same fund as files an officer would recognise (a fund file, sheets, a demo plan) is in
`example_dir`; `load_demo_plan` reads its plan.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from sgfund.applications import Application
from sgfund.dates import LONDON, london
from sgfund.decisions import Award, Decision, Outcome
from sgfund.demoplan import DemoPlan, load_demo_plan
from sgfund.funds import Era, Fund, Round
from sgfund.organisations import Organisation, OrgType
from sgfund.themes import FinalThemes
from sgfund.types import ThemeSource

if TYPE_CHECKING:
    from sgfund.closure import RoundRecords

__all__ = [
    "DECISION_COLUMNS",
    "ENTRY_POINTS",
    "GR1",
    "GR2",
    "GR3",
    "GR4",
    "GR5",
    "MAYOR_ERA",
    "MISSING_PLUGINS",
    "PCC_ERA",
    "PUBLISHED",
    "SCF",
    "SHEET_COLUMNS",
    "VOCABULARY_ID",
    "DemoPlan",
    "example_dir",
    "load_demo_plan",
    "sample_records",
]

# The installed plugins the example data needs: the safeguarding vocabulary, the districts
# and the fund's own rules come from sgfund-westyorkshire (entry point "westyorkshire").
ENTRY_POINTS = ("westyorkshire",)
# What to tell someone running the demo without that plugin.
MISSING_PLUGINS = (
    "the example fund needs the West Yorkshire plugin (entry point 'westyorkshire'), which is "
    "not installed: pip install -e plugins/sgfund-westyorkshire (from a source checkout) or "
    "pip install sgfund-westyorkshire"
)
VOCABULARY_ID = "wy-safeguarding"

SCF = Fund(id="wy-scf", name="Safer Communities Fund (West Yorkshire)")

PCC_ERA = Era(
    id="pcc",
    funder_id="XI-SGFUND-WY-PCC",
    funder_name="West Yorkshire Police and Crime Commissioner",
    start=date(2012, 11, 22),
    end=date(2021, 5, 9),
)

MAYOR_ERA = Era(
    id="mayor",
    funder_id="XI-SGFUND-WYCA",
    funder_name="Mayor of West Yorkshire (West Yorkshire Combined Authority)",
    start=date(2021, 5, 10),
)


def _mayors_round(
    number: int,
    opens_at: datetime,
    closes_at: datetime,
    pot: str,
    max_grant: str | None,
    *,
    name: str = "Grant Round",
) -> Round:
    return Round(
        id=f"mayor-gr{number}",
        name=f"Mayor's Safer Communities Fund, {name} {number}",
        fund_id=SCF.id,
        era=MAYOR_ERA,
        opens_at=opens_at,
        closes_at=closes_at,
        advertised_pot=Decimal(pot),
        max_grant=None if max_grant is None else Decimal(max_grant),
        max_project_months=12,
        theme_vocabularies=(VOCABULARY_ID,),
        area="West Yorkshire",
    )


# GR1 opened on 15 November 2021; its closing time was not published, so the window below
# ends on an assumed date. GR4 closed on 9 June 2023 at an unpublished hour: noon is assumed.
# The special GR5 had three pots (up to £20,000, up to £8,000, collaborations) and no single
# maximum grant, so the round carries none.
GR1 = _mayors_round(1, london(2021, 11, 15, 9), london(2021, 12, 17, 12), "180000.00", "6000.00")
GR2 = _mayors_round(2, london(2022, 5, 9, 9), london(2022, 6, 10, 12), "270000.00", "6000.00")
GR3 = _mayors_round(3, london(2022, 10, 7, 9), london(2022, 11, 11, 12), "350000.00", "8000.00")
GR4 = _mayors_round(4, london(2023, 5, 9, 9), london(2023, 6, 9, 12), "350000.00", "8000.00")
GR5 = _mayors_round(
    5,
    london(2023, 10, 9, 9),
    london(2023, 11, 10, 12),
    "1000000.00",
    None,
    name="Special Grant Round",
)


# The columns of the example officers' sheets, in order: the application's, then the panel's
# decision. Both example data generators (examples/data, examples/scf) write these headers.
SHEET_COLUMNS = (
    "Application ref",
    "Round",
    "Organisation name",
    "Organisation type",
    "Charity number",
    "Company number",
    "Postcode",
    "District",
    "Project title",
    "Project summary",
    "Amount requested",
    "Project start",
    "Project end",
    "Date received",
    "Themes",
)
DECISION_COLUMNS = ("Outcome", "Amount awarded", "Decided on", "Decided by", "Reasons")


def example_dir() -> Path:
    """The folder of the Safer Communities Fund example data (``examples/scf``).

    A wheel carries it as package data (``sgfund/_examples/scf``); an editable install or a
    checkout uses the repository's own ``examples/scf``.
    """
    packaged = Path(__file__).parent / "_examples" / "scf"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "examples" / "scf"


# --- Sample records -------------------------------------------------------------------------
# Made-up applicants whose awards add up to what was published for each round: GR1 39 grants,
# £208,253.16 (derived: 100 - 61 projects, £534,286 - £326,032.84) and GR2 61 grants,
# £326,032.84. Names are invented; registered numbers are drawn from ranges not yet issued
# (charities 199xxxx, companies 99xxxxxx) so they point at nobody real.

# GR3 and GR4 totals were published to the pound. GR5's was only ever "£1 million", a lower
# bound; "over £2.4 million" for GR1-GR5 means GR5 gave at least £1,027,996, so the sample
# uses £1,030,000 to fit both published bounds.
PUBLISHED = {
    "mayor-gr1": (39, Decimal("208253.16"), date(2022, 3, 1)),  # award date assumed
    "mayor-gr2": (61, Decimal("326032.84"), date(2022, 10, 6)),
    "mayor-gr3": (73, Decimal("506097.00"), date(2023, 2, 9)),
    "mayor-gr4": (49, Decimal("331621.00"), date(2023, 9, 12)),
    "mayor-gr5": (68, Decimal("1030000.00"), date(2024, 2, 7)),
}

_PLACES = {
    "Bradford": ("Bradford", "Keighley", "Shipley", "Bingley", "Ilkley"),
    "Calderdale": ("Halifax", "Todmorden", "Brighouse", "Elland", "Hebden Bridge"),
    "Kirklees": ("Huddersfield", "Dewsbury", "Batley", "Holmfirth", "Mirfield"),
    "Leeds": ("Leeds", "Morley", "Pudsey", "Otley", "Harehills"),
    "Wakefield": ("Wakefield", "Castleford", "Pontefract", "Ossett", "Normanton"),
}
_AREA = {"Bradford": "BD", "Calderdale": "HX", "Kirklees": "HD", "Leeds": "LS", "Wakefield": "WF"}
_KINDS = (
    ("Women's Aid", OrgType.REGISTERED_CHARITY),
    ("Youth Project", OrgType.CIO),
    ("Community Trust", OrgType.CHARITABLE_COMPANY),
    ("Safe Spaces CIC", OrgType.CIC),
    ("Residents Association", OrgType.COMMUNITY_GROUP),
    ("Neighbourhood Network", OrgType.COMPANY_LIMITED_BY_GUARANTEE),
    ("Town Council", OrgType.PARISH_OR_TOWN_COUNCIL),
)
# Project ideas per theme: (title, summary) with words a classifier can find.
_PROJECTS = {
    "child-sexual-abuse-exploitation": (
        "Safe Online",
        "workshops for young people on grooming and child sexual exploitation",
    ),
    "domestic-abuse": (
        "Safe at Home",
        "support for survivors of domestic abuse and coercive control",
    ),
    "fraud-cyber-crime": (
        "Scam Aware",
        "helping older residents spot fraud, scams and cyber crime",
    ),
    "human-trafficking-modern-slavery": (
        "Hidden in Plain Sight",
        "training to recognise modern slavery and human trafficking",
    ),
    "honour-based-abuse": (
        "Honour and Choice",
        "awareness of so called honour based abuse and forced marriage",
    ),
    "stalking-harassment": ("Walk Safe", "advocacy for victims of stalking and harassment"),
    "rape-sexual-offences": (
        "After Assault",
        "counselling for survivors of rape and sexual violence",
    ),
}


def _amounts(rng: random.Random, count: int, total: Decimal, ceiling: Decimal) -> list[Decimal]:
    """Amounts between £1,500 and ``ceiling`` that add up to ``total`` exactly."""
    floor_p, ceil_p, total_p = 150000, int(ceiling * 100), int(total * 100)
    pence = [rng.randint(400000, ceil_p) for _ in range(count)]
    gap = total_p - sum(pence)
    step = 1 if gap > 0 else -1
    while gap:
        # Spread the gap over the amounts in turn, keeping each within its bounds.
        for i in range(count):
            room = (ceil_p - pence[i]) if step > 0 else (pence[i] - floor_p)
            move = min(abs(gap), room, 25000)
            pence[i] += step * move
            gap -= step * move
            if not gap:
                break
    return [Decimal(p) / 100 for p in pence]


_REGISTERED_CHARITIES = {OrgType.REGISTERED_CHARITY, OrgType.CIO, OrgType.CHARITABLE_COMPANY}
_COMPANIES = {OrgType.CHARITABLE_COMPANY, OrgType.CIC, OrgType.COMPANY_LIMITED_BY_GUARANTEE}
_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _registered_numbers(rng: random.Random, org_type: OrgType) -> tuple[str | None, str | None]:
    """A charity and a company number from ranges not yet issued, as the type needs."""
    charity = company = None
    if org_type in _REGISTERED_CHARITIES:
        charity = f"199{rng.randint(0, 9999):04d}"
    if org_type in _COMPANIES:
        company = f"99{rng.randint(0, 999999):06d}"
    return charity, company


def _postcode(rng: random.Random, district: str) -> str:
    return (
        f"{_AREA[district]}{rng.randint(1, 7)} {rng.randint(1, 9)}"
        f"{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"
    )


def _decided(
    app: Application, amount: Decimal | None, awarded_on: date
) -> tuple[Decision, Award | None]:
    """The panel's decision on ``app``: approved for ``amount``, or rejected if None."""
    if amount is None:
        rejected = Decision(
            application_id=app.id,
            outcome=Outcome.REJECTED,
            decided_on=awarded_on,
            decided_by="Grants panel",
            reasons="Oversubscribed round; lower score against the criteria.",
        )
        return rejected, None
    approved = Decision(
        application_id=app.id,
        outcome=Outcome.APPROVED,
        decided_on=awarded_on,
        decided_by="Grants panel",
        amount_awarded=amount,
        reasons="Meets the round's priorities; clear plan and costs.",
    )
    declared = FinalThemes(themes=app.declared_themes, source=ThemeSource.DECLARED)
    return approved, Award.from_decision(approved, app, themes=declared, award_id=f"{app.id}-A")


def sample_records(round: Round, *, rejected: int | None = None) -> RoundRecords:
    """Made-up applications, decisions and awards that match a Mayor's round's published totals.

    Deterministic: the same round gives the same records. Some projects serve several themes;
    awards carry the declared themes (no assessment has run). ``rejected`` extra applications
    (by default a third as many as the awards) are turned down.
    """
    from sgfund.closure import RoundRecords

    count, total, awarded_on = PUBLISHED[round.id]
    rng = random.Random(round.id)  # noqa: S311 - sample data, not security
    ceiling = round.max_grant or Decimal("20000.00")
    amounts = _amounts(rng, count, total, ceiling)
    n_rejected = count // 3 if rejected is None else rejected
    slugs = sorted(_PROJECTS)
    districts = sorted(_PLACES)
    prefix = round.id.removeprefix("mayor-").upper()
    apps, decisions, awards = [], [], []
    for i in range(count + n_rejected):
        district = districts[i % len(districts)]
        place = rng.choice(_PLACES[district])
        kind, org_type = _KINDS[i % len(_KINDS)]
        charity, company = _registered_numbers(rng, org_type)
        themes = rng.sample(slugs, k=rng.choice((1, 1, 2, 2, 3)))
        title, summary = _PROJECTS[themes[0]]
        if len(themes) > 1:
            summary += " and " + " and ".join(_PROJECTS[t][1] for t in themes[1:])
        submitted = round.opens_at + (round.closes_at - round.opens_at) * rng.uniform(
            0.05, 0.95
        )  # float-ok: a point in time, not money
        start = awarded_on + relativedelta(months=1, day=1)
        amount = amounts[i] if i < count else Decimal(rng.randint(3000, 6000))
        requested = amount if i >= count or i % 4 else min(ceiling, amount + Decimal(250))
        app = Application(
            id=f"{prefix}-{i + 1:03d}",
            round_id=round.id,
            organisation=Organisation(
                name=f"{place} {kind}",
                type=org_type,
                charity_number=charity,
                company_number=company,
                postcode=_postcode(rng, district),
                district=district,
            ),
            title=f"{title} {place}",
            summary=f"A {place} project: {summary}.",
            amount_requested=requested,
            project_start=start,
            project_end=start
            + relativedelta(months=rng.choice((6, 9, 12)))
            - relativedelta(days=1),
            submitted_at=submitted.astimezone(LONDON).replace(second=0, microsecond=0),
            declared_themes=frozenset(themes),
        )
        apps.append(app)
        decision, award = _decided(app, amount if i < count else None, awarded_on)
        decisions.append(decision)
        if award is not None:
            awards.append(award)
    return RoundRecords(round=round, applications=apps, decisions=decisions, awards=awards)
