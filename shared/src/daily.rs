//! The daily run of the janitor: autopay payments that came due, the
//! day's reminders, expired sessions and the automatic cleanup, recorded
//! for Status. It runs at start and every day at `DAILY_RUN_AT` in the
//! instance time zone, catches up a missed day, and never twice for one
//! day: the day is claimed in `daily_runs` before anything runs.

use std::time::Instant;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{ToSpan, Zoned};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use utoipa::ToSchema;

use crate::bills::autopay;
use crate::db::Db;
use crate::paths::DataDir;
use crate::time::now_text;

/// What one daily run did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct DailyRun {
    pub day: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub duration_ms: Option<i64>,
    pub autopay_payments: Option<i64>,
    pub sessions_pruned: Option<i64>,
    pub reminders_queued: Option<i64>,
    pub error: Option<String>,
}

/// The next time the run is due after `now`.
pub fn next_run(now: &Zoned, at: Time) -> Zoned {
    let today = now.date().to_datetime(at);
    let candidate = today
        .to_zoned(now.time_zone().clone())
        .unwrap_or_else(|_| now.clone());
    if candidate > *now {
        candidate
    } else {
        candidate.checked_add(1.day()).unwrap_or(candidate)
    }
}

/// The most recent finished run.
pub fn last(conn: &Connection) -> crate::Result<Option<DailyRun>> {
    Ok(conn
        .query_row(
            r#"
            SELECT day, started_at, finished_at, duration_ms, autopay_payments, sessions_pruned,
                   reminders_queued, error
            FROM daily_runs
            ORDER BY day DESC
            LIMIT 1
            "#,
            [],
            |r| {
                Ok(DailyRun {
                    day: r.get(0)?,
                    started_at: r.get(1)?,
                    finished_at: r.get(2)?,
                    duration_ms: r.get(3)?,
                    autopay_payments: r.get(4)?,
                    sessions_pruned: r.get(5)?,
                    reminders_queued: r.get(6)?,
                    error: r.get(7)?,
                })
            },
        )
        .optional()?)
}

/// Runs today's daily run unless it ran (or runs) already. Returns the run
/// when this call did it.
pub async fn run_if_due(
    db: &Db,
    data: &DataDir,
    time_zone: TimeZone,
    instance: String,
) -> crate::Result<Option<DailyRun>> {
    let today = jiff::Timestamp::now().to_zoned(time_zone).date();
    let day = today.to_string();

    // Claim the day; the primary key lets exactly one janitor win.
    let claim = {
        let (day, instance) = (day.clone(), instance.clone());
        db.write(move |tx| {
            let since: Option<String> = tx
                .query_row("SELECT max(day) FROM daily_runs WHERE finished_at IS NOT NULL", [], |r| r.get(0))
                .optional()?
                .flatten();
            let claimed = tx.execute(
                "INSERT INTO daily_runs (day, instance, started_at) VALUES (?1, ?2, ?3) ON CONFLICT (day) DO NOTHING",
                params![day, instance, now_text()],
            )?;
            Ok((claimed == 1, since))
        })
        .await?
    };
    let (claimed, last_day) = claim;
    if !claimed {
        tracing::debug!(day = %day, "the daily run of this day is done or running elsewhere");
        return Ok(None);
    }

    tracing::info!(day = %day, "daily run started");
    let started = Instant::now();
    let since = last_day.and_then(|d| d.parse::<Date>().ok()).map_or_else(
        || autopay::first_window(today),
        |d| d.checked_sub(1.day()).unwrap_or(d),
    );

    let steps = {
        let data = data.clone();
        db.run(move |conn| Ok(steps(conn, &data, since, today)))
            .await?
    };
    let duration_ms = started.elapsed().as_millis() as i64;
    let (autopay, sessions, reminders, cleanup, error) = match steps {
        Ok(done) => (Some(done.0), Some(done.1), Some(done.2), Some(done.3), None),
        Err(error) => {
            tracing::error!(day = %day, %error, "daily run failed");
            (None, None, None, None, Some(error.to_string()))
        }
    };
    let run = {
        let day = day.clone();
        db.write(move |tx| {
            tx.execute(
                r#"
                UPDATE daily_runs
                SET finished_at = ?2, duration_ms = ?3, autopay_payments = ?4, sessions_pruned = ?5,
                    reminders_queued = ?6, cleanup = ?7, error = ?8
                WHERE day = ?1
                "#,
                params![
                    day,
                    now_text(),
                    duration_ms,
                    autopay,
                    sessions,
                    reminders,
                    cleanup,
                    error
                ],
            )?;
            last(tx)
        })
        .await?
    };
    tracing::info!(day = %day, duration_ms, autopay_payments = ?autopay, sessions_pruned = ?sessions, "daily run finished");
    Ok(run)
}

/// The steps: (autopay payments, sessions pruned, reminders queued, cleanup JSON).
fn steps(
    conn: &mut Connection,
    data: &DataDir,
    since: Date,
    today: Date,
) -> crate::Result<(i64, i64, i64, String)> {
    let autopay = crate::db::write(conn, |tx| {
        autopay::record_due(tx, since, today).map_err(|e| match e {
            crate::bills::BillsError::Store(e) => e,
            other => crate::Error::Rule(other.to_string()),
        })
    })?;

    // Reminders are queued here once notifications exist; nothing to queue yet.
    let reminders = 0;

    let mut queue = crate::queue::open_for_inspection(data)?;
    let before = crate::cleanup::preview(data, conn, &queue)?;
    let sessions = before
        .iter()
        .find(|t| t.task == crate::cleanup::Task::ExpiredSessions)
        .map_or(0, |t| t.count);
    let results = crate::cleanup::run(data, conn, &mut queue, &crate::cleanup::AUTOMATIC)?;
    crate::cleanup::record(conn, "daily", None, &results)?;
    Ok((
        autopay as i64,
        sessions,
        reminders,
        serde_json::to_string(&results)?,
    ))
}
