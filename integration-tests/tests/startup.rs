//! What a process says and does when it starts: it refuses a database
//! written by a newer release, and it logs in the format the operator chose.

use std::time::Duration;

use billtracker_integration_tests::{SERVICES, Suite, wait_for};
use jiff::Timestamp;
use nix::sys::signal::Signal;

const LEVELS: [&str; 5] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

#[test]
fn every_process_refuses_a_database_newer_than_it_knows_and_names_both_versions() {
    let mut suite = Suite::new();
    assert!(suite.ctl(&["db", "migrate"]).status.success());
    let known = suite.ctl_json(&["db", "version", "--json"])["binary"]
        .as_i64()
        .expect("the binary's schema version");
    let found = known + 1;
    // Recorded the way the migration runner records an applied migration.
    suite
        .bills()
        .execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, 'from_a_newer_release', ?2)",
            rusqlite::params![found, "0".repeat(64)],
        )
        .unwrap();

    for (service, binary) in SERVICES {
        suite.start(service);
        let status = wait_for(Duration::from_secs(15), || {
            suite.process(service).child.try_wait().ok().flatten()
        })
        .unwrap_or_else(|| panic!("{binary} keeps running on a newer schema"));
        let logs = suite.logs(service);

        assert!(!status.success(), "{binary} exits with an error: {logs}");
        assert_eq!(status.code(), Some(3), "{binary}: {logs}");
        assert!(
            logs.contains(&format!("at version {found}"))
                && logs.contains(&format!("newer than this binary knows ({known})")),
            "{binary} names both versions:\n{logs}"
        );
        assert!(
            !logs.contains("panicked") && !logs.contains("RUST_BACKTRACE"),
            "{binary} stops without a panic:\n{logs}"
        );
    }

    // Nothing was changed: the schema is still the newer one, with no backup.
    let version: i64 = suite
        .bills()
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, found);
    let backups = std::fs::read_dir(suite.data_dir().join("backups"))
        .map(|entries| entries.count())
        .unwrap_or(0);
    assert_eq!(backups, 0, "no pre-upgrade backup of a newer schema");
}

/// Starts the sync worker, has it run a job, stops it, and returns its log.
fn log_of_a_worker_run(suite: &mut Suite) -> String {
    suite.start("sync-worker");
    assert!(
        suite.wait_until_up(&["sync-worker"], Duration::from_secs(10)),
        "{}",
        suite.logs("sync-worker")
    );
    let probe = suite.ctl(&[
        "queue", "probe", "--queue", "sync", "--count", "2", "--wait", "20",
    ]);
    assert!(probe.status.success());
    let status = suite.signal("sync-worker", Signal::SIGTERM, Duration::from_secs(15));
    assert!(status.success());
    suite.logs("sync-worker")
}

#[test]
fn with_log_format_json_every_line_is_a_json_object_with_a_timestamp_and_a_level() {
    let mut suite = Suite::new();
    suite.set_env("LOG_FORMAT", "json");
    let logs = log_of_a_worker_run(&mut suite);

    let lines: Vec<&str> = logs.lines().collect();
    assert!(lines.len() >= 6, "start, jobs and stop are logged:\n{logs}");
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}\n--- whole log:\n{logs}"));
        let object = value
            .as_object()
            .unwrap_or_else(|| panic!("not an object: {line}"));
        let timestamp = object["timestamp"]
            .as_str()
            .unwrap_or_else(|| panic!("no timestamp: {line}"));
        timestamp
            .parse::<Timestamp>()
            .unwrap_or_else(|e| panic!("timestamp {timestamp} is not RFC 3339 ({e})"));
        let level = object["level"]
            .as_str()
            .unwrap_or_else(|| panic!("no level: {line}"));
        assert!(LEVELS.contains(&level), "unknown level {level}: {line}");
    }

    let messages: Vec<String> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["message"].as_str().map(String::from))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("starting billtracker-sync-worker"))
            && messages.iter().any(|m| m == "job finished"),
        "the start and the jobs are in the JSON log:\n{logs}"
    );
}

#[test]
fn by_default_the_log_is_readable_text_with_a_timestamp_and_level_on_every_line() {
    let mut suite = Suite::new();
    suite.env.retain(|(name, _)| name != "LOG_FORMAT");
    let logs = log_of_a_worker_run(&mut suite);

    let lines: Vec<&str> = logs.lines().collect();
    assert!(lines.len() >= 6, "start, jobs and stop are logged:\n{logs}");
    for line in &lines {
        assert!(
            !line.starts_with('{'),
            "JSON without LOG_FORMAT=json: {line}"
        );
        let mut words = line.split_whitespace();
        let timestamp = words.next().unwrap_or_default();
        timestamp
            .parse::<Timestamp>()
            .unwrap_or_else(|e| panic!("no RFC 3339 timestamp first ({e}): {line}"));
        let level = words.next().unwrap_or_default();
        assert!(LEVELS.contains(&level), "no level after the time: {line}");
        assert!(
            !line.contains('\u{1b}'),
            "no colour codes in a file: {line}"
        );
    }
    assert!(
        logs.contains("starting billtracker-sync-worker"),
        "the start is in words:\n{logs}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("job finished") && l.contains("duration_ms=")),
        "a finished job reads as text with its duration:\n{logs}"
    );
}

/// The line that announces the process, as the text format writes it.
fn start_line(logs: &str) -> Option<&str> {
    logs.lines()
        .find(|l| l.contains("starting billtracker-sync-worker"))
}

#[test]
fn with_rust_log_warn_a_worker_runs_without_its_info_lines() {
    let mut suite = Suite::new();
    suite.set_env("RUST_LOG", "warn");
    let logs = log_of_a_worker_run(&mut suite);

    assert_eq!(start_line(&logs), None, "the start is at info:\n{logs}");
    for line in logs.lines() {
        let level = line.split_whitespace().nth(1).unwrap_or_default();
        assert!(
            level == "WARN" || level == "ERROR",
            "only warnings and errors pass RUST_LOG=warn: {line}"
        );
    }
}

#[test]
fn without_rust_log_a_worker_logs_its_start_at_info_with_a_timestamp() {
    let mut suite = Suite::new();
    suite.env.retain(|(name, _)| name != "RUST_LOG");
    let logs = log_of_a_worker_run(&mut suite);

    let line = start_line(&logs).unwrap_or_else(|| panic!("no start line:\n{logs}"));
    let mut words = line.split_whitespace();
    let timestamp = words.next().unwrap_or_default();
    timestamp
        .parse::<Timestamp>()
        .unwrap_or_else(|e| panic!("the start line begins with no RFC 3339 time ({e}): {line}"));
    assert_eq!(words.next(), Some("INFO"), "{line}");
    assert!(
        logs.contains("job finished"),
        "jobs are logged at the default level:\n{logs}"
    );
    assert!(
        !logs
            .lines()
            .any(|l| l.split_whitespace().nth(1) == Some("DEBUG")),
        "the default level is info, not debug:\n{logs}"
    );
}

#[test]
fn rust_log_can_raise_one_worker_to_debug() {
    let mut suite = Suite::new();
    suite.set_env("RUST_LOG", "debug");
    let logs = log_of_a_worker_run(&mut suite);

    assert!(
        logs.lines()
            .any(|l| l.contains("DEBUG") && l.contains("effective worker configuration")),
        "the effective configuration is logged at debug:\n{logs}"
    );
}
