//! Backups and restore with the real binaries: a consistent copy while
//! other processes write, a restore that every running process sees, the
//! refusal of uploads that are not backups, the schedule's retention, the
//! pre-upgrade backup, and the CLI with the web process stopped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use billtracker_integration_tests::{Suite, probe_prefix, probe_rows, wait_for};
use nix::sys::signal::Signal;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const ADMIN: &str = "admin";
const PASSWORD: &str = "correct-horse-battery";

/// A signed-in browser with its CSRF token.
struct Browser {
    client: reqwest::blocking::Client,
    csrf: String,
    base: String,
    /// Sent as X-Forwarded-For (the suite trusts it when TRUST_PROXY is set).
    address: Option<String>,
}

impl Browser {
    fn new(suite: &Suite) -> Browser {
        let client = reqwest::blocking::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = suite.url("");
        let token: Value = client
            .get(format!("{base}/api/auth/csrf-token"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        Browser {
            client,
            csrf: token["token"].as_str().unwrap().to_string(),
            base,
            address: None,
        }
    }

    fn signed_in(suite: &Suite, username: &str, password: &str) -> Browser {
        let browser = Browser::new(suite);
        let login = browser.send(
            "POST",
            "/api/auth/login",
            Some(json!({"username": username, "password": password})),
        );
        assert_eq!(login.status(), 200, "{username} signs in");
        browser
    }

    fn request(&self, method: &str, path: &str) -> reqwest::blocking::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf);
        if let Some(address) = &self.address {
            request = request.header("x-forwarded-for", address);
        }
        request
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> reqwest::blocking::Response {
        let request = self.request(method, path);
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
        .send()
        .unwrap()
    }

    fn upload(&self, bytes: Vec<u8>) -> reqwest::blocking::Response {
        let part = reqwest::blocking::multipart::Part::bytes(bytes).file_name("upload.db");
        let form = reqwest::blocking::multipart::Form::new().part("file", part);
        self.request("POST", "/api/admin/backups/import")
            .multipart(form)
            .send()
            .unwrap()
    }
}

fn backups_dir(suite: &Suite) -> PathBuf {
    suite.data_dir().join("backups")
}

/// Every file in a directory with its size, hidden ones included.
fn listing(dir: &Path) -> BTreeSet<(String, u64)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .collect()
}

fn sha256_hex(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// Opens a backup file for reading only.
fn open_backup(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn integrity(conn: &Connection) -> String {
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Checks a backup file as an operator would: SQLite's integrity check,
/// and `sha256sum -c` on its checksum file.
fn assert_sound(suite: &Suite, id: &str) {
    let dir = backups_dir(suite);
    let path = dir.join(id);
    assert_eq!(integrity(&open_backup(&path)), "ok", "{id}");
    let sidecar = std::fs::read_to_string(dir.join(format!("{id}.sha256"))).unwrap();
    assert_eq!(sidecar, format!("{}  {id}\n", sha256_hex(&path)));
    let check = Command::new("sha256sum")
        .arg("-c")
        .arg(format!("{id}.sha256"))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(check.status.success(), "sha256sum -c: {}", text(&check));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(path.metadata().unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_backup_taken_while_other_processes_write_is_consistent() {
    let mut suite = Suite::new();
    suite.start("sync-worker");
    suite.start("notifier");
    assert!(suite.wait_until_up(&["sync-worker", "notifier"], Duration::from_secs(20)));

    // A writer that only ever commits rows in pairs, with some bulk so that
    // the copy takes a moment.
    suite
        .bills()
        .execute_batch(
            "CREATE TABLE test_pairs (pair INTEGER NOT NULL, side TEXT NOT NULL, payload BLOB NOT NULL, \
             PRIMARY KEY (pair, side))",
        )
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let committed = Arc::new(AtomicI64::new(0));
    let writer = {
        let (stop, committed) = (stop.clone(), committed.clone());
        let mut conn = suite.bills();
        std::thread::spawn(move || {
            let mut pair = 0i64;
            while !stop.load(Ordering::Relaxed) {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .unwrap();
                for side in ["a", "b"] {
                    tx.execute(
                        "INSERT INTO test_pairs (pair, side, payload) VALUES (?1, ?2, randomblob(16384))",
                        rusqlite::params![pair, side],
                    )
                    .unwrap();
                }
                tx.commit().unwrap();
                pair += 1;
                committed.store(pair, Ordering::Relaxed);
            }
        })
    };
    wait_for(Duration::from_secs(30), || {
        (committed.load(Ordering::Relaxed) >= 1000).then_some(())
    })
    .expect("the writer fills the table");

    let mut prefixes = Vec::new();
    for queue in ["sync", "notify"] {
        let output = suite.ctl(&["queue", "probe", "--queue", queue, "--count", "3000"]);
        assert!(output.status.success(), "{}", text(&output));
        prefixes.push(probe_prefix(&output));
    }
    let bills = suite.bills();
    let handled = |conn: &Connection| -> i64 { prefixes.iter().map(|p| probe_rows(conn, p)).sum() };
    wait_for(Duration::from_secs(30), || {
        (handled(&bills) > 0).then_some(())
    })
    .expect("the workers are handling probes");

    let pairs_before = committed.load(Ordering::Relaxed);
    let probes_before = handled(&bills);
    let output = suite.ctl(&["backup", "create", "--json"]);
    let pairs_after = committed.load(Ordering::Relaxed);
    let probes_after = handled(&bills);
    assert!(output.status.success(), "{}", text(&output));
    let created: Value = serde_json::from_slice(&output.stdout).unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(
        probes_after < 6000,
        "the backup was taken while the workers were still writing"
    );

    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(
        pairs_after > pairs_before,
        "the writer kept committing during the backup ({pairs_before} -> {pairs_after})"
    );

    assert_sound(&suite, &id);
    let copy = open_backup(&backups_dir(&suite).join(&id));
    let unpaired: i64 = copy
        .query_row(
            "SELECT count(*) FROM (SELECT pair FROM test_pairs GROUP BY pair HAVING count(*) != 2)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unpaired, 0, "every pair is whole in the copy");
    let pairs_in_copy: i64 = copy
        .query_row("SELECT count(DISTINCT pair) FROM test_pairs", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        (pairs_before..=pairs_after).contains(&pairs_in_copy),
        "{pairs_before} <= {pairs_in_copy} <= {pairs_after}"
    );
    let probes_in_copy = handled(&copy);
    assert!(
        (probes_before..=probes_after).contains(&probes_in_copy),
        "{probes_before} <= {probes_in_copy} <= {probes_after}"
    );

    let verified = suite.ctl_json(&["backup", "verify", &id, "--json"]);
    assert_eq!(verified["ok"], true, "{verified}");
    wait_for(Duration::from_secs(60), || {
        (handled(&bills) == 6000).then_some(())
    })
    .expect("every probe is handled after the backup");
}

#[test]
fn a_restore_reaches_every_running_process_without_a_restart() {
    let mut suite = Suite::new();
    suite.set_env("ADMIN_USERNAME", ADMIN);
    suite.set_env("ADMIN_PASSWORD", PASSWORD);
    suite.start_all();
    let all = ["web", "sync-worker", "notifier", "janitor"];
    assert!(suite.wait_until_up(&all, Duration::from_secs(20)));
    assert!(suite.wait_for_web(Duration::from_secs(10)));
    let admin = Browser::signed_in(&suite, ADMIN, PASSWORD);

    // A user and probe rows that exist only in the backup.
    let created = admin.send(
        "POST",
        "/api/admin/users",
        Some(
            json!({"username": "only-in-backup", "password": "backup-user-password",
                    "role": "user", "must_change_password": false}),
        ),
    );
    assert_eq!(created.status(), 201);
    let user_id = created.json::<Value>().unwrap()["id"].as_i64().unwrap();
    let kept = suite.ctl(&[
        "queue", "probe", "--queue", "sync", "--count", "5", "--wait", "20",
    ]);
    assert!(kept.status.success(), "{}", text(&kept));
    let kept = probe_prefix(&kept);
    // One probe row per worker that the backup keeps and the live database
    // loses below: its job, delivered again after the restore, finds it.
    let mut readers = Vec::new();
    for queue in ["sync", "notify", "maintenance"] {
        let output = suite.ctl(&[
            "queue", "probe", "--queue", queue, "--count", "1", "--wait", "20",
        ]);
        assert!(output.status.success(), "{}", text(&output));
        readers.push((queue, probe_prefix(&output)));
    }

    let answer = admin.send("POST", "/api/admin/backups", None);
    assert_eq!(answer.status(), 201);
    let backup: Value = answer.json().unwrap();
    let id = backup["id"].as_str().unwrap().to_string();
    assert!(id.ends_with("-manual.db"), "{id}");
    assert_eq!(backup["verified"], true);
    assert_eq!(backup["sha256"].as_str().unwrap().len(), 64);

    // After the backup: the user goes, each worker writes probe rows.
    let deleted = admin.send(
        "DELETE",
        &format!("/api/admin/users/{user_id}"),
        Some(json!({"confirm_username": "only-in-backup"})),
    );
    assert_eq!(deleted.status(), 204);
    for (_, prefix) in &readers {
        let removed = suite
            .bills()
            .execute(
                "DELETE FROM queue_probes WHERE probe_key LIKE ?1 || '-%'",
                [prefix],
            )
            .unwrap();
        assert_eq!(removed, 1);
    }
    let mut later = Vec::new();
    for queue in ["sync", "notify", "maintenance"] {
        let output = suite.ctl(&[
            "queue", "probe", "--queue", queue, "--count", "20", "--wait", "30",
        ]);
        assert!(output.status.success(), "{}", text(&output));
        later.push(probe_prefix(&output));
    }

    let answer = admin.send("POST", &format!("/api/admin/backups/{id}/restore"), None);
    assert_eq!(answer.status(), 200);
    let restored: Value = answer.json().unwrap();
    assert_eq!(restored["restored"], id.as_str());
    let pre_restore = restored["pre_restore_backup"].as_str().unwrap().to_string();
    assert!(pre_restore.ends_with("-pre-restore.db"), "{pre_restore}");

    // Every process sees the restored data at its next query.
    let bills = suite.bills();
    for prefix in &later {
        assert_eq!(
            probe_rows(&bills, prefix),
            0,
            "rows written after the backup are gone"
        );
    }
    assert_eq!(probe_rows(&bills, &kept), 5);

    // Each worker reads the restored data on its next job: the probe it
    // handles again finds the row that only the backup held and counts a
    // second run on it, instead of writing a first one somewhere else.
    for (queue, prefix) in &readers {
        assert_eq!(probe_runs(&bills, prefix), Some(1), "{queue}: restored");
        deliver_again(&suite, prefix);
    }
    for (queue, prefix) in &readers {
        let runs = wait_for(Duration::from_secs(15), || {
            probe_runs(&bills, prefix).filter(|runs| *runs == 2)
        });
        assert_eq!(
            runs,
            Some(2),
            "the {queue} worker saw the restored row, last seen {:?} run(s)",
            probe_runs(&bills, prefix)
        );
        assert_eq!(probe_rows(&bills, prefix), 1);
    }
    for queue in ["sync", "notify", "maintenance"] {
        let output = suite.ctl(&[
            "queue", "probe", "--queue", queue, "--count", "10", "--wait", "30",
        ]);
        assert!(
            output.status.success(),
            "the {queue} worker keeps working after the restore: {}",
            text(&output)
        );
    }
    let health = admin.send("GET", "/api/health", None);
    assert_eq!(health.status(), 200);
    assert_eq!(
        admin.send("GET", "/api/auth/me", None).status(),
        200,
        "a session that exists in the backup stays valid"
    );
    Browser::signed_in(&suite, "only-in-backup", "backup-user-password");
    assert!(
        suite.wait_until_up(&all, Duration::from_secs(10)),
        "Status still sees every process"
    );
    for service in all {
        assert!(
            suite.process(service).child.try_wait().unwrap().is_none(),
            "{service} is still running"
        );
    }

    // The pre-restore backup holds the data from just before.
    assert_sound(&suite, &pre_restore);
    let saved = open_backup(&backups_dir(&suite).join(&pre_restore));
    for prefix in &later {
        assert_eq!(probe_rows(&saved, prefix), 20);
    }
    let users: i64 = saved
        .query_row(
            "SELECT count(*) FROM users WHERE username = 'only-in-backup'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(users, 0);

    let audit: i64 = bills
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'backup.restore' AND target = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audit, 1, "the restore is in the restored audit log");
    let listed = admin
        .send("GET", "/api/admin/backups", None)
        .json::<Value>()
        .unwrap();
    let listed_ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert!(
        listed_ids.contains(&id.as_str()) && listed_ids.contains(&pre_restore.as_str()),
        "{listed}"
    );
}

/// The runs counted on the one probe row of a probe batch.
fn probe_runs(conn: &Connection, prefix: &str) -> Option<i64> {
    conn.query_row(
        "SELECT runs FROM queue_probes WHERE probe_key LIKE ?1 || '-%'",
        [prefix],
        |r| r.get(0),
    )
    .ok()
}

/// Puts the finished job of a one-probe batch back in its queue, as
/// at-least-once delivery may (the same columns `queue retry` resets).
fn deliver_again(suite: &Suite, prefix: &str) {
    let changed = suite
        .queue()
        .execute(
            r#"
            UPDATE Jobs
            SET status = 'Pending',
                attempts = 0,
                run_at = strftime('%s', 'now'),
                lock_by = NULL,
                lock_at = NULL,
                done_at = NULL
            WHERE status = 'Done'
              AND CAST(job AS TEXT) LIKE '%' || ?1 || '%'
            "#,
            [prefix],
        )
        .unwrap();
    assert_eq!(changed, 1, "one finished job of {prefix}");
}

/// A copy of a sound backup with a writable connection, for crafting files.
fn crafted(source: &Path, name: &str, change: impl FnOnce(&Connection)) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(source, &path).unwrap();
    change(&Connection::open(&path).unwrap());
    std::fs::read(&path).unwrap()
}

/// A copy whose index no longer matches its table: the index is filled
/// under another definition, then its recorded definition is put back.
fn failing_integrity(source: &Path) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.db");
    std::fs::copy(source, &path).unwrap();
    let swap = |from: &str, to: &str| {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA writable_schema = ON").unwrap();
        conn.execute(
            "UPDATE sqlite_master SET sql = replace(sql, ?1, ?2) WHERE name = 'audit_log_by_action'",
            [from, to],
        )
        .unwrap();
    };
    swap("(action, at)", "(at, action)");
    let conn = Connection::open(&path).unwrap();
    for i in 0..50 {
        conn.execute(
            "INSERT INTO audit_log (at, action) VALUES (?1, 'test.corrupt')",
            [format!("2026-01-01T00:00:{i:02}.000Z")],
        )
        .unwrap();
    }
    drop(conn);
    swap("(at, action)", "(action, at)");
    std::fs::read(&path).unwrap()
}

#[test]
fn uploads_that_are_not_backups_are_refused_each_for_its_reason_and_change_nothing() {
    let mut suite = Suite::new();
    suite.set_env("ADMIN_USERNAME", ADMIN);
    suite.set_env("ADMIN_PASSWORD", PASSWORD);
    suite.set_env("TRUST_PROXY", "true");
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));
    let mut admin = Browser::signed_in(&suite, ADMIN, PASSWORD);

    let created = suite.ctl_json(&["backup", "create", "--json"]);
    let good = backups_dir(&suite).join(created["id"].as_str().unwrap());
    let good_bytes = std::fs::read(&good).unwrap();
    let latest = suite.ctl_json(&["db", "version", "--json"])["binary"]
        .as_i64()
        .unwrap();

    let other_app = {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("recipes.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO recipes (title) VALUES ('soup')")
            .unwrap();
        std::fs::read(&path).unwrap()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "text",
            b"date,amount\n2026-01-01,12.00\n".repeat(200),
            "NOT_SQLITE",
        ),
        (
            "truncated",
            good_bytes[..good_bytes.len() / 2].to_vec(),
            "TRUNCATED",
        ),
        ("another application's", other_app, "FOREIGN_DATABASE"),
        ("corrupt", failing_integrity(&good), "INTEGRITY_FAILED"),
        (
            "newer",
            crafted(&good, "newer.db", |conn| {
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, 'future', 'x')",
                    [latest + 1],
                )
                .unwrap();
            }),
            "SCHEMA_TOO_NEW",
        ),
    ];

    let dir = backups_dir(&suite);
    let mut messages = BTreeSet::new();
    for (number, (what, bytes, code)) in cases.into_iter().enumerate() {
        // Each from its own address: the limit is 5 per hour per address.
        admin.address = Some(format!("198.51.100.{}", number + 1));
        let before = listing(&dir);
        let answer = admin.upload(bytes);
        assert_eq!(answer.status(), 400, "{what}");
        let body: Value = answer.json().unwrap();
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        let message = body["error"]["message"].as_str().unwrap().to_string();
        assert!(!message.contains(&suite.data_dir().display().to_string()));
        messages.insert(message);
        assert_eq!(listing(&dir), before, "{what}: nothing changes on disk");
    }
    assert_eq!(
        messages.len(),
        5,
        "each refusal has its own message: {messages:?}"
    );

    admin.address = Some("198.51.100.50".into());
    let no_file = admin
        .request("POST", "/api/admin/backups/import")
        .multipart(reqwest::blocking::multipart::Form::new().text("note", "hello"))
        .send()
        .unwrap();
    assert_eq!(no_file.status(), 400);
    let not_multipart = admin.send("POST", "/api/admin/backups/import", Some(json!({})));
    assert_eq!(not_multipart.status(), 415);

    // A real backup is accepted as a manual backup and listed as verified.
    admin.address = Some("198.51.100.60".into());
    let answer = admin.upload(good_bytes.clone());
    assert_eq!(answer.status(), 201);
    let imported: Value = answer.json().unwrap();
    assert_eq!(imported["kind"], "manual");
    assert_eq!(imported["sha256"], sha256_hex(&good).as_str());
    let id = imported["id"].as_str().unwrap();
    assert_sound(&suite, id);
    let listed = admin
        .send("GET", "/api/admin/backups", None)
        .json::<Value>()
        .unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["id"] == id && b["verified"] == true),
        "{listed}"
    );
    assert!(
        listing(&dir)
            .iter()
            .all(|(name, _)| !name.contains("partial")),
        "no partial file is left"
    );

    // The downloaded file is the backup, byte for byte.
    let download = admin.send("GET", &format!("/api/admin/backups/{id}/download"), None);
    assert_eq!(download.status(), 200);
    assert_eq!(
        download.headers()["content-disposition"],
        format!("attachment; filename=\"{id}\"").as_str()
    );
    assert_eq!(download.bytes().unwrap().to_vec(), good_bytes);

    // Five uploads per hour from one address.
    for _ in 0..4 {
        assert_eq!(admin.upload(b"nope".to_vec()).status(), 400);
    }
    let limited = admin.upload(b"nope".to_vec());
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
}

/// Copies a backup to an older name of another kind, with its sidecar.
fn plant(suite: &Suite, source: &Path, name: &str) {
    let dir = backups_dir(suite);
    std::fs::copy(source, dir.join(name)).unwrap();
    let sum = sha256_hex(&dir.join(name));
    std::fs::write(
        dir.join(format!("{name}.sha256")),
        format!("{sum}  {name}\n"),
    )
    .unwrap();
}

fn ids(suite: &Suite) -> Vec<String> {
    let listed = suite.ctl_json(&["backup", "list", "--json"]);
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_janitor_backs_up_once_per_slot_and_keeps_only_the_newest_scheduled_backups() {
    let mut suite = Suite::new();
    suite.set_env("BACKUP_RETENTION", "3");
    assert!(suite.ctl(&["db", "migrate"]).status.success());
    let manual = suite.ctl_json(&["backup", "create", "--json"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let source = backups_dir(&suite).join(&manual);
    let planted = [
        "bills-20190101T030000Z-pre-restore.db",
        "bills-20190102T030000Z-pre-upgrade.db",
        "bills-20200101T030000Z-scheduled.db",
        "bills-20200102T030000Z-scheduled.db",
        "bills-20200103T030000Z-scheduled.db",
        "bills-20200104T030000Z-scheduled.db",
        "bills-20200105T030000Z-scheduled.db",
    ];
    for name in planted {
        plant(&suite, &source, name);
    }

    // A partial file a crash left behind is not a backup.
    let dir = backups_dir(&suite);
    let stale = dir.join("bills-20200106T030000Z-scheduled.db.partial");
    std::fs::write(&stale, vec![0u8; 4096]).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(2 * 3600))
        .unwrap();
    let fresh = dir.join("upload-0123456789abcdef.partial");
    std::fs::write(&fresh, vec![0u8; 4096]).unwrap();
    assert_eq!(ids(&suite).len(), 8);
    assert!(ids(&suite).iter().all(|id| !id.contains("partial")));

    // The janitor catches up on the latest slot at start.
    suite.start("janitor");
    let listed = wait_for(Duration::from_secs(30), || {
        let all = ids(&suite);
        all.iter()
            .any(|id| id.ends_with("-scheduled.db") && !id.starts_with("bills-2020"))
            .then_some(all)
    })
    .expect("the janitor takes the scheduled backup of the latest slot");
    let scheduled: Vec<&String> = listed
        .iter()
        .filter(|id| id.ends_with("-scheduled.db"))
        .collect();
    assert_eq!(scheduled.len(), 3, "retention keeps 3: {listed:?}");
    assert!(listed.contains(&"bills-20200105T030000Z-scheduled.db".to_string()));
    assert!(listed.contains(&"bills-20200104T030000Z-scheduled.db".to_string()));
    for kept in [manual.as_str(), planted[0], planted[1]] {
        assert!(
            listed.iter().any(|id| id == kept),
            "{kept} is never removed by retention"
        );
    }
    assert!(
        !dir.join("bills-20200101T030000Z-scheduled.db.sha256")
            .exists()
    );
    // The janitor's cleanup (its daily run, also at start) removes partial
    // files older than an hour, and leaves a fresh one alone.
    wait_for(Duration::from_secs(30), || (!stale.exists()).then_some(()))
        .expect("the stale partial file is cleaned up");
    assert!(fresh.exists(), "a partial file younger than an hour stays");

    // The job went through the queue, and a restart does not take the slot again.
    let jobs = |suite: &Suite| -> usize {
        suite
            .ctl_json(&["queue", "list", "--queue", "maintenance", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| {
                j["payload"]
                    .as_str()
                    .unwrap_or("")
                    .contains("scheduled_backup")
            })
            .count()
    };
    assert_eq!(jobs(&suite), 1);
    suite.signal("janitor", Signal::SIGTERM, Duration::from_secs(30));
    suite.start("janitor");
    assert!(suite.wait_until_up(&["janitor"], Duration::from_secs(20)));
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(jobs(&suite), 1, "one job per slot");
    assert_eq!(ids(&suite), listed, "no second backup for the same slot");
}

/// Builds `bills.db` as the release before this one left it: every
/// migration the binaries know but their last, recorded with its checksum.
fn older_release_database(suite: &Suite) -> i64 {
    let elsewhere = Suite::new();
    assert!(elsewhere.ctl(&["db", "migrate"]).status.success());
    let known = elsewhere.ctl_json(&["db", "version", "--json"])["binary"]
        .as_i64()
        .unwrap();
    let migrations = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(migrations)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files.truncate(known as usize - 1);
    std::fs::create_dir_all(suite.bills_db().parent().unwrap()).unwrap();
    let conn = Connection::open(suite.bills_db()).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, \
         name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT \
         (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
    )
    .unwrap();
    for path in &files {
        let sql = std::fs::read_to_string(path).unwrap();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let (number, name) = stem.split_once('_').unwrap();
        conn.execute_batch(&sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                number.parse::<i64>().unwrap(),
                name,
                hex::encode(Sha256::digest(sql.as_bytes()))
            ],
        )
        .unwrap();
    }
    files.len() as i64
}

#[test]
fn an_upgrade_saves_one_pre_upgrade_backup_however_many_processes_start() {
    let mut suite = Suite::new();
    let old_version = older_release_database(&suite);
    suite.start_all();
    assert!(suite.wait_until_up(
        &["web", "sync-worker", "notifier", "janitor"],
        Duration::from_secs(30)
    ));

    let listed = suite.ctl_json(&["backup", "list", "--json"]);
    let pre_upgrade: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == "pre-upgrade")
        .collect();
    assert_eq!(pre_upgrade.len(), 1, "{listed}");
    let id = pre_upgrade[0]["id"].as_str().unwrap();
    assert_sound(&suite, id);
    let saved = open_backup(&backups_dir(&suite).join(id));
    let version: i64 = saved
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        version, old_version,
        "the backup holds the schema before the upgrade"
    );
    assert!(
        suite
            .all_logs()
            .contains("took a pre-upgrade backup before migrating")
    );
}

#[test]
fn the_cli_creates_lists_verifies_and_restores_with_the_web_process_stopped() {
    let mut suite = Suite::new();
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));
    suite.signal("web", Signal::SIGTERM, Duration::from_secs(10));

    let mark = |key: &str| {
        suite
            .bills()
            .execute(
                "INSERT INTO queue_probes (probe_key, queue, handled_by, first_handled_at) VALUES (?1, 'sync', 'test', 'now')",
                [key],
            )
            .unwrap();
    };
    let marks = |conn: &Connection| -> Vec<String> {
        let mut stmt = conn
            .prepare(
                "SELECT probe_key FROM queue_probes WHERE handled_by = 'test' ORDER BY probe_key",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    mark("before");

    let output = suite.ctl(&["backup", "create"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let id = text(&output)
        .split("created backup ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    mark("after");

    let listed = suite.ctl_json(&["backup", "list", "--json"]);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["verified"], true);
    let table = text(&suite.ctl(&["backup", "list"]));
    assert!(table.contains(&id) && table.contains("manual"), "{table}");

    let verify = suite.ctl(&["backup", "verify", &id]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    let restore = suite.ctl(&["backup", "restore", &id, "--json"]);
    assert_eq!(restore.status.code(), Some(0), "{}", text(&restore));
    let restored: Value = serde_json::from_slice(&restore.stdout).unwrap();
    let pre_restore = restored["pre_restore_backup"].as_str().unwrap();
    assert_eq!(marks(&suite.bills()), ["before"]);
    assert_eq!(
        marks(&open_backup(&backups_dir(&suite).join(pre_restore))),
        ["after", "before"]
    );

    // Unknown ids and paths are not backups.
    for id in ["nope", "../db/bills.db", "bills-20200101T000000Z-manual.db"] {
        for command in ["verify", "restore"] {
            let output = suite.ctl(&["backup", command, id]);
            assert_eq!(output.status.code(), Some(1), "{command} {id}");
            assert!(
                text(&output).contains("no backup named"),
                "{}",
                text(&output)
            );
        }
    }

    // A damaged backup fails verification and is not restored.
    let path = backups_dir(&suite).join(&id);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    let verify = suite.ctl(&["backup", "verify", &id]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(text(&verify).contains("MISMATCH"), "{}", text(&verify));
    mark("kept");
    let refused = suite.ctl(&["backup", "restore", &id]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert_eq!(marks(&suite.bills()), ["before", "kept"]);

    // The web process starts on the restored database.
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));
}

/// Overwrites the start of every page but the first of the live database,
/// as a failing disk might. The processes must be stopped (the WAL is then
/// checkpointed into the file).
fn damage_live_database(suite: &Suite) {
    let path = suite.bills_db();
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    assert!(bytes.len() > 8 * page, "several pages to damage");
    for start in (page..bytes.len()).step_by(page) {
        bytes[start..start + 64].fill(0xA5);
    }
    std::fs::write(&path, bytes).unwrap();
}

#[test]
fn the_cli_restores_over_a_damaged_live_database_and_keeps_the_damaged_files_aside() {
    let mut suite = Suite::new();
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));
    suite.signal("web", Signal::SIGTERM, Duration::from_secs(10));
    {
        let conn = suite.bills();
        for i in 0..300 {
            conn.execute(
                "INSERT INTO queue_probes (probe_key, queue, handled_by, first_handled_at) VALUES (?1, 'sync', 'test', 'now')",
                [format!("row-{i:03}-{}", "x".repeat(100))],
            )
            .unwrap();
        }
    }
    let created = suite.ctl(&["backup", "create", "--json"]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));
    let id = serde_json::from_slice::<Value>(&created.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    damage_live_database(&suite);
    let damaged_bytes = std::fs::read(suite.bills_db()).unwrap();
    let check = suite.ctl(&["db", "check"]);
    assert_ne!(check.status.code(), Some(0), "{}", text(&check));
    // No backup can be taken of it; the CLI says what to do instead.
    let refused = suite.ctl(&["backup", "create"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("backup restore"),
        "{}",
        text(&refused)
    );

    let restore = suite.ctl(&["backup", "restore", &id]);
    assert_eq!(restore.status.code(), Some(0), "{}", text(&restore));
    let said = text(&restore);
    assert!(said.contains("damaged"), "{said}");
    let folder = said
        .split("are kept in ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("names the folder: {said}"));
    assert!(folder.starts_with("backups/damaged-live-"), "{said}");

    // The damaged file is kept as it was, and it is not a backup.
    let kept = suite.data_dir().join(folder).join("bills.db");
    assert_eq!(std::fs::read(&kept).unwrap(), damaged_bytes);
    let listed = suite.ctl_json(&["backup", "list", "--json"]);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);

    // The live database is the backup again, sound, and the suite starts on it.
    let check = suite.ctl(&["db", "check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let rows: i64 = suite
        .bills()
        .query_row(
            "SELECT count(*) FROM queue_probes WHERE handled_by = 'test'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 300);
    let audit: String = suite
        .bills()
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'backup.restore' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(audit.contains("damaged"), "{audit}");
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));
}

#[test]
fn db_migrate_saves_a_pre_upgrade_backup_before_it_migrates() {
    let suite = Suite::new();
    let old_version = older_release_database(&suite);

    let migrated = suite.ctl(&["db", "migrate"]);
    let text = String::from_utf8_lossy(&migrated.stdout).into_owned();
    assert!(
        migrated.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let listed = suite.ctl_json(&["backup", "list", "--json"]);
    let all = listed.as_array().unwrap();
    assert_eq!(all.len(), 1, "{listed}");
    assert_eq!(all[0]["kind"], "pre-upgrade");
    let id = all[0]["id"].as_str().unwrap();
    assert!(
        text.contains(&format!("took pre-upgrade backup {id}")),
        "the CLI names the backup: {text}"
    );
    assert!(text.contains("schema is current at version"), "{text}");
    assert_sound(&suite, id);
    let saved = open_backup(&backups_dir(&suite).join(id));
    let version: i64 = saved
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        version, old_version,
        "the backup holds the schema before the upgrade"
    );

    // A current schema is not saved again.
    let again = suite.ctl(&["db", "migrate"]);
    assert!(again.status.success());
    assert!(!String::from_utf8_lossy(&again.stdout).contains("pre-upgrade"));
    let listed = suite.ctl_json(&["backup", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
}

#[test]
fn a_failing_scheduled_backup_shows_on_status_under_backups() {
    let mut suite = Suite::new();
    assert!(suite.ctl(&["db", "migrate"]).status.success());
    // A directory where the backup lock file belongs: the scheduled backup
    // the janitor takes at start cannot even lock (root can write anywhere).
    std::fs::create_dir(backups_dir(&suite).join(".lock")).unwrap();
    suite.start("janitor");

    let last_error = wait_for(Duration::from_secs(30), || {
        let report = suite.ctl_json(&["status", "--json"]);
        let error = &report["backups"]["last_error"];
        (!error.is_null()).then(|| error.clone())
    })
    .unwrap_or_else(|| {
        panic!(
            "the failed scheduled backup is on Status:\n{}",
            suite.logs("janitor")
        )
    });
    assert_eq!(last_error["service"], "janitor", "{last_error}");
    assert!(
        last_error["message"]
            .as_str()
            .unwrap()
            .contains("job failed"),
        "{last_error}"
    );

    // A newer error of another area is not taken for the backups' one,
    // whatever its text says.
    suite
        .bills()
        .execute(
            "INSERT INTO recorded_errors (at, service, target, message) \
             VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'web', 'billtracker_web::error', \
             'request failed error=cannot read the backup settings')",
            [],
        )
        .unwrap();
    let report = suite.ctl_json(&["status", "--json"]);
    assert_eq!(report["backups"]["last_error"], last_error);
    assert!(
        report["recent_errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("backup settings")
    );
    let text = String::from_utf8_lossy(&suite.ctl(&["status"]).stdout).into_owned();
    assert!(text.contains("backups last error: "), "{text}");
}

/// Whether a backup, restore or upload holds `backups/.lock` right now
/// (taking it for a moment when it is free).
fn backup_lock_held(suite: &Suite) -> bool {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(backups_dir(suite).join(".lock"));
    match file {
        Ok(file) => matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

#[test]
fn a_cli_restore_and_a_web_backup_exclude_each_other_and_both_complete() {
    let mut suite = Suite::new();
    suite.set_env("ADMIN_USERNAME", ADMIN);
    suite.set_env("ADMIN_PASSWORD", PASSWORD);
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));

    // A database large enough for the restore to take a while.
    {
        let mut conn = suite.bills();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        let filler = "x".repeat(1000);
        for i in 0..30_000 {
            tx.execute(
                "INSERT INTO queue_probes (probe_key, queue, handled_by, first_handled_at) VALUES (?1, 'sync', 'test', 'now')",
                [format!("{i:06}-{filler}")],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let created = suite.ctl_json(&["backup", "create", "--json"]);
    let id = created["id"].as_str().unwrap().to_string();
    assert!(created["size_bytes"].as_u64().unwrap() > 25_000_000);

    // The CLI restores in a process of its own while the web process runs.
    let cli = Command::new(billtracker_integration_tests::bin("billtracker"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATA_DIR", suite.data_dir())
        .env("TZ", "UTC")
        .args(["backup", "restore", &id])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let held = wait_for(Duration::from_secs(20), || {
        backup_lock_held(&suite).then_some(())
    });
    assert!(held.is_some(), "the CLI restore takes the backup lock");

    let browser = Browser::signed_in(&suite, ADMIN, PASSWORD);
    let busy = browser.send("POST", "/api/admin/backups", None);
    assert_eq!(busy.status(), 409);
    let body: Value = busy.json().unwrap();
    assert_eq!(body["error"]["code"], "BACKUP_BUSY", "{body}");

    let output = cli.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(text(&output).contains(&format!("restored backup {id}")));

    // Once the restore is done, the web backup goes through.
    let browser = Browser::signed_in(&suite, ADMIN, PASSWORD);
    let created = browser.send("POST", "/api/admin/backups", None);
    assert_eq!(created.status(), 201);
    let backup: Value = created.json().unwrap();
    assert_sound(&suite, backup["id"].as_str().unwrap());
}
