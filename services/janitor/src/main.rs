//! `billtracker-janitor`: consumes the `maintenance` queue and owns the
//! maintenance schedules (today: a database integrity check at start and
//! every 24 hours).
//!
//! Run it beside the other processes on the same `DATA_DIR`; see
//! `billtracker-janitor --help` for its settings.

mod schedule;

use std::process::ExitCode;

use billtracker::config::{CommonArgs, WorkerArgs};
use billtracker::heartbeat::Service;
use billtracker::jobs::{MaintenanceJob, QueueName};
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
    worker::run(
        Service::Janitor,
        config.common,
        config.worker,
        async |context| schedule::spawn(context.clone()),
        handle,
    )
    .await
}

async fn handle(job: MaintenanceJob, context: JobContext) -> billtracker::Result<()> {
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
    }
}
