//! The probe job's effect: one row per probe key in `queue_probes`.

use rusqlite::params;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::jobs::{Probe, QueueName};
use crate::time::now_text;

/// Records that `worker` handled the probe. Running it again for the same
/// key (at-least-once delivery) only counts the extra run, so the effect
/// stays one row however often the job runs.
///
/// A probe with `fail_first: n` fails its first `n` attempts without
/// writing anything, so that retry with backoff can be checked end to end.
pub async fn record(db: &Db, queue: QueueName, probe: Probe, worker: String) -> Result<()> {
    if let Some(hold) = probe.hold_ms {
        tokio::time::sleep(std::time::Duration::from_millis(hold)).await;
    }

    let attempt = crate::worker::attempt();
    if attempt <= probe.fail_first as usize {
        return Err(Error::Rule(format!(
            "probe {} fails on purpose: attempt {attempt} of the first {} set to fail",
            probe.key, probe.fail_first
        )));
    }

    db.write(move |tx| {
        tx.execute(
            r#"
            INSERT INTO queue_probes (probe_key, queue, handled_by, first_handled_at)
            VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (probe_key) DO UPDATE SET runs = runs + 1
            "#,
            params![probe.key, queue.as_str(), worker, now_text()],
        )?;
        Ok(())
    })
    .await
}
