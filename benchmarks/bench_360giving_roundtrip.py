"""Convert a 100,000-grant 360Giving CSV to JSON and back, timing each step.

Not a test. Makes a CSV with the standard's column titles (under benchmarks/out/), converts it
to a JSON package and back to CSV with sgfund (each file is checked against the schema and the
critical data-quality checks once, on reading), and checks that every value came back equal.

    python benchmarks/bench_360giving_roundtrip.py [number of grants]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta
from sgfund_westyorkshire import DISTRICTS, SAFEGUARDING_THEMES

from sgfund.io.threesixtygiving import convert_360giving, load_package, write_package_csv

OUT = Path(__file__).resolve().parent / "out"


def make_grants(count: int, seed: int = 360) -> list[dict]:
    """Plausible grants of one funder over several programmes, districts and themes."""
    rng = random.Random(seed)
    districts = list(DISTRICTS.areas)
    themes = SAFEGUARDING_THEMES.themes
    grants = []
    for i in range(count):
        district = districts[i % len(districts)]
        start = date(2015, 4, 1) + relativedelta(months=rng.randint(0, 100))
        months = rng.choice((3, 6, 9, 12))
        amount = Decimal(rng.randint(50_000, 600_000)) / 100
        chosen = rng.sample(themes, k=rng.randint(1, 3))
        charity = f"{rng.randint(200_000, 1_199_999)}"
        grant = {
            "id": f"360G-bench-r{i % 21 + 1}-{i:06d}",
            "title": f"Community safety project {i}",
            "description": f"Project {i} in {district.name}: {', '.join(t.label for t in chosen)}",
            "currency": "GBP",
            "amountAppliedFor": amount + (Decimal(250) if i % 4 == 0 else 0),
            "amountAwarded": amount,
            "awardDate": (start - relativedelta(months=1)).isoformat(),
            "plannedDates": [
                {
                    "startDate": start.isoformat(),
                    "endDate": (start + relativedelta(months=months, days=-1)).isoformat(),
                    "duration": months,
                }
            ],
            "recipientOrganization": [
                {
                    "id": f"GB-CHC-{charity}",
                    "name": f"Group {i} {district.name}",
                    "charityNumber": charity,
                    "postalCode": f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}AB",
                }
            ],
            "beneficiaryLocation": [
                {"name": district.name, "geoCode": district.code, "geoCodeType": "MD"}
            ],
            "fundingOrganization": [{"id": "XI-SGFUND-BENCH", "name": "Benchmark Funder"}],
            "grantProgramme": [{"code": f"round-{i % 21 + 1}", "title": f"Round {i % 21 + 1}"}],
            "classifications": [
                {"vocabulary": "360G-bench-themes", "code": t.slug, "title": t.label}
                for t in chosen
            ],
        }
        grants.append(grant)
    return grants


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label:<42} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    OUT.mkdir(exist_ok=True)
    source, as_json, back = OUT / "grants.csv", OUT / "grants.json", OUT / "grants-again.csv"
    grants = timed(f"make {count:,} grants", lambda: make_grants(count))
    timed("write the source CSV (checked)", lambda: write_package_csv(source, {"grants": grants}))
    timed("CSV -> JSON (read, check, write)", lambda: convert_360giving(source, as_json))
    timed("JSON -> CSV (read, check, write)", lambda: convert_360giving(as_json, back))
    first = timed("read the source CSV again", lambda: load_package(source))["grants"]
    again = timed("read the round-tripped CSV", lambda: load_package(back))["grants"]
    same_values = first == again == grants
    same_text = source.read_bytes() == back.read_bytes()
    print(f"values equal after CSV -> JSON -> CSV: {same_values}; files identical: {same_text}")
    if not same_values:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
