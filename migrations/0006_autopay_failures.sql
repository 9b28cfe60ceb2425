-- Occurrences whose autopay the user marked as failed (the bank did not pay).
-- The daily run never records autopay for them again, also once the removed
-- autopay payment is purged; a bill's purge removes its marks.
CREATE TABLE autopay_failures (
    bill_id INTEGER NOT NULL REFERENCES bills (id) ON DELETE CASCADE,
    due_date TEXT NOT NULL,
    -- The removed autopay payment; restoring it clears the mark (NULL once purged).
    payment_id INTEGER REFERENCES payments (id) ON DELETE SET NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (bill_id, due_date)
);

CREATE INDEX autopay_failures_by_payment ON autopay_failures (payment_id);
