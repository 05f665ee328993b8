"""An award above the maximum grant or the request needs a justification wherever recorded."""

import csv
import importlib.util
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import ClosureRefused, DataError, Outcome, format_money, make_plugin_manager
from sgfund.examples_scf import GR2, SCF, sample_records
from sgfund.io.importer import read_applications
from sgfund.ledger import Ledger

AT = datetime(2022, 10, 6, 10, tzinfo=UTC)

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)


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


def test_the_ledger_stores_an_unjustified_award_and_closing_refuses_it(tmp_path):
    # One home for the rule: the ledger stores decisions as given, as it does declared
    # themes, and closing the round is where a decision that cannot stand is refused.
    with Ledger.open(tmp_path / "l.db") as opened:
        worker.ensure_fund(opened)
        records = worker.prepare_round(opened, "gr-a", 6)
        apps = {a.id: a for a in records.applications}
        decision = next(
            d
            for d in records.decisions
            if d.outcome is Outcome.APPROVED
            and apps[d.application_id].amount_requested < Decimal("5900.00")
        )
        app = apps[decision.application_id]
        award = next(w for w in records.awards if w.application_id == app.id)
        amount = app.amount_requested + Decimal("100.00")
        over = attrs.evolve(decision, amount_awarded=amount)
        assert opened.record_decisions([over], actor="panel", at=worker.AT) == 1
        opened.record_awards([attrs.evolve(award, amount=amount)], actor="panel", at=worker.AT)
        with pytest.raises(ClosureRefused) as refused:
            opened.close_round("gr-a", pm=worker.PM, actor="manager", at=worker.AT)
        assert [r for r in refused.value.reasons if "justification" in r] == [
            f"application {app.id}: award {format_money(amount)} is above the "
            f"{format_money(app.amount_requested)} requested and needs a recorded justification"
        ]
        justified = attrs.evolve(over, justification="Panel agreed interpreters on top")
        opened.record_decisions([justified], actor="panel", at=worker.AT)
        assert opened.close_round("gr-a", pm=worker.PM, actor="manager", at=worker.AT)


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
