//! The CLI's commands. Each returns its exit code.

mod config;
mod report;

pub use config::check as config_check;

use std::time::{Duration, Instant};

use billtracker::config::CommonArgs;
use billtracker::heartbeat::{Service, host_name};
use billtracker::jobs::QueueName;
use billtracker::queue::{self, JobState};
use billtracker::status::{self, Liveness};
use billtracker::{db, integrity, migrate};
use rusqlite::Connection;
use serde::Serialize;

use crate::output::{self, CHECK_FAILED, DATABASE, OK, USAGE, or_dash};

/// Opens an existing `bills.db`; exit code 3 when there is none.
pub(crate) fn open_bills(common: &CommonArgs) -> Result<Connection, i32> {
    let path = common.data().bills_db();
    if !path.exists() {
        eprintln!(
            "billtracker: no database at {}: start the suite once or run `billtracker db migrate` (DATA_DIR={})",
            path.display(),
            common.data_dir.display()
        );
        return Err(DATABASE);
    }
    db::open(&path).map_err(|error| {
        eprintln!("billtracker: cannot open {}: {error}", path.display());
        DATABASE
    })
}

/// Opens `queue.db` when it exists, else an empty in-memory stand-in.
fn open_queue(common: &CommonArgs) -> Result<Connection, i32> {
    let path = common.data().queue_db();
    let opened = if path.exists() {
        db::open(&path)
    } else {
        Connection::open_in_memory()
    };
    opened.map_err(|error| {
        eprintln!("billtracker: cannot open {}: {error}", path.display());
        DATABASE
    })
}

pub(crate) fn db_error(error: impl std::fmt::Display) -> i32 {
    eprintln!("billtracker: database error: {error}");
    DATABASE
}

#[macro_export]
macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(code) => return code,
        }
    };
}

pub fn status(common: &CommonArgs, json: bool) -> i32 {
    let bills = attempt!(open_bills(common));
    let queue_db = attempt!(open_queue(common));
    let report = attempt!(status::report(&bills, &queue_db, common).map_err(db_error));
    let code = if report.all_up() { OK } else { CHECK_FAILED };
    if json {
        output::json(&report);
        return code;
    }

    print!("{}", report::render(&report));
    code
}

fn print_queue_table(queues: &[queue::QueueStats]) {
    print!("{}", queue_table(queues));
}

/// Jobs per queue and state, one line a queue.
fn queue_table(queues: &[queue::QueueStats]) -> String {
    let mut out = format!(
        "{:<12} {:>8} {:>8} {:>8} {:>8} {:>8}  oldest waiting\n",
        "QUEUE", "PENDING", "RUNNING", "FAILED", "KILLED", "DONE"
    );
    for q in queues {
        out.push_str(&format!(
            "{:<12} {:>8} {:>8} {:>8} {:>8} {:>8}  {}\n",
            q.queue,
            q.pending,
            q.running,
            q.failed,
            q.killed,
            q.done,
            q.oldest_pending_secs
                .map(output::age)
                .unwrap_or_else(|| "-".into())
        ));
    }
    out
}

pub fn health(common: &CommonArgs, service: Service) -> i32 {
    let bills = attempt!(open_bills(common));
    let host = host_name();
    let services = attempt!(
        status::services_on(&bills, common.heartbeat_interval(), Some(&host)).map_err(db_error)
    );
    let state = services
        .iter()
        .find(|s| s.service == service)
        .map_or(Liveness::Down, |s| s.state);
    println!("{service} on {host}: {}", state.as_str());
    if state == Liveness::Up {
        OK
    } else {
        CHECK_FAILED
    }
}

pub fn queue_stats(common: &CommonArgs, json: bool) -> i32 {
    let conn = attempt!(open_queue(common));
    let stats = attempt!(queue::stats(&conn).map_err(db_error));
    if json {
        return output::json(&stats);
    }
    print_queue_table(&stats);
    OK
}

pub fn queue_list(
    common: &CommonArgs,
    queue_name: Option<QueueName>,
    state: Option<JobState>,
    limit: u32,
    json: bool,
) -> i32 {
    let conn = attempt!(open_queue(common));
    let jobs = attempt!(queue::list(&conn, queue_name, state, limit).map_err(db_error));
    if json {
        return output::json(&jobs);
    }
    if jobs.is_empty() {
        println!("no jobs");
        return OK;
    }
    println!(
        "{:<26} {:<12} {:<8} {:>8} {:<20} result",
        "ID", "QUEUE", "STATE", "ATTEMPTS", "RUN AT"
    );
    for job in &jobs {
        println!(
            "{:<26} {:<12} {:<8} {:>8} {:<20} {}",
            job.id,
            job.queue,
            state_name(job.state),
            format!("{}/{}", job.attempts, job.max_attempts),
            or_dash(job.run_at.as_deref()),
            or_dash(job.last_result.as_deref()),
        );
    }
    OK
}

fn state_name(state: JobState) -> &'static str {
    match state {
        JobState::Pending => "pending",
        JobState::Running => "running",
        JobState::Done => "done",
        JobState::Failed => "failed",
        JobState::Killed => "killed",
    }
}

pub fn queue_show(common: &CommonArgs, id: &str, json: bool) -> i32 {
    let conn = attempt!(open_queue(common));
    let Some(job) = attempt!(queue::show(&conn, id).map_err(db_error)) else {
        eprintln!("billtracker: no job with id {id}");
        return CHECK_FAILED;
    };
    if json {
        return output::json(&job);
    }
    println!("id:          {}", job.id);
    println!("queue:       {}", job.queue);
    println!("state:       {}", state_name(job.state));
    println!("attempts:    {}/{}", job.attempts, job.max_attempts);
    println!("run at:      {}", or_dash(job.run_at.as_deref()));
    println!("done at:     {}", or_dash(job.done_at.as_deref()));
    println!("worker:      {}", or_dash(job.worker.as_deref()));
    println!("last result: {}", or_dash(job.last_result.as_deref()));
    println!("payload:     {}", or_dash(job.payload.as_deref()));
    OK
}

pub fn queue_retry(common: &CommonArgs, id: &str) -> i32 {
    let mut conn = attempt!(open_queue(common));
    match queue::retry(&mut conn, id) {
        Ok(true) => {
            println!("job {id} is queued again");
            OK
        }
        Ok(false) => {
            eprintln!("billtracker: no failed or killed job with id {id}");
            CHECK_FAILED
        }
        Err(error) => db_error(error),
    }
}

pub fn queue_kill(common: &CommonArgs, id: &str) -> i32 {
    let mut conn = attempt!(open_queue(common));
    match queue::kill(&mut conn, id) {
        Ok(true) => {
            println!("job {id} is killed and will not run");
            OK
        }
        Ok(false) => {
            eprintln!(
                "billtracker: no waiting or failed job with id {id} (a running job cannot be killed)"
            );
            CHECK_FAILED
        }
        Err(error) => db_error(error),
    }
}

pub fn queue_purge(common: &CommonArgs, state: JobState, older_than: Duration) -> i32 {
    if matches!(state, JobState::Pending | JobState::Running) {
        eprintln!("billtracker: only finished jobs can be purged (done, failed or killed)");
        return USAGE;
    }
    let mut conn = attempt!(open_queue(common));
    match queue::purge(&mut conn, state, older_than) {
        Ok(removed) => {
            println!(
                "removed {removed} {} job(s) older than {}",
                state_name(state),
                output::age(older_than.as_secs() as i64)
            );
            OK
        }
        Err(error) => db_error(error),
    }
}

/// Parses ages like `7d`, `12h`, `30m`, `45s`, `2w`.
pub fn parse_age(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not an age such as 7d, 12h, 30m or 45s"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(format!(
                "'{text}' is not an age such as 7d, 12h, 30m or 45s"
            ));
        }
    };
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
}

pub fn queue_probe(
    common: &CommonArgs,
    queue_name: QueueName,
    count: usize,
    wait: u64,
    hold_ms: Option<u64>,
) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("billtracker: cannot start the async runtime: {error}");
            return USAGE;
        }
    };
    let data = common.data();
    let started = Instant::now();
    let pushed = runtime.block_on(async {
        let pool = queue::open(&data, 2).await?;
        let prefix = queue::push_probes(&pool, queue_name, count, hold_ms).await?;
        pool.close().await;
        Ok::<_, billtracker::Error>(prefix)
    });
    let prefix = attempt!(pushed.map_err(db_error));
    println!("queued {count} probe job(s) on {queue_name}, key prefix {prefix}");
    if wait == 0 {
        return OK;
    }

    let bills = attempt!(open_bills(common));
    let deadline = started + Duration::from_secs(wait);
    loop {
        let handled = attempt!(count_probes(&bills, &prefix).map_err(db_error));
        if handled >= count as i64 {
            println!(
                "all {count} handled in {} ms",
                started.elapsed().as_millis()
            );
            return OK;
        }
        if Instant::now() > deadline {
            eprintln!(
                "billtracker: only {handled} of {count} probes handled within {wait} s; is the {queue_name} worker running?"
            );
            return CHECK_FAILED;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn count_probes(bills: &Connection, prefix: &str) -> rusqlite::Result<i64> {
    bills.query_row(
        "SELECT count(*) FROM queue_probes WHERE probe_key >= ?1 AND probe_key < ?2",
        [format!("{prefix}-"), format!("{prefix}.")],
        |row| row.get(0),
    )
}

#[derive(Serialize)]
struct CheckAnswer {
    ok: bool,
    result: String,
    duration_ms: u128,
}

pub fn db_check(common: &CommonArgs, json: bool) -> i32 {
    let bills = attempt!(open_bills(common));
    let started = Instant::now();
    let result = attempt!(integrity::check(&bills).map_err(db_error));
    let ok = result == "ok";
    if json {
        output::json(&CheckAnswer {
            ok,
            result,
            duration_ms: started.elapsed().as_millis(),
        });
    } else {
        println!("{result}");
    }
    if ok { OK } else { CHECK_FAILED }
}

pub fn db_migrate(common: &CommonArgs) -> i32 {
    let data = common.data();
    if let Err(error) = data.prepare() {
        billtracker::config::fail("billtracker", "DATA_DIR", error);
    }
    let path = data.bills_db();
    if let Err(error) = data.ensure_private_file(&path) {
        return db_error(error);
    }
    let mut conn = attempt!(db::open(&path).map_err(db_error));
    // Like a starting process: an older schema is saved as a pre-upgrade backup first.
    match billtracker::backup::migrate_with_pre_upgrade_backup(&data, &mut conn) {
        Ok(upgraded) => {
            if let Some(backup) = &upgraded.pre_upgrade_backup {
                println!("took pre-upgrade backup {}", backup.id);
            }
            for (version, name) in &upgraded.migrated.applied {
                println!("applied migration {version:04} {name}");
            }
            println!("schema is current at version {}", upgraded.migrated.version);
            OK
        }
        Err(billtracker::Error::SchemaTooNew { found, known }) => {
            eprintln!(
                "billtracker: the database schema is at version {found}, newer than this binary knows ({known})"
            );
            CHECK_FAILED
        }
        Err(error) => db_error(error),
    }
}

#[derive(Serialize)]
struct VersionAnswer {
    database: i64,
    binary: i64,
    pending: i64,
}

pub fn db_version(common: &CommonArgs, json: bool) -> i32 {
    let bills = attempt!(open_bills(common));
    let database = attempt!(migrate::current_version(&bills).map_err(db_error));
    let binary = migrate::latest_version();
    let answer = VersionAnswer {
        database,
        binary,
        pending: (binary - database).max(0),
    };
    if json {
        output::json(&answer);
    } else {
        println!("database schema: {database}");
        println!("this binary:     {binary}");
        match database.cmp(&binary) {
            std::cmp::Ordering::Less => println!(
                "{} migration(s) pending: run `billtracker db migrate` or start any process",
                answer.pending
            ),
            std::cmp::Ordering::Equal => println!("up to date"),
            std::cmp::Ordering::Greater => {
                println!("the database is NEWER than this binary: upgrade BillTracker")
            }
        }
    }
    if database > binary { CHECK_FAILED } else { OK }
}
