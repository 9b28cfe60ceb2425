-- Heartbeats of every long-running process, one row per process start.
CREATE TABLE service_heartbeats (
    instance TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    version TEXT NOT NULL,
    started_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    current_job TEXT,
    stopped_at TEXT
);

CREATE INDEX service_heartbeats_by_service ON service_heartbeats (service, last_seen_at);

-- Results of PRAGMA integrity_check, newest last.
CREATE TABLE integrity_checks (
    id INTEGER PRIMARY KEY,
    checked_at TEXT NOT NULL,
    service TEXT NOT NULL,
    ok INTEGER NOT NULL,
    result TEXT NOT NULL,
    duration_ms INTEGER NOT NULL
);

-- Rows written by probe jobs: one per job key, however often it ran.
CREATE TABLE queue_probes (
    probe_key TEXT PRIMARY KEY,
    queue TEXT NOT NULL,
    handled_by TEXT NOT NULL,
    first_handled_at TEXT NOT NULL,
    runs INTEGER NOT NULL DEFAULT 1
);
