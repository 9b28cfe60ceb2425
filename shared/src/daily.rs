//! The daily run of the janitor: autopay payments that came due, the
//! day's reminders, expired sessions and the automatic cleanup, recorded
//! for Status. It runs at start and every day at `DAILY_RUN_AT` in the
//! instance time zone, catches up a missed day, and never twice for one
//! day: the day is claimed in `daily_runs` before anything runs.
//!
//! A claim that never finished (its janitor was killed during the run) is
//! taken over by another janitor, or by the next start, once the claim is
//! clearly abandoned: its janitor's heartbeat is down or stopped, or the
//! claim is older than [`ABANDONED_AFTER`]. A janitor that is up keeps its
//! claim, so two live janitors still never run one day twice.
//!
//! A run that finished with an error is not done: its day is claimed again
//! by the next start, or by the janitor's schedule once the failure is
//! [`RETRY_FAILED_AFTER`] old. Only successful runs move the autopay
//! window, so the days of failed runs are covered by the next one that
//! succeeds.

use std::time::{Duration, Instant};

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use utoipa::ToSchema;

use crate::bills::autopay;
use crate::db::Db;
use crate::paths::DataDir;
use crate::status::Liveness;
use crate::time::now_text;

/// An unfinished claim older than this is abandoned even when its janitor
/// still beats (the run itself takes seconds): the run failed somewhere
/// that could not record its end.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(2 * 60 * 60);

/// How long the schedule waits before it runs a failed day again.
pub const RETRY_FAILED_AFTER: Duration = Duration::from_secs(15 * 60);

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

/// The run of the most recent day, finished or still running (then
/// `finished_at` is null), as Status shows it.
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

/// Who runs the daily run: this janitor's name (its heartbeat instance) and
/// the heartbeat interval that tells whether another claimant is alive.
#[derive(Debug, Clone)]
pub struct Runner {
    pub instance: String,
    pub heartbeat_interval: Duration,
}

/// A day this janitor may run: it was free, the claim on it was abandoned
/// by `reclaimed_from`, or its last run failed with `retries`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The last day whose run succeeded before this claim.
    pub last_succeeded: Option<String>,
    /// The janitor whose unfinished claim was taken over.
    pub reclaimed_from: Option<String>,
    /// The error of the failed run this claim runs again.
    pub retries: Option<String>,
}

/// An unfinished claim on a day.
#[derive(Debug, Clone)]
struct OpenClaim {
    instance: String,
    started_at: String,
    last_seen_at: Option<String>,
    stopped_at: Option<String>,
}

impl OpenClaim {
    /// Whether its janitor is clearly gone, or the claim is too old to be
    /// a run in progress.
    fn abandoned(&self, now: Timestamp, heartbeat_interval: Duration) -> bool {
        let age =
            |text: &str| crate::time::parse(text).map(|at| now.duration_since(at).unsigned_abs());
        if age(&self.started_at).is_none_or(|age| age > ABANDONED_AFTER) {
            return true;
        }
        if self.stopped_at.is_some() {
            return true;
        }
        // No heartbeat row at all: the process is unknown, so it is not running.
        match self.last_seen_at.as_deref().map(age) {
            Some(Some(seen)) => Liveness::from_age(seen, heartbeat_interval) == Liveness::Down,
            _ => true,
        }
    }
}

fn open_claim(conn: &Connection, day: &str) -> crate::Result<Option<OpenClaim>> {
    Ok(conn
        .query_row(
            r#"
            SELECT d.instance, d.started_at, h.last_seen_at, h.stopped_at
            FROM daily_runs d
            LEFT JOIN service_heartbeats h ON h.instance = d.instance
            WHERE d.day = ?1 AND d.finished_at IS NULL
            "#,
            [day],
            |r| {
                Ok(OpenClaim {
                    instance: r.get(0)?,
                    started_at: r.get(1)?,
                    last_seen_at: r.get(2)?,
                    stopped_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Whether `day` has a claim that never finished and is abandoned, so that
/// queueing the daily run again would redo it.
pub fn abandoned(
    conn: &Connection,
    day: Date,
    now: Timestamp,
    heartbeat_interval: Duration,
) -> crate::Result<bool> {
    Ok(open_claim(conn, &day.to_string())?
        .is_some_and(|claim| claim.abandoned(now, heartbeat_interval)))
}

/// Claims `day` for `runner` inside a write transaction: a free day, or one
/// whose unfinished claim is abandoned. `None` when the day is done or a
/// live janitor is running it.
pub fn claim(
    tx: &Connection,
    day: Date,
    runner: &Runner,
    now: Timestamp,
) -> crate::Result<Option<Claimed>> {
    let day = day.to_string();
    // A failed run moves nothing: its days are covered by the next success.
    let last_succeeded: Option<String> = tx
        .query_row(
            "SELECT max(day) FROM daily_runs WHERE finished_at IS NOT NULL AND error IS NULL",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let started_at = crate::time::format(now);

    // The primary key lets exactly one janitor claim a free day.
    let claimed = tx.execute(
        "INSERT INTO daily_runs (day, instance, started_at) VALUES (?1, ?2, ?3) ON CONFLICT (day) DO NOTHING",
        params![day, runner.instance, started_at],
    )?;
    if claimed == 1 {
        return Ok(Some(Claimed {
            last_succeeded,
            reclaimed_from: None,
            retries: None,
        }));
    }

    // A failed run of the day is run again; the write lock lets one janitor take it.
    let failed: Option<String> = tx
        .query_row(
            "SELECT error FROM daily_runs WHERE day = ?1 AND finished_at IS NOT NULL AND error IS NOT NULL",
            [&day],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(error) = failed {
        tx.execute(
            r#"
            UPDATE daily_runs
            SET instance = ?2, started_at = ?3, finished_at = NULL, duration_ms = NULL,
                autopay_payments = NULL, sessions_pruned = NULL, reminders_queued = NULL,
                cleanup = NULL, error = NULL
            WHERE day = ?1
            "#,
            params![day, runner.instance, started_at],
        )?;
        return Ok(Some(Claimed {
            last_succeeded,
            reclaimed_from: None,
            retries: Some(error),
        }));
    }

    let Some(open) = open_claim(tx, &day)? else {
        return Ok(None);
    };
    if !open.abandoned(now, runner.heartbeat_interval) {
        return Ok(None);
    }
    // Only the claim as read is taken over (the transaction holds the write lock anyway).
    let taken = tx.execute(
        r#"
        UPDATE daily_runs
        SET instance = ?2, started_at = ?3
        WHERE day = ?1 AND finished_at IS NULL AND instance = ?4
        "#,
        params![day, runner.instance, started_at, open.instance],
    )?;
    Ok((taken == 1).then_some(Claimed {
        last_succeeded,
        reclaimed_from: Some(open.instance),
        retries: None,
    }))
}

/// Whether the schedule should queue the run of `day` again: its claim
/// was abandoned, or its run failed at least [`RETRY_FAILED_AFTER`] ago.
pub fn due_again(
    conn: &Connection,
    day: Date,
    now: Timestamp,
    heartbeat_interval: Duration,
) -> crate::Result<bool> {
    if abandoned(conn, day, now, heartbeat_interval)? {
        return Ok(true);
    }
    let failed_at: Option<String> = conn
        .query_row(
            "SELECT finished_at FROM daily_runs WHERE day = ?1 AND finished_at IS NOT NULL AND error IS NOT NULL",
            [day.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(failed_at
        .as_deref()
        .and_then(crate::time::parse)
        .is_some_and(|at| now.duration_since(at).unsigned_abs() >= RETRY_FAILED_AFTER))
}

/// The first day whose autopay payments are recorded: the day before the
/// last successful run (so a run that died midway is covered), or a month
/// back on a new instance. Every day missed while the janitor was down,
/// and every day whose run failed, is caught up.
pub fn autopay_since(last_succeeded: Option<Date>, today: Date) -> Date {
    last_succeeded.map_or_else(
        || autopay::first_window(today),
        |d| d.checked_sub(1.day()).unwrap_or(d),
    )
}

/// Runs today's daily run unless it ran (or runs) already. Returns the run
/// when this call did it.
pub async fn run_if_due(
    db: &Db,
    data: &DataDir,
    time_zone: TimeZone,
    runner: Runner,
) -> crate::Result<Option<DailyRun>> {
    let today = Timestamp::now().to_zoned(time_zone).date();
    run_day(db, data, today, runner).await
}

/// The daily run of `today` (the caller's day in the instance time zone).
async fn run_day(
    db: &Db,
    data: &DataDir,
    today: Date,
    runner: Runner,
) -> crate::Result<Option<DailyRun>> {
    let day = today.to_string();

    let claimed = {
        let runner = runner.clone();
        db.write(move |tx| claim(tx, today, &runner, Timestamp::now()))
            .await?
    };
    let Some(claimed) = claimed else {
        tracing::debug!(day = %day, "the daily run of this day is done or running elsewhere");
        return Ok(None);
    };

    match (&claimed.reclaimed_from, &claimed.retries) {
        (Some(from), _) => tracing::warn!(
            day = %day,
            abandoned_by = %from,
            "daily run started again: the janitor that began it stopped before it finished"
        ),
        (None, Some(_)) => tracing::warn!(
            day = %day,
            "daily run started again: its last attempt failed"
        ),
        (None, None) => tracing::info!(day = %day, "daily run started"),
    }
    let started = Instant::now();
    let last_day = claimed.last_succeeded.and_then(|d| d.parse::<Date>().ok());
    let since = autopay_since(last_day, today);

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
            // Status shows it: no paths.
            let error = crate::errors::redact(&error.to_string(), Some(data.root()));
            (None, None, None, None, Some(error))
        }
    };
    let (recorded, run) = {
        let day = day.clone();
        db.write(move |tx| {
            // Only this janitor's own claim: one taken over meanwhile is the other's to record.
            let recorded = tx.execute(
                r#"
                UPDATE daily_runs
                SET finished_at = ?2, duration_ms = ?3, autopay_payments = ?4, sessions_pruned = ?5,
                    reminders_queued = ?6, cleanup = ?7, error = ?8
                WHERE day = ?1 AND instance = ?9 AND finished_at IS NULL
                "#,
                params![
                    day,
                    now_text(),
                    duration_ms,
                    autopay,
                    sessions,
                    reminders,
                    cleanup,
                    error,
                    runner.instance
                ],
            )?;
            Ok((recorded == 1, last(tx)?))
        })
        .await?
    };
    if !recorded {
        tracing::warn!(day = %day, duration_ms, "daily run finished after another janitor took it over; its record stands");
        return Ok(None);
    }
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

    let reminders = queue_reminders(conn, today)?;

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

/// Queues the reminders due on `today` for the notifier; returns how many.
fn queue_reminders(_conn: &Connection, _today: Date) -> crate::Result<i64> {
    // TODO: queue one notify job per reminder due today (bills due soon or
    // overdue, per user preference). Nothing is queued yet because the
    // notifications capability (SMTP and push channels, per-user reminder
    // preferences, a reminder job the notifier handles) does not exist.
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEAT: Duration = Duration::from_secs(5);

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn zoned(text: &str, zone: &str) -> Zoned {
        at(text).to_zoned(TimeZone::get(zone).unwrap())
    }

    fn six() -> Time {
        Time::constant(6, 0, 0, 0)
    }

    #[test]
    fn the_next_run_is_at_daily_run_at_in_the_instance_time_zone() {
        // 05:00 in Berlin (UTC+1 in winter): today's 06:00 is still ahead.
        let early = zoned("2026-01-15T04:00:00Z", "Europe/Berlin");
        assert_eq!(
            next_run(&early, six()).timestamp(),
            at("2026-01-15T05:00:00Z")
        );
        // Exactly 06:00 and later that day: tomorrow's 06:00.
        let exact = zoned("2026-01-15T05:00:00Z", "Europe/Berlin");
        assert_eq!(
            next_run(&exact, six()).timestamp(),
            at("2026-01-16T05:00:00Z")
        );
        let late = zoned("2026-01-15T22:59:00Z", "Europe/Berlin");
        assert_eq!(
            next_run(&late, six()).timestamp(),
            at("2026-01-16T05:00:00Z")
        );
        // The answer is in the instance time zone, as Status shows it.
        assert_eq!(
            next_run(&late, six()).to_string(),
            "2026-01-16T06:00:00+01:00[Europe/Berlin]"
        );
    }

    #[test]
    fn the_next_run_follows_a_configured_time_and_daylight_saving() {
        let half_past_ten = Time::constant(22, 30, 0, 0);
        let now = zoned("2026-07-01T12:00:00Z", "America/New_York");
        assert_eq!(
            next_run(&now, half_past_ten).timestamp(),
            at("2026-07-02T02:30:00Z"),
            "22:30 EDT"
        );
        // Berlin moves to summer time on 2026-03-29: 06:00 is then UTC+2.
        let before = zoned("2026-03-28T12:00:00Z", "Europe/Berlin");
        assert_eq!(
            next_run(&before, six()).timestamp(),
            at("2026-03-29T04:00:00Z")
        );
    }

    #[test]
    fn a_missed_day_is_caught_up_from_the_last_successful_run() {
        let today: Date = "2026-01-15".parse().unwrap();
        // The janitor was down for four days: every day since the last run counts.
        assert_eq!(
            autopay_since(Some("2026-01-10".parse().unwrap()), today),
            "2026-01-09".parse::<Date>().unwrap()
        );
        // A new instance looks a month back.
        assert_eq!(
            autopay_since(None, today),
            "2025-12-15".parse::<Date>().unwrap()
        );
    }

    fn database() -> (tempfile::TempDir, Connection) {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        let mut conn = crate::db::open(&data.bills_db()).unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        (tmp, conn)
    }

    fn runner(name: &str) -> Runner {
        Runner {
            instance: name.to_string(),
            heartbeat_interval: BEAT,
        }
    }

    /// A heartbeat row of janitor `name`, last seen at `seen`.
    fn beat(conn: &Connection, name: &str, seen: Timestamp, stopped: bool) {
        let seen = crate::time::format(seen);
        conn.execute(
            r#"
            INSERT INTO service_heartbeats (instance, service, host, pid, version, started_at, last_seen_at, stopped_at)
            VALUES (?1, 'janitor', 'host', 1, 'test', ?2, ?2, CASE WHEN ?3 THEN ?2 END)
            ON CONFLICT (instance) DO UPDATE SET last_seen_at = ?2, stopped_at = CASE WHEN ?3 THEN ?2 END
            "#,
            params![name, seen, stopped],
        )
        .unwrap();
    }

    fn claimant(conn: &Connection, day: Date) -> (String, Option<String>) {
        conn.query_row(
            "SELECT instance, finished_at FROM daily_runs WHERE day = ?1",
            [day.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    }

    fn finish(conn: &Connection, day: Date) {
        conn.execute(
            "UPDATE daily_runs SET finished_at = ?2 WHERE day = ?1",
            params![day.to_string(), now_text()],
        )
        .unwrap();
    }

    const DAY: &str = "2026-01-15";

    #[test]
    fn two_live_janitors_never_claim_the_same_day() {
        let (_tmp, conn) = database();
        let now = at("2026-01-15T06:00:00Z");
        let day: Date = DAY.parse().unwrap();
        beat(&conn, "janitor-a", now, false);
        beat(&conn, "janitor-b", now, false);

        let first = claim(&conn, day, &runner("janitor-a"), now).unwrap();
        assert_eq!(
            first,
            Some(Claimed {
                last_succeeded: None,
                reclaimed_from: None,
                retries: None,
            })
        );
        // b asks while a runs, and again a minute later with a still beating.
        assert_eq!(claim(&conn, day, &runner("janitor-b"), now).unwrap(), None);
        let later = now + jiff::SignedDuration::from_secs(60);
        beat(&conn, "janitor-a", later, false);
        assert_eq!(
            claim(&conn, day, &runner("janitor-b"), later).unwrap(),
            None
        );
        assert!(!abandoned(&conn, day, later, BEAT).unwrap());
        assert_eq!(claimant(&conn, day).0, "janitor-a");
    }

    #[test]
    fn a_busy_janitor_whose_heartbeat_is_only_stale_keeps_its_claim() {
        let (_tmp, conn) = database();
        let now = at("2026-01-15T06:00:00Z");
        let day: Date = DAY.parse().unwrap();
        beat(&conn, "janitor-a", now, false);
        claim(&conn, day, &runner("janitor-a"), now)
            .unwrap()
            .unwrap();
        // 30 s without a beat at a 5 s interval: stale, not down.
        let later = now + jiff::SignedDuration::from_secs(30);
        assert_eq!(
            claim(&conn, day, &runner("janitor-b"), later).unwrap(),
            None
        );
    }

    #[test]
    fn the_claim_of_a_janitor_that_died_midway_is_taken_over() {
        let (_tmp, conn) = database();
        let now = at("2026-01-15T06:00:00Z");
        let day: Date = DAY.parse().unwrap();
        let yesterday: Date = "2026-01-14".parse().unwrap();
        claim(&conn, yesterday, &runner("janitor-a"), now)
            .unwrap()
            .unwrap();
        finish(&conn, yesterday);
        beat(&conn, "janitor-a", now, false);
        claim(&conn, day, &runner("janitor-a"), now)
            .unwrap()
            .unwrap();

        // a was killed: no beat for five minutes (more than twelve intervals).
        let later = now + jiff::SignedDuration::from_mins(5);
        beat(&conn, "janitor-b", later, false);
        assert!(abandoned(&conn, day, later, BEAT).unwrap());
        let taken = claim(&conn, day, &runner("janitor-b"), later).unwrap();
        assert_eq!(
            taken,
            Some(Claimed {
                last_succeeded: Some("2026-01-14".into()),
                reclaimed_from: Some("janitor-a".into()),
                retries: None,
            })
        );
        assert_eq!(claimant(&conn, day), ("janitor-b".to_string(), None));
        // b is alive: a third janitor does not take the day again.
        assert_eq!(
            claim(&conn, day, &runner("janitor-c"), later).unwrap(),
            None
        );
        assert!(!abandoned(&conn, day, later, BEAT).unwrap());
    }

    #[test]
    fn a_claim_of_a_stopped_or_unknown_janitor_is_taken_over() {
        let (_tmp, conn) = database();
        let now = at("2026-01-15T06:00:00Z");
        let day: Date = DAY.parse().unwrap();
        beat(&conn, "janitor-a", now, true);
        claim(&conn, day, &runner("janitor-a"), now)
            .unwrap()
            .unwrap();
        let taken = claim(&conn, day, &runner("janitor-b"), now).unwrap();
        assert_eq!(taken.unwrap().reclaimed_from.as_deref(), Some("janitor-a"));

        // A claim by a process that never wrote a heartbeat.
        let next: Date = "2026-01-16".parse().unwrap();
        claim(&conn, next, &runner("ghost"), now).unwrap().unwrap();
        beat(&conn, "janitor-b", now, false);
        let taken = claim(&conn, next, &runner("janitor-b"), now).unwrap();
        assert_eq!(taken.unwrap().reclaimed_from.as_deref(), Some("ghost"));
    }

    #[test]
    fn a_claim_older_than_the_bound_is_taken_over_even_while_its_janitor_beats() {
        let (_tmp, conn) = database();
        let now = at("2026-01-15T06:00:00Z");
        let day: Date = DAY.parse().unwrap();
        claim(&conn, day, &runner("janitor-a"), now)
            .unwrap()
            .unwrap();
        let much_later = now + jiff::SignedDuration::from_hours(3);
        beat(&conn, "janitor-a", much_later, false);
        let taken = claim(&conn, day, &runner("janitor-b"), much_later).unwrap();
        assert_eq!(taken.unwrap().reclaimed_from.as_deref(), Some("janitor-a"));
    }

    #[test]
    fn a_finished_day_is_never_claimed_again() {
        let (_tmp, conn) = database();
        let now = at("2026-01-15T06:00:00Z");
        let day: Date = DAY.parse().unwrap();
        beat(&conn, "janitor-a", now, true);
        claim(&conn, day, &runner("janitor-a"), now)
            .unwrap()
            .unwrap();
        finish(&conn, day);
        let later = now + jiff::SignedDuration::from_hours(5);
        assert!(!abandoned(&conn, day, later, BEAT).unwrap());
        assert_eq!(
            claim(&conn, day, &runner("janitor-b"), later).unwrap(),
            None
        );
        assert_eq!(claimant(&conn, day).0, "janitor-a");
    }

    fn fail(conn: &Connection, day: Date, error: &str, at: Timestamp) {
        conn.execute(
            "UPDATE daily_runs SET finished_at = ?2, error = ?3 WHERE day = ?1",
            params![day.to_string(), crate::time::format(at), error],
        )
        .unwrap();
    }

    #[test]
    fn failed_runs_do_not_move_the_autopay_window_and_their_day_is_run_again() {
        let (_tmp, conn) = database();
        let now = at("2026-01-15T06:00:00Z");
        let days: Vec<Date> = ["2026-01-12", "2026-01-13", "2026-01-14"]
            .iter()
            .map(|d| d.parse().unwrap())
            .collect();
        claim(&conn, days[0], &runner("janitor-a"), now)
            .unwrap()
            .unwrap();
        finish(&conn, days[0]);
        // Two failed days in a row.
        for day in &days[1..] {
            let claimed = claim(&conn, *day, &runner("janitor-a"), now)
                .unwrap()
                .unwrap();
            assert_eq!(claimed.last_succeeded.as_deref(), Some("2026-01-12"));
            fail(&conn, *day, "database is locked", now);
        }

        // The failed day is claimed again, and the window still starts before the last success.
        let again = claim(&conn, days[2], &runner("janitor-b"), now)
            .unwrap()
            .unwrap();
        assert_eq!(again.retries.as_deref(), Some("database is locked"));
        assert_eq!(again.last_succeeded.as_deref(), Some("2026-01-12"));
        let since = autopay_since(again.last_succeeded.map(|d| d.parse().unwrap()), days[2]);
        assert_eq!(since, "2026-01-11".parse::<Date>().unwrap());
        assert_eq!(claimant(&conn, days[2]), ("janitor-b".to_string(), None));
        // While it runs again, nobody else takes it.
        beat(&conn, "janitor-b", now, false);
        assert_eq!(
            claim(&conn, days[2], &runner("janitor-c"), now).unwrap(),
            None
        );
    }

    #[test]
    fn the_schedule_runs_a_failed_day_again_once_the_failure_is_old_enough() {
        let (_tmp, conn) = database();
        let now = at("2026-01-15T06:00:00Z");
        let day: Date = DAY.parse().unwrap();
        beat(&conn, "janitor-a", now, false);
        claim(&conn, day, &runner("janitor-a"), now)
            .unwrap()
            .unwrap();
        assert!(!due_again(&conn, day, now, BEAT).unwrap(), "running");
        fail(&conn, day, "disk I/O error", now);
        let soon = now + jiff::SignedDuration::from_mins(1);
        beat(&conn, "janitor-a", soon, false);
        assert!(!due_again(&conn, day, soon, BEAT).unwrap());
        let later = now + jiff::SignedDuration::from_mins(16);
        beat(&conn, "janitor-a", later, false);
        assert!(due_again(&conn, day, later, BEAT).unwrap());

        // A successful day is never due again.
        finish(&conn, day);
        conn.execute("UPDATE daily_runs SET error = NULL", [])
            .unwrap();
        assert!(!due_again(&conn, day, later, BEAT).unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_run_that_failed_on_consecutive_days_succeeds_when_run_again() {
        let (tmp, conn) = database();
        drop(conn);
        let data = DataDir::new(tmp.path());
        let db = Db::open(&data, 2).unwrap();
        // The queue database cannot be opened: every run fails at cleanup.
        std::fs::create_dir(data.queue_db()).unwrap();

        for day in ["2026-01-13", "2026-01-14"] {
            let run = run_day(&db, &data, day.parse().unwrap(), runner("janitor-a"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(run.day, day);
            assert!(run.error.is_some(), "{run:?}");
        }
        // Run again on the same day: still failing, still not done.
        let again = run_day(
            &db,
            &data,
            "2026-01-14".parse().unwrap(),
            runner("janitor-a"),
        )
        .await
        .unwrap()
        .unwrap();
        assert!(again.error.is_some());

        std::fs::remove_dir(data.queue_db()).unwrap();
        let fixed = run_day(
            &db,
            &data,
            "2026-01-14".parse().unwrap(),
            runner("janitor-a"),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(fixed.error, None, "{fixed:?}");
        let failed: String = db
            .run(|conn| {
                Ok(conn.query_row(
                    "SELECT error FROM daily_runs WHERE day = '2026-01-13'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap();
        assert!(failed.contains("db/queue.db"), "{failed}");
        assert!(
            !failed.contains(&tmp.path().display().to_string()),
            "{failed}"
        );
        assert!(fixed.finished_at.is_some());
        // Once it succeeded, the day is done.
        let done = run_day(
            &db,
            &data,
            "2026-01-14".parse().unwrap(),
            runner("janitor-a"),
        )
        .await
        .unwrap();
        assert!(done.is_none());
    }
}
