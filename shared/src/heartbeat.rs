//! Heartbeats: each long-running process writes one row every few seconds
//! so that Status and `billtracker status` can tell up, stale and down.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::params;
use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
use crate::time::now_text;

/// The long-running services of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    Web,
    SyncWorker,
    Notifier,
    Janitor,
}

impl Service {
    pub const ALL: [Service; 4] = [
        Service::Web,
        Service::SyncWorker,
        Service::Notifier,
        Service::Janitor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::Web => "web",
            Service::SyncWorker => "sync-worker",
            Service::Notifier => "notifier",
            Service::Janitor => "janitor",
        }
    }

    pub fn parse(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The binary that runs this service.
    pub fn binary(self) -> &'static str {
        match self {
            Service::Web => "billtracker-web",
            Service::SyncWorker => "billtracker-sync-worker",
            Service::Notifier => "billtracker-notifier",
            Service::Janitor => "billtracker-janitor",
        }
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who this process is: service, host, pid and a per-start instance name.
#[derive(Debug, Clone)]
pub struct Instance {
    pub service: Service,
    pub host: String,
    pub pid: u32,
    /// Unique per process start (`notifier-<host>-<pid>-<random>`): containers
    /// reuse host names and pid 1, and the queue refuses a worker name that
    /// is still registered.
    pub name: String,
}

impl Instance {
    pub fn current(service: Service) -> Self {
        let host = host_name();
        let pid = std::process::id();
        let suffix: u32 = rand::random();
        Instance {
            service,
            name: format!("{service}-{host}-{pid}-{suffix:08x}"),
            host,
            pid,
        }
    }
}

/// The host name (the container id under Docker).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// The jobs this process is running right now, for the heartbeat row.
#[derive(Debug, Clone, Default)]
pub struct CurrentJobs(Arc<Mutex<Vec<String>>>);

impl CurrentJobs {
    pub fn started(&self, label: &str) {
        if let Ok(mut jobs) = self.0.lock() {
            jobs.push(label.to_string());
        }
    }

    pub fn finished(&self, label: &str) {
        if let Ok(mut jobs) = self.0.lock()
            && let Some(pos) = jobs.iter().position(|j| j == label)
        {
            jobs.remove(pos);
        }
    }

    /// "sync probe 01H…" or "sync probe 01H… (+3 more)".
    pub fn describe(&self) -> Option<String> {
        let jobs = self.0.lock().ok()?;
        let first = jobs.first()?;
        Some(match jobs.len() {
            1 => first.clone(),
            n => format!("{first} (+{} more)", n - 1),
        })
    }
}

/// Writes the heartbeat row of this process until stopped.
pub struct Heartbeat {
    task: tokio::task::JoinHandle<()>,
    db: Db,
    instance: Instance,
}

impl Heartbeat {
    /// Writes the first beat now (so Status sees the process at once) and
    /// then one every `interval`.
    pub async fn start(
        db: Db,
        instance: Instance,
        interval: Duration,
        jobs: CurrentJobs,
    ) -> Result<Self> {
        let first = instance.clone();
        db.write(move |tx| {
            let now = now_text();
            tx.execute(
                r#"
                INSERT INTO service_heartbeats
                    (instance, service, host, pid, version, started_at, last_seen_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                "#,
                params![
                    first.name,
                    first.service.as_str(),
                    first.host,
                    first.pid,
                    crate::VERSION,
                    now
                ],
            )?;
            // Rows of this service's earlier starts that stopped long ago only clutter Status.
            tx.execute(
                r#"
                DELETE FROM service_heartbeats
                WHERE service = ?1
                  AND instance != ?2
                  AND last_seen_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
                "#,
                params![first.service.as_str(), first.name],
            )?;
            Ok(())
        })
        .await?;

        let task_db = db.clone();
        let name = instance.name.clone();
        let task = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let name = name.clone();
                let current = jobs.describe();
                let beat = task_db
                    .write(move |tx| {
                        tx.execute(
                            "UPDATE service_heartbeats SET last_seen_at = ?2, current_job = ?3 WHERE instance = ?1",
                            params![name, now_text(), current],
                        )?;
                        Ok(())
                    })
                    .await;
                if let Err(error) = beat {
                    tracing::warn!(%error, "could not write the heartbeat");
                }
            }
        });
        Ok(Heartbeat { task, db, instance })
    }

    /// Stops beating and marks the row as cleanly stopped.
    pub async fn stop(self) {
        self.task.abort();
        let name = self.instance.name.clone();
        let result = self
            .db
            .write(move |tx| {
                tx.execute(
                    "UPDATE service_heartbeats SET stopped_at = ?2, current_job = NULL WHERE instance = ?1",
                    params![name, now_text()],
                )?;
                Ok(())
            })
            .await;
        if let Err(error) = result {
            tracing::warn!(%error, "could not record the clean stop");
        }
    }
}
