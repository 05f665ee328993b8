"""The 360Giving export publishes awards as varied, with what was disbursed."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.examples_scf import GR2, sample_records
from sgfund.io.threesixtygiving import Publisher, build_package, write_360giving_csv
from sgfund.plugins.payments import SINGLE_PAYMENT
from sgfund.postaward import advance, start
from sgfund.postaward import commands as do

PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
PUBLISHER = Publisher(prefix="360G-wyca", name="West Yorkshire Combined Authority")
RECORDS = sample_records(GR2)
T0 = datetime(2022, 10, 10, 9, tzinfo=UTC)
AS_OF = date(2023, 12, 1)


def lives():
    """Award 1 paid with £100 clawed back and recovered; award 2 declined; 3 offered only."""
    one, two, three = RECORDS.awards[:3]
    positions = {}
    p = start(one, max_months=GR2.max_project_months)
    p = advance(p, do.offer(p, at=T0, by="officer", return_due=one.end + timedelta(56)))
    p = advance(p, do.accept(p, at=T0 + timedelta(1), by="grantee", plan=SINGLE_PAYMENT))
    p = advance(p, do.authorise(p, "1", at=T0 + timedelta(2), by="manager"))
    p = advance(p, do.pay(p, "1", at=T0 + timedelta(3), by="finance"))
    p = advance(p, do.claw_back(p, Decimal(100), at=T0 + timedelta(90), by="m", reason="unspent"))
    positions[one.id] = advance(p, do.recover(p, Decimal(100), at=T0 + timedelta(99), by="f"))
    p = start(two, max_months=GR2.max_project_months)
    p = advance(p, do.offer(p, at=T0, by="officer", return_due=two.end + timedelta(56)))
    positions[two.id] = advance(p, do.decline(p, at=T0 + timedelta(1), by="grantee"))
    p = start(three, max_months=GR2.max_project_months)
    positions[three.id] = advance(
        p, do.offer(p, at=T0, by="officer", return_due=three.end + timedelta(56))
    )
    return positions


def test_grants_carry_the_current_amount_and_what_was_disbursed(tmp_path):
    positions = lives()
    one, two, three = RECORDS.awards[:3]
    package = build_package(
        [GR2],
        RECORDS.applications,
        RECORDS.awards,
        publisher=PUBLISHER,
        as_of=AS_OF,
        pm=PM,
        post_award=positions,
    ).package
    by_id = {g["id"]: g for g in package["grants"]}
    assert len(by_id) == len(RECORDS.awards) - 1  # the declined award is left out
    [first] = [g for g in package["grants"] if g["id"].endswith(one.id)]
    assert first["amountAwarded"] == one.amount - 100
    assert first["amountDisbursed"] == one.amount - 100  # paid, less what came back
    [third] = [g for g in package["grants"] if g["id"].endswith(three.id)]
    assert third["amountAwarded"] == three.amount and "amountDisbursed" not in third
    assert not [g for g in package["grants"] if g["id"].endswith(two.id)]
    [path] = write_360giving_csv(
        tmp_path / "gr2.csv",
        [GR2],
        RECORDS.applications,
        RECORDS.awards,
        publisher=PUBLISHER,
        as_of=AS_OF,
        pm=PM,
        post_award=positions,
    )
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    [row] = [r for r in rows if r["Identifier"].endswith(one.id)]
    assert Decimal(row["Amount Disbursed"]) == one.amount - 100
