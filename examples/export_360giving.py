"""Publish the Mayor's Safer Communities Fund GR1 + GR2 awards as 360Giving data.

Writes a validated 360Giving JSON package, the same grants as a CSV with the standard's column
titles, and the transparency table, into the folder given (default: ./open-data).

    python examples/export_360giving.py [folder]
"""

import sys
from datetime import date
from pathlib import Path

from sgfund import format_money, make_plugin_manager
from sgfund.examples_scf import ENTRY_POINTS, GR1, GR2, sample_records
from sgfund.io.export import write_csv
from sgfund.io.threesixtygiving import (
    Publisher,
    read_360giving,
    write_360giving_csv,
    write_360giving_json,
)
from sgfund.io.transparency import transparency_table
from sgfund.scope import Scope

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "open-data")
folder.mkdir(parents=True, exist_ok=True)

scope = Scope(id="mayor-scf-2022", label="Mayor's Safer Communities Fund 2022", rounds=(GR1, GR2))
records = [sample_records(GR1), sample_records(GR2)]
applications = [a for r in records for a in r.applications]
decisions = [d for r in records for d in r.decisions]
awards = [a for r in records for a in r.awards]

# The prefix is issued by 360Giving; the funder ids here are the sample's placeholders.
publisher = Publisher(
    prefix="360G-example-wyca",
    name="West Yorkshire Combined Authority (example)",
    website="https://www.westyorks-ca.gov.uk/",
)
as_of = date(2023, 4, 1)  # the day the data is published: no award may be dated after it
# Theme labels and district codes come from the West Yorkshire plugin.
pm = make_plugin_manager(entry_points=ENTRY_POINTS)

(json_path,) = write_360giving_json(
    folder / "scf-2022.json", scope, applications, awards, publisher=publisher, as_of=as_of, pm=pm
)
(csv_path,) = write_360giving_csv(
    folder / "scf-2022.csv", scope, applications, awards, publisher=publisher, as_of=as_of, pm=pm
)
table_path = write_csv(
    folder / "scf-2022-transparency.csv",
    transparency_table(scope, applications, decisions, awards),
)

back = read_360giving(json_path, prefix=publisher.prefix)
total = sum(a.amount for a in back.awards)
print(f"{len(back.awards)} grants, {format_money(total)}, funder: {back.funders[0].name}")
for path in (json_path, csv_path, table_path):
    print(f"  wrote {path}")
