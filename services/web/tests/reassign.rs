//! Deleting a user after moving their data to another user, and the
//! username rule, through the API.

mod common;

use axum::http::StatusCode;
use common::{Answer, Client, TestApp, admin, app, user};
use serde_json::{Value, json};

async fn send(app: &TestApp, client: &mut Client, method: &str, uri: &str, body: Value) -> Value {
    let answer = client.send(&app.router, method, uri, Some(body)).await;
    assert!(
        answer.status.is_success(),
        "{method} {uri}: {:?}",
        answer.json
    );
    answer.json
}

async fn get(app: &TestApp, client: &mut Client, uri: &str) -> Value {
    let answer = client.send(&app.router, "GET", uri, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {:?}", answer.json);
    answer.json
}

async fn category(app: &TestApp, client: &mut Client, name: &str) -> i64 {
    send(
        app,
        client,
        "POST",
        "/api/categories",
        json!({"name": name}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// A monthly bill due on the 1st since January 2025.
async fn bill(app: &TestApp, client: &mut Client, name: &str, cents: i64, category: i64) -> i64 {
    let body = json!({"name": name, "amount_cents": cents, "cycle": "monthly", "due_day": 1,
                      "anchor_date": "2025-01-01", "category_id": category});
    send(app, client, "POST", "/api/bills", body).await["id"]
        .as_i64()
        .unwrap()
}

async fn feed_url(app: &TestApp, client: &mut Client) -> String {
    client
        .headers
        .push(("host".into(), "bills.example.test".into()));
    let feed = send(
        app,
        client,
        "POST",
        "/api/calendar/feeds",
        json!({"label": "Phone"}),
    )
    .await;
    let url = feed["url"].as_str().unwrap();
    url[url.find("/api/").unwrap()..].to_string()
}

/// What a calendar app gets for a feed URL: only the status.
async fn fetch_feed(app: &TestApp, path: &str) -> StatusCode {
    let request = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .unwrap();
    tower::ServiceExt::oneshot(app.router.clone(), request)
        .await
        .unwrap()
        .status()
}

fn row(tracker: &Value, bill_id: i64) -> Option<&Value> {
    tracker["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["rows"].as_array().unwrap())
        .find(|r| r["bill_id"] == bill_id)
}

fn first_bucket(summary: &Value) -> &Value {
    summary["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bucket"] == "first")
        .map(|b| &b["totals"])
        .unwrap()
}

async fn delete_user(app: &TestApp, admin: &mut Client, id: i64, body: Value) -> Answer {
    admin
        .send(
            &app.router,
            "DELETE",
            &format!("/api/admin/users/{id}"),
            Some(body),
        )
        .await
}

const JUNE: &str = "year=2025&month=6";

#[tokio::test]
async fn reassigning_moves_bills_payments_and_plans_into_the_receivers_months() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (alice_id, mut alice) = user(&app, &mut admin, "alice").await;
    let (bob_id, mut bob) = user(&app, &mut admin, "bob").await;

    let utilities = category(&app, &mut alice, "Utilities").await;
    let garden = category(&app, &mut alice, "Garden").await;
    let power = bill(&app, &mut alice, "Power", 5_000, utilities).await;
    bill(&app, &mut alice, "Seeds", 700, garden).await;
    let payment = json!({"bill_id": power, "due_date": "2025-06-01", "amount_cents": 5_000,
                         "paid_on": "2025-06-02"});
    send(&app, &mut alice, "POST", "/api/payments", payment).await;
    let plan = json!({"starting": {"first": 1_000},
                      "income": [{"label": "Salary", "amount_cents": 20_000, "expected_on": "2025-06-01"}]});
    send(
        &app,
        &mut alice,
        "PUT",
        &format!("/api/summary?{JUNE}"),
        plan,
    )
    .await;
    let alices_feed = feed_url(&app, &mut alice).await;

    let bobs_utilities = category(&app, &mut bob, "utilities").await;
    let rent = bill(&app, &mut bob, "Rent", 100_000, bobs_utilities).await;
    let plan = json!({"starting": {"first": 50_000}});
    send(&app, &mut bob, "PUT", &format!("/api/summary?{JUNE}"), plan).await;
    let bobs_feed = feed_url(&app, &mut bob).await;
    let before = get(&app, &mut bob, &format!("/api/tracker?{JUNE}")).await;
    assert!(row(&before, power).is_none());

    let deleted = delete_user(
        &app,
        &mut admin,
        alice_id,
        json!({"confirm_username": "alice", "reassign_to": bob_id}),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.json);

    // Bob's June now holds Alice's bills, paid as she paid them.
    let after = get(&app, &mut bob, &format!("/api/tracker?{JUNE}")).await;
    assert_eq!(row(&after, power).unwrap()["status"], "paid");
    assert_eq!(
        row(&after, rent).unwrap()["status"],
        row(&before, rent).unwrap()["status"]
    );
    let total = |t: &Value, name: &str| t["totals"][name].as_i64().unwrap();
    assert_eq!(
        total(&after, "occurrence_count"),
        total(&before, "occurrence_count") + 2
    );
    assert_eq!(
        total(&after, "paid_cents"),
        total(&before, "paid_cents") + 5_000
    );
    assert_eq!(
        total(&after, "remaining_cents"),
        total(&before, "remaining_cents") + 700
    );
    let payments = get(&app, &mut bob, "/api/payments").await;
    assert_eq!(payments["items"][0]["bill_id"], power, "{payments}");

    // Same-named categories merged into Bob's; the other one moved.
    let categories = get(&app, &mut bob, "/api/categories").await;
    let listed: Vec<(String, i64, i64)> = categories
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap().to_string();
            (
                name,
                c["id"].as_i64().unwrap(),
                c["bill_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            ("Garden".into(), garden, 1),
            ("utilities".into(), bobs_utilities, 2)
        ]
    );

    // The same month's starting money adds up; Alice's income came along.
    let summary = get(&app, &mut bob, &format!("/api/summary?{JUNE}")).await;
    assert_eq!(first_bucket(&summary)["starting_cents"], 51_000);
    assert_eq!(summary["income"].as_array().unwrap().len(), 1);

    // Alice's feed URL is revoked, Bob's still works; her session is over.
    assert_eq!(fetch_feed(&app, &alices_feed).await, StatusCode::NOT_FOUND);
    assert_eq!(fetch_feed(&app, &bobs_feed).await, StatusCode::OK);
    let feeds = get(&app, &mut bob, "/api/calendar/feeds").await;
    assert_eq!(feeds.as_array().unwrap().len(), 1);
    let me = alice.send(&app.router, "GET", "/api/auth/me", None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);

    let audit = get(&app, &mut admin, "/api/admin/audit?limit=5").await;
    let entry = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.delete")
        .unwrap();
    assert_eq!(entry["target"], "alice");
    let detail = entry["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("data moved to bob") && detail.contains("1 calendar feed revoked"),
        "{detail}"
    );
}

/// Rows per table and owner, to show that nothing changed.
fn snapshot(app: &TestApp) -> Vec<(String, i64, i64)> {
    let conn = app.db.get().unwrap();
    let mut rows = Vec::new();
    for table in billtracker::accounts::users::USER_DATA_TABLES
        .iter()
        .chain(&["sessions"])
    {
        let sql = format!("SELECT user_id, count(*) FROM {table} GROUP BY user_id");
        let mut stmt = conn.prepare(&sql).unwrap();
        let counts = stmt
            .query_map([], |r| Ok((table.to_string(), r.get(0)?, r.get(1)?)))
            .unwrap();
        rows.extend(counts.map(Result::unwrap));
    }
    let users: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    rows.push(("users".into(), 0, users));
    rows
}

#[tokio::test]
async fn a_refused_reassignment_names_the_field_and_changes_nothing() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (alice_id, mut alice) = user(&app, &mut admin, "alice").await;
    let (bob_id, _) = user(&app, &mut admin, "bob").await;
    let (carol_id, _) = user(&app, &mut admin, "carol").await;
    let garden = category(&app, &mut alice, "Garden").await;
    bill(&app, &mut alice, "Seeds", 700, garden).await;
    feed_url(&app, &mut alice).await;
    let deactivate = json!({"active": false});
    send(
        &app,
        &mut admin,
        "PATCH",
        &format!("/api/admin/users/{bob_id}"),
        deactivate,
    )
    .await;
    let before = snapshot(&app);

    let refusals = [
        (
            json!({"delete_data": true, "reassign_to": carol_id}),
            "not both",
        ),
        (json!({"reassign_to": alice_id}), "being deleted"),
        (json!({"reassign_to": 999_999}), "no user"),
        (json!({"reassign_to": bob_id}), "deactivated"),
    ];
    for (mut body, says) in refusals {
        body["confirm_username"] = json!("alice");
        let answer = delete_user(&app, &mut admin, alice_id, body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {:?}",
            answer.json
        );
        assert_eq!(answer.json["error"]["field"], "reassign_to", "{body}");
        let message = answer.json["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
        assert_eq!(snapshot(&app), before, "{body} changed nothing");
    }

    let wrong_type = json!({"confirm_username": "alice", "reassign_to": "carol"});
    let answer = delete_user(&app, &mut admin, alice_id, wrong_type).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{:?}", answer.json);
    let unconfirmed = json!({"confirm_username": "alicia", "reassign_to": carol_id});
    let answer = delete_user(&app, &mut admin, alice_id, unconfirmed).await;
    assert_eq!(answer.code(), "CONFIRMATION_MISMATCH");

    // The last active admin keeps their data and their account.
    let admin_id = get(&app, &mut admin, "/api/auth/me").await["id"]
        .as_i64()
        .unwrap();
    category(&app, &mut admin, "House").await;
    let before = snapshot(&app);
    let last = json!({"confirm_username": "admin", "reassign_to": carol_id});
    let answer = delete_user(&app, &mut admin, admin_id, last).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.code(), "LAST_ADMIN");
    assert_eq!(snapshot(&app), before);

    let me = alice.send(&app.router, "GET", "/api/auth/me", None).await;
    assert_eq!(me.status, StatusCode::OK, "Alice is still here");
}

#[tokio::test]
async fn usernames_are_ascii_so_no_two_users_differ_only_in_case() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (alice_id, _) = user(&app, &mut admin, "alice").await;
    let before = snapshot(&app);

    for username in ["Ä", "ä", "jörg", "Ωmega"] {
        let body = json!({"username": username, "password": "long-enough-pw", "role": "user"});
        let created = admin
            .send(&app.router, "POST", "/api/admin/users", Some(body))
            .await;
        assert_eq!(created.status, StatusCode::BAD_REQUEST, "{username}");
        assert_eq!(created.json["error"]["field"], "username");
        let message = created.json["error"]["message"].as_str().unwrap();
        assert!(message.contains("without accents"), "{message}");

        let renamed = admin
            .send(
                &app.router,
                "PATCH",
                &format!("/api/admin/users/{alice_id}"),
                Some(json!({"username": username})),
            )
            .await;
        assert_eq!(renamed.status, StatusCode::BAD_REQUEST, "{username}");
        assert_eq!(renamed.json["error"]["field"], "username");
    }
    assert_eq!(snapshot(&app), before);

    let body = json!({"username": "ALICE", "password": "long-enough-pw", "role": "user"});
    let taken = admin
        .send(&app.router, "POST", "/api/admin/users", Some(body))
        .await;
    assert_eq!(taken.code(), "USERNAME_TAKEN");
    let mut again = Client::new();
    let login = again.login(&app.router, "ALICE", "alice-password-1").await;
    assert_eq!(
        login.status,
        StatusCode::OK,
        "case does not matter at sign-in"
    );
}
