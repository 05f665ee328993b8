"""The "done when" script: GR1 and GR2 imported, closed and verified; the shell is refused."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from sgfund.ledger import Ledger

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "ledger_gr1_gr2.py"


def test_example_closes_gr1_and_gr2_and_verifies(tmp_path):
    db = tmp_path / "gr.db"
    result = subprocess.run(
        [sys.executable, SCRIPT, db], capture_output=True, text=True, check=True
    )
    assert "39 awards, £208,253.16" in result.stdout
    assert "61 awards, £326,032.84" in result.stdout
    assert "the chain is whole" in result.stdout
    assert "refused (sgfund: this round is closed" in result.stdout
    with Ledger.open(db) as ledger:
        assert ledger.verify().ok
        assert {r: str(s) for r, s in ledger.rounds().items()} == {
            "mayor-gr1": "closed",
            "mayor-gr2": "closed",
        }
    conn = sqlite3.connect(db)
    total = conn.execute("SELECT count(*), sum(amount_pence) FROM awards").fetchone()
    conn.close()
    assert total == (100, 53428600)
