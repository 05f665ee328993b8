"""Schema version 1 of the SQLite ledger, kept exactly as shipped: migration 1 runs it.

Version 2 (`sgfund.ledger.schema`) replaces all of it; a file still at version 1 is upgraded
only while it holds no events (see `sgfund.ledger.schema.MIGRATIONS`).
"""

# ruff: noqa: S608 - the DDL is assembled from constants in this file, never from input

from __future__ import annotations

__all__ = ["V1", "V1_TABLES"]

# SQLite's RAISE takes a constant message, so the messages say what, not which.
_CLOSED_MESSAGE = "sgfund: this round is closed; its records cannot change"
_EVENTS_MESSAGE = "sgfund: events are append-only"
_CLOSURES_MESSAGE = "sgfund: closure records are append-only"
_REOPEN_MESSAGE = "sgfund: a closed round stays closed"
_NO_CLOSURE_MESSAGE = "sgfund: a round is closed only together with its closure record"
_SUPERSEDED_MESSAGE = "sgfund: superseded records are append-only"

_STATES = "'draft', 'open', 'closed_to_applications', 'assessed', 'decided', 'closed'"


def _closed_guard(table: str, round_of_new: str, round_of_old: str) -> str:
    """Triggers refusing INSERT, UPDATE and DELETE of ``table`` rows in a closed round."""
    closed = "(SELECT state FROM rounds WHERE id = {}) = 'closed'"
    return f"""
CREATE TRIGGER {table}_closed_insert BEFORE INSERT ON {table}
WHEN {closed.format(round_of_new)}
BEGIN SELECT RAISE(ABORT, '{_CLOSED_MESSAGE}'); END;
CREATE TRIGGER {table}_closed_update BEFORE UPDATE ON {table}
WHEN {closed.format(round_of_old)} OR {closed.format(round_of_new)}
BEGIN SELECT RAISE(ABORT, '{_CLOSED_MESSAGE}'); END;
CREATE TRIGGER {table}_closed_delete BEFORE DELETE ON {table}
WHEN {closed.format(round_of_old)}
BEGIN SELECT RAISE(ABORT, '{_CLOSED_MESSAGE}'); END;
"""


def _append_only(table: str, message: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{message}'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{message}'); END;
"""


def _app_round(row: str) -> str:
    return f"(SELECT round_id FROM applications WHERE id = {row}.application_id)"


V1 = (
    f"""
CREATE TABLE funds (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    separate_closer_from_decider INTEGER NOT NULL DEFAULT 0
        CHECK (separate_closer_from_decider IN (0, 1)),
    data TEXT NOT NULL
) STRICT;

CREATE TABLE eras (
    id TEXT PRIMARY KEY,
    funder_id TEXT NOT NULL,
    data TEXT NOT NULL
) STRICT;

CREATE TABLE rounds (
    id TEXT PRIMARY KEY,
    fund_id TEXT NOT NULL REFERENCES funds (id),
    era_id TEXT NOT NULL REFERENCES eras (id),
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ({_STATES})),
    data TEXT NOT NULL
) STRICT;

CREATE TABLE organisations (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL
) STRICT;

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES rounds (id),
    organisation_key TEXT NOT NULL REFERENCES organisations (key),
    amount_requested_pence INTEGER NOT NULL CHECK (amount_requested_pence > 0),
    data TEXT NOT NULL
) STRICT;
CREATE INDEX applications_by_round ON applications (round_id);

CREATE TABLE assessments (
    application_id TEXT PRIMARY KEY REFERENCES applications (id),
    status TEXT NOT NULL,
    rule_versions TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL
) STRICT;

CREATE TABLE resolutions (
    application_id TEXT PRIMARY KEY REFERENCES applications (id),
    eligible INTEGER NOT NULL CHECK (eligible IN (0, 1)),
    data TEXT NOT NULL
) STRICT;

CREATE TABLE theme_overrides (
    application_id TEXT PRIMARY KEY REFERENCES applications (id),
    themes TEXT NOT NULL,
    data TEXT NOT NULL
) STRICT;

CREATE TABLE decisions (
    application_id TEXT PRIMARY KEY REFERENCES applications (id),
    outcome TEXT NOT NULL
        CHECK (outcome IN ('approved', 'rejected', 'withdrawn', 'deferred')),
    amount_awarded_pence INTEGER NOT NULL CHECK (amount_awarded_pence >= 0),
    recorded_by TEXT NOT NULL CHECK (recorded_by <> ''),
    data TEXT NOT NULL,
    CHECK ((outcome = 'approved') = (amount_awarded_pence > 0))
) STRICT;

CREATE TABLE awards (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    round_id TEXT NOT NULL REFERENCES rounds (id),
    amount_pence INTEGER NOT NULL CHECK (amount_pence > 0),
    data TEXT NOT NULL
) STRICT;
CREATE INDEX awards_by_round ON awards (round_id);
CREATE INDEX awards_by_application ON awards (application_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY CHECK (id > 0),
    at TEXT NOT NULL,
    actor TEXT NOT NULL CHECK (actor <> ''),
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    round_id TEXT,
    rule_versions TEXT NOT NULL,
    detail TEXT NOT NULL,
    digest TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX events_by_round ON events (round_id);

CREATE TABLE closures (
    round_id TEXT PRIMARY KEY REFERENCES rounds (id),
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL CHECK (closed_by <> ''),
    digest TEXT NOT NULL,
    event_id INTEGER NOT NULL UNIQUE REFERENCES events (id) DEFERRABLE INITIALLY DEFERRED,
    record TEXT NOT NULL
) STRICT;

-- Earlier versions of corrected records: a correction never erases what it replaced.
CREATE TABLE superseded (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX superseded_by_key ON superseded (kind, key);
"""
    + _append_only("events", _EVENTS_MESSAGE)
    + _append_only("closures", _CLOSURES_MESSAGE)
    + _append_only("superseded", _SUPERSEDED_MESSAGE)
    + _closed_guard("applications", "NEW.round_id", "OLD.round_id")
    + _closed_guard("awards", "NEW.round_id", "OLD.round_id")
    + "".join(
        _closed_guard(table, _app_round("NEW"), _app_round("OLD"))
        for table in ("assessments", "resolutions", "theme_overrides", "decisions")
    )
    + f"""
-- An award's round is its application's round.
CREATE TRIGGER awards_round_insert BEFORE INSERT ON awards
WHEN NEW.round_id IS NOT {_app_round("NEW")}
BEGIN SELECT RAISE(ABORT, 'sgfund: an award belongs to its application''s round'); END;
CREATE TRIGGER awards_round_update BEFORE UPDATE ON awards
WHEN NEW.round_id IS NOT {_app_round("NEW")}
BEGIN SELECT RAISE(ABORT, 'sgfund: an award belongs to its application''s round'); END;

CREATE TRIGGER rounds_stay_closed BEFORE UPDATE ON rounds
WHEN OLD.state = 'closed'
BEGIN SELECT RAISE(ABORT, '{_REOPEN_MESSAGE}'); END;
CREATE TRIGGER rounds_closed_delete BEFORE DELETE ON rounds
WHEN OLD.state = 'closed'
BEGIN SELECT RAISE(ABORT, '{_CLOSED_MESSAGE}'); END;
CREATE TRIGGER rounds_close_with_record BEFORE UPDATE OF state ON rounds
WHEN NEW.state = 'closed' AND NOT EXISTS (SELECT 1 FROM closures WHERE round_id = NEW.id)
BEGIN SELECT RAISE(ABORT, '{_NO_CLOSURE_MESSAGE}'); END;
CREATE TRIGGER rounds_insert_open BEFORE INSERT ON rounds
WHEN NEW.state = 'closed'
BEGIN SELECT RAISE(ABORT, '{_NO_CLOSURE_MESSAGE}'); END;

-- Organisations of a closed round's applications keep their details.
CREATE TRIGGER organisations_closed_update BEFORE UPDATE ON organisations
WHEN EXISTS (
    SELECT 1 FROM applications a JOIN rounds r ON r.id = a.round_id
    WHERE a.organisation_key = OLD.key AND r.state = 'closed'
)
BEGIN SELECT RAISE(ABORT, '{_CLOSED_MESSAGE}'); END;
"""
)

# Tables of version 1, children before parents (the order to drop them in).
V1_TABLES = (
    "superseded",
    "closures",
    "awards",
    "decisions",
    "theme_overrides",
    "resolutions",
    "assessments",
    "applications",
    "organisations",
    "rounds",
    "eras",
    "funds",
    "events",
)
