//! Retry with backoff across processes: a job that fails is retried by its
//! worker after a growing pause, and one that keeps failing ends failed with
//! its last error kept for the operator.

use std::time::Duration;

use billtracker_integration_tests::{Suite, probe_rows, wait_for};
use jiff::Timestamp;

/// Attempts of a job that always fails: the first run and the three
/// retries of the workers' retry policy (`shared/src/worker.rs`).
const ATTEMPTS_OF_A_FAILING_JOB: i64 = 4;

/// Queues one probe per `fail_first` value while no worker runs, makes each
/// fail that many attempts, and returns the job ids in the same order.
fn queue_failing_probes(suite: &Suite, fail_first: &[u32]) -> Vec<String> {
    let count = fail_first.len().to_string();
    let output = suite.ctl(&["queue", "probe", "--queue", "notify", "--count", &count]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let jobs = suite.ctl_json(&[
        "queue", "list", "--queue", "notify", "--state", "pending", "--json",
    ]);
    let mut jobs: Vec<(String, String)> = jobs
        .as_array()
        .expect("a list of jobs")
        .iter()
        .map(|job| {
            let payload: serde_json::Value =
                serde_json::from_str(job["payload"].as_str().expect("a payload")).unwrap();
            (
                payload["key"].as_str().unwrap().to_string(),
                job["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    jobs.sort();
    assert_eq!(jobs.len(), fail_first.len());

    // The CLI queues plain probes; the payload field is what a job carries.
    let queue = suite.queue();
    for ((_, id), failures) in jobs.iter().zip(fail_first) {
        let changed = queue
            .execute(
                r#"
                UPDATE Jobs
                SET job = CAST(json_set(CAST(job AS TEXT), '$.fail_first', ?2) AS BLOB)
                WHERE id = ?1
                "#,
                rusqlite::params![id, failures],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }
    jobs.into_iter().map(|(_, id)| id).collect()
}

/// When each attempt of a job started, from the worker's JSON log lines.
fn attempt_starts(logs: &str, id: &str) -> Vec<(i64, Timestamp)> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["message"] == "job started" && line["span"]["job.id"] == id)
        .map(|line| {
            let attempt = line["span"]["job.attempt"].as_i64().expect("an attempt");
            let at: Timestamp = line["timestamp"].as_str().unwrap().parse().unwrap();
            (attempt, at)
        })
        .collect()
}

fn gaps(starts: &[(i64, Timestamp)]) -> Vec<Duration> {
    starts
        .windows(2)
        .map(|pair| Duration::try_from(pair[1].1.duration_since(pair[0].1)).unwrap())
        .collect()
}

fn show(suite: &Suite, id: &str) -> serde_json::Value {
    suite.ctl_json(&["queue", "show", id, "--json"])
}

#[test]
fn a_job_that_fails_once_is_retried_after_a_backoff_and_completes() {
    let mut suite = Suite::new();
    assert!(suite.ctl(&["db", "migrate"]).status.success());
    let ids = queue_failing_probes(&suite, &[1]);
    let id = &ids[0];

    suite.set_env("LOG_FORMAT", "json");
    suite.start("notifier");
    let job = wait_for(Duration::from_secs(30), || {
        Some(show(&suite, id)).filter(|job| job["state"] == "done")
    })
    .unwrap_or_else(|| {
        panic!(
            "the job completes on its retry: {}\n{}",
            show(&suite, id),
            suite.logs("notifier")
        )
    });

    assert_eq!(job["attempts"], 2, "{job}");
    let key_prefix = serde_json::from_str::<serde_json::Value>(job["payload"].as_str().unwrap())
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .rsplit_once('-')
        .unwrap()
        .0
        .to_string();
    assert_eq!(
        probe_rows(&suite.bills(), &key_prefix),
        1,
        "the retry had the effect"
    );

    let logs = suite.logs("notifier");
    let starts = attempt_starts(&logs, id);
    assert_eq!(
        starts.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
        [1, 2],
        "{logs}"
    );
    let gap = gaps(&starts)[0];
    // The first backoff is one second plus up to half of it as jitter.
    assert!(
        gap >= Duration::from_millis(950) && gap < Duration::from_secs(3),
        "the retry waited {gap:?}"
    );
    assert!(
        logs.lines()
            .any(|l| l.contains("job failed") && l.contains("fails on purpose")),
        "the failure is logged with its cause:\n{logs}"
    );
}

#[test]
fn a_job_that_keeps_failing_ends_failed_with_its_last_error_after_growing_pauses() {
    let mut suite = Suite::new();
    assert!(suite.ctl(&["db", "migrate"]).status.success());
    let ids = queue_failing_probes(&suite, &[u32::MAX]);
    let id = &ids[0];

    suite.set_env("LOG_FORMAT", "json");
    suite.start("notifier");
    let job = wait_for(Duration::from_secs(40), || {
        Some(show(&suite, id)).filter(|job| job["state"] == "failed")
    })
    .unwrap_or_else(|| {
        panic!(
            "the job ends failed: {}\n{}",
            show(&suite, id),
            suite.logs("notifier")
        )
    });

    assert_eq!(job["attempts"], ATTEMPTS_OF_A_FAILING_JOB, "{job}");
    let last = job["last_result"].as_str().unwrap_or_default();
    assert!(
        last.contains("fails on purpose") && last.contains("attempt 4"),
        "the last error is kept: {job}"
    );
    assert_eq!(
        probe_rows(&suite.bills(), "probe"),
        0,
        "a failed attempt leaves no effect"
    );

    let logs = suite.logs("notifier");
    let starts = attempt_starts(&logs, id);
    assert_eq!(
        starts.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
        [1, 2, 3, 4],
        "no attempt past the retries:\n{logs}"
    );
    // Exponential backoff from one second, with up to 50% jitter.
    let gaps = gaps(&starts);
    for (gap, base) in gaps.iter().zip([1, 2, 4]) {
        let base = Duration::from_secs(base);
        assert!(
            *gap >= base.mul_f64(0.95) && *gap < base.mul_f64(1.5) + Duration::from_secs(1),
            "pauses grow from one second: {gaps:?}"
        );
    }

    // It stays failed: nothing picks it up again.
    std::thread::sleep(Duration::from_secs(2));
    let again = show(&suite, id);
    assert_eq!(
        (again["state"].clone(), again["attempts"].clone()),
        (
            serde_json::json!("failed"),
            serde_json::json!(ATTEMPTS_OF_A_FAILING_JOB)
        )
    );
}
