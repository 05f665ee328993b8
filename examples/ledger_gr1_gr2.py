"""Keep GR1 and GR2 in a ledger: import, decide, close both rounds, then verify the audit trail.

    python examples/ledger_gr1_gr2.py [PATH]

PATH defaults to ``gr1_gr2.db`` in the current directory (an existing file is replaced).
Closing each round prints its anchor (the closing event's id and hash): publish it with the
round's results, and anyone holding the file can check it later with ``verify``. Afterwards,
try changing a closed award in the sqlite3 shell: the database refuses.
"""

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from sgfund import format_money, make_plugin_manager
from sgfund.errors import RoundClosedError
from sgfund.examples_scf import ENTRY_POINTS, GR1, GR2, SCF, sample_records
from sgfund.ledger import Ledger, LedgerPolicy

path = Path(sys.argv[1] if len(sys.argv) > 1 else "gr1_gr2.db")
for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
    leftover.unlink(missing_ok=True)

# The library never reads the clock: the script says when each step happened.
when = {
    GR1.id: datetime(2022, 3, 1, 10, tzinfo=UTC),
    GR2.id: datetime(2022, 10, 6, 10, tzinfo=UTC),
}

# The plugins this example means: sgfund's built-ins and the West Yorkshire plugin.
pm = make_plugin_manager(entry_points=ENTRY_POINTS)

anchors = []
with Ledger.open(path) as ledger:
    ledger.add_fund(
        SCF,
        actor="fund-admin",
        policy=LedgerPolicy(separate_closer_from_decider=True),
        at=datetime(2021, 11, 1, tzinfo=UTC),
    )
    for rnd in (GR1, GR2):
        at = when[rnd.id]
        records = sample_records(rnd)
        ledger.add_round(rnd, actor="fund-admin", at=rnd.opens_at)
        ledger.set_round_state(rnd.id, "open", actor="fund-admin", at=rnd.opens_at)
        ledger.add_applications(records.applications, actor="grants-officer", at=rnd.closes_at)
        ledger.set_round_state(
            rnd.id, "closed_to_applications", actor="grants-officer", at=rnd.closes_at
        )
        ledger.set_round_state(rnd.id, "assessed", actor="grants-officer", at=at)
        ledger.record_decisions(records.decisions, actor="panel-secretary", at=at)
        ledger.record_awards(records.awards, actor="panel-secretary", at=at)
        ledger.set_round_state(rnd.id, "decided", actor="panel-secretary", at=at)
        # Separation of duties: the panel secretary recorded the decisions, so the
        # fund manager closes the round.
        record = ledger.close_round(rnd.id, actor="fund-manager", at=at, pm=pm)
        awards = record.totals.awards
        print(
            f"{rnd.id}: closed by {record.closed_by}; {awards.count} awards, "
            f"{format_money(awards.total)}; digest {record.digest[:16]}..."
        )
        print(f"{rnd.id}: anchor {record.anchor}")
        anchors.append(str(record.anchor))

    try:
        ledger.record_awards(sample_records(GR2).awards[:1], actor="someone", at=at)
    except RoundClosedError as err:
        print(f"changing a closed round through the ledger: refused ({err})")

    # The published anchors are checked against the file, with everything else.
    report = ledger.verify(anchors=anchors)
    print(report)
    print(f"chain head: {ledger.head()}")

# The same refusal comes from the database itself, whatever tool opens the file.
conn = sqlite3.connect(path)
try:
    conn.execute("UPDATE awards SET amount_pence = amount_pence + 100 WHERE id = 'GR2-001-A'")
except sqlite3.IntegrityError as err:
    print(f"changing a closed award with plain sqlite3: refused ({err})")
finally:
    conn.close()
shell_command = "UPDATE awards SET amount_pence = 1 WHERE id = 'GR1-001-A';"
print(f'try it: sqlite3 {path} "{shell_command}"')
if not report.ok:
    sys.exit(1)
