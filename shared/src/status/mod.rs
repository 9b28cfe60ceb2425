//! The status report: services from heartbeats, schema, queues and the
//! last integrity check. `billtracker status` prints it; the admin Status
//! page extends it.

use jiff::Timestamp;
use rusqlite::{Connection, params};
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::CommonArgs;
use crate::error::Result;
use crate::errors::{self, RecordedError};
use crate::heartbeat::Service;
use crate::integrity::{self, IntegrityCheck};
use crate::migrate;
use crate::queue::{self, QueueStats};

mod services;

pub use services::{Liveness, ServiceStatus, services, services_on};

/// Schema versions: in the database and known by this binary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SchemaStatus {
    pub database: i64,
    pub binary: i64,
}

/// The report of `billtracker status`, `GET /api/admin/status` and the
/// Status page: one report, no file system paths, no secrets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub version: &'static str,
    pub application: Application,
    pub schema: SchemaStatus,
    pub services: Vec<ServiceStatus>,
    pub database: DatabaseStatus,
    pub queues: Vec<QueueStats>,
    pub last_integrity_check: Option<IntegrityCheck>,
    pub statistics: Statistics,
    pub tracker: TrackerStatus,
    pub daily_run: DailyRunStatus,
    pub bank_sync: NotConfigured,
    pub notifications: NotConfigured,
    pub backups: BackupStatus,
    pub cleanup: Option<crate::cleanup::CleanupRun>,
    pub recent_errors: Vec<RecordedError>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Application {
    pub version: &'static str,
    pub commit: Option<&'static str>,
    /// `container` inside Docker, else `host`.
    pub environment: &'static str,
    /// Seconds since the web process started (from its heartbeat).
    pub web_uptime_secs: Option<i64>,
    pub time_zone: String,
    /// Where the secret encryption key comes from: `environment` or `key_file`.
    pub encryption_key_source: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DatabaseStatus {
    /// The database answered a query for this report.
    pub reachable: bool,
    pub schema_version: i64,
    pub size_bytes: u64,
    pub wal_bytes: u64,
    /// Why the database could not be read (no paths); null when reachable.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Statistics {
    pub users: i64,
    pub active_sessions: i64,
    pub active_bills: i64,
    pub payments_this_month: i64,
}

/// This month's occurrences across every user.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct TrackerStatus {
    pub occurrences: i64,
    pub paid: i64,
    pub overdue: i64,
    pub skipped: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DailyRunStatus {
    pub last: Option<crate::daily::DailyRun>,
    /// The next run (RFC 3339 with offset, instance time zone).
    pub next_at: String,
}

/// An area of a capability that is not set up on this instance yet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotConfigured {
    pub configured: bool,
    pub note: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BackupStatus {
    pub count: usize,
    pub newest: Option<crate::backup::Backup>,
    pub total_bytes: u64,
    /// Daily time of the scheduled backup (HH:MM, instance time zone).
    pub schedule: String,
    pub retention: u32,
    /// The last recorded backup error, unless a backup succeeded after it.
    pub last_error: Option<RecordedError>,
    /// Why the backups folder could not be read for this report (then
    /// count, newest and size are unknown); null when it was read.
    pub error: Option<String>,
}

impl Report {
    /// True when every service is up.
    pub fn all_up(&self) -> bool {
        self.services.iter().all(|s| s.state == Liveness::Up)
    }
}

/// Builds the report from `bills.db`, `queue.db` and the settings. A
/// database that cannot be read gives a report that says so
/// ([`unreachable`]) rather than an error.
pub fn report(bills: &Connection, queue_db: &Connection, common: &CommonArgs) -> Result<Report> {
    if let Err(error) = bills.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        return Ok(unreachable(common, &error));
    }
    let interval = common.heartbeat_interval();
    let data = common.data();
    let time_zone = common.time_zone();
    let now = Timestamp::now().to_zoned(time_zone.clone());
    let services = services(bills, interval)?;
    let schema_version = migrate::current_version(bills)?;

    let web_uptime_secs = services
        .iter()
        .find(|s| s.service == Service::Web && s.state == Liveness::Up)
        .and_then(|s| s.started_at.as_deref())
        .and_then(crate::time::parse)
        .map(|started| now.timestamp().duration_since(started).as_secs());
    let file_size =
        |path: std::path::PathBuf| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bills_path = data.bills_db();
    let wal_path = bills_path.with_extension("db-wal");

    let recent_errors = errors::recent(bills, 20)?;
    let (backups, backups_unreadable) = match crate::backup::summary(&data) {
        Ok(summary) => (summary, None),
        Err(error) => {
            let error = errors::redact(&error.to_string(), Some(data.root()));
            (crate::backup::Summary::default(), Some(error))
        }
    };
    let backup_error = errors::last_in(bills, errors::Area::Backups)?
        .filter(|error| newer_than_newest_backup(error, backups.newest.as_ref()));
    let mut daily_last = crate::daily::last(bills)?;
    if let Some(run) = &mut daily_last {
        run.error = run
            .error
            .as_deref()
            .map(|e| errors::redact(e, Some(data.root())));
    }

    Ok(Report {
        version: crate::VERSION,
        application: application(common, web_uptime_secs),
        schema: SchemaStatus {
            database: schema_version,
            binary: migrate::latest_version(),
        },
        services,
        database: DatabaseStatus {
            reachable: true,
            schema_version,
            size_bytes: file_size(bills_path),
            wal_bytes: file_size(wal_path),
            error: None,
        },
        queues: queue::stats(queue_db)?,
        last_integrity_check: integrity::last(bills)?,
        statistics: statistics(bills, now.date())?,
        tracker: tracker_status(bills, now.date())?,
        daily_run: DailyRunStatus {
            last: daily_last,
            next_at: crate::daily::next_run(&now, common.daily.daily_run_at).to_string(),
        },
        bank_sync: NotConfigured {
            configured: false,
            note: "bank sync is not configured on this instance",
        },
        notifications: NotConfigured {
            configured: false,
            note: "email and push notifications are not configured on this instance",
        },
        backups: BackupStatus {
            count: backups.count,
            newest: backups.newest,
            total_bytes: backups.total_bytes,
            schedule: format!(
                "{:02}:{:02}",
                common.backup.backup_at.hour(),
                common.backup.backup_at.minute()
            ),
            retention: common.backup.backup_retention,
            last_error: backup_error,
            error: backups_unreadable,
        },
        cleanup: crate::cleanup::last_run(bills)?,
        recent_errors,
    })
}

/// Whether a backup error still stands: no backup was taken after it.
fn newer_than_newest_backup(error: &RecordedError, newest: Option<&crate::backup::Backup>) -> bool {
    let Some(newest) = newest.and_then(|b| crate::time::parse(&b.created_at)) else {
        return true;
    };
    crate::time::parse(&error.at).is_none_or(|at| at >= newest)
}

fn application(common: &CommonArgs, web_uptime_secs: Option<i64>) -> Application {
    Application {
        version: crate::VERSION,
        commit: crate::BUILD_COMMIT,
        environment: if std::path::Path::new("/.dockerenv").exists() {
            "container"
        } else {
            "host"
        },
        web_uptime_secs,
        time_zone: common.time_zone_name(),
        encryption_key_source: if common.token_encryption_key.is_some() {
            "environment"
        } else {
            "key_file"
        },
    }
}

/// The report when `bills.db` cannot be read: the database is unreachable
/// with the reason (no paths); everything read from it is empty or zero.
pub fn unreachable(common: &CommonArgs, error: &dyn std::fmt::Display) -> Report {
    let data = common.data();
    let time_zone = common.time_zone();
    let now = Timestamp::now().to_zoned(time_zone);
    let message = errors::redact(&error.to_string(), Some(data.root()));
    tracing::error!(area = "database", error = %message, "the database cannot be read for Status");
    let backups = crate::backup::summary(&data);
    let file_size =
        |path: std::path::PathBuf| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bills_path = data.bills_db();
    let wal_path = bills_path.with_extension("db-wal");
    Report {
        version: crate::VERSION,
        application: application(common, None),
        schema: SchemaStatus {
            database: 0,
            binary: migrate::latest_version(),
        },
        services: Vec::new(),
        database: DatabaseStatus {
            reachable: false,
            schema_version: 0,
            size_bytes: file_size(bills_path),
            wal_bytes: file_size(wal_path),
            error: Some(message),
        },
        queues: Vec::new(),
        last_integrity_check: None,
        statistics: Statistics {
            users: 0,
            active_sessions: 0,
            active_bills: 0,
            payments_this_month: 0,
        },
        tracker: TrackerStatus::default(),
        daily_run: DailyRunStatus {
            last: None,
            next_at: crate::daily::next_run(&now, common.daily.daily_run_at).to_string(),
        },
        bank_sync: NotConfigured {
            configured: false,
            note: "bank sync is not configured on this instance",
        },
        notifications: NotConfigured {
            configured: false,
            note: "email and push notifications are not configured on this instance",
        },
        backups: BackupStatus {
            count: backups.as_ref().map_or(0, |b| b.count),
            newest: backups.as_ref().ok().and_then(|b| b.newest.clone()),
            total_bytes: backups.as_ref().map_or(0, |b| b.total_bytes),
            schedule: format!(
                "{:02}:{:02}",
                common.backup.backup_at.hour(),
                common.backup.backup_at.minute()
            ),
            retention: common.backup.backup_retention,
            last_error: None,
            error: backups
                .err()
                .map(|e| errors::redact(&e.to_string(), Some(data.root()))),
        },
        cleanup: None,
        recent_errors: Vec::new(),
    }
}

fn statistics(bills: &Connection, today: jiff::civil::Date) -> Result<Statistics> {
    let first = today.first_of_month().to_string();
    let last = today.last_of_month().to_string();
    Ok(bills.query_row(
        r#"
        SELECT
            (SELECT count(*) FROM users),
            (SELECT count(*) FROM sessions WHERE expires_at > ?1),
            (SELECT count(*) FROM bills WHERE deleted_at IS NULL AND active = 1),
            (SELECT count(*) FROM payments WHERE deleted_at IS NULL AND paid_on BETWEEN ?2 AND ?3)
        "#,
        params![crate::time::now_text(), first, last],
        |r| {
            Ok(Statistics {
                users: r.get(0)?,
                active_sessions: r.get(1)?,
                active_bills: r.get(2)?,
                payments_this_month: r.get(3)?,
            })
        },
    )?)
}

fn tracker_status(bills: &Connection, today: jiff::civil::Date) -> Result<TrackerStatus> {
    let mut stmt = bills.prepare("SELECT id FROM users WHERE active = 1")?;
    let users: Vec<i64> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut status = TrackerStatus::default();
    for user in users {
        let tracker = crate::bills::tracker_for(bills, user, today.year(), today.month(), today)
            .map_err(|e| crate::Error::Rule(e.to_string()))?;
        status.occurrences += tracker.totals.occurrence_count;
        status.paid += tracker.totals.paid_count;
        status.overdue += tracker.totals.overdue_count;
        status.skipped += tracker.totals.skipped_count;
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    struct Settings {
        #[command(flatten)]
        common: CommonArgs,
    }

    fn settings(data: &crate::paths::DataDir) -> CommonArgs {
        use clap::Parser;
        Settings::parse_from([
            "test",
            "--data-dir",
            data.root().to_str().unwrap(),
            "--tz",
            "UTC",
        ])
        .common
    }

    fn instance() -> (tempfile::TempDir, crate::paths::DataDir, Connection) {
        let tmp = tempfile::tempdir().unwrap();
        let data = crate::paths::DataDir::new(tmp.path());
        data.prepare().unwrap();
        let mut conn = crate::db::open(&data.bills_db()).unwrap();
        migrate::migrate(&mut conn).unwrap();
        (tmp, data, conn)
    }

    #[test]
    fn an_unreadable_database_is_reported_unreachable_not_as_an_error() {
        let (tmp, data, conn) = instance();
        drop(conn);
        std::fs::write(data.bills_db(), vec![0xA5u8; 8192]).unwrap();
        let _ = std::fs::remove_file(data.bills_db().with_extension("db-wal"));
        let bills = Connection::open(data.bills_db()).unwrap();
        let queue = Connection::open_in_memory().unwrap();

        let report = report(&bills, &queue, &settings(&data)).unwrap();
        assert!(!report.database.reachable);
        let error = report.database.error.clone().unwrap();
        assert!(error.contains("not a database"), "{error}");
        let text = serde_json::to_string(&report).unwrap();
        assert!(!text.contains(&tmp.path().display().to_string()), "{text}");
    }

    #[test]
    fn a_backup_error_is_shown_until_a_later_backup_succeeds() {
        let (_tmp, data, conn) = instance();
        let queue = Connection::open_in_memory().unwrap();
        let common = settings(&data);
        conn.execute(
            "INSERT INTO recorded_errors (at, service, target, message) VALUES ('2020-01-01T00:00:00.000Z', 'janitor', 'backups', 'disk full')",
            [],
        )
        .unwrap();
        let older = report(&conn, &queue, &common).unwrap();
        assert_eq!(older.backups.last_error.unwrap().message, "disk full");
        assert_eq!(older.backups.error, None);
        assert!(older.database.reachable);

        crate::backup::create(&data, crate::backup::Kind::Manual, crate::backup::Wait::No).unwrap();
        let after = report(&conn, &queue, &common).unwrap();
        assert_eq!(after.backups.count, 1);
        assert!(
            after.backups.last_error.is_none(),
            "a backup succeeded since"
        );
    }

    #[test]
    fn an_unreadable_backups_folder_is_reported_not_counted_as_empty() {
        let (_tmp, data, conn) = instance();
        let queue = Connection::open_in_memory().unwrap();
        std::fs::remove_dir_all(data.backups()).unwrap();
        std::fs::write(data.backups(), b"a file where the folder should be").unwrap();
        let report = report(&conn, &queue, &settings(&data)).unwrap();
        let error = report.backups.error.expect("the error is reported");
        assert!(error.contains("backups/"), "{error}");
    }
}
