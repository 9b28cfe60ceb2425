//! The janitor's schedules. Each one queues a maintenance job; the jobs run
//! on this process's worker like any other, so they show in the queue
//! commands and retry like any other.

use std::time::Duration;

use billtracker::jobs::MaintenanceJob;
use billtracker::worker::JobContext;

/// How often the integrity check runs after the one at start.
const INTEGRITY_CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Starts the schedules in the background.
pub fn spawn(context: JobContext) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(INTEGRITY_CHECK_EVERY);
        loop {
            // The first tick fires at once: one check at every start.
            ticker.tick().await;
            if let Err(error) =
                billtracker::queue::push(&context.queue, vec![MaintenanceJob::IntegrityCheck]).await
            {
                tracing::error!(%error, "could not queue the integrity check");
            }
        }
    });
}
