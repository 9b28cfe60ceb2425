-- Categories of a user's bills; deleting is soft (30-day recovery window).
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    color TEXT NOT NULL DEFAULT '#868e96',
    icon TEXT,
    counts_toward_spending INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE UNIQUE INDEX categories_unique_name ON categories (user_id, name COLLATE NOCASE)
    WHERE deleted_at IS NULL;

-- Recurring bills.
CREATE TABLE bills (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    amount_kind TEXT NOT NULL CHECK (amount_kind IN ('fixed', 'variable')),
    cycle TEXT NOT NULL
        CHECK (cycle IN ('weekly', 'biweekly', 'monthly', 'quarterly', 'semiannual', 'annual')),
    due_day INTEGER CHECK (due_day BETWEEN 1 AND 31),
    anchor_date TEXT NOT NULL,
    end_date TEXT,
    bucket TEXT NOT NULL CHECK (bucket IN ('first', 'fifteenth', 'other')),
    autopay INTEGER NOT NULL DEFAULT 0,
    reminder_days INTEGER CHECK (reminder_days BETWEEN 0 AND 60),
    website TEXT,
    account_note TEXT,
    notes TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    -- Occurrences on or after this date drop out while the bill is inactive.
    inactive_from TEXT,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE INDEX bills_by_user ON bills (user_id) WHERE deleted_at IS NULL;

-- A month override of one occurrence (bill, due date).
CREATE TABLE occurrence_overrides (
    bill_id INTEGER NOT NULL REFERENCES bills (id) ON DELETE CASCADE,
    due_date TEXT NOT NULL,
    amount_cents INTEGER CHECK (amount_cents >= 0),
    skipped INTEGER,
    note TEXT,
    snoozed_until TEXT,
    PRIMARY KEY (bill_id, due_date)
);

-- Payments toward one occurrence each; deleting is soft.
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bill_id INTEGER NOT NULL REFERENCES bills (id) ON DELETE CASCADE,
    due_date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    paid_on TEXT NOT NULL,
    method TEXT NOT NULL
        CHECK (method IN ('bank transfer', 'card', 'cash', 'check', 'autopay', 'other')),
    note TEXT,
    source TEXT NOT NULL CHECK (source IN ('manual', 'autopay', 'bank', 'import')),
    created_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE INDEX payments_by_occurrence ON payments (bill_id, due_date) WHERE deleted_at IS NULL;
CREATE INDEX payments_by_user_date ON payments (user_id, paid_on) WHERE deleted_at IS NULL;

-- Monthly planning: starting money per bucket.
CREATE TABLE month_plans (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    starting_first_cents INTEGER NOT NULL DEFAULT 0,
    starting_fifteenth_cents INTEGER NOT NULL DEFAULT 0,
    starting_other_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, year, month)
);

-- Monthly planning: income entries.
CREATE TABLE income_entries (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    label TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    expected_on TEXT NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    bucket TEXT NOT NULL CHECK (bucket IN ('first', 'fifteenth', 'other'))
);

CREATE INDEX income_by_month ON income_entries (user_id, year, month);

-- iCal feeds; only the SHA-256 of the token in the URL is stored.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_fetched_at TEXT
);
