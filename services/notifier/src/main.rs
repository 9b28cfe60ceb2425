//! `billtracker-notifier`: consumes the `notify` queue (reminders, alerts,
//! test messages).
//!
//! Run it beside the other processes on the same `DATA_DIR`; see
//! `billtracker-notifier --help` for its settings.

use std::process::ExitCode;

use billtracker::config::{CommonArgs, WorkerArgs};
use billtracker::heartbeat::Service;
use billtracker::jobs::{NotifyJob, QueueName};
use billtracker::worker::{self, JobContext};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "billtracker-notifier",
    version,
    about = "BillTracker notifier: consumes the notify queue"
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
        Service::Notifier,
        config.common,
        config.worker,
        async |_| {},
        handle,
    )
    .await
}

async fn handle(job: NotifyJob, context: JobContext) -> billtracker::Result<()> {
    match job {
        NotifyJob::Probe(probe) => {
            billtracker::probe::record(&context.db, QueueName::Notify, probe, context.worker).await
        }
    }
}
