//! Cleanup: what each task would remove now (count and size) and running
//! the chosen ones. The janitor runs the automatic tasks daily; Admin >
//! Cleanup runs any of them on demand. Results are recorded for Status.

use std::path::Path;
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db;
use crate::paths::DataDir;
use crate::time::now_text;

/// The cleanup tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Uploaded import files older than 24 hours.
    StaleImports,
    /// Export files older than 24 hours.
    TempExports,
    /// `.partial` files and checksum files without their backup in
    /// backups/, older than one hour (left by a crash).
    PartialBackups,
    /// Bills, categories and payments deleted more than 30 days ago.
    DeletedRecords,
    /// Expired sessions and OIDC sign-ins that never came back.
    ExpiredSessions,
    /// Finished jobs in the queue older than 7 days.
    FinishedJobs,
}

impl Task {
    pub const ALL: [Task; 6] = [
        Task::StaleImports,
        Task::TempExports,
        Task::PartialBackups,
        Task::DeletedRecords,
        Task::ExpiredSessions,
        Task::FinishedJobs,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Task::StaleImports => "Import uploads older than 24 hours",
            Task::TempExports => "Temporary exports older than 24 hours",
            Task::PartialBackups => {
                "Unfinished backup files and orphan checksums older than one hour"
            }
            Task::DeletedRecords => "Bills, categories and payments deleted more than 30 days ago",
            Task::ExpiredSessions => "Expired sessions and abandoned single sign-on attempts",
            Task::FinishedJobs => "Finished queue jobs older than 7 days",
        }
    }
}

/// What a task would remove, or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaskCount {
    pub task: Task,
    pub label: String,
    pub count: i64,
    /// Bytes of the files, or an estimate for rows (see `bytes_estimated`).
    pub bytes: i64,
    /// `bytes` is an estimate: the stored length of the rows' values. The
    /// database file shrinks only as SQLite reuses or vacuums the pages.
    #[serde(default)]
    pub bytes_estimated: bool,
}

const DAY: Duration = Duration::from_secs(24 * 3600);
const DELETED_SQL_WINDOW: &str = "-30 days";

/// Files directly in `dir` whose name passes `keep` and older than `age`.
fn old_files(
    dir: &Path,
    age: Duration,
    matches: impl Fn(&str) -> bool,
) -> Vec<(std::path::PathBuf, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let cutoff = SystemTime::now()
        .checked_sub(age)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let meta = entry.metadata().ok()?;
            (meta.is_file() && matches(&name) && meta.modified().ok()? < cutoff)
                .then(|| (entry.path(), meta.len()))
        })
        .collect()
}

fn files_for(task: Task, data: &DataDir) -> Vec<(std::path::PathBuf, u64)> {
    match task {
        Task::StaleImports => old_files(&data.root().join("imports"), DAY, |_| true),
        Task::TempExports => old_files(&data.root().join("exports"), DAY, |_| true),
        _ => Vec::new(),
    }
}

/// An estimate of the bytes the rows of `table` matching `filter` hold:
/// the sum of the stored lengths of all their values. `?1` in `filter`
/// is `parameter`.
fn row_bytes(conn: &Connection, table: &str, filter: &str, parameter: &str) -> crate::Result<i64> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let columns: Vec<String> = stmt
        .query_map([], |r| r.get(1))?
        .collect::<rusqlite::Result<_>>()?;
    if columns.is_empty() {
        return Ok(0);
    }
    let lengths: Vec<String> = columns
        .iter()
        .map(|c| format!("coalesce(length(CAST(\"{c}\" AS BLOB)), 0)"))
        .collect();
    let sql = format!(
        "SELECT coalesce(sum({}), 0) FROM {table} WHERE {filter}",
        lengths.join(" + ")
    );
    let uses_parameter = filter.contains("?1");
    let bytes = if uses_parameter {
        conn.query_row(&sql, [parameter], |r| r.get(0))?
    } else {
        conn.query_row(&sql, [], |r| r.get(0))?
    };
    Ok(bytes)
}

const DELETED_FILTER: &str =
    "deleted_at IS NOT NULL AND deleted_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)";
const DELETED_TABLES: [&str; 3] = ["bills", "categories", "payments"];
const EXPIRED_FILTER: &str = "expires_at <= ?1";
const EXPIRED_TABLES: [&str; 2] = ["sessions", "oidc_login_states"];
const FINISHED_JOBS_FILTER: &str = "status IN ('Done', 'Failed', 'Killed') AND coalesce(done_at, run_at) < strftime('%s', 'now') - 7 * 86400";

/// The estimated bytes of the rows a row task removes now.
fn estimate(task: Task, bills: &Connection, queue: &Connection) -> crate::Result<i64> {
    let sum = |conn: &Connection, tables: &[&str], filter: &str, parameter: &str| {
        tables.iter().try_fold(0, |total, table| {
            Ok::<i64, crate::Error>(total + row_bytes(conn, table, filter, parameter)?)
        })
    };
    match task {
        Task::DeletedRecords => sum(bills, &DELETED_TABLES, DELETED_FILTER, DELETED_SQL_WINDOW),
        Task::ExpiredSessions => sum(bills, &EXPIRED_TABLES, EXPIRED_FILTER, &now_text()),
        Task::FinishedJobs if has_jobs(queue)? => sum(queue, &["Jobs"], FINISHED_JOBS_FILTER, ""),
        _ => Ok(0),
    }
}

fn count_rows(conn: &Connection, sql: &str, parameter: &str) -> crate::Result<i64> {
    Ok(conn.query_row(sql, [parameter], |r| r.get(0))?)
}

const DELETED_COUNT: &str = r#"
    SELECT
        (SELECT count(*) FROM bills WHERE deleted_at IS NOT NULL AND deleted_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1))
      + (SELECT count(*) FROM categories WHERE deleted_at IS NOT NULL AND deleted_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1))
      + (SELECT count(*) FROM payments WHERE deleted_at IS NOT NULL AND deleted_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1))
"#;

const SESSIONS_COUNT: &str = r#"
    SELECT
        (SELECT count(*) FROM sessions WHERE expires_at <= ?1)
      + (SELECT count(*) FROM oidc_login_states WHERE expires_at <= ?1)
"#;

fn has_jobs(queue: &Connection) -> crate::Result<bool> {
    Ok(queue.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Jobs')",
        [],
        |r| r.get(0),
    )?)
}

fn finished_jobs(queue: &Connection) -> crate::Result<i64> {
    if !has_jobs(queue)? {
        return Ok(0);
    }
    Ok(queue.query_row(
        &format!("SELECT count(*) FROM Jobs WHERE {FINISHED_JOBS_FILTER}"),
        [],
        |r| r.get(0),
    )?)
}

/// Whether a task removes rows, whose size is an estimate.
fn removes_rows(task: Task) -> bool {
    matches!(
        task,
        Task::DeletedRecords | Task::ExpiredSessions | Task::FinishedJobs
    )
}

/// What every task would remove now.
pub fn preview(
    data: &DataDir,
    bills: &Connection,
    queue: &Connection,
) -> crate::Result<Vec<TaskCount>> {
    Task::ALL
        .into_iter()
        .map(|task| {
            let files = files_for(task, data);
            let (count, bytes) = match task {
                Task::DeletedRecords => (
                    count_rows(bills, DELETED_COUNT, DELETED_SQL_WINDOW)?,
                    estimate(task, bills, queue)?,
                ),
                Task::ExpiredSessions => (
                    count_rows(bills, SESSIONS_COUNT, &now_text())?,
                    estimate(task, bills, queue)?,
                ),
                Task::FinishedJobs => (finished_jobs(queue)?, estimate(task, bills, queue)?),
                Task::PartialBackups => {
                    let stale =
                        crate::backup::preview_partials(data, crate::backup::PARTIAL_MAX_AGE)
                            .map_err(|e| crate::Error::Rule(e.to_string()))?;
                    (stale.files as i64, stale.bytes as i64)
                }
                _ => (
                    files.len() as i64,
                    files.iter().map(|(_, size)| *size as i64).sum(),
                ),
            };
            Ok(TaskCount {
                task,
                label: task.label().to_string(),
                count,
                bytes,
                bytes_estimated: removes_rows(task),
            })
        })
        .collect()
}

/// Runs the chosen tasks; returns what each removed.
pub fn run(
    data: &DataDir,
    bills: &mut Connection,
    queue: &mut Connection,
    tasks: &[Task],
) -> crate::Result<Vec<TaskCount>> {
    let mut results = Vec::new();
    for task in tasks {
        // Measured just before the rows go.
        let estimated = if removes_rows(*task) {
            estimate(*task, bills, queue)?
        } else {
            0
        };
        let (count, bytes) = match task {
            Task::PartialBackups => {
                let removed = crate::backup::cleanup_partials(data, crate::backup::PARTIAL_MAX_AGE)
                    .map_err(|e| crate::Error::Rule(e.to_string()))?;
                (removed.files as i64, removed.bytes as i64)
            }
            Task::StaleImports | Task::TempExports => {
                let mut count = 0;
                let mut bytes = 0;
                for (path, size) in files_for(*task, data) {
                    if std::fs::remove_file(&path).is_ok() {
                        count += 1;
                        bytes += size as i64;
                    }
                }
                (count, bytes)
            }
            Task::DeletedRecords => (purge_deleted(bills)?, estimated),
            Task::ExpiredSessions => {
                let removed = db::write(bills, |tx| {
                    let now = now_text();
                    let sessions =
                        tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [&now])?;
                    let states = tx.execute(
                        "DELETE FROM oidc_login_states WHERE expires_at <= ?1",
                        [&now],
                    )?;
                    Ok(sessions + states)
                })?;
                (removed as i64, estimated)
            }
            Task::FinishedJobs => {
                if finished_jobs(queue)? == 0 {
                    (0, 0)
                } else {
                    let mut removed = 0;
                    for state in [
                        crate::queue::JobState::Done,
                        crate::queue::JobState::Failed,
                        crate::queue::JobState::Killed,
                    ] {
                        removed +=
                            crate::queue::purge(queue, state, Duration::from_secs(7 * 86_400))?;
                    }
                    (removed as i64, estimated)
                }
            }
        };
        results.push(TaskCount {
            task: *task,
            label: task.label().to_string(),
            count,
            bytes: if count == 0 { 0 } else { bytes },
            bytes_estimated: removes_rows(*task),
        });
    }
    Ok(results)
}

/// Purges records deleted more than 30 days ago in one transaction: their
/// payments first, then bills, then categories (whose bills become
/// uncategorised only now).
fn purge_deleted(bills: &mut Connection) -> crate::Result<i64> {
    db::write(bills, |tx| {
        let cutoff = format!("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '{DELETED_SQL_WINDOW}')");
        let payments = tx.execute(
            &format!("DELETE FROM payments WHERE deleted_at IS NOT NULL AND deleted_at < {cutoff}"),
            [],
        )?;
        let removed_bills = tx.execute(
            &format!("DELETE FROM bills WHERE deleted_at IS NOT NULL AND deleted_at < {cutoff}"),
            [],
        )?;
        tx.execute(
            &format!(
                "UPDATE bills SET category_id = NULL WHERE category_id IN (SELECT id FROM categories WHERE deleted_at IS NOT NULL AND deleted_at < {cutoff})"
            ),
            [],
        )?;
        let categories = tx.execute(
            &format!(
                "DELETE FROM categories WHERE deleted_at IS NOT NULL AND deleted_at < {cutoff}"
            ),
            [],
        )?;
        Ok((payments + removed_bills + categories) as i64)
    })
}

/// Records a cleanup run for Status.
pub fn record(
    bills: &mut Connection,
    trigger: &str,
    actor: Option<&str>,
    results: &[TaskCount],
) -> crate::Result<()> {
    let json = serde_json::to_string(results)?;
    db::write(bills, |tx| {
        tx.execute(
            "INSERT INTO cleanup_runs (at, trigger, actor, results) VALUES (?1, ?2, ?3, ?4)",
            params![now_text(), trigger, actor, json],
        )?;
        tx.execute(
            "DELETE FROM cleanup_runs WHERE id <= (SELECT max(id) FROM cleanup_runs) - 100",
            [],
        )?;
        Ok(())
    })
}

/// The last recorded cleanup run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CleanupRun {
    pub at: String,
    pub trigger: String,
    pub results: Vec<TaskCount>,
}

pub fn last_run(bills: &Connection) -> crate::Result<Option<CleanupRun>> {
    use rusqlite::OptionalExtension;
    let row: Option<(String, String, String)> = bills
        .query_row(
            "SELECT at, trigger, results FROM cleanup_runs ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(row.map(|(at, trigger, results)| CleanupRun {
        at,
        trigger,
        results: serde_json::from_str(&results).unwrap_or_default(),
    }))
}

/// The tasks the janitor runs every day.
pub const AUTOMATIC: [Task; 6] = Task::ALL;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_tasks_show_an_estimated_size_instead_of_zero() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        let mut bills = db::open(&data.bills_db()).unwrap();
        crate::migrate::migrate(&mut bills).unwrap();
        let mut queue = Connection::open_in_memory().unwrap();
        bills
            .execute(
                "INSERT INTO users (id, username, role, created_at) VALUES (1, 'a', 'user', 'now')",
                [],
            )
            .unwrap();
        for n in 0..10 {
            bills
                .execute(
                    "INSERT INTO sessions (token_hash, user_id, method, created_at, last_used_at, expires_at) \
                     VALUES (?1, 1, 'local', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z', '2020-01-02T00:00:00.000Z')",
                    [format!("{n:064}")],
                )
                .unwrap();
        }

        let preview = preview(&data, &bills, &queue).unwrap();
        let sessions = preview
            .iter()
            .find(|t| t.task == Task::ExpiredSessions)
            .unwrap();
        assert_eq!(sessions.count, 10);
        assert!(sessions.bytes_estimated);
        // Ten rows of a 64-character hash and three timestamps at least.
        assert!(sessions.bytes >= 10 * (64 + 3 * 24), "{sessions:?}");
        let partial = preview
            .iter()
            .find(|t| t.task == Task::PartialBackups)
            .unwrap();
        assert!(!partial.bytes_estimated);

        let removed = run(&data, &mut bills, &mut queue, &[Task::ExpiredSessions]).unwrap();
        assert_eq!(removed[0].count, 10);
        assert_eq!(removed[0].bytes, sessions.bytes);
        let again = super::preview(&data, &bills, &queue).unwrap();
        let left = again
            .iter()
            .find(|t| t.task == Task::ExpiredSessions)
            .unwrap();
        assert_eq!((left.count, left.bytes), (0, 0));
    }
}
