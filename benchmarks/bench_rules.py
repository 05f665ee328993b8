"""Micro-benchmark: the per-application cost of 8 eligibility rules against parsing a CSV row.

Not a test: it prints timings. Run with ``python benchmarks/bench_rules.py [N]``.
The 8 rules are the 7 built-in ones and the West Yorkshire area rule when that plugin is
installed (otherwise a rule of the same shape: a dictionary lookup on the postcode district).
"""

import csv
import io
import sys
import time
from datetime import date
from decimal import Decimal

from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import (
    Organisation,
    OrgType,
    Rule,
    fail,
    make_plugin_manager,
    parse_money,
    round_vocabularies,
)
from sgfund.applications import Application
from sgfund.collect import Registered
from sgfund.dates import parse_date, parse_datetime
from sgfund.eligibility import eligibility_rules, run_rules
from sgfund.examples_scf import ENTRY_POINTS, GR2
from sgfund.testing.builders import application, organisation

N = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
AS_OF = date(2022, 7, 1)
# Mostly eligible, as real rounds are: 1 in 50 over the maximum, 1 in 40 outside the area,
# 1 in 40 in a district that crosses the boundary.
POSTCODES = ("LS1 1AA", "BD7 2QT", "HX1 1AA", "WF1 2AB", "HD1 3DE") * 8
POSTCODES = (*POSTCODES[:-2], "LS21 1AA", "M1 1AA")
FIELDS = [
    "id",
    "organisation",
    "type",
    "charity_number",
    "postcode",
    "title",
    "summary",
    "amount_requested",
    "project_start",
    "project_end",
    "submitted_at",
]


def make_applications(n):
    apps = []
    for i in range(n):
        amount = Decimal(7000 if i % 50 == 0 else 500 + (i * 37) % 5500)
        org = organisation(charity_number=str(1000000 + i), postcode=POSTCODES[i % len(POSTCODES)])
        apps.append(application(GR2, id=f"GR2-{i:06d}", amount_requested=amount, organisation=org))
    return apps


def to_csv(apps):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for a in apps:
        o = a.organisation
        writer.writerow(
            [
                a.id,
                o.name,
                o.type,
                o.charity_number,
                o.postcode,
                a.title,
                a.summary,
                a.amount_requested,
                a.project_start,
                a.project_end,
                a.submitted_at.isoformat(),
            ]
        )
    return out.getvalue()


def parse_rows(text):
    rows = csv.reader(io.StringIO(text))
    next(rows)
    return list(rows)


def parse_applications(text):
    apps = []
    for row in parse_rows(text):
        (app_id, name, kind, charity, postcode, title, summary, amount, start, end, sub) = row
        apps.append(
            Application(
                id=app_id,
                round_id=GR2.id,
                organisation=Organisation(
                    name=name, type=OrgType(kind), charity_number=charity, postcode=postcode
                ),
                title=title,
                summary=summary,
                amount_requested=parse_money(amount),
                project_start=parse_date(start),
                project_end=parse_date(end),
                submitted_at=parse_datetime(sub),
            )
        )
    return apps


def eight_rules(pm):
    rules = list(eligibility_rules(pm, GR2, round_vocabularies(pm, GR2)))
    if len(rules) < 8:
        inside = {"LS1", "BD7", "HX1", "WF1", "HD1"}

        def area(app, round, as_of):
            if app.organisation.postcode.split(" ")[0] in inside:
                return None
            return fail("outside the area", "organisation.postcode")

        rules.append(
            Registered("bench", Rule(id="area", version="1", description="Area.", check=area))
        )
    return rules[:8]


def per_item(seconds, n):
    return f"{seconds / n * 1e6:8.2f} µs"


def best_of(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    apps = make_applications(N)
    text = to_csv(apps)
    pm = make_plugin_manager(entry_points=ENTRY_POINTS)
    all_rules = eligibility_rules(pm, GR2, round_vocabularies(pm, GR2))
    wy = [r for r in all_rules if r.item.id.startswith("wy-area")]
    base = [r for r in all_rules if r.plugin == "sgfund.plugins.rules"]
    data_only = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
    rules = eight_rules(data_only) if not wy else [*base, *wy]
    findings = run_rules(rules, GR2, apps, AS_OF)

    rows = best_of(lambda: parse_rows(text))
    objects = best_of(lambda: parse_applications(text), repeat=1)
    checked = best_of(lambda: run_rules(rules, GR2, apps, AS_OF))
    passing = [a for a in apps if a.id not in findings]
    clean = best_of(lambda: run_rules(rules, GR2, passing, AS_OF))

    print(f"{N} applications, {len(rules)} rules: {', '.join(r.item.id for r in rules)}")
    print(f"  {sum(map(len, findings.values()))} findings on {len(findings)} applications")
    print(f"  csv.reader, one row:                 {per_item(rows, N)}")
    print(f"  csv row to a validated Application:  {per_item(objects, N)}")
    print(f"  8 rules, one application (the mix):  {per_item(checked, N)}")
    print(f"  8 rules, one application that passes:{per_item(clean, len(passing))}")
    print(f"  rules (mix) / bare csv row:          {checked / rows:8.2f}")
    print(f"  rules (mix) / csv row to Application:{checked / objects:8.2f}")


if __name__ == "__main__":
    main()
