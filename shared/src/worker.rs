//! The queue consumer shared by the sync worker, the notifier and the
//! janitor: polls its queue, runs jobs with a concurrency limit and retry
//! with backoff, logs each job, keeps the heartbeat, and on SIGTERM stops
//! taking jobs and finishes or releases the ones it holds.

use std::future::Future;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use apalis::prelude::*;
use sqlx::SqlitePool;
use tower::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use tower::util::rng::HasherRng;

use crate::config::{CommonArgs, WorkerArgs};
use crate::db::Db;
use crate::heartbeat::{CurrentJobs, Heartbeat, Instance, Service};
use crate::jobs::Job;
use crate::{process, queue, shutdown};

/// How many jobs a worker claims per slot of its concurrency in one fetch.
///
/// The worker fetches only when it has handed out every job it claimed,
/// and until that fetch and the acknowledgements before it are written,
/// slots that free up stay empty. Claiming one job per slot paid that
/// pause for every few jobs (about 1,400 jobs a second at the default
/// concurrency of 4); eight per slot pays it once per 32 (about 4,700).
/// Claimed jobs wait in the worker's hands as they would in the queue: a
/// clean stop puts them back at once, a crash after two missed queue
/// heartbeats.
pub const CLAIMS_PER_SLOT: usize = 8;

tokio::task_local! {
    static ATTEMPT: usize;
}

/// The attempt of the job being handled on this task: 1 for its first run,
/// higher for a retry after an error or a run after a crashed worker. 1
/// outside a job.
pub fn attempt() -> usize {
    ATTEMPT.try_with(|attempt| *attempt).unwrap_or(1)
}

/// What a job handler gets besides its payload.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub db: Db,
    pub queue: SqlitePool,
    /// The per-start worker name (`sync-worker-<host>-<pid>-<random>`).
    pub worker: String,
}

/// Runs a worker process until SIGTERM.
pub async fn run<J, F, Fut>(
    service: Service,
    common: CommonArgs,
    args: WorkerArgs,
    before_start: impl AsyncFnOnce(&JobContext),
    handler: F,
) -> ExitCode
where
    J: Job,
    F: Fn(J, JobContext) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = crate::Result<()>> + Send + 'static,
{
    let concurrency = usize::from(args.worker_concurrency);
    let started = process::start(service, &common, concurrency as u32 + 2);
    tracing::debug!(config = ?args, "effective worker configuration");
    let pool = match queue::open(&started.data, concurrency as u32 + 2).await {
        Ok(pool) => pool,
        Err(error) => {
            tracing::error!(%error, "cannot open the queue database");
            return ExitCode::from(3);
        }
    };

    let jobs = CurrentJobs::default();
    let heartbeat = match Heartbeat::start(
        started.db.clone(),
        started.instance.clone(),
        common.heartbeat_interval(),
        jobs.clone(),
    )
    .await
    {
        Ok(heartbeat) => heartbeat,
        Err(error) => {
            tracing::error!(%error, "cannot write the first heartbeat");
            return ExitCode::from(3);
        }
    };

    let context = JobContext {
        db: started.db.clone(),
        queue: pool.clone(),
        worker: started.instance.name.clone(),
    };
    before_start(&context).await;

    tracing::info!(
        queue = J::QUEUE.as_str(),
        worker = %started.instance.name,
        concurrency,
        startup_ms = started.started_at.elapsed().as_millis() as u64,
        "consuming the {} queue",
        J::QUEUE
    );
    let outcome = consume(
        &started.instance,
        &args,
        pool.clone(),
        context,
        jobs,
        handler,
    )
    .await;

    heartbeat.stop().await;
    pool.close().await;
    match outcome {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "the worker stopped on an error");
            ExitCode::FAILURE
        }
    }
}

async fn consume<J, F, Fut>(
    instance: &Instance,
    args: &WorkerArgs,
    pool: SqlitePool,
    context: JobContext,
    jobs: CurrentJobs,
    handler: F,
) -> Result<(), WorkerError>
where
    J: Job,
    F: Fn(J, JobContext) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = crate::Result<()>> + Send + 'static,
{
    let concurrency = usize::from(args.worker_concurrency);
    let backend = queue::storage::<J>(
        &pool,
        concurrency * CLAIMS_PER_SLOT,
        Duration::from_secs(args.queue_heartbeat_secs),
    )
    .poll_with_interval(Duration::from_millis(args.queue_poll_ms));

    let backoff = ExponentialBackoffMaker::new(
        Duration::from_secs(1),
        Duration::from_secs(60),
        0.5,
        HasherRng::default(),
    )
    .map_err(|e| WorkerError::IoError(std::io::Error::other(e.to_string())))?
    .make_backoff();

    let worker = WorkerBuilder::new(instance.name.clone())
        .backend(backend)
        .concurrency(concurrency)
        .retry(RetryPolicy::retries(3).with_backoff(backoff))
        .build(move |job: J, id: TaskId, attempt: Attempt| {
            let handler = handler.clone();
            let context = context.clone();
            let jobs = jobs.clone();
            async move {
                // Read inside the future: the count is raised when the attempt starts.
                let attempt = attempt.current();
                ATTEMPT
                    .scope(
                        attempt,
                        execute(job, id.to_string(), context, jobs, handler),
                    )
                    .await
            }
        });

    worker
        .run_until(async {
            shutdown::signal().await;
            Ok::<(), std::io::Error>(())
        })
        .await
}

async fn execute<J, F, Fut>(
    job: J,
    id: String,
    context: JobContext,
    jobs: CurrentJobs,
    handler: F,
) -> Result<(), BoxDynError>
where
    J: Job,
    F: Fn(J, JobContext) -> Fut,
    Fut: Future<Output = crate::Result<()>>,
{
    let name = job.name();
    let label = format!("{} {name} {id}", J::QUEUE);
    let span = tracing::info_span!(
        "job",
        job.queue = J::QUEUE.as_str(),
        job.name = name,
        job.id = %id,
        job.attempt = attempt()
    );

    tracing::info!(parent: &span, "job started");
    jobs.started(&label);
    let started = Instant::now();
    let result = tracing::Instrument::instrument(handler(job, context), span.clone()).await;
    jobs.finished(&label);
    let duration_ms = started.elapsed().as_millis() as u64;

    match result {
        Ok(()) => {
            tracing::info!(parent: &span, duration_ms, "job finished");
            Ok(())
        }
        Err(error) => {
            tracing::error!(parent: &span, duration_ms, %error, "job failed");
            Err(Box::new(error))
        }
    }
}
