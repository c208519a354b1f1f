-- One row per invoice-step ever claimed, with the key that claimed it. Keys name a step on a day:
-- two runs that plan the same reminder for different scheduled days make two keys, and without
-- this table both would send it. A claim inserts its delivery only if none of its invoice-steps is
-- here, and its invoice-steps in the same batch.
CREATE TABLE claimed_steps (
  invoice_id TEXT NOT NULL,
  step_id    TEXT NOT NULL,
  key        TEXT NOT NULL,
  PRIMARY KEY (invoice_id, step_id)
);

INSERT OR IGNORE INTO claimed_steps (invoice_id, step_id, key)
  SELECT json_extract(item.value, '$.invoiceId'), json_extract(item.value, '$.stepId'), d.key
  FROM deliveries AS d, json_each(d.items) AS item
  WHERE d.status <> 'cancelled';
