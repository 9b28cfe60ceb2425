//! The janitor's schedules. Each one queues a maintenance job; the jobs run
//! on this process's worker like any other, so they show in the queue
//! commands and retry like any other.

use std::time::Duration;

use billtracker::backup;
use billtracker::jobs::MaintenanceJob;
use billtracker::worker::JobContext;
use jiff::Timestamp;

use crate::Backups;

/// How often the integrity check runs after the one at start.
const INTEGRITY_CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Starts the schedules in the background.
pub fn spawn(context: JobContext, backups: Backups) {
    spawn_daily_run(context.clone(), backups.clone());
    spawn_backups(context.clone(), backups);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(INTEGRITY_CHECK_EVERY);
        loop {
            // The first tick fires at once: one check at every start.
            ticker.tick().await;
            if let Err(error) =
                billtracker::queue::push(&context.queue, vec![MaintenanceJob::IntegrityCheck]).await
            {
                tracing::error!(%error, area = "database", "could not queue the integrity check");
            }
        }
    });
}

/// Queues the scheduled backup of the latest slot at start (a slot missed
/// while the janitor was down is caught up) and of every slot after it.
fn spawn_backups(context: JobContext, backups: Backups) {
    tokio::spawn(async move {
        let mut slot =
            backup::schedule::latest_slot(Timestamp::now(), backups.at, &backups.time_zone);
        loop {
            if let Err(error) = backup::schedule::queue(&context.queue, slot).await {
                tracing::error!(%error, backup.slot = %slot, area = "backups", "could not queue the scheduled backup");
            }
            let next = backup::schedule::next_slot(slot, backups.at, &backups.time_zone);
            tracing::debug!(backup.slot = %next, "next scheduled backup");
            // Short sleeps, so that a clock that jumps (a suspended host)
            // delays the backup by a minute at most.
            while Timestamp::now() < next {
                let left = Timestamp::now().duration_until(next).unsigned_abs();
                tokio::time::sleep(left.min(Duration::from_secs(60))).await;
            }
            // After a long suspension, only the latest missed slot counts.
            slot = backup::schedule::latest_slot(Timestamp::now(), backups.at, &backups.time_zone)
                .max(next);
        }
    });
}

/// Queues the daily run at start (a day missed while the janitor was down
/// is caught up) and then every day at `DAILY_RUN_AT`. The run itself
/// claims its day, so a second janitor or a repeated job does nothing.
/// While it waits, it looks for today's run left unfinished by a janitor
/// that died during it, or failed a while ago, and queues the run again
/// to redo it.
fn spawn_daily_run(context: JobContext, schedule: Backups) {
    // Long enough for a dead janitor's heartbeat to count as down.
    let recheck = (schedule.heartbeat_interval * 12).min(Duration::from_secs(60));
    tokio::spawn(async move {
        loop {
            queue_daily_run(&context).await;
            let now = Timestamp::now().to_zoned(schedule.time_zone.clone());
            let next = billtracker::daily::next_run(&now, schedule.daily_run_at).timestamp();
            tracing::debug!(daily_run.next = %next, "next daily run");
            while Timestamp::now() < next {
                let left = Timestamp::now().duration_until(next).unsigned_abs();
                tokio::time::sleep(left.min(recheck)).await;
                if due_again_today(&context, &schedule).await {
                    tracing::info!(
                        "today's daily run failed or was left unfinished; queueing it again"
                    );
                    queue_daily_run(&context).await;
                }
            }
        }
    });
}

async fn queue_daily_run(context: &JobContext) {
    if let Err(error) =
        billtracker::queue::push(&context.queue, vec![MaintenanceJob::DailyRun]).await
    {
        tracing::error!(%error, area = "daily_run", "could not queue the daily run");
    }
}

/// Whether today's daily run has a claim whose janitor is gone, or failed.
async fn due_again_today(context: &JobContext, schedule: &Backups) -> bool {
    let today = Timestamp::now().to_zoned(schedule.time_zone.clone()).date();
    let interval = schedule.heartbeat_interval;
    let found = context
        .db
        .run(move |conn| billtracker::daily::due_again(conn, today, Timestamp::now(), interval))
        .await;
    found.unwrap_or_else(|error| {
        tracing::warn!(%error, "could not look at today's daily run");
        false
    })
}
