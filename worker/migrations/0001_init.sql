-- Relance storage. Documents are the core's own JSON shapes (validated by relance-core before any
-- write); the columns beside them are what queries filter on. Times are UTC text
-- `YYYY-MM-DDTHH:MM:SSZ`, which sorts as it reads.

-- Creditor and defaults: key `creditor` (core Creditor), `default_policy` (a policy id or preset).
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Custom reminder policies (core Policy). Presets `gentle`, `standard`, `firm` need no row.
CREATE TABLE policies (
  id         TEXT PRIMARY KEY,
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Debtors (core Debtor). policy_id: a policy id or preset; NULL follows the default.
CREATE TABLE debtors (
  id         TEXT PRIMARY KEY,
  policy_id  TEXT,
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Invoices (core Invoice without payments, disputes and plan, which have their own tables).
-- open = 1 until payments and credit notes settle it: the cron reads open invoices only.
CREATE TABLE invoices (
  id         TEXT PRIMARY KEY,
  debtor_id  TEXT NOT NULL REFERENCES debtors(id),
  open       INTEGER NOT NULL,
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX invoices_by_debtor ON invoices(debtor_id);
CREATE INDEX invoices_open ON invoices(open);

CREATE TABLE payments (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  invoice_id TEXT NOT NULL REFERENCES invoices(id),
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX payments_by_invoice ON payments(invoice_id);

CREATE TABLE disputes (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  invoice_id TEXT NOT NULL REFERENCES invoices(id),
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX disputes_by_invoice ON disputes(invoice_id);

CREATE TABLE payment_plans (
  invoice_id TEXT PRIMARY KEY REFERENCES invoices(id),
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- One row per idempotency key. A run claims the key (status `claimed`, lease_until) before it
-- sends; the outcome moves it to `sent`, `task` (a task was created), `retry` (next_attempt_at)
-- `failed` (after the last attempt, or a refusal that retrying cannot fix) or `cancelled` (paid or
-- disputed before a retry went out).
CREATE TABLE deliveries (
  key                 TEXT PRIMARY KEY,
  debtor_id           TEXT NOT NULL,
  step_id             TEXT NOT NULL,
  channel             TEXT NOT NULL,
  items               TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'task', 'retry', 'failed', 'cancelled')),
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
CREATE INDEX deliveries_by_status ON deliveries(status);
CREATE INDEX deliveries_by_debtor ON deliveries(debtor_id);

-- Work for people: phone calls, letters to print and post, legal actions. id = the delivery key.
CREATE TABLE tasks (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  debtor_id  TEXT NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
  due_on     TEXT NOT NULL,
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX tasks_by_status ON tasks(status);

-- Local mode: emails are recorded here instead of going to a provider.
CREATE TABLE outbox (
  key        TEXT PRIMARY KEY,
  recipients TEXT NOT NULL,
  subject    TEXT NOT NULL,
  text_body  TEXT NOT NULL,
  html_body  TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- Every change and every send, in order.
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  entity    TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  detail    TEXT NOT NULL
);
