from datetime import date

import pytest

from sgfund import Application, Organisation, OrgType, london
from sgfund.sample import GR2


@pytest.fixture
def sample_app() -> Application:
    return Application(
        id="GR2-001",
        round_id=GR2.id,
        organisation=Organisation(
            name="Calder Valley Refuge",
            type=OrgType.REGISTERED_CHARITY,
            charity_number="1990001",
            postcode="hx1 1aa",
            district="Calderdale",
        ),
        title="Safe at home",
        summary="Support for survivors of domestic abuse",
        amount_requested="£5,950.00",
        project_start=date(2022, 11, 1),
        project_end=date(2023, 10, 31),
        submitted_at=london(2022, 6, 1, 14, 30),
        declared_themes={"domestic-abuse", "stalking-harassment"},
    )
