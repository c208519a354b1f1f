-- The cron's index of what is due (issue 23): each debtor's next action time, so that a run reads
-- the debtors due, not the whole book. next_action_at is the time the core gave
-- (`next_actions_with_rates`): '' when it must be computed again (it sorts before every time, so
-- one range scan reads both), '9999-12-31T23:59:59Z' when nothing is planned. Every change of what
-- plans a debtor sets it back to '' and moves schedule_rev on, through the triggers below, whatever
-- path wrote it: the run writes the time it computed only if schedule_rev has not moved meanwhile.
ALTER TABLE debtors ADD COLUMN next_action_at TEXT NOT NULL DEFAULT '';
ALTER TABLE debtors ADD COLUMN schedule_rev INTEGER NOT NULL DEFAULT 0;
CREATE INDEX debtors_by_next_action ON debtors(next_action_at);

-- A debtor's own data (its contacts, kind, calendar, policy).
CREATE TRIGGER debtor_changed AFTER UPDATE OF data, policy_id ON debtors
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = NEW.id; END;

-- Its invoices and what hangs on them.
CREATE TRIGGER invoice_inserted_schedule AFTER INSERT ON invoices
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = NEW.debtor_id; END;
CREATE TRIGGER invoice_updated_schedule AFTER UPDATE ON invoices
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = NEW.debtor_id; END;
CREATE TRIGGER invoice_moved_schedule AFTER UPDATE OF debtor_id ON invoices
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = OLD.debtor_id; END;
CREATE TRIGGER invoice_deleted_schedule AFTER DELETE ON invoices
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = OLD.debtor_id; END;
CREATE TRIGGER payments_insert_schedule AFTER INSERT ON payments
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = NEW.invoice_id); END;
CREATE TRIGGER payments_update_schedule AFTER UPDATE ON payments
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = NEW.invoice_id); END;
CREATE TRIGGER payments_delete_schedule AFTER DELETE ON payments
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = OLD.invoice_id); END;
CREATE TRIGGER disputes_insert_schedule AFTER INSERT ON disputes
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = NEW.invoice_id); END;
CREATE TRIGGER disputes_update_schedule AFTER UPDATE ON disputes
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = NEW.invoice_id); END;
CREATE TRIGGER disputes_delete_schedule AFTER DELETE ON disputes
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = OLD.invoice_id); END;
CREATE TRIGGER payment_plans_insert_schedule AFTER INSERT ON payment_plans
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = NEW.invoice_id); END;
CREATE TRIGGER payment_plans_update_schedule AFTER UPDATE ON payment_plans
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = NEW.invoice_id); END;
CREATE TRIGGER payment_plans_delete_schedule AFTER DELETE ON payment_plans
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = OLD.invoice_id); END;
CREATE TRIGGER promises_insert_schedule AFTER INSERT ON promises
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = NEW.invoice_id); END;
CREATE TRIGGER promises_update_schedule AFTER UPDATE ON promises
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = NEW.invoice_id); END;
CREATE TRIGGER promises_delete_schedule AFTER DELETE ON promises
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = (SELECT debtor_id FROM invoices WHERE id = OLD.invoice_id); END;

-- Replies and call outcomes.
CREATE TRIGGER answers_insert_schedule AFTER INSERT ON answers
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = NEW.debtor_id; END;
CREATE TRIGGER answers_update_schedule AFTER UPDATE ON answers
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = NEW.debtor_id; END;
CREATE TRIGGER answers_delete_schedule AFTER DELETE ON answers
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = OLD.debtor_id; END;

-- A delivery cancelled or removed gives its steps back to the planner.
CREATE TRIGGER delivery_cancelled_schedule AFTER UPDATE OF status ON deliveries
WHEN NEW.status = 'cancelled'
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = NEW.debtor_id; END;
CREATE TRIGGER delivery_deleted_schedule AFTER DELETE ON deliveries
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1 WHERE id = OLD.debtor_id; END;

-- What plans every debtor: the settings (creditor, default policy, rates), the policies, the
-- reference rates.
CREATE TRIGGER settings_insert_schedule AFTER INSERT ON settings
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1; END;
CREATE TRIGGER settings_update_schedule AFTER UPDATE ON settings
WHEN NEW.value IS NOT OLD.value
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1; END;
CREATE TRIGGER settings_delete_schedule AFTER DELETE ON settings
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1; END;
CREATE TRIGGER policies_insert_schedule AFTER INSERT ON policies
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1; END;
CREATE TRIGGER policies_update_schedule AFTER UPDATE ON policies
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1; END;
CREATE TRIGGER policies_delete_schedule AFTER DELETE ON policies
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1; END;
CREATE TRIGGER rate_rows_insert_schedule AFTER INSERT ON rate_rows
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1; END;
CREATE TRIGGER rate_rows_update_schedule AFTER UPDATE ON rate_rows
WHEN NEW.rate IS NOT OLD.rate
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1; END;
CREATE TRIGGER rate_rows_delete_schedule AFTER DELETE ON rate_rows
BEGIN UPDATE debtors SET next_action_at = '', schedule_rev = schedule_rev + 1; END;
