//! The tracker benchmark: 20 users with 150 bills each (every cycle) and
//! five years of payments; `GET /api/tracker` of the current month at 32
//! concurrent clients spread over the 20 users, next to `GET /api/health`
//! on the same server (with `wrk` on 127.0.0.1), and the tracker's server
//! time at 50, 150 and 500 bills.
//!
//! Run with `make bench`, which builds release binaries and installs `wrk`.

use std::process::Command;
use std::time::{Duration, Instant};

use billtracker::bills::cycle::{Cycle, Schedule, clamp_day, occurrences};
use billtracker_integration_tests::Suite;
use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::params;
use serde_json::{Value, json};

const USERS: usize = 20;
const BILLS: usize = 150;
const YEARS: i16 = 5;
const CONNECTIONS: u32 = 32;

/// `pass` or `FAIL`, printed beside each goal.
fn verdict(met: bool) -> &'static str {
    if met { "pass" } else { "FAIL" }
}

struct Session {
    client: reqwest::blocking::Client,
    csrf: String,
    cookie: String,
    /// How long the sign-in request took (Argon2id verify included).
    login: Duration,
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
    let started = Instant::now();
    let login = client
        .post(suite.url("/api/auth/login"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"username": username, "password": password}))
        .send()
        .expect("login");
    let login_time = started.elapsed();
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
        login: login_time,
    }
}

/// The cycle of the `i`th bill: one in ten each of weekly, biweekly,
/// quarterly, semiannual and annual; the other half monthly.
fn cycle_of(i: usize) -> Cycle {
    match i % 10 {
        0 => Cycle::Weekly,
        1 => Cycle::Biweekly,
        2 => Cycle::Quarterly,
        3 => Cycle::Semiannual,
        4 => Cycle::Annual,
        _ => Cycle::Monthly,
    }
}

/// Bills anchored five years before `today`, each with a payment for every
/// occurrence up to `today`, straight into bills.db.
fn seed(suite: &Suite, user_id: i64, bills: usize, today: Date) {
    let mut conn = suite.bills();
    let tx = conn.transaction().expect("tx");
    let now = "2026-01-01T00:00:00.000Z";
    let start = today
        .checked_sub(i64::from(YEARS).years())
        .expect("five years ago");
    {
        let mut insert_bill = tx
            .prepare(
                r#"INSERT INTO bills (user_id, name, amount_cents, amount_kind, cycle, due_day, anchor_date, bucket, autopay, active, created_at)
                   VALUES (?1, ?2, ?3, 'fixed', ?4, ?5, ?6, ?7, 0, 1, ?8)"#,
            )
            .expect("bill statement");
        let mut insert_payment = tx
            .prepare(
                r#"INSERT INTO payments (user_id, bill_id, due_date, amount_cents, paid_on, method, source, created_at)
                   VALUES (?1, ?2, ?3, ?4, ?3, 'card', 'manual', ?5)"#,
            )
            .expect("payment statement");
        for i in 0..bills {
            let cycle = cycle_of(i);
            let day = (i % 28) as u8 + 1;
            let (due_day, anchor, bucket) = if cycle.uses_due_day() {
                let anchor = clamp_day(start.year(), start.month(), day).expect("due date");
                let bucket = if day < 15 { "first" } else { "fifteenth" };
                (Some(day), anchor, bucket)
            } else {
                (None, start + (i as i64 % 7).days(), "other")
            };
            let amount = 1_000 + i as i64 * 37;
            insert_bill
                .execute(params![
                    user_id,
                    format!("Bill {i}"),
                    amount,
                    cycle.as_str(),
                    due_day,
                    anchor.to_string(),
                    bucket,
                    now
                ])
                .expect("bill");
            let bill_id = tx.last_insert_rowid();
            let schedule = Schedule {
                cycle,
                due_day,
                anchor,
                end: None,
            };
            for due in occurrences(&schedule, anchor, today) {
                insert_payment
                    .execute(params![user_id, bill_id, due.to_string(), amount, now])
                    .expect("payment");
            }
        }
    }
    tx.commit().expect("commit");
}

/// A wrk script giving each request the session of the next seeded user in
/// turn; each thread starts at a different user.
fn sessions_script(cookies: &[String]) -> String {
    let list: Vec<String> = cookies.iter().map(|c| format!("  {c:?},")).collect();
    format!(
        r#"local cookies = {{
{}
}}
local threads = 0
function setup(thread)
  thread:set("first", threads * 7)
  threads = threads + 1
end
local requests = {{}}
local n = 0
function init(args)
  for i, cookie in ipairs(cookies) do
    requests[i] = wrk.format(nil, nil, {{ Cookie = cookie }})
  end
  n = first
end
function request()
  n = n % #requests + 1
  return requests[n]
end
"#,
        list.join("\n")
    )
}

/// Throughput, p50 and p99 (ms) of `url` under wrk with `script`.
fn wrk(url: &str, script: &std::path::Path) -> (f64, f64, f64) {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{CONNECTIONS}"),
            "-d8s",
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(url)
        .output()
        .expect("wrk is installed (scripts/bench installs it)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && !text.contains("Non-2xx"),
        "wrk saw errors for {url}:\n{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    if let Some(errors) = text.lines().find(|l| l.contains("Socket errors")) {
        println!("  ({url}: {})", errors.trim());
    }
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

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Median round trips (ms) of `GET url` and of `GET /api/health`, `n`
/// each, alternating on one keep-alive connection of the session.
fn round_trips(session: &Session, url: &str, health: &str, n: usize) -> (f64, f64) {
    let time = |url: &str| {
        let started = Instant::now();
        let response = session.client.get(url).send().expect("request");
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        let _ = response.bytes().expect("body");
        started.elapsed().as_secs_f64() * 1000.0
    };
    for _ in 0..10 {
        time(url);
        time(health);
    }
    let (mut tracker, mut baseline) = (Vec::new(), Vec::new());
    for _ in 0..n {
        tracker.push(time(url));
        baseline.push(time(health));
    }
    (median(tracker), median(baseline))
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
        "BillTracker tracker benchmark: {USERS} users x {BILLS} bills of every cycle, {YEARS} years of payments"
    );
    let today = jiff::Zoned::now().date();
    let seeding = Instant::now();
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
        seed(&suite, created["id"].as_i64().expect("id"), bills, today);
    }
    let payments: i64 = suite
        .bills()
        .query_row("SELECT count(*) FROM payments", [], |r| r.get(0))
        .expect("count");
    println!(
        "seeded {USERS} users (and one with 50 and one with 500 bills), {payments} payments in {:.1} s\n",
        seeding.elapsed().as_secs_f64()
    );

    let tracker_url = suite.url("/api/tracker");
    let health_url = suite.url("/api/health");
    let mut login_ms = Vec::new();
    let cookies: Vec<String> = (0..USERS)
        .map(|i| {
            let session = sign_in(&suite, &format!("user{i}"), "benchmark-password");
            login_ms.push(session.login.as_secs_f64() * 1000.0);
            let _ = round_trips(&session, &tracker_url, &health_url, 1);
            session.cookie
        })
        .collect();
    let worst_login = login_ms.iter().copied().fold(0.0, f64::max);
    println!(
        "sign-in (POST /api/auth/login, one at a time, {USERS} users): median {:.0} ms, worst {worst_login:.0} ms ({} goal < 300 ms)\n",
        median(login_ms.clone()),
        verdict(worst_login < 300.0)
    );
    let script = suite.dir.path().join("sessions.lua");
    std::fs::write(&script, sessions_script(&cookies)).expect("write the wrk script");

    let (health_rps, health_p50, health_p99) = wrk(&health_url, &script);
    let (tracker_rps, tracker_p50, tracker_p99) = wrk(&tracker_url, &script);
    let ratio = tracker_rps / health_rps;
    println!(
        "{CONNECTIONS} concurrent clients, 8 s each (wrk, 2 threads, on 127.0.0.1), each request as the next of the {USERS} users:"
    );
    println!(
        "  GET /api/health   {health_rps:>9.0} req/s  p50 {health_p50:>6.2} ms  p99 {health_p99:>6.2} ms"
    );
    println!(
        "  GET /api/tracker  {tracker_rps:>9.0} req/s  p50 {tracker_p50:>6.2} ms  p99 {tracker_p99:>6.2} ms"
    );
    println!(
        "  ratio tracker/health throughput: {ratio:.3} ({} goal >= 0.1); tracker p99 {tracker_p99:.2} ms ({} goal < 20 ms)\n",
        verdict(ratio >= 0.1),
        verdict(tracker_p99 < 20.0)
    );

    // The web server logs each request's latency only in whole milliseconds
    // (tower-http, at debug level): too coarse at 50 bills.
    println!(
        "tracker server time by bills: the median keep-alive round trip of /api/tracker minus that of\n\
         /api/health on the same connection (200 alternating requests each; the server logs latency\n\
         only in whole milliseconds, too coarse for this):"
    );
    let mut per_bill = Vec::new();
    for (username, bills) in [("user100", 50), ("user0", 150), ("user101", 500)] {
        let session = sign_in(&suite, username, "benchmark-password");
        let (tracker, health) = round_trips(&session, &tracker_url, &health_url, 200);
        let server = tracker - health;
        let rate = server / bills as f64;
        let base = *per_bill.first().unwrap_or(&rate);
        per_bill.push(rate);
        println!(
            "  {bills:>4} bills: {server:>7.3} ms  (round trip {tracker:.3} ms, health {health:.3} ms; {:.4} ms per bill, x{:.2} of the 50-bill rate)",
            rate,
            rate / base
        );
    }
    let growth = per_bill[2] / per_bill[0];
    println!(
        "  per-bill time at 500 bills / at 50 bills: {growth:.2} ({} goal <= 1: no worse than linear)",
        verdict(growth <= 1.0)
    );
}
