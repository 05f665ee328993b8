"""The closure digest of the sample GR2 records, pinned.

Every closed round's digest is stored in the ledger and recomputed to prove the round was not
changed. If the canonical form behind it changes (a key renamed, another sort order, amounts
written another way), every stored digest stops verifying: this fixed value catches that.
A deliberate change to the canonical form needs a ledger migration, not a new value here.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import london, make_plugin_manager
from sgfund.closure import close_round, closure_digest
from sgfund.examples_scf import GR2, sample_records

GR2_DIGEST = "7d0f372183b89fa7786b65365afff3fec962580c9b6f3a40edc7412528c4a775"


def test_the_sample_gr2_digest_is_pinned():
    records = sample_records(GR2)
    assert closure_digest(records) == GR2_DIGEST
    pm = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)
    record = close_round(records, actor="Finance officer", at=london(2022, 11, 1, 10), pm=pm)
    assert record.digest == GR2_DIGEST
    assert record.totals.awards.total == Decimal("326032.84")


def test_a_penny_or_a_word_changes_the_digest():
    records = sample_records(GR2)
    award = records.awards[0]
    penny = attrs.evolve(award, amount=award.amount - Decimal("0.01"))
    moved = attrs.evolve(records, awards=[penny, *records.awards[1:]])
    assert closure_digest(moved) != GR2_DIGEST
    decision = records.decisions[0]
    reworded = attrs.evolve(decision, reasons=decision.reasons + ".")
    assert closure_digest(attrs.evolve(records, decisions=[reworded, *records.decisions[1:]])) != (
        GR2_DIGEST
    )


def test_text_beyond_ascii_is_digested_as_written():
    # The canonical form keeps "é" and "£" as UTF-8, not as \u escapes: pinned too.
    records = sample_records(GR2)
    app = attrs.evolve(records.applications[0], title="Café drop-in, £5 a week")
    changed = attrs.evolve(records, applications=[app, *records.applications[1:]])
    assert closure_digest(changed) == (
        "cfebb025c9541df5a67f2d3c3f85347c93b90e4d157e42e15a88ad295ccd2204"
    )
