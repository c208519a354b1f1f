-- Reference rates the worker fetches itself (the daily trigger), and deliveries that wait for one.

-- The rows each source published that the shipped tables lack, with where they came from. A row is
-- never changed without an audit row and an operator task (a correction by the source).
CREATE TABLE rate_rows (
  table_id   TEXT NOT NULL,
  day        TEXT NOT NULL,
  rate       TEXT NOT NULL,
  source     TEXT NOT NULL,
  series     TEXT NOT NULL,
  fetched_at TEXT NOT NULL,
  PRIMARY KEY (table_id, day)
);

-- One row per source: the last good response and the last attempt. known_until: the last day the
-- source has said the rate of. failing_since: the first failed attempt since the last good one.
CREATE TABLE rate_sources (
  table_id       TEXT PRIMARY KEY,
  source         TEXT NOT NULL,
  series         TEXT NOT NULL,
  known_until    TEXT,
  observed_until TEXT,
  fetched_at     TEXT,
  attempted_at   TEXT NOT NULL,
  last_error     TEXT,
  failing_since  TEXT
);

-- Deliveries gain `waiting_rate`: the message states penalties whose reference rate is not
-- published yet; the delivery goes out on the first run after it is. SQLite cannot change a
-- CHECK, so the table is rebuilt with the same columns, rows and indexes.
CREATE TABLE deliveries_v4 (
  key                 TEXT PRIMARY KEY,
  debtor_id           TEXT NOT NULL,
  step_id             TEXT NOT NULL,
  channel             TEXT NOT NULL,
  items               TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'task', 'retry', 'failed', 'cancelled', 'waiting_rate')),
  attempts            INTEGER NOT NULL,
  provider            TEXT,
  provider_message_id TEXT,
  payload             TEXT NOT NULL,
  last_error          TEXT,
  run_id              TEXT NOT NULL,
  claimed_at          TEXT NOT NULL,
  lease_until         TEXT,
  next_attempt_at     TEXT,
  sent_at             TEXT,
  updated_at          TEXT NOT NULL
);
INSERT INTO deliveries_v4 SELECT key, debtor_id, step_id, channel, items, status, attempts, provider,
  provider_message_id, payload, last_error, run_id, claimed_at, lease_until, next_attempt_at, sent_at, updated_at
  FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v4 RENAME TO deliveries;
CREATE INDEX deliveries_by_status ON deliveries(status);
CREATE INDEX deliveries_by_debtor ON deliveries(debtor_id);
