"""West Yorkshire's five districts, their ONS codes, and which district a postcode is in."""

from __future__ import annotations

from collections.abc import Iterator

from sgfund import Round, hookimpl
from sgfund.areas import Area, AreaSet
from sgfund_westyorkshire.tables import AreaStatus, postcode_districts

__all__ = ["DISTRICTS", "FUND_IDS", "district_of", "sgfund_areas"]

# The funds whose rounds these areas serve (sgfund.examples_scf.SCF is "wy-scf").
FUND_IDS = frozenset({"wy-scf"})


def district_of(postcode: str) -> str | None:
    """The district a normalised postcode is in, when its postcode district lies wholly in one.

    Postcode districts that straddle the county boundary, or cover two districts, say nothing.
    """
    row = postcode_districts().get(postcode.split(" ")[0])
    if row is None or row.status is not AreaStatus.INSIDE or len(row.districts) != 1:
        return None
    return row.districts[0]


# The five metropolitan districts (360Giving geoCodeType MD) and their ONS codes.
DISTRICTS = AreaSet(
    id="wy-districts",
    label="West Yorkshire's metropolitan districts (ONS codes)",
    areas=(
        Area(name="Bradford", code="E08000032", code_type="MD"),
        Area(name="Calderdale", code="E08000033", code_type="MD"),
        Area(name="Kirklees", code="E08000034", code_type="MD"),
        Area(name="Leeds", code="E08000035", code_type="MD"),
        Area(name="Wakefield", code="E08000036", code_type="MD"),
    ),
    locate=district_of,
)


@hookimpl
def sgfund_areas(round: Round) -> Iterator[AreaSet]:
    """The districts, for rounds of the West Yorkshire funds."""
    if round.fund_id in FUND_IDS:
        yield DISTRICTS
