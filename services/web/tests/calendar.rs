//! The calendar and the iCal feed through the API. The feed is read by a
//! real iCalendar parser, and its lines are checked against RFC 5545.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::{Client, TestApp, admin, app, app_with, user};
use icalendar::{Component, DatePerhapsTime};
use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::{Value, json};

const HOST: &str = "bills.example.test";

async fn signed_in(app: &TestApp, name: &str) -> Client {
    let mut admin = admin(app).await;
    let mut client = user(app, &mut admin, name).await.1;
    client.headers.push(("host".into(), HOST.into()));
    client
}

async fn send(
    app: &TestApp,
    client: &mut Client,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> Value {
    let answer = client.send(&app.router, method, uri, body).await;
    assert!(
        answer.status.is_success(),
        "{method} {uri}: {:?}",
        answer.json
    );
    answer.json
}

async fn bill(app: &TestApp, client: &mut Client, body: Value) -> i64 {
    send(app, client, "POST", "/api/bills", Some(body)).await["id"]
        .as_i64()
        .unwrap()
}

async fn pay(app: &TestApp, client: &mut Client, bill_id: i64, due: &str, on: &str) -> i64 {
    let body = json!({"bill_id": bill_id, "due_date": due, "amount_cents": 1_000, "paid_on": on});
    send(app, client, "POST", "/api/payments", Some(body)).await["id"]
        .as_i64()
        .unwrap()
}

fn day<'a>(calendar: &'a Value, date: &str) -> &'a Value {
    calendar["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap_or_else(|| panic!("{date} in {calendar}"))
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn occurrences_fall_on_due_dates_and_payments_on_paid_dates() {
    let app = app().await;
    let mut alice = signed_in(&app, "alice").await;
    let rent = bill(
        &app,
        &mut alice,
        json!({"name": "Rent", "amount_cents": 1_000, "cycle": "monthly", "due_day": 1, "anchor_date": "2025-01-01"}),
    )
    .await;
    let gym = bill(
        &app,
        &mut alice,
        json!({"name": "Gym", "amount_cents": 1_000, "cycle": "weekly", "anchor_date": "2025-03-03"}),
    )
    .await;
    let old = bill(
        &app,
        &mut alice,
        json!({"name": "Old", "amount_cents": 1_000, "cycle": "monthly", "due_day": 10, "anchor_date": "2025-01-10"}),
    )
    .await;
    pay(&app, &mut alice, rent, "2025-03-01", "2025-02-27").await;
    pay(&app, &mut alice, rent, "2025-04-01", "2025-03-28").await;
    pay(&app, &mut alice, gym, "2025-03-10", "2025-03-10").await;
    let removed = pay(&app, &mut alice, gym, "2025-03-17", "2025-03-17").await;
    pay(&app, &mut alice, old, "2025-03-10", "2025-03-10").await;
    send(
        &app,
        &mut alice,
        "DELETE",
        &format!("/api/payments/{removed}"),
        None,
    )
    .await;
    send(
        &app,
        &mut alice,
        "DELETE",
        &format!("/api/bills/{old}"),
        None,
    )
    .await;

    let march = send(
        &app,
        &mut alice,
        "GET",
        "/api/calendar?year=2025&month=3",
        None,
    )
    .await;
    assert_eq!(
        (march["year"].clone(), march["month"].clone()),
        (json!(2025), json!(3))
    );
    let days = march["days"].as_array().unwrap();
    assert_eq!(days.len(), 31, "one entry per day");
    assert_eq!(days[0]["date"], "2025-03-01");
    assert_eq!(days[30]["date"], "2025-03-31");

    let first = &day(&march, "2025-03-01")["occurrences"][0];
    assert_eq!(first["name"], "Rent");
    assert_eq!(
        first["status"], "paid",
        "paid in February, shown on its due date"
    );
    assert_eq!(first["amount_due_cents"], 1_000);
    assert_eq!(first["bucket"], "first");
    assert!(first.get("category_id").is_some());
    assert_eq!(day(&march, "2025-03-01")["payments"], json!([]));

    let mondays = [
        "2025-03-03",
        "2025-03-10",
        "2025-03-17",
        "2025-03-24",
        "2025-03-31",
    ];
    for monday in mondays {
        assert_eq!(
            names(&day(&march, monday)["occurrences"]),
            ["Gym"],
            "{monday}"
        );
    }
    assert_eq!(
        day(&march, "2025-03-03")["occurrences"][0]["status"],
        "missed"
    );
    assert_eq!(
        day(&march, "2025-03-10")["occurrences"][0]["status"],
        "paid"
    );
    assert_eq!(
        day(&march, "2025-03-17")["occurrences"][0]["status"],
        "missed",
        "its payment was deleted"
    );

    let tenth = &day(&march, "2025-03-10")["payments"];
    assert_eq!(names(tenth), ["Gym"], "the deleted bill's payment is gone");
    assert_eq!(tenth[0]["paid_on"], "2025-03-10");
    assert_eq!(tenth[0]["bill_id"], gym);
    assert_eq!(day(&march, "2025-03-17")["payments"], json!([]));
    let early = &day(&march, "2025-03-28")["payments"][0];
    assert_eq!(early["name"], "Rent", "April's rent paid in March");
    assert_eq!(early["due_date"], "2025-04-01");

    let all = march.to_string();
    assert!(
        !all.contains("\"Old\""),
        "a deleted bill is invisible: {all}"
    );
    let february = send(
        &app,
        &mut alice,
        "GET",
        "/api/calendar?year=2025&month=2",
        None,
    )
    .await;
    assert_eq!(february["days"].as_array().unwrap().len(), 28);
    assert_eq!(names(&day(&february, "2025-02-27")["payments"]), ["Rent"]);

    let mut bob = signed_in(&app, "bob").await;
    let bobs = send(
        &app,
        &mut bob,
        "GET",
        "/api/calendar?year=2025&month=3",
        None,
    )
    .await;
    assert!(
        bobs["days"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["occurrences"] == json!([]) && d["payments"] == json!([])),
        "bob sees nothing of alice's"
    );
    let bad = bob
        .send(&app.router, "GET", "/api/calendar?year=2025&month=0", None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json["error"]["field"], "month");
}

fn today() -> Date {
    // The app's "today": TZ, else the system's zone, as jiff reads it.
    jiff::Zoned::now().date()
}

/// What a calendar app gets: status, content type and body.
async fn fetch(app: &TestApp, url: &str) -> (StatusCode, String, String) {
    let path = &url[url.find("/api/").unwrap()..];
    let response = tower::ServiceExt::oneshot(
        app.router.clone(),
        axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, kind, String::from_utf8(body.to_vec()).unwrap())
}

async fn create_feed(app: &TestApp, client: &mut Client, label: &str) -> Value {
    let answer = client
        .send(
            &app.router,
            "POST",
            "/api/calendar/feeds",
            Some(json!({"label": label})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.json);
    answer.json
}

/// Parses the feed with the `icalendar` crate; returns its events as
/// (uid, start, end, summary, description).
fn events(body: &str) -> Vec<(String, String, String, String, String)> {
    let calendar: icalendar::Calendar = body.parse().expect("the feed parses as iCalendar");
    assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
    assert!(calendar.property_value("PRODID").is_some());
    assert!(
        calendar
            .get_name()
            .is_some_and(|n| n.starts_with("BillTracker"))
    );
    calendar
        .events()
        .map(|event| {
            let date = |value: Option<DatePerhapsTime>| match value {
                Some(DatePerhapsTime::Date(date)) => date,
                other => panic!("an all-day date, not {other:?}"),
            };
            let start = date(event.get_start());
            let end = date(event.get_end());
            assert_eq!(start.succ_opt(), Some(end), "DTEND is the next day");
            assert!(event.get_timestamp().is_some(), "DTSTAMP");
            (
                event.get_uid().unwrap().to_string(),
                start.to_string(),
                end.to_string(),
                event.get_summary().unwrap().to_string(),
                event.get_description().unwrap().to_string(),
            )
        })
        .collect()
}

/// The line rules of RFC 5545 3.1: CRLF endings, at most 75 octets.
fn assert_lines_follow_rfc_5545(body: &str) {
    assert!(body.ends_with("\r\n"));
    assert_eq!(
        body.matches('\n').count(),
        body.matches("\r\n").count(),
        "every line ends in CRLF"
    );
    for line in body.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.contains('\r'));
    }
}

#[tokio::test]
async fn the_feed_has_one_event_per_occurrence_and_stable_uids() {
    let app = app().await;
    let mut alice = signed_in(&app, "alice").await;
    let rent = bill(
        &app,
        &mut alice,
        json!({"name": "Rent, flat 3; \"Maple\"", "amount_cents": 120_000, "cycle": "monthly", "due_day": 15,
               "anchor_date": "2020-01-15"}),
    )
    .await;
    bill(
        &app,
        &mut alice,
        json!({"name": "Phone — a long name with ünïcödé to make the summary fold", "amount_cents": 5_000,
               "cycle": "monthly", "due_day": 31, "anchor_date": "2020-01-31"}),
    )
    .await;
    let gone = bill(
        &app,
        &mut alice,
        json!({"name": "Gone", "amount_cents": 100, "cycle": "monthly", "due_day": 3, "anchor_date": "2020-01-03"}),
    )
    .await;
    send(
        &app,
        &mut alice,
        "DELETE",
        &format!("/api/bills/{gone}"),
        None,
    )
    .await;
    let this_month = today().first_of_month();
    let skipped = this_month.with().day(15).build().unwrap();
    send(
        &app,
        &mut alice,
        "PUT",
        &format!("/api/occurrences/{rent}/{skipped}/override"),
        Some(json!({"skipped": true})),
    )
    .await;
    let paid_month = this_month
        .checked_sub(1.month())
        .unwrap()
        .with()
        .day(15)
        .build()
        .unwrap();
    send(
        &app,
        &mut alice,
        "POST",
        "/api/payments",
        Some(json!({"bill_id": rent, "due_date": paid_month.to_string(), "amount_cents": 120_000, "paid_on": paid_month.to_string()})),
    )
    .await;

    let created = create_feed(&app, &mut alice, "Phone app").await;
    let url = created["url"].as_str().unwrap().to_string();
    let prefix = format!("http://{HOST}/api/calendar/feed/");
    assert!(url.starts_with(&prefix) && url.ends_with(".ics"), "{url}");
    let token = &url[prefix.len()..url.len() - 4];
    assert_eq!(token.len(), 43);

    let (status, kind, body) = fetch(&app, &url).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(kind, "text/calendar; charset=utf-8");
    assert_lines_follow_rfc_5545(&body);
    let first = events(&body);

    // Two months back and twelve ahead, whole months: 15 of each monthly
    // bill, the skipped rent included; nothing of the deleted bill.
    let rent_events: Vec<_> = first.iter().filter(|e| e.3.starts_with("Rent")).collect();
    let phone_events: Vec<_> = first.iter().filter(|e| e.3.starts_with("Phone")).collect();
    assert_eq!(rent_events.len(), 15);
    assert_eq!(phone_events.len(), 15);
    assert_eq!(first.len(), 30, "{first:#?}");
    let window_start = this_month.checked_sub(2.months()).unwrap().to_string();
    assert!(first.iter().all(|e| e.1 >= window_start));
    assert!(!first.iter().any(|e| e.3.contains("Gone")));
    let skipped_event = first
        .iter()
        .find(|e| e.0 == format!("bill-{rent}-{skipped}@billtracker"))
        .expect("the skipped occurrence has its event");
    assert_eq!(skipped_event.1, skipped.to_string());
    assert!(
        skipped_event.3.ends_with(" · skipped"),
        "marked skipped in the summary: {}",
        skipped_event.3
    );
    let uids: BTreeSet<_> = first.iter().map(|e| e.0.clone()).collect();
    assert_eq!(uids.len(), first.len(), "UIDs are unique");

    let paid = first
        .iter()
        .find(|e| e.1 == paid_month.to_string() && e.3.starts_with("Rent"))
        .unwrap();
    assert_eq!(paid.0, format!("bill-{rent}-{paid_month}@billtracker"));
    assert_eq!(
        paid.3, "Rent, flat 3; \"Maple\" · USD 1,200.00 · paid",
        "text unescaped by the parser"
    );
    assert!(
        paid.4.contains("Remaining: USD 0.00 of USD 1,200.00"),
        "{}",
        paid.4
    );
    assert!(phone_events.iter().all(|e| e.3.contains("ünïcödé")));

    let fetched_at = |app: &TestApp| -> Option<String> {
        app.db
            .get()
            .unwrap()
            .query_row("SELECT last_fetched_at FROM calendar_feeds", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let recorded = fetched_at(&app);
    assert!(recorded.is_some(), "the fetch is recorded");
    let (_, _, again) = fetch(&app, &url).await;
    let second: BTreeSet<_> = events(&again).into_iter().map(|e| e.0).collect();
    assert_eq!(second, uids, "UIDs are stable across fetches");
    assert_eq!(fetched_at(&app), recorded, "recorded at most once a minute");

    let list = send(&app, &mut alice, "GET", "/api/calendar/feeds", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["label"], "Phone app");
    assert_eq!(list[0]["last_fetched_at"].as_str(), recorded.as_deref());
    assert!(list[0].get("url").is_none());
    assert!(
        !list.to_string().contains(token),
        "the URL is shown only once"
    );
    let stored: String = app
        .db
        .get()
        .unwrap()
        .query_row("SELECT token_hash FROM calendar_feeds", [], |r| r.get(0))
        .unwrap();
    assert_ne!(stored, token);
    assert_eq!(stored, billtracker::accounts::sessions::hash_token(token));
}

#[tokio::test]
async fn regenerate_and_revoke_end_the_old_url_at_once() {
    let app = app().await;
    let mut alice = signed_in(&app, "alice").await;
    let mut bob = signed_in(&app, "bob").await;
    bill(
        &app,
        &mut alice,
        json!({"name": "Rent", "amount_cents": 100, "cycle": "monthly", "due_day": 1, "anchor_date": "2020-01-01"}),
    )
    .await;
    let created = create_feed(&app, &mut alice, "Laptop").await;
    let (id, old_url) = (
        created["id"].as_i64().unwrap(),
        created["url"].as_str().unwrap().to_string(),
    );
    assert_eq!(fetch(&app, &old_url).await.0, StatusCode::OK);

    for (method, uri) in [
        ("POST", format!("/api/calendar/feeds/{id}/regenerate")),
        ("GET", format!("/api/calendar/feeds/{id}/preview")),
        ("DELETE", format!("/api/calendar/feeds/{id}")),
    ] {
        let answer = bob.send(&app.router, method, &uri, None).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "bob {method} {uri}: {:?}",
            answer.json
        );
    }
    assert_eq!(
        send(&app, &mut bob, "GET", "/api/calendar/feeds", None).await,
        json!([])
    );
    assert_eq!(
        fetch(&app, &old_url).await.0,
        StatusCode::OK,
        "bob changed nothing"
    );

    let regenerated = send(
        &app,
        &mut alice,
        "POST",
        &format!("/api/calendar/feeds/{id}/regenerate"),
        None,
    )
    .await;
    assert_eq!(regenerated["id"], id);
    let new_url = regenerated["url"].as_str().unwrap().to_string();
    assert_ne!(new_url, old_url);
    assert_eq!(fetch(&app, &old_url).await.0, StatusCode::NOT_FOUND);
    let (status, _, body) = fetch(&app, &new_url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(events(&body).len(), 15);

    send(
        &app,
        &mut alice,
        "DELETE",
        &format!("/api/calendar/feeds/{id}"),
        None,
    )
    .await;
    assert_eq!(fetch(&app, &new_url).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        send(&app, &mut alice, "GET", "/api/calendar/feeds", None).await,
        json!([])
    );
    let again = alice
        .send(
            &app.router,
            "DELETE",
            &format!("/api/calendar/feeds/{id}"),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_preview_shows_the_next_ten_events() {
    let app = app().await;
    let mut alice = signed_in(&app, "alice").await;
    bill(
        &app,
        &mut alice,
        json!({"name": "Lunch", "amount_cents": 1_250, "cycle": "weekly", "anchor_date": "2020-01-06"}),
    )
    .await;
    let id = create_feed(&app, &mut alice, "Preview").await["id"].clone();
    let preview = send(
        &app,
        &mut alice,
        "GET",
        &format!("/api/calendar/feeds/{id}/preview"),
        None,
    )
    .await;
    let events = preview.as_array().unwrap();
    assert_eq!(events.len(), 10);
    let today = today().to_string();
    let dates: Vec<&str> = events.iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert!(dates.iter().all(|d| *d >= today.as_str()), "{dates:?}");
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "{dates:?}");
    assert!(
        events[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Lunch · USD 12.50 · ")
    );
}

#[tokio::test]
async fn the_url_uses_public_url_or_the_request_scheme_and_host() {
    let app = app_with(&[
        "--public-url",
        "https://bills.example.test/money/",
        "--currency",
        "eur",
    ])
    .await;
    let mut alice = signed_in(&app, "alice").await;
    bill(
        &app,
        &mut alice,
        json!({"name": "Rent", "amount_cents": 100_000, "cycle": "monthly", "due_day": 1, "anchor_date": "2020-01-01"}),
    )
    .await;
    let url = create_feed(&app, &mut alice, "A").await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        url.starts_with("https://bills.example.test/money/api/calendar/feed/"),
        "{url}"
    );
    let (status, _, body) = fetch(&app, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        events(&body)[0].3.contains("EUR 1,000.00"),
        "CURRENCY formats the amount"
    );

    let proxied = app_with(&["--trust-proxy", "true"]).await;
    let mut carol = signed_in(&proxied, "carol").await;
    carol
        .headers
        .push(("x-forwarded-proto".into(), "https".into()));
    let url = create_feed(&proxied, &mut carol, "B").await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        url.starts_with(&format!("https://{HOST}/api/calendar/feed/")),
        "{url}"
    );
}

#[tokio::test]
async fn a_deactivated_users_feed_stops_working() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (dave_id, mut dave) = user(&app, &mut admin, "dave").await;
    dave.headers.push(("host".into(), HOST.into()));
    let url = create_feed(&app, &mut dave, "Tablet").await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(fetch(&app, &url).await.0, StatusCode::OK);
    send(
        &app,
        &mut admin,
        "PATCH",
        &format!("/api/admin/users/{dave_id}"),
        Some(json!({"active": false})),
    )
    .await;
    assert_eq!(fetch(&app, &url).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn feed_fetches_are_rate_limited_per_address() {
    let app = app().await;
    let unknown = format!("http://{HOST}/api/calendar/feed/{}.ics", "A".repeat(43));
    for _ in 0..60 {
        assert_eq!(fetch(&app, &unknown).await.0, StatusCode::NOT_FOUND);
    }
    assert_eq!(fetch(&app, &unknown).await.0, StatusCode::TOO_MANY_REQUESTS);
    let malformed = format!("http://{HOST}/api/calendar/feed/short.ics");
    assert_eq!(
        fetch(&app, &malformed).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_bad_feed_label_is_refused_naming_it_and_creates_nothing() {
    let app = app().await;
    let mut alice = signed_in(&app, "alice").await;
    let feeds = |app: &TestApp| -> i64 {
        app.db
            .get()
            .unwrap()
            .query_row("SELECT count(*) FROM calendar_feeds", [], |r| r.get(0))
            .unwrap()
    };

    for label in [
        json!("x".repeat(81)),
        json!("two\nlines"),
        json!(42),
        json!(["Phone"]),
    ] {
        let answer = alice
            .send(
                &app.router,
                "POST",
                "/api/calendar/feeds",
                Some(json!({ "label": label })),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{label}: {:?}",
            answer.json
        );
        assert_eq!(
            answer.json["error"]["field"], "label",
            "{label}: {:?}",
            answer.json
        );
        assert_eq!(feeds(&app), 0, "{label} created nothing");
    }
}
