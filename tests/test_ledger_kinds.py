"""Kinds: the schema is generated from them, and a new kind (a post-award record) is easy to add.

The post-award kind here is made up for the test; its table is created the way a migration
would create it, from `schema.kind_ddl`.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from attrs import frozen

from sgfund.errors import LedgerError
from sgfund.examples_scf import SCF
from sgfund.ledger import Ledger, kinds
from sgfund.ledger.kinds import KINDS, RECORD_KINDS, Column, Kind, pence, to_json
from sgfund.ledger.schema import MIGRATIONS, kind_ddl
from sgfund.lifecycle import RoundState

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
AT = worker.AT


@frozen(kw_only=True)
class Payment:
    id: str
    application_id: str
    round_id: str
    amount: Decimal


PAYMENTS = Kind(
    name="payments",
    table="payments",
    key="id",
    columns=(
        Column("id"),
        Column("application_id", references="applications (id)"),
        Column("round_id", references="rounds (id)"),
        Column("amount_pence", "INTEGER", check="amount_pence > 0"),
        Column("data"),
    ),
    action="payments.recorded",
    noun="payment",
    model=Payment,
    round_column="round_id",
    application_column="application_id",
    accepts=frozenset({RoundState.CLOSED}),
    correctable=True,
    to_row=lambda p, _actor: (p.id, p.application_id, p.round_id, pence(p.amount), to_json(p)),
)


def test_every_kind_has_its_guards_in_the_schema():
    created = "".join(m.script for m in MIGRATIONS[1:])
    for kind in KINDS:
        for operation in ("insert", "update", "delete"):
            assert f"CREATE TRIGGER {kind.table}_{operation} " in created, (kind, operation)
        assert kind.columns[0].name == kind.key
        assert kind.columns[-1].name == "data"
    assert {k.name for k in RECORD_KINDS} == {
        "applications",
        "assessments",
        "resolutions",
        "theme_overrides",
        "decisions",
        "awards",
        "award_steps",
    }


def test_a_post_award_kind_is_written_only_for_a_closed_round(tmp_path):
    path = tmp_path / "l.db"
    with Ledger.open(path) as ledger:
        ledger.add_fund(SCF, actor="admin", at=AT)
        for round_id in ("gr-a", "gr-b"):
            worker.prepare_round(ledger, round_id, 2)
        ledger.close_round("gr-a", pm=worker.PM, actor="manager", at=AT)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(kind_ddl(PAYMENTS))
    conn.close()
    with Ledger.open(path) as ledger:
        award = ledger.round_records("gr-a").awards[0]
        open_award = ledger.round_records("gr-b").awards[0]
        paid = Payment(
            id="P-1", application_id=award.application_id, round_id="gr-a", amount=award.amount
        )
        assert ledger.record(PAYMENTS, [paid], actor="finance", at=AT) == 1
        early = Payment(
            id="P-2",
            application_id=open_award.application_id,
            round_id="gr-b",
            amount=open_award.amount,
        )
        with pytest.raises(LedgerError, match="payments are accepted only while a round is closed"):
            ledger.record(PAYMENTS, [early], actor="finance", at=AT)
        # A closed round's own records still refuse every change.
        with pytest.raises(Exception, match="closed"):
            ledger.record(kinds.AWARDS, [award], actor="finance", at=AT)
        event = ledger.events()[-1]
        assert (event.action, event.round_id, event.actor) == (
            "payments.recorded",
            "gr-a",
            "finance",
        )
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="does not accept payments"):
        conn.execute(
            "UPDATE payments SET round_id = 'gr-b', application_id = ? WHERE id = 'P-1'",
            (open_award.application_id,),
        )
    with pytest.raises(sqlite3.IntegrityError, match="nothing is deleted"):
        conn.execute("DELETE FROM payments")
    conn.close()
