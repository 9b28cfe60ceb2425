//! The monthly summary through the API: totals from the tracker, the plan
//! and income, shortfalls, the previous month's leftover, safe to spend,
//! and refused changes that change nothing.

mod common;

use axum::http::StatusCode;
use common::{Client, TestApp, admin, app, user};
use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::{Value, json};

async fn signed_in(app: &TestApp, name: &str) -> Client {
    let mut admin = admin(app).await;
    user(app, &mut admin, name).await.1
}

async fn bill(app: &TestApp, client: &mut Client, body: Value) -> i64 {
    let answer = client
        .send(&app.router, "POST", "/api/bills", Some(body))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.json);
    answer.json["id"].as_i64().unwrap()
}

async fn pay(app: &TestApp, client: &mut Client, bill_id: i64, due: &str, cents: i64, on: &str) {
    let answer = client
        .send(
            &app.router,
            "POST",
            "/api/payments",
            Some(
                json!({"bill_id": bill_id, "due_date": due, "amount_cents": cents, "paid_on": on}),
            ),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.json);
}

async fn put_summary(app: &TestApp, client: &mut Client, month: &str, body: Value) -> Value {
    let answer = client
        .send(
            &app.router,
            "PUT",
            &format!("/api/summary?{month}"),
            Some(body),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
    answer.json
}

async fn get(app: &TestApp, client: &mut Client, uri: &str) -> Value {
    let answer = client.send(&app.router, "GET", uri, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}: {:?}", answer.json);
    answer.json
}

fn bucket<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bucket"] == name)
        .map(|b| &b["totals"])
        .unwrap()
}

fn today() -> Date {
    // The app's "today": TZ, else the system's zone, as jiff reads it.
    jiff::Zoned::now().date()
}

/// June 2025, long past: rent paid, phone partly paid, the car overpaid,
/// the gym missed and the insurance skipped.
async fn june_2025(app: &TestApp, client: &mut Client) {
    let monthly = |name: &str, cents: i64, day: i64| {
        json!({"name": name, "amount_cents": cents, "cycle": "monthly", "due_day": day,
               "anchor_date": format!("2025-01-{day:02}")})
    };
    let rent = bill(app, client, monthly("Rent", 120_000, 1)).await;
    let phone = bill(app, client, monthly("Phone", 5_000, 5)).await;
    let insurance = bill(app, client, monthly("Insurance", 20_000, 12)).await;
    let car = bill(app, client, monthly("Car", 30_000, 20)).await;
    let mut gym = monthly("Gym", 3_000, 28);
    gym["bucket"] = json!("other");
    bill(app, client, gym).await;

    pay(app, client, rent, "2025-06-01", 120_000, "2025-06-01").await;
    pay(app, client, phone, "2025-06-05", 2_000, "2025-06-06").await;
    pay(app, client, car, "2025-06-20", 35_000, "2025-06-19").await;
    let skip = client
        .send(
            &app.router,
            "PUT",
            &format!("/api/occurrences/{insurance}/2025-06-12/override"),
            Some(json!({"skipped": true})),
        )
        .await;
    assert_eq!(skip.status, StatusCode::OK, "{:?}", skip.json);
}

#[tokio::test]
async fn the_summary_adds_the_plan_to_the_trackers_totals() {
    let app = app().await;
    let mut alice = signed_in(&app, "alice").await;
    june_2025(&app, &mut alice).await;

    let summary = put_summary(
        &app,
        &mut alice,
        "year=2025&month=6",
        json!({
            "starting": {"first": 100_000, "fifteenth": 10_000},
            "income": [
                {"label": "Salary", "amount_cents": 50_000, "expected_on": "2025-06-01", "received": true},
                {"label": "Mid-month pay", "amount_cents": 15_000, "expected_on": "2025-06-15"}
            ]
        }),
    )
    .await;

    let first = bucket(&summary, "first");
    assert_eq!(first["starting_cents"], 100_000);
    assert_eq!(first["income_cents"], 50_000);
    assert_eq!(
        first["due_cents"], 125_000,
        "the skipped insurance is not due"
    );
    assert_eq!(first["paid_cents"], 122_000);
    assert_eq!(first["remaining_cents"], 3_000);
    assert_eq!(first["left_after_bills_cents"], 25_000);
    assert_eq!(first["shortfall"], false);

    let fifteenth = bucket(&summary, "fifteenth");
    assert_eq!(
        fifteenth["income_cents"], 15_000,
        "the 15th defaults to fifteenth"
    );
    assert_eq!(fifteenth["income_received_cents"], 0);
    assert_eq!(fifteenth["paid_cents"], 35_000, "overpayments count");
    assert_eq!(fifteenth["remaining_cents"], 0);
    assert_eq!(fifteenth["left_after_bills_cents"], -5_000);
    assert_eq!(fifteenth["shortfall"], true);

    let other = bucket(&summary, "other");
    assert_eq!(other["left_after_bills_cents"], -3_000);
    assert_eq!(other["shortfall"], true);

    let totals = &summary["totals"];
    assert_eq!(totals["starting_cents"], 110_000);
    assert_eq!(totals["income_cents"], 65_000);
    assert_eq!(totals["income_received_cents"], 50_000);
    assert_eq!(totals["left_after_bills_cents"], 17_000);
    assert_eq!(totals["shortfall"], false);
    let tracker = get(&app, &mut alice, "/api/tracker?year=2025&month=6").await;
    for figure in ["due_cents", "paid_cents", "remaining_cents"] {
        assert_eq!(
            totals[figure], tracker["totals"][figure],
            "{figure} as in the tracker"
        );
    }

    // The month is over and no income is still expected: everything owed
    // is kept back.
    assert_eq!(summary["next_income_on"], Value::Null);
    assert_eq!(
        summary["safe_to_spend_cents"],
        110_000 + 50_000 - 157_000 - 6_000
    );
    assert_eq!(
        summary["previous_month_leftover_cents"],
        Value::Null,
        "May has no plan"
    );
    assert_eq!(summary["income"].as_array().unwrap().len(), 2);

    let july = get(&app, &mut alice, "/api/summary?year=2025&month=7").await;
    assert_eq!(july["previous_month_leftover_cents"], 17_000);
    assert_eq!(july["totals"]["starting_cents"], 0);
    assert_eq!(
        get(&app, &mut alice, "/api/summary?year=2025&month=6").await,
        summary
    );
}

#[tokio::test]
async fn a_put_keeps_what_it_leaves_out_and_replaces_the_income_list() {
    let app = app().await;
    let mut alice = signed_in(&app, "alice").await;
    let month = "year=2025&month=6";
    let first = put_summary(
        &app,
        &mut alice,
        month,
        json!({
            "starting": {"first": 1_000, "fifteenth": 2_000, "other": 3_000},
            "income": [
                {"label": "Salary", "amount_cents": 50_000, "expected_on": "2025-06-01", "received": true},
                {"label": "Bonus", "amount_cents": 9_000, "expected_on": "2025-06-20"}
            ]
        }),
    )
    .await;
    let salary = first["income"][0]["id"].as_i64().unwrap();

    let changed = put_summary(
        &app,
        &mut alice,
        month,
        json!({"starting": {"other": 4_000}}),
    )
    .await;
    assert_eq!(
        changed["starting"],
        json!({"first": 1_000, "fifteenth": 2_000, "other": 4_000})
    );
    assert_eq!(
        changed["income"], first["income"],
        "income left out is kept"
    );

    let replaced = put_summary(
        &app,
        &mut alice,
        month,
        json!({"income": [
            {"id": salary, "label": "Salary (net)", "amount_cents": 52_000, "expected_on": "2025-06-02", "received": true, "bucket": "other"},
            {"label": "Refund", "amount_cents": 700, "expected_on": "2025-06-30"}
        ]}),
    )
    .await;
    let income = replaced["income"].as_array().unwrap();
    assert_eq!(income.len(), 2, "the bonus is gone: {income:?}");
    assert_eq!(income[0]["id"], salary, "updated in place");
    assert_eq!(income[0]["label"], "Salary (net)");
    assert_eq!(income[0]["bucket"], "other");
    assert_eq!(income[1]["label"], "Refund");
    assert_ne!(income[1]["id"], salary);
    assert_eq!(replaced["starting"]["other"], 4_000);

    let emptied = put_summary(&app, &mut alice, month, json!({"income": []})).await;
    assert_eq!(emptied["income"], json!([]));
}

#[tokio::test]
async fn safe_to_spend_keeps_back_only_bills_due_before_the_next_income() {
    let app = app().await;
    let mut alice = signed_in(&app, "alice").await;
    // Next month: every date in it is after today, so nothing is late.
    let next = today().first_of_month().checked_add(1.month()).unwrap();
    let on = |day: i8| next.with().day(day).build().unwrap().to_string();
    let monthly = |name: &str, cents: i64, day: i8| json!({"name": name, "amount_cents": cents, "cycle": "monthly", "due_day": day, "anchor_date": on(day)});
    bill(&app, &mut alice, monthly("Rent", 100_000, 1)).await;
    let phone = bill(&app, &mut alice, monthly("Phone", 5_000, 10)).await;
    bill(&app, &mut alice, monthly("Car", 30_000, 20)).await;
    pay(
        &app,
        &mut alice,
        phone,
        &on(10),
        5_000,
        &today().to_string(),
    )
    .await;

    let month = format!("year={}&month={}", next.year(), next.month());
    let pay_day = json!({"label": "Pay", "amount_cents": 80_000, "expected_on": on(15)});
    let summary = put_summary(
        &app,
        &mut alice,
        &month,
        json!({"starting": {"first": 150_000}, "income": [pay_day]}),
    )
    .await;
    assert_eq!(summary["next_income_on"], on(15));
    // Rent is owed before the 15th, the phone is paid, the car comes after.
    assert_eq!(summary["safe_to_spend_cents"], 150_000 - 5_000 - 100_000);

    let id = summary["income"][0]["id"].clone();
    let received = put_summary(
        &app,
        &mut alice,
        &month,
        json!({"income": [{"id": id, "label": "Pay", "amount_cents": 80_000, "expected_on": on(15), "received": true}]}),
    )
    .await;
    assert_eq!(received["next_income_on"], Value::Null);
    assert_eq!(
        received["safe_to_spend_cents"],
        150_000 + 80_000 - 5_000 - 130_000,
        "no income expected: the whole month is kept back"
    );
}

fn plan_rows(app: &TestApp) -> Vec<String> {
    let conn = app.db.get().unwrap();
    let mut rows = Vec::new();
    for sql in [
        "SELECT user_id, year, month, starting_first_cents, starting_fifteenth_cents, starting_other_cents FROM month_plans ORDER BY 1, 2, 3",
        "SELECT id, user_id, year, month, label, amount_cents, expected_on, received, bucket FROM income_entries ORDER BY id",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let columns = stmt.column_count();
        let found = stmt
            .query_map([], |row| {
                Ok((0..columns)
                    .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        rows.extend(found);
    }
    rows
}

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    let app = app().await;
    let mut alice = signed_in(&app, "alice").await;
    let saved = put_summary(
        &app,
        &mut alice,
        "year=2025&month=6",
        json!({"starting": {"first": 1_000}, "income": [
            {"label": "Salary", "amount_cents": 50_000, "expected_on": "2025-06-01"}
        ]}),
    )
    .await;
    let salary = saved["income"][0]["id"].as_i64().unwrap();
    let good = json!({"label": "Pay", "amount_cents": 1, "expected_on": "2025-06-10"});
    let with = |key: &str, value: Value| {
        let mut entry = good.clone();
        entry[key] = value;
        // A valid starting change rides along: it must not be saved either.
        json!({"starting": {"first": 9_999}, "income": [entry]})
    };
    let too_many: Vec<Value> = (0..51).map(|_| good.clone()).collect();
    let cases = [
        (
            "year=2025&month=6",
            json!({"starting": {"first": -1}}),
            "starting.first",
        ),
        (
            "year=2025&month=6",
            json!({"starting": {"other": "10"}}),
            "starting.other",
        ),
        (
            "year=2025&month=6",
            with("amount_cents", json!(-5)),
            "income.amount_cents",
        ),
        (
            "year=2025&month=6",
            with("amount_cents", json!(1.5)),
            "income[0].amount_cents",
        ),
        (
            "year=2025&month=6",
            with("expected_on", json!("2025-07-01")),
            "income.expected_on",
        ),
        (
            "year=2025&month=6",
            with("expected_on", json!("2025-06-31")),
            "income[0].expected_on",
        ),
        (
            "year=2025&month=6",
            with("label", json!("   ")),
            "income.label",
        ),
        (
            "year=2025&month=6",
            with("label", json!("x".repeat(81))),
            "income.label",
        ),
        (
            "year=2025&month=6",
            with("bucket", json!("middle")),
            "income[0].bucket",
        ),
        ("year=2025&month=6", json!({"income": too_many}), "income"),
        (
            "year=2025&month=6",
            json!({"income": [{"amount_cents": 1, "expected_on": "2025-06-10"}]}),
            "label",
        ),
        (
            "year=2025&month=6",
            json!({"starting": {}, "savings": 1}),
            "",
        ),
        (
            "year=2025&month=13",
            json!({"starting": {"first": 5}}),
            "month",
        ),
        ("year=2025", json!({"starting": {"first": 5}}), "month"),
        (
            "year=2025&month=6",
            json!({"income": [
                {"id": salary, "label": "A", "amount_cents": 1, "expected_on": "2025-06-02"},
                {"id": salary, "label": "B", "amount_cents": 1, "expected_on": "2025-06-03"}
            ]}),
            "income.id",
        ),
    ];

    let before = plan_rows(&app);
    for (month, body, field) in cases {
        let answer = alice
            .send(
                &app.router,
                "PUT",
                &format!("/api/summary?{month}"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{month} {body}: {:?}",
            answer.json
        );
        if !field.is_empty() {
            assert_eq!(
                answer.json["error"]["field"], field,
                "{body}: {:?}",
                answer.json
            );
        }
        assert_eq!(plan_rows(&app), before, "{body} changed nothing");
    }
    let summary = get(&app, &mut alice, "/api/summary?year=2025&month=6").await;
    assert_eq!(summary["starting"]["first"], 1_000);
}

#[tokio::test]
async fn another_users_or_another_months_income_id_answers_404() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (_, mut alice) = user(&app, &mut admin, "alice").await;
    let (_, mut bob) = user(&app, &mut admin, "bob").await;
    let saved = put_summary(
        &app,
        &mut alice,
        "year=2025&month=6",
        json!({"income": [{"label": "Salary", "amount_cents": 50_000, "expected_on": "2025-06-01"}]}),
    )
    .await;
    let salary = saved["income"][0]["id"].clone();

    let before = plan_rows(&app);
    let steal = json!({"income": [{"id": salary, "label": "Mine", "amount_cents": 1, "expected_on": "2025-06-01"}]});
    let answer = bob
        .send(
            &app.router,
            "PUT",
            "/api/summary?year=2025&month=6",
            Some(steal),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{:?}", answer.json);

    let elsewhere = json!({"income": [{"id": salary, "label": "Moved", "amount_cents": 1, "expected_on": "2025-07-01"}]});
    let answer = alice
        .send(
            &app.router,
            "PUT",
            "/api/summary?year=2025&month=7",
            Some(elsewhere),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{:?}", answer.json);
    assert_eq!(plan_rows(&app), before);

    let bobs = get(&app, &mut bob, "/api/summary?year=2025&month=6").await;
    assert_eq!(bobs["income"], json!([]), "bob sees none of alice's income");
    assert_eq!(bobs["totals"]["income_cents"], 0);
}
