-- E-invoices in (issue 21): the original documents (kept in R2 under `documents/<sha256>`,
-- deduplicated by their hash), which invoice each is the copy of, and the lifecycle statuses
-- (AFNOR XP Z12-012) received for an invoice.

-- One row per stored file. format: factur_x, ubl or cii.
CREATE TABLE documents (
  sha256       TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  format       TEXT NOT NULL,
  created_at   TEXT NOT NULL
);

-- The document an invoice is the copy of (the last one imported for it). Credit notes are
-- documents too, kept with the invoice they correct under kind 'credit_note'.
CREATE TABLE invoice_documents (
  invoice_id TEXT NOT NULL REFERENCES invoices(id),
  kind       TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
  sha256     TEXT NOT NULL REFERENCES documents(sha256),
  number     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (invoice_id, kind, number)
);

-- Lifecycle statuses, in the order received. source: api or cdar (with the message's hash).
CREATE TABLE lifecycle_statuses (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  invoice_id TEXT NOT NULL REFERENCES invoices(id),
  code       INTEGER NOT NULL,
  day        TEXT NOT NULL,
  data       TEXT NOT NULL,
  source     TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX lifecycle_by_invoice ON lifecycle_statuses(invoice_id);
-- The same status twice (a CDAR message imported again, a retried POST) is recorded once.
CREATE UNIQUE INDEX lifecycle_once ON lifecycle_statuses(invoice_id, data);

-- What an email carried: [{name, contentType, sha256, size}] (the outbox of local mode).
ALTER TABLE outbox ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
