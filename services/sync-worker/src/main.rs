//! `billtracker-sync-worker`: consumes the `sync` queue (bank sync jobs).
//!
//! Run it beside the other processes on the same `DATA_DIR`; see
//! `billtracker-sync-worker --help` for its settings.

use std::process::ExitCode;

use billtracker::config::{CommonArgs, WorkerArgs};
use billtracker::heartbeat::Service;
use billtracker::jobs::SyncJob;
use billtracker::worker::{self, JobContext};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "billtracker-sync-worker",
    version,
    about = "BillTracker sync worker: consumes the sync queue"
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
        Service::SyncWorker,
        config.common,
        config.worker,
        async |_| {},
        handle,
    )
    .await
}

async fn handle(job: SyncJob, context: JobContext) -> billtracker::Result<()> {
    match job {
        SyncJob::Probe(probe) => {
            billtracker::probe::record(
                &context.db,
                billtracker::jobs::QueueName::Sync,
                probe,
                context.worker,
            )
            .await
        }
    }
}
