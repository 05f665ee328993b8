"""Write the demo's officer spreadsheets (gr1.csv, gr2.csv) from sgfund's example records.

The records are made up, but their awards add up to what was published: GR1 39 grants,
£208,253.16; GR2 61 grants, £326,032.84. Run it again to regenerate the files:

    python examples/data/make_demo_data.py
"""

import csv
from pathlib import Path

from sgfund import format_money, make_plugin_manager, round_vocabularies
from sgfund.examples_scf import (
    DECISION_COLUMNS,
    ENTRY_POINTS,
    GR1,
    GR2,
    SHEET_COLUMNS,
    sample_records,
)

HEADER = [*SHEET_COLUMNS, *DECISION_COLUMNS]
TYPES = {
    "registered-charity": "Registered charity",
    "cio": "CIO",
    "charitable-company": "Charitable company",
    "cic": "CIC",
    "company-limited-by-guarantee": "Company limited by guarantee",
    "unincorporated-community-group": "Community group",
    "parish-or-town-council": "Town council",
}


def write(round_, path: Path) -> None:
    records = sample_records(round_)
    labels = round_vocabularies(make_plugin_manager(entry_points=ENTRY_POINTS), round_).labels
    decisions = {d.application_id: d for d in records.decisions}
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for app in records.applications:
            org, decision = app.organisation, decisions[app.id]
            out.writerow(
                [
                    app.id,
                    app.round_id,
                    org.name,
                    TYPES[str(org.type)],
                    org.charity_number or "",
                    org.company_number or "",
                    org.postcode,
                    org.district,
                    app.title,
                    app.summary,
                    format_money(app.amount_requested),
                    f"{app.project_start:%d/%m/%Y}",
                    f"{app.project_end:%d/%m/%Y}",
                    f"{app.submitted_at:%d/%m/%Y %H:%M}",
                    "; ".join(labels[s] for s in sorted(app.declared_themes)),
                    str(decision.outcome).capitalize(),
                    format_money(decision.amount_awarded) if decision.amount_awarded else "",
                    f"{decision.decided_on:%d/%m/%Y}",
                    decision.decided_by,
                    decision.reasons,
                ]
            )


if __name__ == "__main__":
    here = Path(__file__).parent
    write(GR1, here / "gr1.csv")
    write(GR2, here / "gr2.csv")
