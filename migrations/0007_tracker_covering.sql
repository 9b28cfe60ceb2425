-- The tracker's overrides and autopay marks find a user's bills through
-- `bills.user_id` without `deleted_at IS NULL`, which the partial
-- `bills_by_user` cannot serve: every bill of every user was scanned.
CREATE INDEX bills_by_owner ON bills (user_id);

-- The tracker's paid totals and autopay marks read only these columns of
-- a user's payments in a due-date window: a covering index spares a table
-- lookup per payment.
DROP INDEX payments_by_user_due;
CREATE INDEX payments_by_user_due
    ON payments (user_id, due_date, bill_id, amount_cents, source, deleted_at)
    WHERE deleted_at IS NULL;
