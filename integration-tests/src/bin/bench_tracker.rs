//! The tracker benchmark: 20 users with 150 bills each and five years of
//! payments; `GET /api/tracker` of the current month at 32 concurrent
//! clients next to `GET /api/health` on the same server (with `wrk` on
//! 127.0.0.1), and the tracker's server time at 50, 150 and 500 bills.
//!
//! Run with `make bench` (release binaries; installs nothing: needs `wrk`).

use std::process::Command;
use std::time::{Duration, Instant};

use billtracker_integration_tests::Suite;
use rusqlite::params;
use serde_json::{Value, json};

const USERS: usize = 20;
const BILLS: usize = 150;
const YEARS: i32 = 5;

struct Session {
    client: reqwest::blocking::Client,
    csrf: String,
    cookie: String,
}

fn sign_in(suite: &Suite, username: &str, password: &str) -> Session {
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let token: Value = client
        .get(suite.url("/api/auth/csrf-token"))
        .send()
        .expect("csrf")
        .json()
        .expect("json");
    let csrf = token["token"].as_str().expect("token").to_string();
    let login = client
        .post(suite.url("/api/auth/login"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"username": username, "password": password}))
        .send()
        .expect("login");
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("bt_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string();
    let cookie = format!("{cookie}; bt_csrf_token={csrf}");
    Session {
        client,
        csrf,
        cookie,
    }
}

/// Bills and five years of monthly payments for one user, straight into bills.db.
fn seed(suite: &Suite, user_id: i64, bills: usize) {
    let mut conn = suite.bills();
    let tx = conn.transaction().expect("tx");
    let now = "2026-01-01T00:00:00.000Z";
    let start_year = 2026 - YEARS + 1;
    for i in 0..bills {
        let day = (i % 28) as i64 + 1;
        let bucket = if day < 15 { "first" } else { "fifteenth" };
        let cycle = match i % 10 {
            0 => "weekly",
            1 => "quarterly",
            2 => "annual",
            _ => "monthly",
        };
        tx.execute(
            r#"INSERT INTO bills (user_id, name, amount_cents, amount_kind, cycle, due_day, anchor_date, bucket, autopay, active, created_at)
               VALUES (?1, ?2, ?3, 'fixed', ?4, ?5, ?6, ?7, 0, 1, ?8)"#,
            params![user_id, format!("Bill {i}"), 1_000 + i as i64 * 37, cycle, day, format!("{start_year}-01-{day:02}"), bucket, now],
        )
        .expect("bill");
        let bill_id = tx.last_insert_rowid();
        if cycle != "monthly" {
            continue;
        }
        for year in start_year..=2026 {
            for month in 1..=12 {
                let due = format!("{year}-{month:02}-{day:02}");
                tx.execute(
                    r#"INSERT INTO payments (user_id, bill_id, due_date, amount_cents, paid_on, method, source, created_at)
                       VALUES (?1, ?2, ?3, ?4, ?3, 'card', 'manual', ?5)"#,
                    params![user_id, bill_id, due, 1_000 + i as i64 * 37, now],
                )
                .expect("payment");
            }
        }
    }
    tx.commit().expect("commit");
}

fn wrk(url: &str, cookie: &str, connections: u32) -> (f64, f64, f64) {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            "-d8s",
            "--latency",
            "-H",
            &format!("Cookie: {cookie}"),
            url,
        ])
        .output()
        .expect("wrk is installed (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout);
    let number = |line_start: &str| -> f64 {
        text.lines()
            .find(|l| l.trim_start().starts_with(line_start))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(parse_ms)
            .unwrap_or(f64::NAN)
    };
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    if text.contains("Non-2xx") {
        panic!("wrk saw errors for {url}:\n{text}");
    }
    (rps, number("50%"), number("99%"))
}

/// "1.23ms", "850.00us", "1.02s" in milliseconds.
fn parse_ms(value: &str) -> f64 {
    let (number, factor) = if let Some(v) = value.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (value, 1.0)
    };
    number.parse::<f64>().unwrap_or(f64::NAN) * factor
}

/// Median time of `n` sequential tracker requests.
fn server_time(session: &Session, url: &str, n: usize) -> f64 {
    let mut samples: Vec<f64> = (0..n)
        .map(|_| {
            let started = Instant::now();
            let response = session.client.get(url).send().expect("tracker");
            assert!(response.status().is_success());
            let _ = response.bytes();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    samples[n / 2]
}

fn main() {
    let mut suite = Suite::new();
    suite.set_env("RUST_LOG", "warn");
    suite.set_env("ADMIN_USERNAME", "admin");
    suite.set_env("ADMIN_PASSWORD", "correct-horse-battery");
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(20)));
    let admin = sign_in(&suite, "admin", "correct-horse-battery");

    println!(
        "BillTracker tracker benchmark: {USERS} users x {BILLS} bills, {YEARS} years of payments"
    );
    let seeding = Instant::now();
    let mut sizes = Vec::new();
    for (i, bills) in (0..USERS)
        .map(|i| (i, BILLS))
        .chain([(100, 50), (101, 500)])
    {
        let username = format!("user{i}");
        let created: Value = admin
            .client
            .post(suite.url("/api/admin/users"))
            .header("x-csrf-token", &admin.csrf)
            .json(&json!({"username": username, "password": "benchmark-password", "role": "user", "must_change_password": false}))
            .send()
            .expect("create user")
            .json()
            .expect("json");
        seed(&suite, created["id"].as_i64().expect("id"), bills);
        sizes.push((username, bills));
    }
    let payments: i64 = suite
        .bills()
        .query_row("SELECT count(*) FROM payments", [], |r| r.get(0))
        .expect("count");
    println!(
        "seeded {} users, {payments} payments in {:.1} s\n",
        sizes.len(),
        seeding.elapsed().as_secs_f64()
    );

    let user = sign_in(&suite, "user0", "benchmark-password");
    let tracker_url = suite.url("/api/tracker");
    let health_url = suite.url("/api/health");
    let _ = server_time(&user, &tracker_url, 20);

    let (health_rps, health_p50, health_p99) = wrk(&health_url, &user.cookie, 32);
    let (tracker_rps, tracker_p50, tracker_p99) = wrk(&tracker_url, &user.cookie, 32);
    println!("32 concurrent clients, 8 s each (wrk, 2 threads, on 127.0.0.1):");
    println!(
        "  GET /api/health   {health_rps:>9.0} req/s  p50 {health_p50:>6.2} ms  p99 {health_p99:>6.2} ms"
    );
    println!(
        "  GET /api/tracker  {tracker_rps:>9.0} req/s  p50 {tracker_p50:>6.2} ms  p99 {tracker_p99:>6.2} ms"
    );
    println!(
        "  ratio tracker/health throughput: {:.3} (goal >= 0.1); tracker p99 goal < 20 ms\n",
        tracker_rps / health_rps
    );

    println!("tracker server time by bills (median of 50 sequential requests):");
    let mut base = None;
    for (username, bills) in [("user100", 50), ("user0", 150), ("user101", 500)] {
        let session = sign_in(&suite, username, "benchmark-password");
        let ms = server_time(&session, &tracker_url, 50);
        let per_bill = ms / bills as f64;
        let base_per_bill = *base.get_or_insert(per_bill);
        println!(
            "  {bills:>4} bills: {ms:>7.2} ms  ({:.4} ms per bill, x{:.2} of the 50-bill rate)",
            per_bill,
            per_bill / base_per_bill
        );
    }
}
