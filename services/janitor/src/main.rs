//! `billtracker-janitor`: consumes the `maintenance` queue and owns the
//! maintenance schedules: a database integrity check at start and every
//! 24 hours, and the daily scheduled backup at `BACKUP_AT` with its
//! retention.
//!
//! Run it beside the other processes on the same `DATA_DIR`; see
//! `billtracker-janitor --help` for its settings.

mod schedule;

use std::process::ExitCode;
use std::time::Duration;

use billtracker::backup::{self, Wait};
use billtracker::config::{CommonArgs, WorkerArgs};
use billtracker::heartbeat::Service;
use billtracker::jobs::{MaintenanceJob, QueueName};
use billtracker::paths::DataDir;
use billtracker::worker::{self, JobContext};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "billtracker-janitor",
    version,
    about = "BillTracker janitor: maintenance queue and schedules"
)]
struct Config {
    #[command(flatten)]
    common: CommonArgs,

    #[command(flatten)]
    worker: WorkerArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let config: Config = billtracker::config::parse();
    let backups = Backups {
        data: config.common.data(),
        at: config.common.backup.backup_at,
        retention: config.common.backup.backup_retention,
        time_zone: config.common.time_zone(),
        daily_run_at: config.common.daily.daily_run_at,
        heartbeat_interval: config.common.heartbeat_interval(),
    };
    let scheduled = backups.clone();
    worker::run(
        Service::Janitor,
        config.common,
        config.worker,
        async move |context| schedule::spawn(context.clone(), scheduled),
        move |job, context| handle(job, context, backups.clone()),
    )
    .await
}

/// The backup settings the schedule and the backup job need.
#[derive(Debug, Clone)]
pub struct Backups {
    pub data: DataDir,
    pub at: jiff::civil::Time,
    pub retention: u32,
    pub time_zone: jiff::tz::TimeZone,
    /// Local time of the daily run.
    pub daily_run_at: jiff::civil::Time,
    /// Tells whether the janitor holding a daily run's claim is alive.
    pub heartbeat_interval: Duration,
}

/// How long a scheduled backup waits for a manual backup or a restore.
const BACKUP_WAIT: Duration = Duration::from_secs(30 * 60);

async fn handle(
    job: MaintenanceJob,
    context: JobContext,
    backups: Backups,
) -> billtracker::Result<()> {
    match job {
        MaintenanceJob::Probe(probe) => {
            billtracker::probe::record(&context.db, QueueName::Maintenance, probe, context.worker)
                .await
        }
        MaintenanceJob::IntegrityCheck => {
            let outcome =
                billtracker::integrity::run_and_record(&context.db, Service::Janitor).await?;
            if outcome.ok {
                tracing::info!(
                    duration_ms = outcome.duration_ms,
                    "database integrity check passed"
                );
            } else {
                tracing::error!(result = %outcome.result, "database integrity check FAILED");
            }
            Ok(())
        }
        MaintenanceJob::DailyRun => {
            let runner = billtracker::daily::Runner {
                instance: context.worker.clone(),
                heartbeat_interval: backups.heartbeat_interval,
            };
            billtracker::daily::run_if_due(
                &context.db,
                &backups.data,
                backups.time_zone.clone(),
                runner,
            )
            .await?;
            Ok(())
        }
        MaintenanceJob::ScheduledBackup { slot } => {
            let slot: jiff::Timestamp = slot
                .parse()
                .map_err(|_| billtracker::Error::Rule(format!("invalid backup slot {slot:?}")))?;
            let outcome = tokio::task::spawn_blocking(move || {
                backup::schedule::run(
                    &backups.data,
                    slot,
                    backups.retention,
                    Wait::UpTo(BACKUP_WAIT),
                )
            })
            .await??;
            tracing::info!(
                backup.id = outcome.taken.as_ref().map(|b| b.id.as_str()),
                removed = outcome.removed.len(),
                "scheduled backup done"
            );
            Ok(())
        }
    }
}
