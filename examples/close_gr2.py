"""Close the Mayor's Grant Round 2 from Python and print its reconciliation report."""

from datetime import date

import attrs

from sgfund import (
    DeclaredFigure,
    assess,
    close_round,
    london,
    make_plugin_manager,
    report_text,
    round_vocabularies,
)
from sgfund.examples_scf import ENTRY_POINTS, GR2, sample_records

# The plugins this example means: sgfund's built-ins and the West Yorkshire plugin.
pm = make_plugin_manager(entry_points=ENTRY_POINTS)
records = sample_records(GR2)  # 81 applications, 61 approved, as published
assessed = assess(GR2, records.applications, pm=pm, as_of=date(2022, 6, 30))
print(f"assessed {len(assessed)}: {len(assessed.with_status('refer'))} referred to officers")
published = [
    DeclaredFigure(
        figure="total_awarded", value="326032.84", precision="exact", published_text="£326,032.84"
    ),
    DeclaredFigure(figure="projects", value=61, precision="exact", published_text="61 projects"),
]
closure = close_round(
    attrs.evolve(records, assessments=assessed),
    actor="Finance officer",
    at=london(2022, 10, 7, 9),
    pm=pm,
    declared=published,
)
labels = round_vocabularies(pm, GR2).labels
print(report_text(closure.reconciliation(GR2.name), theme_labels=labels))
print(f"closed by {closure.closed_by} at {closure.closed_at:%d %B %Y %H:%M}")
print(f"digest {closure.digest}")
