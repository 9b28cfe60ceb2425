//! Services as their heartbeats show them: up, stale or down.

use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, params};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Result;
use crate::heartbeat::Service;

/// Whether a service is alive, judged from its last heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Liveness {
    /// Seen within three heartbeat intervals.
    Up,
    /// Seen within twelve intervals: busy, paused or about to be down.
    Stale,
    /// Not seen for longer, stopped, or never started.
    Down,
}

impl Liveness {
    pub fn from_age(age: Duration, interval: Duration) -> Liveness {
        if age <= interval * 3 {
            Liveness::Up
        } else if age <= interval * 12 {
            Liveness::Stale
        } else {
            Liveness::Down
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Liveness::Up => "up",
            Liveness::Stale => "stale",
            Liveness::Down => "down",
        }
    }
}

/// One service as Status shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceStatus {
    pub service: Service,
    pub state: Liveness,
    /// Processes of this service seen up right now.
    pub instances_up: usize,
    pub host: Option<String>,
    pub version: Option<String>,
    pub started_at: Option<String>,
    pub last_seen_at: Option<String>,
    pub stopped_at: Option<String>,
    pub current_job: Option<String>,
}

struct HeartbeatRow {
    service: String,
    host: String,
    version: String,
    started_at: String,
    last_seen_at: String,
    current_job: Option<String>,
    stopped_at: Option<String>,
}

impl HeartbeatRow {
    fn liveness(&self, now: Timestamp, interval: Duration) -> Liveness {
        if self.stopped_at.is_some() {
            return Liveness::Down;
        }
        let Some(seen) = crate::time::parse(&self.last_seen_at) else {
            return Liveness::Down;
        };
        let age = now.duration_since(seen).unsigned_abs();
        Liveness::from_age(age, interval)
    }
}

fn heartbeat_rows(conn: &Connection, host: Option<&str>) -> Result<Vec<HeartbeatRow>> {
    let mut stmt = conn.prepare(
        r#"
        SELECT service, host, version, started_at, last_seen_at, current_job, stopped_at
        FROM service_heartbeats
        WHERE ?1 IS NULL OR host = ?1
        ORDER BY last_seen_at DESC
        "#,
    )?;
    let rows = stmt.query_map(params![host], |row| {
        Ok(HeartbeatRow {
            service: row.get(0)?,
            host: row.get(1)?,
            version: row.get(2)?,
            started_at: row.get(3)?,
            last_seen_at: row.get(4)?,
            current_job: row.get(5)?,
            stopped_at: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every service of the suite, from the heartbeats of any host.
pub fn services(conn: &Connection, interval: Duration) -> Result<Vec<ServiceStatus>> {
    services_on(conn, interval, None)
}

/// Every service of the suite as seen from heartbeats written by `host`
/// (or any host when `None`).
pub fn services_on(
    conn: &Connection,
    interval: Duration,
    host: Option<&str>,
) -> Result<Vec<ServiceStatus>> {
    let now = Timestamp::now();
    let rows = heartbeat_rows(conn, host)?;
    Ok(Service::ALL
        .into_iter()
        .map(|service| {
            let mine: Vec<&HeartbeatRow> = rows
                .iter()
                .filter(|r| r.service == service.as_str())
                .collect();
            let instances_up = mine
                .iter()
                .filter(|r| r.liveness(now, interval) == Liveness::Up)
                .count();
            // Prefer a live process; else the most recently seen one.
            let shown = mine
                .iter()
                .min_by_key(|r| r.liveness(now, interval) as u8)
                .copied();
            match shown {
                Some(row) => ServiceStatus {
                    service,
                    state: row.liveness(now, interval),
                    instances_up,
                    host: Some(row.host.clone()),
                    version: Some(row.version.clone()),
                    started_at: Some(row.started_at.clone()),
                    last_seen_at: Some(row.last_seen_at.clone()),
                    stopped_at: row.stopped_at.clone(),
                    current_job: row.current_job.clone(),
                },
                None => ServiceStatus {
                    service,
                    state: Liveness::Down,
                    instances_up: 0,
                    host: None,
                    version: None,
                    started_at: None,
                    last_seen_at: None,
                    stopped_at: None,
                    current_job: None,
                },
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liveness_follows_the_age_of_the_last_heartbeat() {
        let beat = Duration::from_secs(5);
        assert_eq!(
            Liveness::from_age(Duration::from_secs(4), beat),
            Liveness::Up
        );
        assert_eq!(
            Liveness::from_age(Duration::from_secs(15), beat),
            Liveness::Up
        );
        assert_eq!(
            Liveness::from_age(Duration::from_secs(16), beat),
            Liveness::Stale
        );
        assert_eq!(
            Liveness::from_age(Duration::from_secs(61), beat),
            Liveness::Down
        );
    }
}
