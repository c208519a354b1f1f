-- What debtors answer (issue 20): promises to pay on an invoice, replies and call outcomes on a
-- debtor. Each is a row of its own, like payments, so that a reply recorded by the email handler
-- and an operator's edit of the debtor that cross are both kept.

-- Promises (core Promise), in the order they were recorded.
CREATE TABLE promises (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  invoice_id TEXT NOT NULL REFERENCES invoices(id),
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX promises_by_invoice ON promises(invoice_id);

-- Replies (core Reply, kind 'reply') and call outcomes (core CallOutcome, kind 'call').
-- message_id: an email's Message-ID, so that a message delivered twice is recorded once.
CREATE TABLE answers (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  debtor_id  TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('reply', 'call')),
  data       TEXT NOT NULL,
  message_id TEXT UNIQUE,
  created_at TEXT NOT NULL
);
CREATE INDEX answers_by_debtor ON answers(debtor_id);
