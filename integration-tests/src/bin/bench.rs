//! The foundation benchmark: queue throughput across processes next to a
//! plain rusqlite loop doing the same write transactions, idle memory of
//! each process, the web process's time to its first health answer, and a
//! backup and a restore of a 500 MB database next to a plain file copy
//! (`bench backup` runs only that one).
//!
//! Run with `make bench` (release binaries). Not a test: it prints figures.

use std::time::{Duration, Instant};

use billtracker_integration_tests::{Suite, http, probe_prefix, probe_rows, wait_for};
use rusqlite::{Connection, TransactionBehavior, params};

const JOBS: usize = 5_000;

fn main() {
    // `bench backup` runs only the backup benchmark.
    if std::env::args().nth(1).as_deref() == Some("backup") {
        backup_vs_copy();
        return;
    }
    println!("BillTracker foundation benchmark ({JOBS} jobs)\n");

    let plain = plain_loop(JOBS);
    println!(
        "plain rusqlite loop (4 write transactions per job, WAL, synchronous=NORMAL): {plain:.0} jobs/s"
    );

    for concurrency in ["4", "16"] {
        let queue = queue_throughput(JOBS, concurrency);
        println!(
            "queue across processes, WORKER_CONCURRENCY={concurrency}: {queue:.0} jobs/s  (ratio to plain loop {:.2})",
            queue / plain
        );
    }
    println!();

    idle_memory();
    println!();
    time_to_health();
    println!();
    backup_vs_copy();
}

/// Pushes by the CLI, handled by a sync worker in another process.
fn queue_throughput(jobs: usize, concurrency: &str) -> f64 {
    let mut suite = Suite::new();
    suite.set_env("RUST_LOG", "warn");
    suite.set_env("WORKER_CONCURRENCY", concurrency);
    suite.start("sync-worker");
    assert!(suite.wait_until_up(&["sync-worker"], Duration::from_secs(20)));

    let started = Instant::now();
    let output = suite.ctl(&[
        "queue",
        "probe",
        "--queue",
        "sync",
        "--count",
        &jobs.to_string(),
    ]);
    assert!(output.status.success());
    let prefix = probe_prefix(&output);
    let conn = suite.bills();
    wait_for(Duration::from_secs(300), || {
        (probe_rows(&conn, &prefix) == jobs as i64).then_some(())
    })
    .expect("all jobs handled");
    jobs as f64 / started.elapsed().as_secs_f64()
}

/// The limit: the same transactions per job with rusqlite alone, on the
/// same disk: insert the job, claim it, mark it done, write the handler's row.
fn plain_loop(jobs: usize) -> f64 {
    let dir = tempfile::tempdir().expect("temporary directory");
    let open = |name: &str| {
        let conn = Connection::open(dir.path().join(name)).expect("open");
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        conn.pragma_update(None, "synchronous", "NORMAL")
            .expect("sync");
        conn
    };
    let mut queue = open("queue.db");
    let mut bills = open("bills.db");
    queue
        .execute_batch("CREATE TABLE jobs (id INTEGER PRIMARY KEY, payload TEXT, status TEXT, done_at INTEGER)")
        .expect("jobs table");
    bills
        .execute_batch("CREATE TABLE effects (key TEXT PRIMARY KEY, handled_at TEXT)")
        .expect("effects table");

    let started = Instant::now();
    for i in 0..jobs {
        let tx = queue
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("tx");
        tx.execute(
            "INSERT INTO jobs (id, payload, status) VALUES (?1, '{}', 'Pending')",
            [i as i64],
        )
        .expect("insert");
        tx.commit().expect("commit");

        let tx = queue
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("tx");
        tx.execute(
            "UPDATE jobs SET status = 'Running' WHERE id = ?1",
            [i as i64],
        )
        .expect("claim");
        tx.commit().expect("commit");

        let tx = bills
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("tx");
        tx.execute(
            "INSERT INTO effects (key, handled_at) VALUES (?1, 'now')",
            params![format!("k{i}")],
        )
        .expect("effect");
        tx.commit().expect("commit");

        let tx = queue
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("tx");
        tx.execute(
            "UPDATE jobs SET status = 'Done', done_at = 1 WHERE id = ?1",
            [i as i64],
        )
        .expect("done");
        tx.commit().expect("commit");
    }
    jobs as f64 / started.elapsed().as_secs_f64()
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Idle memory as the image and `run-all` run the processes, and with
/// glibc's defaults beside it.
fn idle_memory() {
    let shipped = idle_rss(true);
    let defaults = idle_rss(false);
    println!("idle memory (RSS) after start, as shipped (with glibc's defaults):");
    for ((service, goal), (kib, default_kib)) in [
        ("web", 30),
        ("sync-worker", 20),
        ("notifier", 20),
        ("janitor", 20),
    ]
    .into_iter()
    .zip(shipped.into_iter().zip(defaults))
    {
        println!(
            "  {service:<12} {:>6.1} MB  ({:.1} MB)  (goal < {goal} MB)",
            kib as f64 / 1024.0,
            default_kib as f64 / 1024.0
        );
    }
}

fn idle_rss(shipped: bool) -> Vec<u64> {
    let mut suite = Suite::new();
    suite.set_env("RUST_LOG", "warn");
    if shipped {
        let (name, value) = billtracker::process::MALLOC_SETTING;
        suite.set_env(name, value);
    }
    suite.start_all();
    assert!(suite.wait_until_up(
        &["web", "sync-worker", "notifier", "janitor"],
        Duration::from_secs(20)
    ));
    assert!(suite.wait_for_web(Duration::from_secs(10)));
    let _ = http().get(suite.url("/")).send();
    std::thread::sleep(Duration::from_secs(5));
    ["web", "sync-worker", "notifier", "janitor"]
        .into_iter()
        .map(|service| rss_kib(suite.process(service).child.id()).unwrap_or(0))
        .collect()
}

fn time_to_health() {
    let mut suite = Suite::new();
    suite.set_env("RUST_LOG", "warn");
    // First start creates and migrates the database; the second is measured.
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(20)));
    suite.signal(
        "web",
        nix::sys::signal::Signal::SIGTERM,
        Duration::from_secs(10),
    );

    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let mut samples = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        suite.start("web");
        loop {
            let answered = client
                .get(suite.url("/api/health"))
                .send()
                .is_ok_and(|r| r.status().is_success());
            if answered {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "web answers");
            std::thread::sleep(Duration::from_millis(2));
        }
        samples.push(started.elapsed());
        suite.signal(
            "web",
            nix::sys::signal::Signal::SIGTERM,
            Duration::from_secs(10),
        );
    }
    samples.sort();
    println!(
        "web: first /api/health answer after start on an existing database: median {} ms, worst {} ms (goal < 300 ms)",
        samples[samples.len() / 2].as_millis(),
        samples[samples.len() - 1].as_millis()
    );
}

/// Size of the database of the backup benchmark.
const BACKUP_BENCH_MB: usize = 500;

/// Copies `from` to `to` and flushes it to disk, as a backup does.
fn timed_copy(from: &std::path::Path, to: &std::path::Path) -> (Duration, Duration) {
    let started = Instant::now();
    std::fs::copy(from, to).expect("copy");
    let copied = started.elapsed();
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .expect("fsync");
    let synced = started.elapsed();
    std::fs::remove_file(to).expect("remove the copy");
    (copied, synced)
}

/// The `duration_ms` of the first log line containing `message`.
fn logged_ms(log: &str, message: &str) -> Option<u64> {
    log.lines()
        .find(|line| line.contains(message))?
        .split("duration_ms=")
        .nth(1)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A backup (online backup API, integrity check, checksum, fsync) and a
/// restore (verify, pre-restore backup, copy into the live database) by
/// the CLI, each next to a plain copy of the same file.
fn backup_vs_copy() {
    let mut suite = Suite::new();
    suite.set_env("RUST_LOG", "info");
    assert!(suite.ctl(&["db", "migrate"]).status.success());

    // About 500 MB of random blobs in a scratch table, in a few transactions.
    let mut conn = suite.bills();
    conn.execute_batch("CREATE TABLE bench_blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        .expect("scratch table");
    for _ in 0..BACKUP_BENCH_MB / 100 {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("tx");
        tx.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) \
             INSERT INTO bench_blobs (data) SELECT randomblob(1048576) FROM n",
        )
        .expect("fill");
        tx.commit().expect("commit");
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    drop(conn);
    let live = suite.bills_db();
    let size = live.metadata().expect("size").len();
    let scratch = suite.dir.path().join("plain-copy.db");
    println!(
        "backup and restore of a {:.0} MB database (the CLI, release build):",
        size as f64 / 1e6
    );

    let (copy, copy_synced) = timed_copy(&live, &scratch);
    let started = Instant::now();
    let output = suite.ctl(&["backup", "create", "--json"]);
    let backup = started.elapsed();
    assert!(output.status.success(), "backup create failed");
    let created: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let id = created["id"].as_str().expect("id").to_string();
    println!(
        "  plain copy {:.2} s ({:.2} s with fsync); backup {:.2} s  (ratio {:.2} to the copy, {:.2} to the copy with fsync; goal within 2)",
        copy.as_secs_f64(),
        copy_synced.as_secs_f64(),
        backup.as_secs_f64(),
        backup.as_secs_f64() / copy.as_secs_f64(),
        backup.as_secs_f64() / copy_synced.as_secs_f64(),
    );

    let file = suite.data_dir().join("backups").join(&id);
    let (copy, copy_synced) = timed_copy(&file, &scratch);
    let started = Instant::now();
    let output = suite.ctl(&["backup", "restore", &id, "--json"]);
    let restore = started.elapsed();
    assert!(output.status.success(), "backup restore failed");
    let log = String::from_utf8_lossy(&output.stderr);
    let verify_ms = logged_ms(&log, "backup verified").unwrap_or(0);
    let pre_restore_ms = logged_ms(&log, "backup finished").unwrap_or(0);
    let total_ms = logged_ms(&log, "restore finished").unwrap_or(0);
    let copy_in = Duration::from_millis(total_ms.saturating_sub(verify_ms + pre_restore_ms));
    println!(
        "  plain copy {:.2} s ({:.2} s with fsync); restore {:.2} s: verify {:.2} s, pre-restore backup {:.2} s, \
         copy into the live database {:.2} s",
        copy.as_secs_f64(),
        copy_synced.as_secs_f64(),
        restore.as_secs_f64(),
        verify_ms as f64 / 1e3,
        pre_restore_ms as f64 / 1e3,
        copy_in.as_secs_f64(),
    );
    println!(
        "  restore ratio to the copy with fsync: {:.2} in all, {:.2} for the copy into the live database (goal within 2)",
        restore.as_secs_f64() / copy_synced.as_secs_f64(),
        copy_in.as_secs_f64() / copy_synced.as_secs_f64(),
    );
    // The suite's temporary directory (database, backups, copies) goes with it.
}
