//! The job queue: apalis with its SQLite storage on `db/queue.db`.
//!
//! The storage's own `setup` is not used: it turns `synchronous` off. The
//! pool here sets WAL and `synchronous=NORMAL` itself and runs the
//! storage's migrations. Inspection (`billtracker queue …`, Status) is
//! plain SQL over the `Jobs` table.

use std::str::FromStr;
use std::time::Duration;

use apalis::prelude::TaskBuilder;
use apalis::prelude::TaskSink;
use apalis_sqlite::{Config, SqliteStorage};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::db::BUSY_TIMEOUT;
use crate::error::{Error, Result};
use crate::jobs::{Job, MaintenanceJob, NotifyJob, Probe, QueueName, SyncJob};
use crate::paths::DataDir;

/// Opens the queue database, creating and migrating it when needed.
pub async fn open(data: &DataDir, max_connections: u32) -> Result<SqlitePool> {
    let path = data.queue_db();
    data.ensure_private_file(&path)?;
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true);
    let pool_options = || {
        SqlitePoolOptions::new()
            .max_connections(max_connections)
            .min_connections(0)
            .idle_timeout(Some(Duration::from_secs(60)))
    };
    let setup = pool_options().connect_with(options.clone()).await?;
    migrate(&setup).await?;
    describe_indexes(&setup).await?;
    // Connections read the planner's statistics when they open: the queue's
    // work gets fresh ones.
    setup.close().await;
    Ok(pool_options().connect_with(options).await?)
}

/// Tells SQLite's planner that `Jobs.lock_by` and `Jobs.status` are poor
/// indexes, so that the library's statements look jobs up by id.
///
/// - The library acknowledges jobs with an `UPDATE Jobs ... FROM
///   json_each(?)` matched on `id` and `lock_by`. Without statistics the
///   planner walks the `lock_by` index, which holds every job the worker
///   ever ran, and parses the JSON once per such job: each acknowledgement
///   got slower with the worker's history (about 500 jobs a second after a
///   few thousand).
/// - It marks the jobs a worker starts as running with `WHERE id IN
///   (json_each(?)) AND status IN (...)`, and the planner walked the status
///   index through every waiting job instead: each start got slower with
///   the length of the queue (20,000 waiting jobs ran at half the rate of
///   5,000).
///
/// With each index known to match a large part of the table, both look
/// each job up by its id. The statistics are written at every start, so a
/// later `ANALYZE` cannot leave the queue on the slow plans for long.
async fn describe_indexes(pool: &SqlitePool) -> Result<()> {
    // Creates `sqlite_stat1` when it does not exist yet, without analysing any table.
    sqlx::query("ANALYZE sqlite_schema").execute(pool).await?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        r#"
        DELETE FROM sqlite_stat1
        WHERE tbl = 'Jobs' AND idx IN ('LIdx', 'idx_jobs_status_run_at')
        "#,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        r#"
        INSERT INTO sqlite_stat1 (tbl, idx, stat)
        VALUES ('Jobs', 'LIdx', '100000 50000'),
               ('Jobs', 'idx_jobs_status_run_at', '100000 25000 2')
        "#,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Applies the queue library's migrations.
///
/// The library's migrator does not lock across processes: when several
/// processes start together on an empty directory, one applies a step and
/// another fails on it. A failed attempt is retried; the next run finds
/// the steps applied.
async fn migrate(pool: &SqlitePool) -> Result<()> {
    let migrator = SqliteStorage::<()>::migrations();
    let mut attempt = 0;
    loop {
        match migrator.run(pool).await {
            Ok(()) => return Ok(()),
            Err(error) if attempt < 20 => {
                attempt += 1;
                tracing::debug!(%error, attempt, "queue migration raced another process; retrying");
                tokio::time::sleep(Duration::from_millis(100 + 50 * attempt)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// The storage of one queue, with the settings every worker shares.
pub fn storage<J: Job>(
    pool: &SqlitePool,
    batch_size: usize,
    heartbeat: Duration,
) -> SqliteStorage<J> {
    let config = Config::default()
        .queue(J::QUEUE.as_str())
        .batch_size(batch_size.max(1))
        .heartbeat_interval(heartbeat);
    SqliteStorage::new(pool).with_config(config)
}

/// Queues jobs in one transaction. A job runs once; on error the worker
/// retries it in place with backoff and then records it as failed.
pub async fn push<J: Job>(pool: &SqlitePool, jobs: Vec<J>) -> Result<()> {
    let mut storage = storage::<J>(pool, 1, Duration::from_secs(30));
    let tasks = jobs
        .into_iter()
        .map(|job| TaskBuilder::new(job).max_attempts(1).build());
    storage
        .push_all(&mut futures::stream::iter(tasks))
        .await
        .map_err(|e| Error::QueuePush(e.to_string()))?;
    Ok(())
}

/// How many probe jobs go into one transaction.
const PROBE_CHUNK: usize = 500;

/// Queues `count` probe jobs on a queue; returns their keys' common prefix
/// (each key is `<prefix>-<n>`).
///
/// The probes go in transactions of [`PROBE_CHUNK`], so the worker starts
/// on the first ones while the rest are still being queued.
pub async fn push_probes(
    pool: &SqlitePool,
    queue: QueueName,
    count: usize,
    hold_ms: Option<u64>,
) -> Result<String> {
    let prefix = format!("probe-{:016x}", rand::random::<u64>());
    let probe = |i: usize| Probe {
        key: format!("{prefix}-{i:06}"),
        hold_ms,
        fail_first: 0,
    };
    for start in (0..count).step_by(PROBE_CHUNK) {
        let probes = (start..count.min(start + PROBE_CHUNK)).map(probe);
        match queue {
            QueueName::Sync => push(pool, probes.map(SyncJob::Probe).collect()).await?,
            QueueName::Notify => push(pool, probes.map(NotifyJob::Probe).collect()).await?,
            QueueName::Maintenance => {
                push(pool, probes.map(MaintenanceJob::Probe).collect()).await?
            }
        }
    }
    Ok(prefix)
}

/// The state of a job as shown to operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting to be claimed.
    Pending,
    /// Claimed or being run by a worker.
    Running,
    Done,
    Failed,
    Killed,
}

impl JobState {
    /// The `status` values of the `Jobs` table this state covers.
    fn statuses(self) -> &'static [&'static str] {
        match self {
            JobState::Pending => &["Pending"],
            JobState::Running => &["Queued", "Running"],
            JobState::Done => &["Done"],
            JobState::Failed => &["Failed"],
            JobState::Killed => &["Killed"],
        }
    }

    fn from_status(status: &str) -> Option<JobState> {
        match status {
            "Pending" => Some(JobState::Pending),
            "Queued" | "Running" => Some(JobState::Running),
            "Done" => Some(JobState::Done),
            "Failed" => Some(JobState::Failed),
            "Killed" => Some(JobState::Killed),
            _ => None,
        }
    }
}

impl FromStr for JobState {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        <JobState as clap::ValueEnum>::from_str(s, true)
    }
}

/// Counts of one queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QueueStats {
    pub queue: String,
    pub pending: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
    pub killed: i64,
    /// Age in seconds of the oldest job waiting to run now.
    pub oldest_pending_secs: Option<i64>,
}

/// Opens `queue.db` for inspection by the CLI and Status (no migrations).
pub fn open_for_inspection(data: &DataDir) -> Result<Connection> {
    let conn = crate::db::open(&data.queue_db())?;
    Ok(conn)
}

fn has_jobs_table(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Jobs')",
        [],
        |row| row.get(0),
    )?)
}

/// Counts per queue, one entry for each of the three queues.
pub fn stats(conn: &Connection) -> Result<Vec<QueueStats>> {
    let mut all: Vec<QueueStats> = QueueName::ALL
        .iter()
        .map(|q| QueueStats {
            queue: q.as_str().to_string(),
            ..QueueStats::default()
        })
        .collect();
    if !has_jobs_table(conn)? {
        return Ok(all);
    }

    let mut counts = conn.prepare(
        r#"
        SELECT job_type, status, count(*)
        FROM Jobs
        GROUP BY job_type, status
        "#,
    )?;
    let rows = counts.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (queue, status, count) = row?;
        let Some(entry) = all.iter_mut().find(|s| s.queue == queue) else {
            continue;
        };
        match JobState::from_status(&status) {
            Some(JobState::Pending) => entry.pending += count,
            Some(JobState::Running) => entry.running += count,
            Some(JobState::Done) => entry.done += count,
            Some(JobState::Failed) => entry.failed += count,
            Some(JobState::Killed) => entry.killed += count,
            None => {}
        }
    }

    let mut oldest = conn.prepare(
        r#"
        SELECT strftime('%s', 'now') - min(run_at)
        FROM Jobs
        WHERE job_type = ?1
          AND status = 'Pending'
          AND run_at <= strftime('%s', 'now')
        "#,
    )?;
    for entry in &mut all {
        entry.oldest_pending_secs = oldest.query_row([&entry.queue], |row| row.get(0))?;
    }
    Ok(all)
}

/// One job as the CLI shows it.
#[derive(Debug, Clone, Serialize)]
pub struct JobRow {
    pub id: String,
    pub queue: String,
    pub state: JobState,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: Option<String>,
    pub done_at: Option<String>,
    pub worker: Option<String>,
    pub last_result: Option<String>,
    pub payload: Option<String>,
}

const JOB_COLUMNS: &str = r#"
    id, job_type, status, attempts, max_attempts,
    strftime('%Y-%m-%dT%H:%M:%SZ', run_at, 'unixepoch'),
    strftime('%Y-%m-%dT%H:%M:%SZ', done_at, 'unixepoch'),
    lock_by, last_result, CAST(job AS TEXT)
"#;

fn job_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<JobRow> {
    let status: String = row.get(2)?;
    Ok(JobRow {
        id: row.get(0)?,
        queue: row.get(1)?,
        state: JobState::from_status(&status).unwrap_or(JobState::Pending),
        attempts: row.get(3)?,
        max_attempts: row.get(4)?,
        run_at: row.get(5)?,
        done_at: row.get(6)?,
        worker: row.get(7)?,
        last_result: row.get(8)?,
        payload: row.get(9)?,
    })
}

/// Lists jobs, newest first.
pub fn list(
    conn: &Connection,
    queue: Option<QueueName>,
    state: Option<JobState>,
    limit: u32,
) -> Result<Vec<JobRow>> {
    if !has_jobs_table(conn)? {
        return Ok(Vec::new());
    }
    let statuses = state
        .map(|s| serde_json::to_string(s.statuses()))
        .transpose()?;
    let sql = format!(
        r#"
        SELECT {JOB_COLUMNS}
        FROM Jobs
        WHERE (?1 IS NULL OR job_type = ?1)
          AND (?2 IS NULL OR status IN (SELECT value FROM json_each(?2)))
        ORDER BY run_at DESC, id DESC
        LIMIT ?3
        "#
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![queue.map(|q| q.as_str()), statuses, limit], job_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One job by id.
pub fn show(conn: &Connection, id: &str) -> Result<Option<JobRow>> {
    if !has_jobs_table(conn)? {
        return Ok(None);
    }
    let sql = format!("SELECT {JOB_COLUMNS} FROM Jobs WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], job_row).optional()?)
}

/// Puts a failed or killed job back in the queue. Returns false when no
/// such job is in a state that can be retried.
pub fn retry(conn: &mut Connection, id: &str) -> Result<bool> {
    crate::db::write(conn, |tx| {
        let changed = tx.execute(
            r#"
            UPDATE Jobs
            SET status = 'Pending',
                attempts = 0,
                run_at = strftime('%s', 'now'),
                lock_by = NULL,
                lock_at = NULL,
                done_at = NULL
            WHERE id = ?1
              AND status IN ('Failed', 'Killed')
            "#,
            [id],
        )?;
        Ok(changed == 1)
    })
}

/// Stops a waiting job from ever running. Returns false when no such job
/// is waiting (a running job finishes; kill it after it fails).
pub fn kill(conn: &mut Connection, id: &str) -> Result<bool> {
    crate::db::write(conn, |tx| {
        let changed = tx.execute(
            r#"
            UPDATE Jobs
            SET status = 'Killed',
                done_at = strftime('%s', 'now'),
                last_result = '{"Err": "killed by an operator"}'
            WHERE id = ?1
              AND status IN ('Pending', 'Failed')
            "#,
            [id],
        )?;
        Ok(changed == 1)
    })
}

/// Deletes finished jobs in a state older than `older_than`; returns how many.
pub fn purge(conn: &mut Connection, state: JobState, older_than: Duration) -> Result<usize> {
    let statuses = serde_json::to_string(state.statuses())?;
    crate::db::write(conn, |tx| {
        let removed = tx.execute(
            r#"
            DELETE FROM Jobs
            WHERE status IN (SELECT value FROM json_each(?1))
              AND status NOT IN ('Queued', 'Running')
              AND coalesce(done_at, run_at) <= strftime('%s', 'now') - ?2
            "#,
            params![statuses, older_than.as_secs() as i64],
        )?;
        Ok(removed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The library's acknowledgement (`queries/task/ack.sql` of apalis-sqlite 1.0).
    const ACK: &str = r#"
        WITH j AS (
            SELECT value ->> 'task_id' AS task_id, value ->> 'attempt' AS attempt,
                   value ->> 'result' AS result, value ->> 'status' AS status
            FROM json_each(?1)
        )
        UPDATE Jobs
        SET status = j.status, attempts = j.attempt, last_result = j.result,
            done_at = strftime('%s', 'now')
        FROM j
        WHERE Jobs.id = j.task_id AND Jobs.lock_by = ?2
    "#;

    /// The library's start of a job (`queries/task/lock.sql` of apalis-sqlite 1.0).
    const LOCK: &str = r#"
        UPDATE Jobs
        SET status = 'Running', lock_at = strftime('%s', 'now'), lock_by = ?2
        WHERE id IN (SELECT value FROM json_each(?1))
          AND (status = 'Queued' OR status = 'Pending'
               OR (status = 'Failed' AND attempts < max_attempts))
    "#;

    /// The steps SQLite plans for `statement` on a freshly opened queue.
    async fn plan(statement: &str) -> Vec<String> {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        open(&data, 2).await.unwrap().close().await;

        let conn = Connection::open(data.queue_db()).unwrap();
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {statement}"))
            .unwrap();
        stmt.query_map(params!["[]", "worker"], |r| r.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[tokio::test]
    async fn an_acknowledgement_finds_its_job_by_id_not_by_the_worker() {
        let plan = plan(ACK).await;
        assert!(
            plan.first().is_some_and(|step| step.contains("json_each")),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|step| step.contains("LIdx")), "{plan:?}");
    }

    #[tokio::test]
    async fn starting_a_job_finds_it_by_id_not_by_walking_the_waiting_jobs() {
        let plan = plan(LOCK).await;
        assert!(
            plan.first()
                .is_some_and(|step| step.contains("sqlite_autoindex_Jobs_1 (id=?)")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("status=?")),
            "{plan:?}"
        );
    }
}
