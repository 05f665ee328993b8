"""Write the Safer Communities Fund example sheets (SYNTHETIC data) beside this script.

    python examples/scf/make_data.py [DIR]

Every organisation, project and person here is made up; the awards of each round add up to
what was published for it:

- PCC round 16 (2019): the Safeguarding Communications Group's £6,000 for 12 months of
  campaigns (pcc-r16.csv);
- PCC round 19: 36 grants, over £180,000, projects completed by 31 January 2022
  (pcc-r19.xlsx, a workbook);
- PCC round 20: 33 grants totalling £176,272.82, projects completed by 31 March 2022
  (pcc-r20.csv, with the panel's decisions in pcc-r20-panel.csv);
- the Mayor's Grant Round 1: 39 grants, £208,253.16 (mayor-gr1.csv);
- the Mayor's Grant Round 2: 61 grants, £326,032.84, in an officer's own layout
  (mayor-gr2.csv with mayor-gr2.mapping.toml).

Rejected and withdrawn applications sit around the awards; projects serve one to three of the
seven safeguarding themes; applicants come from all five districts. A few applications are
planted for an officer to resolve (a postcode on the county boundary, a receipt with no time
on the closing day, a late one, an excluded cost): demo.toml says how each is resolved.

Deterministic: the same script writes the same files (workbook timestamps are fixed). Needs
sgfund (the sheets' columns, money as text) and openpyxl for the workbook.
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sgfund.examples_scf import DECISION_COLUMNS, SHEET_COLUMNS
from sgfund.money import format_money

HERE = Path(__file__).resolve().parent


def local(*parts: int) -> datetime:
    """A London wall-clock time as the sheets write it (no zone: a sheet has none)."""
    return datetime(*parts)  # noqa: DTZ001 - written into a sheet as London time


# The seven safeguarding themes: slug, label, an officer's abbreviation (GR2's own layout),
# and a project idea (title, what it does) with words a classifier can find.
THEMES = {
    "child-sexual-abuse-exploitation": (
        "Child Sexual Abuse and Exploitation",
        "CSE",
        "Safe Online",
        "workshops for young people on grooming and child sexual exploitation",
    ),
    "domestic-abuse": (
        "Domestic Abuse",
        "DA",
        "Safe at Home",
        "support for survivors of domestic abuse and coercive control",
    ),
    "fraud-cyber-crime": (
        "Fraud and Cyber Crime",
        "Fraud",
        "Scam Aware",
        "helping older residents spot fraud, scams and cyber crime",
    ),
    "human-trafficking-modern-slavery": (
        "Human Trafficking and Modern Slavery",
        "Modern slavery",
        "Hidden in Plain Sight",
        "training to recognise modern slavery and human trafficking",
    ),
    "honour-based-abuse": (
        'So Called "Honour" Based Abuse',
        "HBA",
        "Honour and Choice",
        "awareness of so called honour based abuse and forced marriage",
    ),
    "stalking-harassment": (
        "Stalking and Harassment",
        "Stalking",
        "Walk Safe",
        "advocacy for victims of stalking and harassment",
    ),
    "rape-sexual-offences": (
        "Rape and Sexual Offences",
        "RASSO",
        "After Assault",
        "counselling for survivors of rape and sexual violence",
    ),
}
SLUGS = sorted(THEMES)

# Places by district, each with postcode districts wholly inside West Yorkshire.
PLACES = {
    "Bradford": {
        "Bradford": ("BD1", "BD3", "BD5", "BD7"),
        "Keighley": ("BD21",),
        "Shipley": ("BD18",),
        "Bingley": ("BD16",),
    },
    "Calderdale": {
        "Halifax": ("HX1", "HX2", "HX3"),
        "Hebden Bridge": ("HX7",),
        "Brighouse": ("HD6",),
        "Elland": ("HX5",),
    },
    "Kirklees": {
        "Huddersfield": ("HD1", "HD2", "HD3"),
        "Dewsbury": ("WF12", "WF13"),
        "Batley": ("WF17",),
        "Holmfirth": ("HD9",),
    },
    "Leeds": {
        "Leeds": ("LS2", "LS6", "LS9"),
        "Morley": ("LS27",),
        "Pudsey": ("LS28",),
        "Harehills": ("LS8",),
    },
    "Wakefield": {
        "Wakefield": ("WF1", "WF2"),
        "Castleford": ("WF10",),
        "Ossett": ("WF5",),
        "Normanton": ("WF6",),
    },
}
DISTRICTS = sorted(PLACES)
# (name ending, organisation type as the standard sheets write it)
KINDS = (
    ("Women's Aid", "Registered charity"),
    ("Youth Project", "CIO"),
    ("Community Trust", "Charitable company"),
    ("Safe Spaces CIC", "CIC"),
    ("Residents Association", "Community group"),
    ("Neighbourhood Network", "Company limited by guarantee"),
    ("Town Council", "Town council"),
)
CHARITIES = {"Registered charity", "CIO", "Charitable company"}
COMPANIES = {"Charitable company", "CIC", "Company limited by guarantee"}
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
STANDARD_HEADER = list(SHEET_COLUMNS)
DECISION_HEADER = list(DECISION_COLUMNS)
PANEL = "Grants panel"
APPROVED_REASON = "Meets the round's priorities; clear plan and costs."
REJECTED_REASON = "Oversubscribed round; lower score against the criteria."
WITHDRAWN_REASON = "Withdrawn by the applicant before the panel met."


@dataclass
class Org:
    name: str
    kind: str
    charity: str
    company: str
    postcode: str
    district: str
    place: str


@dataclass
class App:
    ref: str
    org: Org
    title: str
    summary: str
    themes: list[str]
    requested: Decimal
    start: date
    end: date
    received: datetime
    outcome: str  # Approved, Rejected, Withdrawn
    awarded: Decimal | None = None
    reasons: str = ""
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class RoundSpec:
    round_id: str
    prefix: str
    opens: datetime
    closes: datetime
    awards: int
    total: Decimal
    rejected: int
    withdrawn: int
    decided_on: date
    start: date
    latest_end: date


ROUNDS = {
    "pcc-r19": RoundSpec(
        "pcc-r19",
        "R19",
        local(2020, 9, 9, 9),
        local(2020, 10, 30, 12),
        36,
        Decimal("180517.43"),
        9,
        2,
        date(2021, 1, 21),
        date(2021, 2, 1),
        date(2022, 1, 31),
    ),
    "pcc-r20": RoundSpec(
        "pcc-r20",
        "R20",
        local(2021, 1, 11, 9),
        local(2021, 2, 12, 12),
        33,
        Decimal("176272.82"),
        8,
        1,
        date(2021, 3, 22),
        date(2021, 4, 1),
        date(2022, 3, 31),
    ),
    "mayor-gr1": RoundSpec(
        "mayor-gr1",
        "GR1",
        local(2021, 11, 15, 9),
        local(2021, 12, 17, 12),
        39,
        Decimal("208253.16"),
        12,
        3,
        date(2022, 3, 1),
        date(2022, 4, 1),
        date(2023, 3, 31),
    ),
    "mayor-gr2": RoundSpec(
        "mayor-gr2",
        "GR2",
        local(2022, 5, 9, 9),
        local(2022, 6, 10, 12),
        61,
        Decimal("326032.84"),
        18,
        4,
        date(2022, 10, 6),
        date(2022, 11, 1),
        date(2023, 10, 31),
    ),
}
MAX_GRANT = Decimal("6000.00")


def organisations(rng: random.Random) -> list[Org]:
    """Every fictional organisation once, in a fixed shuffled order, each with fixed details."""
    orgs = []
    for district in DISTRICTS:
        for place, outward in PLACES[district].items():
            for ending, kind in KINDS:
                charity = f"199{rng.randint(0, 9999):04d}" if kind in CHARITIES else ""
                company = f"99{rng.randint(0, 999999):06d}" if kind in COMPANIES else ""
                postcode = (
                    f"{rng.choice(outward)} {rng.randint(1, 9)}"
                    f"{rng.choice(LETTERS)}{rng.choice(LETTERS)}"
                )
                orgs.append(
                    Org(f"{place} {ending}", kind, charity, company, postcode, district, place)
                )
    rng.shuffle(orgs)
    return orgs


def amounts(rng: random.Random, count: int, total: Decimal) -> list[Decimal]:
    """``count`` amounts between £1,500 and the maximum grant adding up to ``total`` exactly."""
    floor, ceiling, goal = 150000, int(MAX_GRANT * 100), int(total * 100)
    pence = [rng.randint(400000, ceiling) for _ in range(count)]
    gap = goal - sum(pence)
    step = 1 if gap > 0 else -1
    while gap:
        for i in range(count):
            room = (ceiling - pence[i]) if step > 0 else (pence[i] - floor)
            move = min(abs(gap), room, 25000)
            pence[i] += step * move
            gap -= step * move
            if not gap:
                break
    return [Decimal(p) / 100 for p in pence]


def months_later(day: date, months: int) -> date:
    """The day before the same day ``months`` months on: the last day of a project."""
    month = day.month - 1 + months
    first = date(day.year + month // 12, month % 12 + 1, day.day)
    return first - timedelta(days=1)


def project(rng: random.Random, org: Org) -> tuple[str, str, list[str]]:
    themes = sorted(rng.sample(SLUGS, k=rng.choice((1, 1, 2, 2, 3))))
    lead = rng.choice(themes)
    _, _, title, summary = THEMES[lead]
    others = [THEMES[t][3] for t in themes if t != lead]
    text = " and ".join([summary, *others])
    return f"{title} {org.place}", f"A {org.place} project: {text}.", themes


def make_round(spec: RoundSpec, orgs: list[Org], seed: str) -> list[App]:
    """The round's applications: awards (adding up exactly), then rejected and withdrawn."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, not security
    count = spec.awards + spec.rejected + spec.withdrawn
    chosen = rng.sample(orgs, k=count)
    # Every district applies: the first five applicants are one from each.
    for i, district in enumerate(DISTRICTS):
        if all(o.district != district for o in chosen[:5]):
            pick = next(o for o in orgs if o.district == district and o not in chosen)
            chosen[i] = pick
    awarded = amounts(rng, spec.awards, spec.total)
    window = (spec.closes - spec.opens).total_seconds()
    apps = []
    for i, org in enumerate(chosen):
        title, summary, themes = project(rng, org)
        received = spec.opens + timedelta(seconds=window * rng.uniform(0.05, 0.95))
        received = received.replace(second=0, microsecond=0)
        months = rng.choice((6, 9, 12, 12))
        end = min(months_later(spec.start, months), spec.latest_end)
        if i < spec.awards:
            amount = awarded[i]
            requested = amount if i % 5 else min(MAX_GRANT, amount + Decimal("250.00"))
            outcome, reasons = "Approved", APPROVED_REASON
        else:
            amount = None
            requested = Decimal(rng.randint(3000, 6000))
            withdrawn = i >= spec.awards + spec.rejected
            outcome = "Withdrawn" if withdrawn else "Rejected"
            reasons = WITHDRAWN_REASON if withdrawn else REJECTED_REASON
        apps.append(
            App(
                ref=f"{spec.prefix}-{i + 1:03d}",
                org=org,
                title=title,
                summary=summary,
                themes=themes,
                requested=requested,
                start=spec.start,
                end=end,
                received=received,
                outcome=outcome,
                awarded=amount,
                reasons=reasons,
            )
        )
    return apps


def labels(app: App) -> str:
    return "; ".join(THEMES[t][0] for t in app.themes)


def standard_row(app: App, round_id: str) -> list[str]:
    org = app.org
    return [
        app.ref,
        round_id,
        org.name,
        org.kind,
        org.charity,
        org.company,
        org.postcode,
        org.district,
        app.title,
        app.summary,
        format_money(app.requested),
        f"{app.start:%d/%m/%Y}",
        f"{app.end:%d/%m/%Y}",
        f"{app.received:%d/%m/%Y %H:%M}",
        labels(app),
    ]


def decision_row(app: App, decided_on: date) -> list[str]:
    return [
        app.outcome,
        format_money(app.awarded) if app.awarded else "",
        f"{decided_on:%d/%m/%Y}",
        PANEL,
        app.reasons,
    ]


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


# --- The rounds, with the applications planted for an officer --------------------------------


def pcc_r16() -> str:
    """Round 16: the Safeguarding Communications Group's 12 months of campaigns."""
    header = STANDARD_HEADER + DECISION_HEADER
    row = [
        "R16-001",
        "pcc-r16",
        "West Yorkshire Safeguarding Communications Group",
        "Other",
        "",
        "",
        "WF1 2QZ",
        "Wakefield",
        "Safeguarding campaigns across West Yorkshire",
        "Twelve months of public campaigns on domestic abuse, child sexual exploitation and "
        "modern slavery, run by the safeguarding partnerships' communications leads.",
        format_money(Decimal("6000.00")),
        "01/10/2019",
        "30/09/2020",
        "20/05/2019 14:05",
        "Domestic Abuse; Child Sexual Abuse and Exploitation; Human Trafficking and Modern Slavery",
        "Approved",
        format_money(Decimal("6000.00")),
        "19/09/2019",
        PANEL,
        "12 months of campaigns; within the round's £6,000 maximum grant.",
    ]
    return csv_text([header, row])


def pcc_r19(orgs: list[Org]) -> list[App]:
    return make_round(ROUNDS["pcc-r19"], orgs, "pcc-r19")


def pcc_r20(orgs: list[Org]) -> tuple[str, str]:
    """Round 20's applications (no decisions) and the panel's decisions sheet."""
    spec = ROUNDS["pcc-r20"]
    apps = make_round(spec, orgs, "pcc-r20")
    # Planted: one application received after the round closed (rejected by the panel).
    late = apps[spec.awards]
    late.received = local(2021, 2, 15, 10, 12)
    late.reasons = "Received after the round closed on 12 February 2021."
    sheet = [STANDARD_HEADER] + [standard_row(a, spec.round_id) for a in apps]
    panel = [["Application ref", *DECISION_HEADER]]
    panel += [[a.ref, *decision_row(a, spec.decided_on)] for a in apps]
    return csv_text(sheet), csv_text(panel)


def mayor_gr1(orgs: list[Org]) -> str:
    spec = ROUNDS["mayor-gr1"]
    apps = make_round(spec, orgs, "mayor-gr1")
    # Planted: an Otley applicant (LS21 straddles the county boundary; Otley is in Leeds).
    boundary = apps[7]
    boundary.org = Org(
        "Otley Residents Association", "Community group", "", "", "LS21 1QT", "Leeds", "Otley"
    )
    boundary.title = boundary.title.rsplit(" ", 1)[0] + " Otley"
    boundary.summary = re.sub(r"^A \S+(?: \S+)? project", "An Otley project", boundary.summary)
    # Planted: a rejected project whose summary asks for refreshments (an excluded cost).
    excluded = apps[spec.awards + 1]
    excluded.summary = excluded.summary[:-1] + ", with refreshments at every session."
    excluded.reasons = "The fund does not pay for refreshments; lower score against the criteria."
    header = STANDARD_HEADER + DECISION_HEADER
    rows = [standard_row(a, spec.round_id) + decision_row(a, spec.decided_on) for a in apps]
    return csv_text([header, *rows])


GR2_HEADER = [
    "Ref",
    "Organisation",
    "Org Type",
    "Charity No",
    "Company No",
    "Postcode",
    "Area",
    "Project Title",
    "What the project will do",
    "Amount Requested (£)",
    "Start Date",
    "End Date",
    "Date Received",
    "Safeguarding Theme(s)",
    "Decision",
    "Amount Awarded (£)",
    "Notes",
]
GR2_TYPES = {
    "Registered charity": "Charity",
    "Town council": "Parish/Town Council",
    "Community group": "Community group",
}
GR2_OUTCOMES = {"Approved": "Funded", "Rejected": "Not this time", "Withdrawn": "Withdrawn"}
GR2_AREAS = {"Leeds": "Leeds City", "Kirklees": "Kirklees (Huddersfield)"}


def mayor_gr2(orgs: list[Org]) -> str:
    """GR2 in an officer's own layout: own headers and labels, dates of receipt only."""
    spec = ROUNDS["mayor-gr2"]
    apps = make_round(spec, orgs, "mayor-gr2")
    # Planted: two awards received on the closing day (time not recorded), and one late.
    apps[5].received = local(2022, 6, 10)
    apps[5].notes = "emailed on the closing day, 09:40 by the inbox"
    apps[11].received = local(2022, 6, 10)
    apps[11].notes = "handed in at reception on the closing day, morning"
    late = apps[spec.awards + 2]
    late.received = local(2022, 6, 13)
    late.notes = "arrived after the deadline"
    for app in apps:
        if app.received.date() == spec.opens.date():  # an opening-day receipt would be referred
            app.received += timedelta(days=1)
    rows = [GR2_HEADER]
    for app in apps:
        org = app.org
        rows.append(
            [
                app.ref,
                org.name,
                GR2_TYPES.get(org.kind, org.kind),
                org.charity,
                org.company,
                org.postcode,
                GR2_AREAS.get(org.district, org.district),
                app.title,
                app.summary,
                format_money(app.requested),
                f"{app.start:%d/%m/%Y}",
                f"{app.end:%d/%m/%Y}",
                f"{app.received:%d/%m/%Y}",
                "; ".join(THEMES[t][1] for t in app.themes),
                GR2_OUTCOMES[app.outcome],
                format_money(app.awarded) if app.awarded else "",
                app.notes,
            ]
        )
    return csv_text(rows)


GR2_MAPPING = """\
# How the officer's own GR2 sheet (mayor-gr2.csv) maps onto sgfund's columns.
# See docs/data-formats.md, "Mapping files". The sheet is synthetic example data.
notes = ["Notes"]

[columns]
district = "Area"
project_summary = "What the project will do"
themes = "Safeguarding Theme(s)"

[constants]
round_id = "mayor-gr2"
decided_on = 2022-10-06
decided_by = "Mayor's Safer Communities Fund panel"
currency = "GBP"

[values.organisation_type]
"Parish/Town Council" = "parish-or-town-council"

[values.outcome]
"Not this time" = "rejected"

[values.themes]
{themes}

[values.district]
"Leeds City" = "Leeds"
"Kirklees (Huddersfield)" = "Kirklees"
"""


def gr2_mapping() -> str:
    themes = "\n".join(f'"{THEMES[s][1]}" = "{s}"' for s in SLUGS)
    return GR2_MAPPING.replace("{themes}", themes)


# --- The workbook ----------------------------------------------------------------------------

FIXED = (2024, 1, 1, 0, 0, 0)


def workbook(apps: list[App], spec: RoundSpec) -> bytes:
    """Round 19 as an .xlsx with typed cells: numbers, dates and date-times."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Round 19"
    sheet.append(STANDARD_HEADER + DECISION_HEADER)
    for app in apps:
        org = app.org
        sheet.append(
            [
                app.ref,
                spec.round_id,
                org.name,
                org.kind,
                org.charity or None,
                org.company or None,
                org.postcode,
                org.district,
                app.title,
                app.summary,
                app.requested,
                app.start,
                app.end,
                app.received,
                labels(app),
                app.outcome,
                app.awarded,
                spec.decided_on,
                PANEL,
                app.reasons,
            ]
        )
    moment = local(*FIXED)
    book.properties.created = moment
    book.properties.modified = moment
    book.properties.creator = "sgfund examples"
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed entry times and document dates, so reruns match."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2024-01-01T00:00:00Z",
                    body,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


def write_all(target: Path) -> list[Path]:
    """Write every sheet (and the GR2 mapping) into ``target``; return the paths."""
    orgs = organisations(random.Random("scf-organisations"))  # noqa: S311 - made-up data
    r20_sheet, r20_panel = pcc_r20(orgs)
    texts = {
        "pcc-r16.csv": pcc_r16(),
        "pcc-r20.csv": r20_sheet,
        "pcc-r20-panel.csv": r20_panel,
        "mayor-gr1.csv": mayor_gr1(orgs),
        "mayor-gr2.csv": mayor_gr2(orgs),
        "mayor-gr2.mapping.toml": gr2_mapping(),
    }
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        path = target / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    path = target / "pcc-r19.xlsx"
    path.write_bytes(workbook(pcc_r19(orgs), ROUNDS["pcc-r19"]))
    written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
