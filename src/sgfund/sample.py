"""The West Yorkshire Safer Communities Fund as sample data: the fund, its eras and rounds.

Figures come from the fund's published rounds. Funder ids are placeholders under the
``XI-SGFUND`` prefix until a publisher sets its real org-ids.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sgfund.dates import london
from sgfund.funds import Era, Fund, Round
from sgfund.vocabulary import SAFEGUARDING_THEMES

__all__ = ["GR1", "GR2", "MAYOR_ERA", "PCC_ERA", "SCF"]

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

# GR1 opened on 15 November 2021; its closing time was not published, so the
# window below ends on an assumed date.
GR1 = Round(
    id="mayor-gr1",
    name="Mayor's Safer Communities Fund, Grant Round 1",
    fund_id=SCF.id,
    era=MAYOR_ERA,
    opens_at=london(2021, 11, 15, 9),
    closes_at=london(2021, 12, 17, 12),
    advertised_pot=Decimal("180000.00"),
    max_grant=Decimal("6000.00"),
    max_project_months=12,
    theme_vocabularies=(SAFEGUARDING_THEMES,),
    area="West Yorkshire",
)

GR2 = Round(
    id="mayor-gr2",
    name="Mayor's Safer Communities Fund, Grant Round 2",
    fund_id=SCF.id,
    era=MAYOR_ERA,
    opens_at=london(2022, 5, 9, 9),
    closes_at=london(2022, 6, 10, 12),
    advertised_pot=Decimal("270000.00"),
    max_grant=Decimal("6000.00"),
    max_project_months=12,
    theme_vocabularies=(SAFEGUARDING_THEMES,),
    area="West Yorkshire",
)
