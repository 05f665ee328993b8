-- A ledger written by sgfund at schema version 3 (before rounds could be amended): the
-- sample fund, round gr-a opened with three applications. Load it with executescript and
-- set PRAGMA user_version = 3 (tests/test_ledger_amend.py).
BEGIN TRANSACTION;
CREATE TABLE applications (
    id TEXT NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id),
    organisation_key TEXT NOT NULL REFERENCES organisations (key),
    amount_requested_pence INTEGER NOT NULL CHECK (amount_requested_pence > 0),
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (id)
) STRICT, WITHOUT ROWID;
INSERT INTO "applications" VALUES('gr-a.GR2-001','gr-a','GB-CHC-1994099',600000,'{"amount_requested":"6000.00","declared_themes":["child-sexual-abuse-exploitation"],"delivery_postcode":null,"id":"gr-a.GR2-001","organisation":{"charity_number":"1994099","company_number":null,"district":"Bradford","id":null,"name":"Keighley Women''s Aid","postcode":"BD5 2XR","type":"registered-charity"},"project_end":"2023-07-31","project_start":"2022-11-01","round_id":"gr-a","submitted_at":"2022-05-24T09:03:00+01:00","summary":"A Keighley project: workshops for young people on grooming and child sexual exploitation.","title":"Safe Online Keighley"}',5);
INSERT INTO "applications" VALUES('gr-a.GR2-002','gr-a','GB-CHC-1996638',450247,'{"amount_requested":"4502.47","declared_themes":["child-sexual-abuse-exploitation"],"delivery_postcode":null,"id":"gr-a.GR2-002","organisation":{"charity_number":"1996638","company_number":null,"district":"Calderdale","id":null,"name":"Todmorden Youth Project","postcode":"HX4 4LH","type":"cio"},"project_end":"2023-10-31","project_start":"2022-11-01","round_id":"gr-a","submitted_at":"2022-05-11T11:11:00+01:00","summary":"A Todmorden project: workshops for young people on grooming and child sexual exploitation.","title":"Safe Online Todmorden"}',5);
INSERT INTO "applications" VALUES('gr-a.GR2-003','gr-a','GB-CHC-1990549',573134,'{"amount_requested":"5731.34","declared_themes":["child-sexual-abuse-exploitation","human-trafficking-modern-slavery"],"delivery_postcode":null,"id":"gr-a.GR2-003","organisation":{"charity_number":"1990549","company_number":"99107474","district":"Kirklees","id":null,"name":"Batley Community Trust","postcode":"HD7 7FU","type":"charitable-company"},"project_end":"2023-07-31","project_start":"2022-11-01","round_id":"gr-a","submitted_at":"2022-05-30T22:26:00+01:00","summary":"A Batley project: training to recognise modern slavery and human trafficking and workshops for young people on grooming and child sexual exploitation.","title":"Hidden in Plain Sight Batley"}',5);
CREATE TABLE assessments (
    application_id TEXT NOT NULL REFERENCES applications (id),
    status TEXT NOT NULL,
    rule_versions TEXT NOT NULL,
    format INTEGER NOT NULL CHECK (format > 0),
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (application_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE award_steps (
    id TEXT NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id),
    award_id TEXT NOT NULL REFERENCES awards (id),
    seq INTEGER NOT NULL CHECK (seq > 0),
    action TEXT NOT NULL CHECK (action IN ('offered', 'accepted', 'declined', 'scheduled', 'authorised', 'paid', 'failed', 'cancelled', 'variation_requested', 'variation_approved', 'variation_refused', 'return_received', 'return_accepted', 'return_sent_back', 'clawed_back', 'recovered', 'withdrawn')),
    amount_pence INTEGER NOT NULL CHECK (amount_pence >= 0),
    recorded_by TEXT NOT NULL CHECK (recorded_by <> ''),
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (id)
) STRICT, WITHOUT ROWID;
CREATE TABLE awards (
    id TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    round_id TEXT NOT NULL REFERENCES rounds (id),
    amount_pence INTEGER NOT NULL CHECK (amount_pence > 0),
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (id)
) STRICT, WITHOUT ROWID;
CREATE TABLE closures (
    round_id TEXT NOT NULL REFERENCES rounds (id),
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL CHECK (closed_by <> ''),
    digest TEXT NOT NULL,
    event_id INTEGER NOT NULL UNIQUE REFERENCES events (id),
    record TEXT NOT NULL,
    PRIMARY KEY (round_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE decisions (
    application_id TEXT NOT NULL REFERENCES applications (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected', 'withdrawn', 'deferred')),
    amount_awarded_pence INTEGER NOT NULL CHECK (amount_awarded_pence >= 0),
    recorded_by TEXT NOT NULL CHECK (recorded_by <> ''),
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (application_id),
    CHECK ((outcome = 'approved') = (amount_awarded_pence > 0))
) STRICT, WITHOUT ROWID;
CREATE TABLE eras (
    id TEXT NOT NULL,
    funder_id TEXT NOT NULL,
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (id)
) STRICT, WITHOUT ROWID;
INSERT INTO "eras" VALUES('mayor','XI-SGFUND-WYCA','{"end":null,"funder_id":"XI-SGFUND-WYCA","funder_name":"Mayor of West Yorkshire (West Yorkshire Combined Authority)","id":"mayor","start":"2021-05-10"}',3);
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
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;
INSERT INTO "events" VALUES(1,'2023-01-02T09:30:00+00:00','admin','ledger.schema','ledger',NULL,'{}','{"schema_version":3}','be4e2de21e73af33e3ea63d36494e23e59468b8c466444172da186263913fe4c','0000000000000000000000000000000000000000000000000000000000000000','5bcc7fe016b206c900b1056bf0cc30845947bdd77c33567ff7f2462555c05e88');
INSERT INTO "events" VALUES(2,'2023-01-02T09:30:00+00:00','admin','fund.added','fund:wy-scf',NULL,'{}','{"policy":{"separate_closer_from_decider":false}}','911a6150ada8f6df49ba41015da8959234bfbdb1944b6ec646449a8ea5ddb613','5bcc7fe016b206c900b1056bf0cc30845947bdd77c33567ff7f2462555c05e88','c61bc6d6ed5278c25fe9541916ea8bfb8e991bc54fc381453631f8c698266955');
INSERT INTO "events" VALUES(3,'2023-01-02T09:30:00+00:00','admin','round.added','round:gr-a','gr-a','{}','{}','081c3613b7ec786469bb9cb8f6852084d738262a03e840769763ef36f51b4184','c61bc6d6ed5278c25fe9541916ea8bfb8e991bc54fc381453631f8c698266955','fd32be06ef6489c622c5d687e0320efe33af0cf5cd34253bef8d0fc8eaaae54b');
INSERT INTO "events" VALUES(4,'2023-01-02T09:30:00+00:00','admin','round.state','round:gr-a','gr-a','{}','{"from":"draft","reason":"","to":"open"}','d58f7daf8c17c147c80da9a7934b83d75417304e9ab91235df9522a71dba0a44','fd32be06ef6489c622c5d687e0320efe33af0cf5cd34253bef8d0fc8eaaae54b','7aac82e56eec9cae25afb636dc9ac9a82c439dad5bf16a5bc5a29622bcb47cb4');
INSERT INTO "events" VALUES(5,'2023-01-02T09:30:00+00:00','clerk','applications.added','round:gr-a','gr-a','{}','{"count":3,"replaced":[]}','9971f46f03dda2149a51f024386cd4e186f0d4f2d169e319fd6c19a0ffcbf138','7aac82e56eec9cae25afb636dc9ac9a82c439dad5bf16a5bc5a29622bcb47cb4','0f22d52db8c6a6847b1ce032ca0315ce26eabee095d0944d2cdf4537834b2f21');
CREATE TABLE funds (
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    separate_closer_from_decider INTEGER NOT NULL CHECK (separate_closer_from_decider IN (0, 1)),
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (id)
) STRICT, WITHOUT ROWID;
INSERT INTO "funds" VALUES('wy-scf','Safer Communities Fund (West Yorkshire)',0,'{"id":"wy-scf","name":"Safer Communities Fund (West Yorkshire)"}',2);
CREATE TABLE organisations (
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (key)
) STRICT, WITHOUT ROWID;
INSERT INTO "organisations" VALUES('GB-CHC-1990549','Batley Community Trust','charitable-company','{"charity_number":"1990549","company_number":"99107474","district":"Kirklees","id":null,"name":"Batley Community Trust","postcode":"HD7 7FU","type":"charitable-company"}',5);
INSERT INTO "organisations" VALUES('GB-CHC-1994099','Keighley Women''s Aid','registered-charity','{"charity_number":"1994099","company_number":null,"district":"Bradford","id":null,"name":"Keighley Women''s Aid","postcode":"BD5 2XR","type":"registered-charity"}',5);
INSERT INTO "organisations" VALUES('GB-CHC-1996638','Todmorden Youth Project','cio','{"charity_number":"1996638","company_number":null,"district":"Calderdale","id":null,"name":"Todmorden Youth Project","postcode":"HX4 4LH","type":"cio"}',5);
CREATE TABLE resolutions (
    application_id TEXT NOT NULL REFERENCES applications (id),
    eligible INTEGER NOT NULL CHECK (eligible IN (0, 1)),
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (application_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE rounds (
    id TEXT NOT NULL,
    fund_id TEXT NOT NULL REFERENCES funds (id),
    era_id TEXT NOT NULL REFERENCES eras (id),
    data TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided', 'closed')),
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (id)
) STRICT, WITHOUT ROWID;
INSERT INTO "rounds" VALUES('gr-a','wy-scf','mayor','{"advertised_pot":"270000.00","area":"West Yorkshire","closes_at":"2022-06-10T12:00:00+01:00","eligible_org_types":["charitable-company","cic","cio","company-limited-by-guarantee","local-authority","other","parish-or-town-council","registered-charity","school","statutory-body","unincorporated-community-group"],"era":{"end":null,"funder_id":"XI-SGFUND-WYCA","funder_name":"Mayor of West Yorkshire (West Yorkshire Combined Authority)","id":"mayor","start":"2021-05-10"},"fund_id":"wy-scf","id":"gr-a","max_grant":"6000.00","max_project_months":12,"min_grant":"0.00","name":"Mayor''s Safer Communities Fund, Grant Round 2","opens_at":"2022-05-09T09:00:00+01:00","theme_vocabularies":["wy-safeguarding"]}','open',3);
CREATE TABLE superseded (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    written_by INTEGER NOT NULL REFERENCES events (id),
    replaced_by INTEGER NOT NULL REFERENCES events (id),
    image TEXT NOT NULL,
    PRIMARY KEY (kind, key, replaced_by),
    CHECK (written_by < replaced_by)
) STRICT, WITHOUT ROWID;
CREATE TABLE theme_overrides (
    application_id TEXT NOT NULL REFERENCES applications (id),
    themes TEXT NOT NULL,
    data TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    PRIMARY KEY (application_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX events_by_round ON events (round_id);
CREATE TRIGGER events_insert BEFORE INSERT ON events
BEGIN
    SELECT CASE
        WHEN NEW.id IS NOT coalesce((SELECT max(id) FROM events), 0) + 1 THEN RAISE(ABORT, 'sgfund: events are appended in order, each following on from the one before')
        WHEN NEW.prev_hash IS NOT coalesce((SELECT hash FROM events WHERE id = NEW.id - 1), '0000000000000000000000000000000000000000000000000000000000000000') THEN RAISE(ABORT, 'sgfund: events are appended in order, each following on from the one before')
        WHEN EXISTS (SELECT 1 FROM events WHERE hash = NEW.hash) THEN RAISE(ABORT, 'sgfund: events are append-only')
    END;
END;
CREATE TRIGGER events_update BEFORE UPDATE ON events
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: events are append-only')
    END;
END;
CREATE TRIGGER events_delete BEFORE DELETE ON events
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: events are append-only')
    END;
END;
CREATE TRIGGER funds_insert BEFORE INSERT ON funds
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM funds WHERE id = NEW.id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
    END;
END;
CREATE TRIGGER funds_update BEFORE UPDATE ON funds
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: this record never changes once stored')
    END;
END;
CREATE TRIGGER funds_delete BEFORE DELETE ON funds
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END;
END;
CREATE TRIGGER eras_insert BEFORE INSERT ON eras
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM eras WHERE id = NEW.id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
    END;
END;
CREATE TRIGGER eras_update BEFORE UPDATE ON eras
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: this record never changes once stored')
    END;
END;
CREATE TRIGGER eras_delete BEFORE DELETE ON eras
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END;
END;
CREATE TRIGGER rounds_insert BEFORE INSERT ON rounds
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM rounds WHERE id = NEW.id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.state IS NOT 'draft' THEN RAISE(ABORT, 'sgfund: a round starts as draft')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
    END;
END;
CREATE TRIGGER rounds_update BEFORE UPDATE ON rounds
BEGIN
    SELECT CASE
        WHEN OLD.state = 'closed' THEN RAISE(ABORT, 'sgfund: a closed round stays closed')
        WHEN NEW.id IS NOT OLD.id OR NEW.fund_id IS NOT OLD.fund_id OR NEW.era_id IS NOT OLD.era_id OR NEW.data IS NOT OLD.data OR NEW.event_id IS NOT OLD.event_id THEN RAISE(ABORT, 'sgfund: a round''s details never change; only its state moves')
        WHEN OLD.state || '>' || NEW.state NOT IN ('draft>open', 'open>closed_to_applications', 'closed_to_applications>assessed', 'assessed>decided', 'decided>closed') THEN RAISE(ABORT, 'sgfund: a round moves one step forward at a time')
        WHEN NEW.state = 'closed' AND NOT EXISTS (SELECT 1 FROM closures WHERE round_id = NEW.id) THEN RAISE(ABORT, 'sgfund: a round is closed only together with its closure record')
        WHEN NOT EXISTS (SELECT 1 FROM events WHERE id = (SELECT max(id) FROM events) AND round_id = NEW.id AND action IN ('round.state', 'round.closed') AND json_extract(detail, '$.to') = NEW.state) THEN RAISE(ABORT, 'sgfund: a round''s state moves only together with its event')
    END;
END;
CREATE TRIGGER rounds_delete BEFORE DELETE ON rounds
BEGIN
    SELECT CASE
        WHEN OLD.state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END;
END;
CREATE TRIGGER organisations_insert BEFORE INSERT ON organisations
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM organisations WHERE key = NEW.key) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
    END;
END;
CREATE TRIGGER organisations_update BEFORE UPDATE ON organisations
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: this record never changes once stored')
    END;
END;
CREATE TRIGGER organisations_delete BEFORE DELETE ON organisations
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END;
END;
CREATE INDEX applications_by_round ON applications (round_id);
CREATE TRIGGER applications_insert BEFORE INSERT ON applications
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM applications WHERE id = NEW.id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN new_state NOT IN ('draft', 'open') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept applications')
    END FROM (SELECT coalesce((SELECT state FROM rounds WHERE id = NEW.round_id), '') AS new_state);
END;
CREATE TRIGGER applications_update BEFORE UPDATE ON applications
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' OR new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN 1 THEN RAISE(ABORT, 'sgfund: this record never changes once stored')
    END FROM (SELECT coalesce((SELECT state FROM rounds WHERE id = OLD.round_id), '') AS old_state, coalesce((SELECT state FROM rounds WHERE id = NEW.round_id), '') AS new_state);
END;
CREATE TRIGGER applications_delete BEFORE DELETE ON applications
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END FROM (SELECT coalesce((SELECT state FROM rounds WHERE id = OLD.round_id), '') AS old_state);
END;
CREATE TRIGGER assessments_insert BEFORE INSERT ON assessments
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM assessments WHERE application_id = NEW.application_id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept assessments')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = NEW.application_id), '') AS new_state);
END;
CREATE TRIGGER assessments_update BEFORE UPDATE ON assessments
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' OR new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN NEW.application_id IS NOT OLD.application_id THEN RAISE(ABORT, 'sgfund: a record''s key never changes')
        WHEN old_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') OR new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept assessments')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) OR NEW.event_id <= OLD.event_id THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN NOT EXISTS (SELECT 1 FROM superseded WHERE kind = 'assessments' AND key = OLD.application_id AND written_by = OLD.event_id AND replaced_by = NEW.event_id) THEN RAISE(ABORT, 'sgfund: a correction keeps the record it replaces')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = OLD.application_id), '') AS old_state, coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = NEW.application_id), '') AS new_state);
END;
CREATE TRIGGER assessments_delete BEFORE DELETE ON assessments
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = OLD.application_id), '') AS old_state);
END;
CREATE TRIGGER resolutions_insert BEFORE INSERT ON resolutions
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM resolutions WHERE application_id = NEW.application_id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept resolutions')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = NEW.application_id), '') AS new_state);
END;
CREATE TRIGGER resolutions_update BEFORE UPDATE ON resolutions
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' OR new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN NEW.application_id IS NOT OLD.application_id THEN RAISE(ABORT, 'sgfund: a record''s key never changes')
        WHEN old_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') OR new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept resolutions')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) OR NEW.event_id <= OLD.event_id THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN NOT EXISTS (SELECT 1 FROM superseded WHERE kind = 'resolutions' AND key = OLD.application_id AND written_by = OLD.event_id AND replaced_by = NEW.event_id) THEN RAISE(ABORT, 'sgfund: a correction keeps the record it replaces')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = OLD.application_id), '') AS old_state, coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = NEW.application_id), '') AS new_state);
END;
CREATE TRIGGER resolutions_delete BEFORE DELETE ON resolutions
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = OLD.application_id), '') AS old_state);
END;
CREATE TRIGGER theme_overrides_insert BEFORE INSERT ON theme_overrides
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM theme_overrides WHERE application_id = NEW.application_id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept theme_overrides')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = NEW.application_id), '') AS new_state);
END;
CREATE TRIGGER theme_overrides_update BEFORE UPDATE ON theme_overrides
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' OR new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN NEW.application_id IS NOT OLD.application_id THEN RAISE(ABORT, 'sgfund: a record''s key never changes')
        WHEN old_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') OR new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept theme_overrides')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) OR NEW.event_id <= OLD.event_id THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN NOT EXISTS (SELECT 1 FROM superseded WHERE kind = 'theme_overrides' AND key = OLD.application_id AND written_by = OLD.event_id AND replaced_by = NEW.event_id) THEN RAISE(ABORT, 'sgfund: a correction keeps the record it replaces')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = OLD.application_id), '') AS old_state, coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = NEW.application_id), '') AS new_state);
END;
CREATE TRIGGER theme_overrides_delete BEFORE DELETE ON theme_overrides
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = OLD.application_id), '') AS old_state);
END;
CREATE TRIGGER decisions_insert BEFORE INSERT ON decisions
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM decisions WHERE application_id = NEW.application_id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept decisions')
        WHEN NEW.recorded_by IS NOT (SELECT actor FROM events WHERE id = NEW.event_id) THEN RAISE(ABORT, 'sgfund: a record names the actor of the event that wrote it')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = NEW.application_id), '') AS new_state);
END;
CREATE TRIGGER decisions_update BEFORE UPDATE ON decisions
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' OR new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN NEW.application_id IS NOT OLD.application_id THEN RAISE(ABORT, 'sgfund: a record''s key never changes')
        WHEN old_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') OR new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept decisions')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) OR NEW.event_id <= OLD.event_id THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN NOT EXISTS (SELECT 1 FROM superseded WHERE kind = 'decisions' AND key = OLD.application_id AND written_by = OLD.event_id AND replaced_by = NEW.event_id) THEN RAISE(ABORT, 'sgfund: a correction keeps the record it replaces')
        WHEN NEW.recorded_by IS NOT (SELECT actor FROM events WHERE id = NEW.event_id) THEN RAISE(ABORT, 'sgfund: a record names the actor of the event that wrote it')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = OLD.application_id), '') AS old_state, coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = NEW.application_id), '') AS new_state);
END;
CREATE TRIGGER decisions_delete BEFORE DELETE ON decisions
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END FROM (SELECT coalesce((SELECT r.state FROM rounds r JOIN applications a ON a.round_id = r.id WHERE a.id = OLD.application_id), '') AS old_state);
END;
CREATE INDEX awards_by_round ON awards (round_id);
CREATE INDEX awards_by_application ON awards (application_id);
CREATE TRIGGER awards_insert BEFORE INSERT ON awards
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM awards WHERE id = NEW.id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept awards')
        WHEN NEW.round_id IS NOT (SELECT round_id FROM applications WHERE id = NEW.application_id) THEN RAISE(ABORT, 'sgfund: an award belongs to its application''s round')
    END FROM (SELECT coalesce((SELECT state FROM rounds WHERE id = NEW.round_id), '') AS new_state);
END;
CREATE TRIGGER awards_update BEFORE UPDATE ON awards
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' OR new_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN NEW.id IS NOT OLD.id THEN RAISE(ABORT, 'sgfund: a record''s key never changes')
        WHEN old_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') OR new_state NOT IN ('draft', 'open', 'closed_to_applications', 'assessed', 'decided') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept awards')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) OR NEW.event_id <= OLD.event_id THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN NOT EXISTS (SELECT 1 FROM superseded WHERE kind = 'awards' AND key = OLD.id AND written_by = OLD.event_id AND replaced_by = NEW.event_id) THEN RAISE(ABORT, 'sgfund: a correction keeps the record it replaces')
        WHEN NEW.round_id IS NOT (SELECT round_id FROM applications WHERE id = NEW.application_id) THEN RAISE(ABORT, 'sgfund: an award belongs to its application''s round')
    END FROM (SELECT coalesce((SELECT state FROM rounds WHERE id = OLD.round_id), '') AS old_state, coalesce((SELECT state FROM rounds WHERE id = NEW.round_id), '') AS new_state);
END;
CREATE TRIGGER awards_delete BEFORE DELETE ON awards
BEGIN
    SELECT CASE
        WHEN old_state = 'closed' THEN RAISE(ABORT, 'sgfund: this round is closed; its records cannot change')
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END FROM (SELECT coalesce((SELECT state FROM rounds WHERE id = OLD.round_id), '') AS old_state);
END;
CREATE TRIGGER closures_insert BEFORE INSERT ON closures
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM closures WHERE round_id = NEW.round_id) THEN RAISE(ABORT, 'sgfund: closure records are append-only')
        WHEN (SELECT state FROM rounds WHERE id = NEW.round_id) IS NOT 'decided' THEN RAISE(ABORT, 'sgfund: only a decided round is closed')
        WHEN NOT EXISTS (SELECT 1 FROM events WHERE id = NEW.event_id AND id = (SELECT max(id) FROM events) AND action = 'round.closed' AND round_id = NEW.round_id AND actor = NEW.closed_by AND at = NEW.closed_at AND digest = NEW.digest) THEN RAISE(ABORT, 'sgfund: a closure record agrees with its closing event')
    END;
END;
CREATE TRIGGER closures_update BEFORE UPDATE ON closures
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: closure records are append-only')
    END;
END;
CREATE TRIGGER closures_delete BEFORE DELETE ON closures
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: closure records are append-only')
    END;
END;
CREATE TRIGGER superseded_insert BEFORE INSERT ON superseded
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM superseded WHERE kind = NEW.kind AND key = NEW.key AND replaced_by = NEW.replaced_by) THEN RAISE(ABORT, 'sgfund: superseded records are append-only')
        WHEN NEW.replaced_by IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is superseded only by the newest event')
        WHEN NOT (CASE NEW.kind WHEN 'assessments' THEN EXISTS (SELECT 1 FROM assessments WHERE application_id = NEW.key AND event_id = NEW.written_by) WHEN 'resolutions' THEN EXISTS (SELECT 1 FROM resolutions WHERE application_id = NEW.key AND event_id = NEW.written_by) WHEN 'theme_overrides' THEN EXISTS (SELECT 1 FROM theme_overrides WHERE application_id = NEW.key AND event_id = NEW.written_by) WHEN 'decisions' THEN EXISTS (SELECT 1 FROM decisions WHERE application_id = NEW.key AND event_id = NEW.written_by) WHEN 'awards' THEN EXISTS (SELECT 1 FROM awards WHERE id = NEW.key AND event_id = NEW.written_by) ELSE 0 END) THEN RAISE(ABORT, 'sgfund: only the stored version of a record is superseded')
    END;
END;
CREATE TRIGGER superseded_update BEFORE UPDATE ON superseded
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: superseded records are append-only')
    END;
END;
CREATE TRIGGER superseded_delete BEFORE DELETE ON superseded
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: superseded records are append-only')
    END;
END;
CREATE INDEX award_steps_by_round ON award_steps (round_id);
CREATE INDEX award_steps_by_award ON award_steps (award_id, seq);
CREATE TRIGGER award_steps_insert BEFORE INSERT ON award_steps
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM award_steps WHERE id = NEW.id) THEN RAISE(ABORT, 'sgfund: a record with this key is already stored; corrections go through the ledger')
        WHEN NEW.event_id IS NOT (SELECT max(id) FROM events) THEN RAISE(ABORT, 'sgfund: a record is written only together with the newest event')
        WHEN new_state NOT IN ('closed') THEN RAISE(ABORT, 'sgfund: this round''s state does not accept award_steps')
        WHEN NEW.recorded_by IS NOT (SELECT actor FROM events WHERE id = NEW.event_id) THEN RAISE(ABORT, 'sgfund: a record names the actor of the event that wrote it')
        WHEN NEW.round_id IS NOT (SELECT round_id FROM awards WHERE id = NEW.award_id) THEN RAISE(ABORT, 'sgfund: a post-award step belongs to its award''s round')
        WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM award_steps WHERE award_id = NEW.award_id), 0) + 1 OR NEW.id IS NOT printf('%s#%05d', NEW.award_id, NEW.seq) THEN RAISE(ABORT, 'sgfund: an award''s steps are numbered in order from 1, keyed by award and number')
    END FROM (SELECT coalesce((SELECT state FROM rounds WHERE id = NEW.round_id), '') AS new_state);
END;
CREATE TRIGGER award_steps_update BEFORE UPDATE ON award_steps
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: this record never changes once stored')
    END FROM (SELECT coalesce((SELECT state FROM rounds WHERE id = OLD.round_id), '') AS old_state, coalesce((SELECT state FROM rounds WHERE id = NEW.round_id), '') AS new_state);
END;
CREATE TRIGGER award_steps_delete BEFORE DELETE ON award_steps
BEGIN
    SELECT CASE
        WHEN 1 THEN RAISE(ABORT, 'sgfund: nothing is deleted from the ledger')
    END FROM (SELECT coalesce((SELECT state FROM rounds WHERE id = OLD.round_id), '') AS old_state);
END;
COMMIT;
