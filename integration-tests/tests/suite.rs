//! The four processes on one data directory: start-up together, status,
//! the web answers, and restarts of single processes.

use std::time::Duration;

use billtracker_integration_tests::{Suite, http, probe_prefix, probe_rows, wait_for};
use nix::sys::signal::Signal;

#[test]
fn four_processes_started_at_once_on_an_empty_directory_migrate_exactly_once() {
    let mut suite = Suite::new();
    suite.start_all();

    assert!(
        suite.wait_until_up(
            &["web", "sync-worker", "notifier", "janitor"],
            Duration::from_secs(10)
        ),
        "every heartbeat should be visible to `billtracker status` within seconds:\n{}",
        suite.all_logs()
    );

    let logs = suite.all_logs();
    assert_eq!(
        logs.matches("applied migration 0001").count(),
        1,
        "the first migration must be applied by exactly one process:\n{logs}"
    );
    assert_eq!(
        logs.matches("schema is current at version").count(),
        4,
        "{logs}"
    );
    assert!(!logs.contains("panicked"), "{logs}");

    let recorded: i64 = suite
        .bills()
        .query_row(
            "SELECT count(*) FROM schema_migrations WHERE version = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(recorded, 1);

    let status = suite.ctl(&["status"]);
    assert!(status.status.success(), "status exits 0 when all are up");
    let text = String::from_utf8_lossy(&status.stdout);
    for service in ["web", "sync-worker", "notifier", "janitor"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(service) && l.contains(" up ")),
            "{service} is not shown up:\n{text}"
        );
    }
}

#[test]
fn the_web_process_serves_the_app_and_reports_its_version() {
    let mut suite = Suite::new();
    suite.start("web");
    assert!(
        suite.wait_for_web(Duration::from_secs(10)),
        "{}",
        suite.all_logs()
    );
    let client = http();

    let get = client.get(suite.url("/")).send().unwrap();
    assert_eq!(get.status(), 200);
    assert!(
        get.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(get.text().unwrap().contains("BillTracker"));

    let head = client.head(suite.url("/")).send().unwrap();
    assert_eq!(head.status(), 200);

    let deep = client.get(suite.url("/bills/42")).send().unwrap();
    assert_eq!(deep.status(), 200, "any non-API path falls back to the app");

    let about: serde_json::Value = client
        .get(suite.url("/api/about"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(about["name"], "BillTracker");
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"));

    let missing = client.get(suite.url("/api/no-such-thing")).send().unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().unwrap();
    assert_eq!(body["error"]["code"], "NOT_FOUND");

    let openapi: serde_json::Value = client
        .get(suite.url("/api/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3."));
    assert!(openapi["paths"]["/api/about"]["get"].is_object());
}

#[test]
fn restarting_any_one_process_leaves_the_others_serving() {
    let mut suite = Suite::new();
    suite.start_all();
    assert!(suite.wait_until_up(
        &["web", "sync-worker", "notifier", "janitor"],
        Duration::from_secs(10)
    ));
    let client = http();

    for service in ["sync-worker", "notifier", "janitor", "web"] {
        let status = suite.signal(service, Signal::SIGTERM, Duration::from_secs(15));
        assert!(
            status.success(),
            "{service} exits 0 on SIGTERM: {status:?}\n{}",
            suite.logs(service)
        );

        // While it is down, the others keep working.
        if service != "web" {
            let health = client.get(suite.url("/api/health")).send().unwrap();
            assert_eq!(health.status(), 200, "web serves while {service} is down");
        }
        for queue in ["sync", "notify", "maintenance"] {
            let consumer = match queue {
                "sync" => "sync-worker",
                "notify" => "notifier",
                _ => "janitor",
            };
            if consumer == service {
                continue;
            }
            let probe = suite.ctl(&[
                "queue", "probe", "--queue", queue, "--count", "5", "--wait", "20",
            ]);
            assert!(
                probe.status.success(),
                "{queue} jobs are handled while {service} is down: {}",
                String::from_utf8_lossy(&probe.stderr)
            );
        }

        suite.start(service);
        assert!(
            suite.wait_until_up(&[service], Duration::from_secs(10)),
            "{service} comes back:\n{}",
            suite.logs(service)
        );
    }
    assert!(suite.wait_for_web(Duration::from_secs(10)));
}

#[test]
fn status_reports_a_stopped_service_as_down_and_exits_1() {
    let mut suite = Suite::new();
    suite.start("web");
    suite.start("janitor");
    assert!(suite.wait_until_up(&["web", "janitor"], Duration::from_secs(10)));
    wait_for(Duration::from_secs(10), || {
        let report = suite.ctl_json(&["status", "--json"]);
        (!report["last_integrity_check"].is_null()).then_some(())
    })
    .expect("the janitor checks the database at start");
    suite.signal("janitor", Signal::SIGTERM, Duration::from_secs(15));

    let output = suite.ctl(&["status", "--json"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "status exits 1 when a service is not up"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let state = |name: &str| {
        report["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == name)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state("web"), "up");
    assert_eq!(state("janitor"), "down");
    assert_eq!(state("notifier"), "down", "never started");

    let check = report["last_integrity_check"].clone();
    assert_eq!(check["ok"], true, "{report}");
    assert_eq!(check["result"], "ok");

    let health = suite.ctl(&["health", "web"]);
    assert!(health.status.success());
    let health = suite.ctl(&["health", "janitor"]);
    assert_eq!(health.status.code(), Some(1));
}

#[test]
fn integrity_check_passes_while_jobs_run() {
    let mut suite = Suite::new();
    suite.start("sync-worker");
    suite.start("notifier");
    assert!(suite.wait_until_up(&["sync-worker", "notifier"], Duration::from_secs(10)));

    let sync = suite.ctl(&["queue", "probe", "--queue", "sync", "--count", "1500"]);
    let notify = suite.ctl(&["queue", "probe", "--queue", "notify", "--count", "1500"]);
    let (sync, notify) = (probe_prefix(&sync), probe_prefix(&notify));

    let conn = suite.bills();
    let mut checks = 0;
    let mut seen_midway = false;
    wait_for(Duration::from_secs(60), || {
        let result: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(result, "ok");
        // The runbook's command, with the sqlite3 shell, against the live file.
        let shell = std::process::Command::new("sqlite3")
            .arg(suite.bills_db())
            .arg("PRAGMA integrity_check;")
            .output()
            .expect("the sqlite3 shell is installed (.ci/run installs it)");
        assert_eq!(String::from_utf8_lossy(&shell.stdout).trim(), "ok");
        checks += 1;
        let done = probe_rows(&conn, &sync) + probe_rows(&conn, &notify);
        if done > 0 && done < 3000 {
            seen_midway = true;
        }
        (done == 3000).then_some(())
    })
    .expect("all probes handled");
    assert!(seen_midway, "the checks ran while jobs were being handled");
    assert!(checks > 3);

    // The operator's command gives the same answer.
    let output = suite.ctl(&["db", "check"]);
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
}

/// A service's state in `billtracker status --json`, and the exit code.
fn service_state(suite: &Suite, service: &str) -> (String, Option<i32>) {
    let output = suite.ctl(&["status", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let state = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == service)
        .unwrap()["state"]
        .as_str()
        .unwrap()
        .to_string();
    (state, output.status.code())
}

/// The state column of a service's line in the readable `billtracker status`.
fn service_state_in_text(suite: &Suite, service: &str) -> String {
    let output = suite.ctl(&["status"]);
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    text.lines()
        .find(|l| l.split_whitespace().next() == Some(service))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_else(|| panic!("no {service} line in:\n{text}"))
        .to_string()
}

#[test]
fn a_paused_worker_shows_stale_then_down_and_up_again_once_it_resumes() {
    // The suite beats every second: up within 3 s of the last beat, stale
    // within 12 s, down after that (shared/src/status.rs).
    let mut suite = Suite::new();
    suite.start("notifier");
    assert!(suite.wait_until_up(&["notifier"], Duration::from_secs(10)));
    assert!(suite.ctl(&["health", "notifier"]).status.success());

    suite.send("notifier", Signal::SIGSTOP);

    let stale = wait_for(Duration::from_secs(8), || {
        let (state, code) = service_state(&suite, "notifier");
        (state != "up").then_some((state, code))
    });
    assert_eq!(
        stale,
        Some(("stale".to_string(), Some(1))),
        "a paused worker turns stale first, and status exits 1"
    );
    assert_eq!(service_state_in_text(&suite, "notifier"), "stale");
    let health = suite.ctl(&["health", "notifier"]);
    assert_eq!(health.status.code(), Some(1), "health fails while stale");
    assert!(String::from_utf8_lossy(&health.stdout).contains("stale"));

    let down = wait_for(Duration::from_secs(14), || {
        let (state, code) = service_state(&suite, "notifier");
        (state == "down").then_some(code)
    });
    assert_eq!(
        down,
        Some(Some(1)),
        "a worker silent for twelve intervals is down"
    );
    assert_eq!(service_state_in_text(&suite, "notifier"), "down");
    assert_eq!(suite.ctl(&["health", "notifier"]).status.code(), Some(1));

    suite.send("notifier", Signal::SIGCONT);
    assert!(
        suite.wait_until_up(&["notifier"], Duration::from_secs(5)),
        "the resumed worker beats again:\n{}",
        suite.logs("notifier")
    );
    assert_eq!(service_state_in_text(&suite, "notifier"), "up");
    assert!(suite.ctl(&["health", "notifier"]).status.success());
    let probe = suite.ctl(&[
        "queue", "probe", "--queue", "notify", "--count", "3", "--wait", "15",
    ]);
    assert!(
        probe.status.success(),
        "the resumed worker handles jobs again:\n{}",
        suite.logs("notifier")
    );
}
