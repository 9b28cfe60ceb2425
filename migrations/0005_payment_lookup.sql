-- The tracker reads a user's payments by due date; with years of history
-- the (user, paid date) index alone makes it scan every payment.
CREATE INDEX payments_by_user_due ON payments (user_id, due_date) WHERE deleted_at IS NULL;
