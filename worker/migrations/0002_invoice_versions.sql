-- Every change to an invoice moves its version on by exactly one, in the same batch as the change.
-- A batch written from what was read at version N sets N + 1; if another write came in between,
-- the stored version is no longer N and the trigger aborts the whole batch: nothing is half
-- written, nothing is lost, and the writer reads again (or answers 409 to a stale If-Match).
ALTER TABLE invoices ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- (The trigger's own `;` is not at the end of a line: the tests split migrations at those.)
CREATE TRIGGER invoices_version_moves_by_one
BEFORE UPDATE OF version ON invoices
WHEN NEW.version <> OLD.version + 1
BEGIN SELECT RAISE(ABORT, 'relance: stale invoice version'); END;
