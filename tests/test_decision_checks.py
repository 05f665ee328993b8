"""An award above the maximum grant or the request needs a justification wherever recorded."""

import csv
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import DataError, make_plugin_manager
from sgfund.examples_scf import GR2, SCF, sample_records
from sgfund.io.importer import read_applications
from sgfund.ledger import Ledger

AT = datetime(2022, 10, 6, 10, tzinfo=UTC)


@pytest.fixture
def ledger(tmp_path):
    records = sample_records(GR2)
    with Ledger.open(tmp_path / "l.db", clock=lambda: AT) as opened:
        opened.add_fund(SCF, actor="admin")
        opened.add_round(GR2, actor="admin")
        opened.add_applications(records.applications, actor="officer")
        yield opened, records


# The built-in plugins and the vocabulary the example rounds name; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)


def test_the_ledger_refuses_an_unjustified_award_above_the_maximum(ledger):
    opened, records = ledger
    app = next(a for a in records.applications if a.amount_requested == Decimal("6000.00"))
    over = records.decisions[records.applications.index(app)]
    over = attrs.evolve(over, outcome="approved", amount_awarded=Decimal("6500.00"))
    good = next(d for d in records.decisions if d.application_id != app.id)
    before = len(opened.events())
    with pytest.raises(DataError) as err:
        opened.record_decisions([good, over], actor="panel")
    messages = [p.message for p in err.value.problems]
    assert any("above the round's maximum grant £6,000.00" in m for m in messages)
    assert any("above the £6,000.00 requested" in m for m in messages)
    assert all(p.field == "amount_awarded" and p.row == 2 for p in err.value.problems)
    assert len(opened.events()) == before  # nothing written, not even the good decision

    justified = attrs.evolve(over, justification="Panel agreed interpreters on top")
    assert opened.record_decisions([justified], actor="panel") == 1


def test_the_importer_locates_an_unjustified_award_by_row_and_column(tmp_path):
    source = tmp_path / "gr2.csv"
    header = [
        "application_id",
        "round_id",
        "organisation_name",
        "organisation_type",
        "postcode",
        "project_title",
        "amount_requested",
        "project_start",
        "project_end",
        "submitted_at",
        "outcome",
        "amount_awarded",
        "decided_on",
        "decided_by",
    ]
    row = [
        "GR2-900",
        "mayor-gr2",
        "Ossett Residents Association",
        "Community group",
        "WF5 8AA",
        "Walk Safe Ossett",
        "£5,000",
        "01/11/2022",
        "31/10/2023",
        "01/06/2022 10:00",
        "Approved",
        "£6,200.00",
        "06/10/2022",
        "Grants panel",
    ]
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, row])
    with pytest.raises(DataError) as err:
        read_applications(source, pm=PM, rounds=[GR2])
    problems = err.value.problems
    assert [(p.row, p.column) for p in problems] == [(2, "amount_awarded"), (2, "amount_awarded")]
    assert "above the round's maximum grant £6,000.00" in problems[0].message
    assert "above the £5,000.00 requested" in problems[1].message
    assert problems[0].value == "£6,200.00"
