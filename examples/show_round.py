"""Build the Mayor's Safer Communities Fund Grant Round 2 and print it."""

from sgfund import dumps, format_money, make_plugin_manager, round_vocabularies
from sgfund.examples_scf import ENTRY_POINTS, GR2

print(GR2.name)
print(f"  open:       {GR2.opens_at:%A %d %B %Y %H:%M %Z} ({GR2.opens_at.isoformat()})")
print(f"  closes:     {GR2.closes_at:%A %d %B %Y %H:%M %Z} ({GR2.closes_at.isoformat()})")
print(f"  funder:     {GR2.era.funder_name}")
print(f"  pot:        {format_money(GR2.advertised_pot or 0)}")
print(f"  max grant:  {format_money(GR2.max_grant or 0)} for up to {GR2.max_project_months} months")
# The round names its theme vocabulary by id; the West Yorkshire plugin gives it.
vocabularies = round_vocabularies(make_plugin_manager(entry_points=ENTRY_POINTS), GR2)
for vocabulary in vocabularies.vocabularies:
    print(f"  themes ({vocabulary.label}, version {vocabulary.version}):")
    for theme in vocabulary.themes:
        print(f"    - {theme.label}")
print()
print(dumps(GR2, indent=2))
