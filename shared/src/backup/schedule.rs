//! The daily scheduled backup and the retention of scheduled backups.
//!
//! The janitor queues one `scheduled_backup` job per daily slot (the
//! moment `BACKUP_AT` in the instance time zone), keyed by the slot so the
//! queue holds it once however many janitors queue it. The job itself
//! checks, under the backup lock, whether a scheduled backup was already
//! taken since the slot, so a job delivered twice backs up once.

use std::time::Duration;

use apalis::prelude::{TaskBuilder, TaskSink};
use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use serde::Serialize;
use sqlx::SqlitePool;

use super::create::create_locked;
use super::lock::{BackupLock, Wait};
use super::name::{BackupName, Kind};
use super::{Backup, BackupError, forget};
use crate::error::{Error, Result};
use crate::jobs::MaintenanceJob;
use crate::paths::DataDir;

/// The latest daily slot at or before `now`.
pub fn latest_slot(now: Timestamp, at: Time, tz: &TimeZone) -> Timestamp {
    let today = now.to_zoned(tz.clone()).date();
    let slot = |date: jiff::civil::Date| {
        date.to_datetime(at)
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .ok()
    };
    match slot(today) {
        Some(slot) if slot <= now => slot,
        _ => today.yesterday().ok().and_then(slot).unwrap_or(now),
    }
}

/// The first daily slot after `now`.
pub fn next_slot(now: Timestamp, at: Time, tz: &TimeZone) -> Timestamp {
    let today = now.to_zoned(tz.clone()).date();
    let slot = |date: jiff::civil::Date| {
        date.to_datetime(at)
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .ok()
    };
    match slot(today) {
        Some(slot) if slot > now => slot,
        _ => today
            .tomorrow()
            .ok()
            .and_then(slot)
            .filter(|slot| *slot > now)
            .unwrap_or_else(|| now + jiff::SignedDuration::from_hours(24)),
    }
}

/// Queues the scheduled backup of `slot`, once per slot across janitors
/// and restarts (the queue ignores a second job with the same key).
pub async fn queue(pool: &SqlitePool, slot: Timestamp) -> Result<()> {
    let mut storage = crate::queue::storage::<MaintenanceJob>(pool, 1, Duration::from_secs(30));
    let job = MaintenanceJob::ScheduledBackup {
        slot: slot.to_string(),
    };
    let task = TaskBuilder::new(job)
        .max_attempts(1)
        .idempotency_key(format!("scheduled-backup-{slot}"))
        .build();
    storage
        .push_all(&mut futures::stream::iter([task]))
        .await
        .map_err(|e| Error::QueuePush(e.to_string()))
}

/// What one scheduled backup job did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledOutcome {
    /// The backup taken, or `None` when one was already taken since the slot.
    pub taken: Option<Backup>,
    /// Scheduled backups deleted by retention.
    pub removed: Vec<String>,
}

/// Takes the scheduled backup of `slot` unless one exists already, then
/// keeps the newest `retention` scheduled backups and deletes the older
/// ones. Manual, pre-restore and pre-upgrade backups are never deleted.
pub fn run(
    data: &DataDir,
    slot: Timestamp,
    retention: u32,
    wait: Wait,
) -> std::result::Result<ScheduledOutcome, BackupError> {
    let _lock = BackupLock::acquire(data, wait)?;
    let done = scheduled(data)?
        .into_iter()
        .any(|name| name.created >= slot);
    let taken = if done {
        tracing::info!(backup.slot = %slot, "the scheduled backup of this slot was already taken");
        None
    } else {
        Some(create_locked(data, Kind::Scheduled)?)
    };
    let removed = retain_locked(data, retention)?;
    Ok(ScheduledOutcome { taken, removed })
}

/// The scheduled backups, newest first.
fn scheduled(data: &DataDir) -> std::result::Result<Vec<BackupName>, BackupError> {
    let entries = std::fs::read_dir(data.backups()).map_err(|e| BackupError::io("backups/", e))?;
    let mut names: Vec<BackupName> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().to_str().and_then(BackupName::parse))
        .filter(|name| name.kind == Kind::Scheduled)
        .collect();
    names.sort_by_key(|name| std::cmp::Reverse(name.created));
    Ok(names)
}

fn retain_locked(data: &DataDir, retention: u32) -> std::result::Result<Vec<String>, BackupError> {
    let dir = data.backups();
    let mut removed = Vec::new();
    for name in scheduled(data)?.into_iter().skip(retention as usize) {
        let id = name.to_string();
        for file in [id.clone(), name.sidecar()] {
            match std::fs::remove_file(dir.join(&file)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(BackupError::io(&file, e)),
            }
        }
        forget(&id);
        tracing::info!(backup.id = %id, retention, "scheduled backup removed by retention");
        removed.push(id);
    }
    if !removed.is_empty() {
        super::files::sync_dir(&dir)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::create::create;
    use crate::backup::list;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn slots_are_the_daily_time_in_the_instance_zone() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let three = Time::constant(3, 0, 0, 0);
        // 10:00 in Berlin (UTC+1 in winter): today's 03:00 has passed.
        let now = at("2026-01-15T09:00:00Z");
        assert_eq!(latest_slot(now, three, &tz), at("2026-01-15T02:00:00Z"));
        assert_eq!(next_slot(now, three, &tz), at("2026-01-16T02:00:00Z"));
        // 02:30 in Berlin: yesterday's slot is the latest.
        let early = at("2026-01-15T01:30:00Z");
        assert_eq!(latest_slot(early, three, &tz), at("2026-01-14T02:00:00Z"));
        assert_eq!(next_slot(early, three, &tz), at("2026-01-15T02:00:00Z"));
        // Exactly at the slot: it is the latest, the next is tomorrow's.
        let exact = at("2026-01-15T02:00:00Z");
        assert_eq!(latest_slot(exact, three, &tz), exact);
        assert_eq!(next_slot(exact, three, &tz), at("2026-01-16T02:00:00Z"));
    }

    #[test]
    fn a_slot_in_a_daylight_saving_gap_still_happens_once() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let half_past_two = Time::constant(2, 30, 0, 0);
        // On 2026-03-29 clocks jump from 02:00 to 03:00 in Berlin.
        let next = next_slot(at("2026-03-28T12:00:00Z"), half_past_two, &tz);
        assert_eq!(
            next,
            at("2026-03-29T01:30:00Z"),
            "03:30 local, after the jump"
        );
        let after = next_slot(next, half_past_two, &tz);
        assert_eq!(after, at("2026-03-30T00:30:00Z"));
    }

    fn instance() -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        let mut conn = crate::db::open(&data.bills_db()).unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        (tmp, data)
    }

    /// A finished backup under an older name, as an earlier day left it.
    fn older(data: &DataDir, kind: Kind, when: &str) -> String {
        let fresh = create(data, kind, Wait::No).unwrap();
        let name = BackupName::new(at(when), kind).to_string();
        let dir = data.backups();
        std::fs::rename(dir.join(&fresh.id), dir.join(&name)).unwrap();
        let sha = fresh.sha256.unwrap();
        std::fs::remove_file(dir.join(format!("{}.sha256", fresh.id))).unwrap();
        std::fs::write(
            dir.join(format!("{name}.sha256")),
            format!("{sha}  {name}\n"),
        )
        .unwrap();
        name
    }

    #[test]
    fn retention_keeps_exactly_the_newest_scheduled_backups_and_nothing_else_goes() {
        let (_tmp, data) = instance();
        let manual = older(&data, Kind::Manual, "2020-01-01T00:00:00Z");
        let pre_restore = older(&data, Kind::PreRestore, "2020-01-02T00:00:00Z");
        let pre_upgrade = older(&data, Kind::PreUpgrade, "2020-01-03T00:00:00Z");
        let scheduled: Vec<String> = (10..15)
            .map(|day| older(&data, Kind::Scheduled, &format!("2025-01-{day}T03:00:00Z")))
            .collect();

        let outcome = run(&data, Timestamp::now(), 3, Wait::No).unwrap();
        let taken = outcome.taken.expect("a backup for this slot");
        assert_eq!(
            outcome.removed,
            [
                scheduled[2].clone(),
                scheduled[1].clone(),
                scheduled[0].clone()
            ]
        );

        let mut left: Vec<String> = list(&data).unwrap().into_iter().map(|b| b.id).collect();
        left.sort();
        let mut expected = vec![
            manual,
            pre_restore,
            pre_upgrade,
            scheduled[3].clone(),
            scheduled[4].clone(),
            taken.id,
        ];
        expected.sort();
        assert_eq!(left, expected);
        assert!(
            std::fs::read_dir(data.backups())
                .unwrap()
                .filter_map(|e| e.ok())
                .all(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    !n.ends_with(".sha256") || left.iter().any(|id| n == format!("{id}.sha256"))
                }),
            "the checksum files of removed backups went too"
        );
    }

    #[test]
    fn a_slot_is_backed_up_once_however_often_its_job_runs() {
        let (_tmp, data) = instance();
        let slot = Timestamp::now() - jiff::SignedDuration::from_mins(5);
        assert!(run(&data, slot, 14, Wait::No).unwrap().taken.is_some());
        assert!(run(&data, slot, 14, Wait::No).unwrap().taken.is_none());
        assert_eq!(list(&data).unwrap().len(), 1);
    }
}
