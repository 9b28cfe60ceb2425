//! The foundation benchmark: queue throughput across processes next to a
//! plain rusqlite loop doing the same write transactions, idle memory of
//! each process, the web process's time to its first health answer, and a
//! backup and a restore of a 500 MB database next to a plain file copy
//! (`bench backup` runs only that one).
//!
//! Run with `make bench` (release binaries). Not a test: it prints figures.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use billtracker_integration_tests::{Suite, bin, http, probe_prefix, probe_rows};
use rusqlite::{Connection, TransactionBehavior, params};

const JOBS: usize = 5_000;

/// `pass` or `FAIL`, printed beside each goal.
fn verdict(met: bool) -> &'static str {
    if met { "pass" } else { "FAIL" }
}

fn main() {
    // `bench backup` and `bench queue` run only that benchmark.
    match std::env::args().nth(1).as_deref() {
        Some("backup") => return backup_vs_copy(),
        Some("queue") => return queue_vs_plain_loop(),
        _ => {}
    }
    println!("BillTracker foundation benchmark ({JOBS} jobs)\n");
    queue_vs_plain_loop();
    println!();

    idle_memory();
    println!();
    time_to_health();
    println!();
    backup_vs_copy();
}

fn queue_vs_plain_loop() {
    let plain = plain_loop(JOBS);
    println!(
        "plain rusqlite loop (4 write transactions per job, WAL, synchronous=NORMAL): {plain:.0} jobs/s"
    );
    println!(
        "queue across processes (pushed by the CLI, handled by a sync worker, until every job is Done in queue.db):"
    );
    for concurrency in [None, Some("16")] {
        let (label, queue, pushed) = queue_throughput(JOBS, concurrency);
        let ratio = queue / plain;
        println!(
            "  WORKER_CONCURRENCY={label:<12} {queue:>6.0} jobs/s ({} goal >= 1000)  ratio to the plain loop {ratio:.2} ({} goal >= 0.25)  (the CLI queued them in {})",
            verdict(queue >= 1000.0),
            verdict(ratio >= 0.25),
            secs(pushed),
        );
    }
}

/// The worker concurrency when `WORKER_CONCURRENCY` is unset, from the
/// sync worker's `--help`.
fn default_concurrency() -> String {
    let output = Command::new(bin("billtracker-sync-worker"))
        .arg("--help")
        .output()
        .expect("run the sync worker's --help");
    let help = String::from_utf8_lossy(&output.stdout);
    help.split("--worker-concurrency")
        .nth(1)
        .and_then(|rest| rest.split("[default: ").nth(1))
        .and_then(|rest| rest.split(']').next())
        .unwrap_or("?")
        .to_string()
}

/// All and `Done` jobs of the queue whose payload holds `prefix`.
fn job_counts(conn: &Connection, prefix: &str) -> (i64, i64) {
    conn.query_row(
        r#"
        SELECT count(*), coalesce(sum(status = 'Done'), 0)
        FROM Jobs
        WHERE CAST(job AS TEXT) LIKE '%' || ?1 || '%'
        "#,
        [prefix],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("count the probe's jobs")
}

/// Jobs per second pushed by the CLI and handled by a sync worker in
/// another process, until the queue has acknowledged every job as `Done`
/// (as the plain loop's last write marks it done). With `concurrency` unset
/// the worker runs at its default; returns the setting's label, the rate
/// and how long the CLI took to queue the jobs.
fn queue_throughput(jobs: usize, concurrency: Option<&str>) -> (String, f64, Duration) {
    let mut suite = Suite::new();
    suite.set_env("RUST_LOG", "warn");
    let label = match concurrency {
        Some(value) => {
            suite.set_env("WORKER_CONCURRENCY", value);
            value.to_string()
        }
        None => format!("{} (default)", default_concurrency()),
    };
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
    let pushed = started.elapsed();
    let prefix = probe_prefix(&output);
    let queue = suite.queue();

    let deadline = started + Duration::from_secs(300);
    loop {
        if job_counts(&queue, &prefix) == (jobs as i64, jobs as i64) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "every probe job is Done within 5 minutes"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let rate = jobs as f64 / started.elapsed().as_secs_f64();

    // The handler's rows are there too: each job ran its write.
    assert_eq!(probe_rows(&suite.bills(), &prefix), jobs as i64);
    (label, rate, pushed)
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
        let mb = kib as f64 / 1024.0;
        println!(
            "  {service:<12} {mb:>6.1} MB  ({:.1} MB)  ({} goal < {goal} MB)",
            default_kib as f64 / 1024.0,
            verdict(kib > 0 && mb < goal as f64),
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
    let worst = samples[samples.len() - 1];
    println!(
        "web: first /api/health answer after start on an existing database, 5 starts: median {} ms, worst {} ms ({} goal < 300 ms on every start)",
        samples[samples.len() / 2].as_millis(),
        worst.as_millis(),
        verdict(worst < Duration::from_millis(300)),
    );
}

/// Size of the database of the backup benchmark.
const BACKUP_BENCH_MB: usize = 500;

/// Rounds of a plain copy then a backup (and of a copy then a restore),
/// alternating so that neither always runs first; medians are reported.
const ROUNDS: usize = 3;

/// The page cache state every timed run of the backup benchmark starts in.
#[derive(Clone, Copy, PartialEq)]
enum Cache {
    /// Emptied (`/proc/sys/vm/drop_caches`, needs root outside a container).
    Cold,
    /// The files read once before, where the cache cannot be dropped.
    Warm,
}

impl Cache {
    fn detect() -> Cache {
        if drop_page_cache() {
            Cache::Cold
        } else {
            Cache::Warm
        }
    }

    /// Brings the cache to this state for a run reading `files`.
    fn prepare(self, files: &[&Path]) {
        match self {
            Cache::Cold => assert!(drop_page_cache(), "the page cache can be dropped"),
            Cache::Warm => {
                for file in files {
                    let mut reader = std::fs::File::open(file).expect("open to warm the cache");
                    std::io::copy(&mut reader, &mut std::io::sink()).expect("read");
                }
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Cache::Cold => "page cache dropped before every run",
            Cache::Warm => {
                "page cache warmed by a throwaway read before every run (dropping it is not allowed here)"
            }
        }
    }
}

/// Writes dirty pages out, then asks the kernel to drop its clean caches.
fn drop_page_cache() -> bool {
    let synced = Command::new("sync").status().is_ok_and(|s| s.success());
    synced && std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// Copies `from` to `to` and flushes it to disk, as a backup does; returns
/// the time of the copy alone and with the flush.
fn timed_copy(from: &Path, to: &Path) -> (Duration, Duration) {
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

/// Runs the CLI and times it; panics when it fails.
fn timed_ctl(suite: &Suite, args: &[&str]) -> (Duration, std::process::Output) {
    let started = Instant::now();
    let output = suite.ctl(args);
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "`billtracker {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    (elapsed, output)
}

/// The `field` (milliseconds) of the first log line containing `message`.
fn logged(log: &str, message: &str, field: &str) -> Duration {
    let ms = log
        .lines()
        .find(|line| line.contains(message))
        .and_then(|line| line.split(&format!("{field}=")).nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in the log line \"{message}\":\n{log}"));
    Duration::from_millis(ms)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The median of each column of `rows`.
fn medians<const N: usize>(rows: &[[Duration; N]]) -> [Duration; N] {
    std::array::from_fn(|i| median(rows.iter().map(|row| row[i]).collect()))
}

fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// A backup (online backup API, integrity check, checksum, fsync) and a
/// restore (verify, pre-restore backup, copy into the live database) by
/// the CLI, each next to a plain copy of the same file with fsync.
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
    let cache = Cache::detect();
    println!(
        "backup and restore of a {:.0} MB database by the CLI (release build): {ROUNDS} alternating rounds each, medians; {}",
        size as f64 / 1e6,
        cache.describe()
    );

    // [copy, copy with fsync, backup, its online copy, then side by side:
    // integrity check, checksum, fsync]
    let mut rounds = Vec::new();
    let mut id = String::new();
    for _ in 0..ROUNDS {
        cache.prepare(&[&live]);
        let (copy, copy_synced) = timed_copy(&live, &scratch);
        cache.prepare(&[&live]);
        let (backup, output) = timed_ctl(&suite, &["backup", "create", "--json"]);
        let created: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        id = created["id"].as_str().expect("id").to_string();
        let log = String::from_utf8_lossy(&output.stderr);
        rounds.push([
            copy,
            copy_synced,
            backup,
            logged(&log, "backup finished", "copy_ms"),
            logged(&log, "backup finished", "check_ms"),
            logged(&log, "backup finished", "checksum_ms"),
            logged(&log, "backup finished", "sync_ms"),
        ]);
    }
    let [copy, copy_synced, backup, online, check, checksum, sync] = medians(&rounds);
    let ratio = backup.as_secs_f64() / copy_synced.as_secs_f64();
    println!(
        "  plain copy of the live database  {} ({} with fsync)",
        secs(copy),
        secs(copy_synced)
    );
    println!(
        "  backup                           {}: online copy {}, then side by side integrity check {}, checksum {}, fsync {}",
        secs(backup),
        secs(online),
        secs(check),
        secs(checksum),
        secs(sync)
    );
    println!(
        "  backup / copy with fsync: {ratio:.2} ({} goal within 2x); / copy without fsync: {:.2}",
        verdict(ratio <= 2.0),
        backup.as_secs_f64() / copy.as_secs_f64()
    );

    // [copy, copy with fsync, restore, verify and pre-restore backup side
    // by side, verify, pre-restore backup, the rest, its online copy]
    let file = suite.data_dir().join("backups").join(&id);
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        cache.prepare(&[&file]);
        let (copy, copy_synced) = timed_copy(&file, &scratch);
        cache.prepare(&[&file, &live]);
        let (restore, output) = timed_ctl(&suite, &["backup", "restore", &id, "--json"]);
        let log = String::from_utf8_lossy(&output.stderr);
        let prepare = logged(&log, "restore finished", "prepare_ms");
        let total = logged(&log, "restore finished", "duration_ms");
        rounds.push([
            copy,
            copy_synced,
            restore,
            prepare,
            logged(&log, "backup verified", "duration_ms"),
            // The pre-restore backup is the one backup a restore takes.
            logged(&log, "backup finished", "duration_ms"),
            total.saturating_sub(prepare),
            logged(&log, "restore finished", "copy_ms"),
        ]);
    }
    let [
        copy,
        copy_synced,
        restore,
        prepare,
        verify,
        pre_restore,
        copy_in,
        online,
    ] = medians(&rounds);
    let ratio = restore.as_secs_f64() / copy_synced.as_secs_f64();
    let copy_in_ratio = copy_in.as_secs_f64() / copy_synced.as_secs_f64();
    println!(
        "  plain copy of the backup file    {} ({} with fsync)",
        secs(copy),
        secs(copy_synced)
    );
    println!(
        "  restore                          {}: verify {} and pre-restore backup {} side by side {}, then the copy into the live database and the rest {} (of which the online copy {})",
        secs(restore),
        secs(verify),
        secs(pre_restore),
        secs(prepare),
        secs(copy_in),
        secs(online)
    );
    println!(
        "  restore / copy with fsync: {ratio:.2} in all ({} goal within 2x); the copy into the live database and the rest alone {copy_in_ratio:.2} ({})",
        verdict(ratio <= 2.0),
        verdict(copy_in_ratio <= 2.0)
    );
    // The suite's temporary directory (database, backups, copies) goes with it.
}
