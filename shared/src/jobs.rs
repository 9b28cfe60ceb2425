//! The jobs of each queue.
//!
//! Each queue has one payload type, a tagged enum stored as JSON in
//! `queue.db`. Later capabilities add variants (a bank sync, a reminder, a
//! backup); the probe job exists on every queue so that an operator can
//! check end to end that a worker is consuming.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The three queues and their consumers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum QueueName {
    /// Bank sync, consumed by the sync worker.
    Sync,
    /// Reminders, alerts and test messages, consumed by the notifier.
    Notify,
    /// Backups, cleanup and the daily run, consumed by the janitor.
    Maintenance,
}

impl QueueName {
    pub const ALL: [QueueName; 3] = [QueueName::Sync, QueueName::Notify, QueueName::Maintenance];

    /// The queue's name in `queue.db` (the `job_type` column).
    pub fn as_str(self) -> &'static str {
        match self {
            QueueName::Sync => "sync",
            QueueName::Notify => "notify",
            QueueName::Maintenance => "maintenance",
        }
    }
}

impl std::fmt::Display for QueueName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job payload of one queue.
pub trait Job: Serialize + DeserializeOwned + Clone + Send + Sync + Unpin + 'static {
    const QUEUE: QueueName;

    /// A short name for logs and Status (`probe`, `integrity_check`).
    fn name(&self) -> &'static str;
}

/// A no-op job that records one row in `queue_probes` when handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// Unique key of this probe; the row is keyed by it.
    pub key: String,
    /// Milliseconds the job waits before writing its row, to stand in for a
    /// slow job when checking crash recovery and shutdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_ms: Option<u64>,
    /// How many of its first attempts fail on purpose before one writes the
    /// row (0, the default, fails none), to check retry with backoff.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fail_first: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SyncJob {
    Probe(Probe),
}

impl Job for SyncJob {
    const QUEUE: QueueName = QueueName::Sync;

    fn name(&self) -> &'static str {
        match self {
            SyncJob::Probe(_) => "probe",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotifyJob {
    Probe(Probe),
}

impl Job for NotifyJob {
    const QUEUE: QueueName = QueueName::Notify;

    fn name(&self) -> &'static str {
        match self {
            NotifyJob::Probe(_) => "probe",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MaintenanceJob {
    Probe(Probe),
    /// Runs `PRAGMA integrity_check` on bills.db and records the result.
    IntegrityCheck,
    /// Takes the daily backup of one slot (RFC 3339 instant) unless one
    /// was taken since, then applies the retention of scheduled backups.
    ScheduledBackup {
        slot: String,
    },
    /// The daily run of today (autopay, reminders, sessions, cleanup),
    /// unless it ran already.
    DailyRun,
}

impl Job for MaintenanceJob {
    const QUEUE: QueueName = QueueName::Maintenance;

    fn name(&self) -> &'static str {
        match self {
            MaintenanceJob::Probe(_) => "probe",
            MaintenanceJob::IntegrityCheck => "integrity_check",
            MaintenanceJob::ScheduledBackup { .. } => "scheduled_backup",
            MaintenanceJob::DailyRun => "daily_run",
        }
    }
}
