"""Deterministic benchmark data: officers' application sheets and 360Giving grant files.

Every file is made from a seeded generator, so the same size and seed give the same bytes on
any machine; nothing large is committed. Files are written once under the data folder
(``benchmarks/out/`` unless told otherwise) and reused while their name matches.

The applications sheet has 17 columns: the application, its organisation and the panel's
decision. Wide rows carry 20-60-word summaries, narrow rows a few words. A few rows in every
thousand are meant to be refused or referred (over the maximum grant, outside the area, on the
county boundary, naming an exclusion, too long), and those are rejected by the panel, so that
the round can close. The figures the fund "published" are written beside the sheet.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

GENERATOR_VERSION = "1"
SEED = 2022

APPLICATION_HEADER = (
    "Application ref",
    "Round",
    "Organisation name",
    "Organisation type",
    "Charity number",
    "Postcode",
    "Project title",
    "Project summary",
    "Amount requested",
    "Project start",
    "Project end",
    "Date received",
    "Themes",
    "Outcome",
    "Amount awarded",
    "Decided on",
    "Decided by",
)

# The Mayor's Grant Round 2 (sgfund.examples_scf.GR2): its window, maximum grant and length limit.
ROUND_ID = "mayor-gr2"
OPENS = datetime(2022, 5, 9, 9, 0, tzinfo=ZoneInfo("Europe/London"))
WINDOW_MINUTES = 32 * 24 * 60  # to 10 June 2022, before noon
MAX_GRANT_PENCE = 600_000
DECIDED_ON = "06/10/2022"

PLACES = (
    ("Keighley", "BD21"),
    ("Bradford", "BD7"),
    ("Shipley", "BD18"),
    ("Halifax", "HX1"),
    ("Todmorden", "OL14"),
    ("Huddersfield", "HD1"),
    ("Dewsbury", "WF13"),
    ("Leeds", "LS6"),
    ("Morley", "LS27"),
    ("Wakefield", "WF1"),
    ("Castleford", "WF10"),
    ("Pudsey", "LS28"),
)
KINDS = (("Women's Aid", "Registered charity"), ("Youth Project", "CIO"))
KINDS_WITHOUT_NUMBER = (("Residents Group", "Community group"),)

# Theme label -> phrases the West Yorkshire classifier knows.
THEMES = {
    "Child Sexual Abuse and Exploitation": ("grooming", "child sexual exploitation"),
    "Domestic Abuse": ("domestic abuse", "coercive control", "a refuge"),
    "Fraud and Cyber Crime": ("scams", "online safety", "fraud"),
    "Human Trafficking and Modern Slavery": ("modern slavery", "forced labour"),
    "Honour Based Abuse": ("forced marriage", "honour based abuse"),
    "Stalking and Harassment": ("stalking", "harassment"),
    "Rape and Sexual Offences": ("sexual violence", "rape"),
}
_WORDS = (
    "local people workshops sessions volunteers support advice residents families young older "
    "safe safer community neighbourhood awareness training confidence recovery survivors "
    "victims partners schools centres evenings weekly drop-in group peer mentoring outreach "
    "helpline trusted adults staff learning leaflets signposting practical emotional wellbeing "
    "networks skills estate ward town city homes streets parks digital phone online"
)
WORDS = _WORDS.split()
EXCLUDED = ("with refreshments", "and a food bank", "including travel", "research into need")


@dataclass(frozen=True)
class ApplicationsFile:
    """A generated sheet and what the fund published about it (exact figures)."""

    path: Path
    declared: Path
    rows: int


def _money(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _summary(rng: random.Random, words: int, themes: list[str], place: str) -> str:
    phrases = [rng.choice(THEMES[t]) for t in themes]
    body = [rng.choice(WORDS) for _ in range(max(words - 4 * len(phrases) - 4, 0))]
    for phrase in phrases:
        body.insert(rng.randrange(len(body) + 1), f"on {phrase} for")
    return f"A {place} project: " + " ".join(body) + "."


def _row(rng: random.Random, i: int, wide: bool) -> tuple[list[str], int | None]:
    """One sheet row and the pence awarded (None when not approved)."""
    place, district = PLACES[i % len(PLACES)]
    numbered = i % 10 != 9
    name, kind = rng.choice(KINDS if numbered else KINDS_WITHOUT_NUMBER)
    themes = rng.sample(sorted(THEMES), k=rng.choice((1, 1, 2, 3)))
    requested = rng.randrange(50_000, MAX_GRANT_PENCE + 1)
    start = date(2022, 11, 1) + timedelta(days=rng.randrange(0, 90))
    months = rng.choice((3, 6, 9, 12))
    end = _month_end(start, months)
    received = OPENS + timedelta(minutes=rng.randrange(WINDOW_MINUTES))
    postcode = f"{district} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}Z"
    words = rng.randrange(20, 61) if wide else rng.randrange(3, 9)
    summary = (
        _summary(rng, words, themes, place)
        if wide
        else " ".join(rng.choice(WORDS) for _ in range(words))
    )
    title = f"Safer {place} {rng.choice(WORDS).title()}" if wide else f"{place} {i}"
    # Rows the rules are meant to stop; the panel rejects them.
    flaw = i % 1000
    if flaw == 101:
        requested = MAX_GRANT_PENCE + rng.randrange(1, 300_000)
    elif flaw == 202:
        postcode = "M1 1AE"
    elif flaw == 303:
        postcode = "LS21 1AB"
    elif flaw == 404:
        summary = f"{summary} {rng.choice(EXCLUDED)}"
    elif flaw == 505:
        end = _month_end(start, 15)
    approved = flaw not in (101, 202, 303, 404, 505) and rng.random() < 0.75
    awarded = None
    if approved:
        awarded = requested if rng.random() < 0.8 else rng.randrange(50_000, requested + 1)
    row = [
        f"GR2-{i + 1:07d}",
        ROUND_ID,
        f"{place} {name} {i + 1}",
        kind,
        str(1_000_000 + i) if numbered else "",
        postcode,
        title,
        summary,
        _money(requested),
        f"{start:%d/%m/%Y}",
        f"{end:%d/%m/%Y}",
        f"{received:%d/%m/%Y %H:%M}",
        "; ".join(themes),
        "Approved" if approved else "Rejected",
        _money(awarded) if awarded is not None else "",
        DECIDED_ON,
        "Grants panel",
    ]
    return row, awarded


def _month_end(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    first = date(start.year + year, month + 1, 1)
    # The day before the same day `months` later, clamped to short months.
    day = min(start.day, 28)
    return first.replace(day=day) - timedelta(days=1)


def applications_file(
    folder: Path, rows: int, *, wide: bool = True, seed: int = SEED
) -> ApplicationsFile:
    """The sheet of ``rows`` applications (made on first use) and its declared figures."""
    shape = "wide" if wide else "narrow"
    stem = f"applications-{shape}-{rows}-s{seed}-v{GENERATOR_VERSION}"
    path, declared = folder / f"{stem}.csv", folder / f"{stem}.declared.json"
    if path.exists() and declared.exists():
        return ApplicationsFile(path, declared, rows)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}-{shape}")
    total = count = 0
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(APPLICATION_HEADER)
        for i in range(rows):
            row, awarded = _row(rng, i, wide)
            out.writerow(row)
            if awarded is not None:
                total += awarded
                count += 1
    figures = {"projects": count, "total_awarded": str(Decimal(total) / 100)}
    declared.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return ApplicationsFile(path, declared, rows)


# --- 360Giving ------------------------------------------------------------------------------

DISTRICTS = (
    ("Bradford", "E08000032"),
    ("Calderdale", "E08000033"),
    ("Kirklees", "E08000034"),
    ("Leeds", "E08000035"),
    ("Wakefield", "E08000036"),
)
THEME_SLUGS = (
    "child-sexual-abuse-exploitation",
    "domestic-abuse",
    "fraud-cyber-crime",
    "human-trafficking-modern-slavery",
    "honour-based-abuse",
    "stalking-harassment",
    "rape-sexual-offences",
)


def make_grants(count: int, seed: int = SEED) -> list[dict[str, object]]:
    """Plausible grants of one funder over 21 programmes, five districts and seven themes.

    Amounts are ``Decimal`` so that nothing passes through a float.
    """
    rng = random.Random(f"{seed}-360")
    grants: list[dict[str, object]] = []
    for i in range(count):
        district, geo = DISTRICTS[i % len(DISTRICTS)]
        start = date(2015, 4, 1) + timedelta(days=rng.randrange(0, 3000))
        months = rng.choice((3, 6, 9, 12))
        amount = Decimal(rng.randrange(50_000, 600_000)) / 100
        themes = rng.sample(THEME_SLUGS, k=rng.randint(1, 3))
        charity = str(rng.randrange(200_000, 1_200_000))
        round_no = i % 21 + 1
        grants.append(
            {
                "id": f"360G-bench-r{round_no}-{i:07d}",
                "title": f"Community safety project {i}",
                "description": f"Project {i} in {district}: {', '.join(themes)}",
                "currency": "GBP",
                "amountAppliedFor": amount + (Decimal(250) if i % 4 == 0 else 0),
                "amountAwarded": amount,
                "awardDate": (start - timedelta(days=30)).isoformat(),
                "plannedDates": [
                    {
                        "startDate": start.isoformat(),
                        "endDate": _month_end(start, months).isoformat(),
                        "duration": months,
                    }
                ],
                "recipientOrganization": [
                    {
                        "id": f"GB-CHC-{charity}",
                        "name": f"Group {i} {district}",
                        "charityNumber": charity,
                        "postalCode": f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}AB",
                    }
                ],
                "beneficiaryLocation": [{"name": district, "geoCode": geo, "geoCodeType": "MD"}],
                "fundingOrganization": [{"id": "XI-SGFUND-BENCH", "name": "Benchmark Funder"}],
                "grantProgramme": [{"code": f"round-{round_no}", "title": f"Round {round_no}"}],
                "classifications": [
                    {"vocabulary": "360G-bench-themes", "code": t, "title": t} for t in themes
                ],
            }
        )
    return grants


@dataclass(frozen=True)
class GrantFiles:
    """A 360Giving package of generated grants as JSON and as the standard CSV."""

    json: Path
    csv: Path
    grants: int


def grant_files(folder: Path, count: int, *, seed: int = SEED) -> GrantFiles:
    """The JSON package and CSV sheet of ``count`` grants (made on first use, with sgfund)."""
    stem = f"grants-{count}-s{seed}-v{GENERATOR_VERSION}"
    as_json, as_csv = folder / f"{stem}.json", folder / f"{stem}.csv"
    if not (as_json.exists() and as_csv.exists()):
        from sgfund.io.threesixtygiving import dumps_package, write_package_csv

        folder.mkdir(parents=True, exist_ok=True)
        package = {"grants": make_grants(count, seed)}
        # The CSV is written by sgfund (checked once); the JSON beside it is the same package.
        write_package_csv(as_csv, package)
        as_json.write_text(dumps_package(package), encoding="utf-8")
    return GrantFiles(as_json, as_csv, count)
