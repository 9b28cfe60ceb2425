-- Errors recorded by any process for the Status page (the newest are kept).
CREATE TABLE recorded_errors (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    service TEXT NOT NULL,
    target TEXT NOT NULL,
    message TEXT NOT NULL
);

-- One row per day of the daily run; the primary key makes it run once a day.
CREATE TABLE daily_runs (
    day TEXT PRIMARY KEY,
    instance TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_ms INTEGER,
    autopay_payments INTEGER,
    sessions_pruned INTEGER,
    reminders_queued INTEGER,
    cleanup TEXT,
    error TEXT
);

-- Cleanup runs, manual or automatic, with what each task removed (JSON).
CREATE TABLE cleanup_runs (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'daily')),
    actor TEXT,
    results TEXT NOT NULL
);
