//! Bills, categories, payments and the tracker through the API.

mod common;

use axum::http::StatusCode;
use common::{Client, TestApp, admin, app, user};
use serde_json::{Value, json};

async fn signed_in_user(app: &TestApp, name: &str) -> Client {
    let mut admin = admin(app).await;
    user(app, &mut admin, name).await.1
}

async fn create_bill(app: &TestApp, client: &mut Client, body: Value) -> Value {
    let answer = client
        .send(&app.router, "POST", "/api/bills", Some(body))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.json);
    answer.json
}

fn row(tracker: &Value, bill_id: i64) -> &Value {
    tracker["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["rows"].as_array().unwrap())
        .find(|r| r["bill_id"] == bill_id)
        .unwrap_or_else(|| panic!("bill {bill_id} in {tracker}"))
}

#[tokio::test]
async fn every_write_refuses_bad_input_naming_the_field() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let mut admin = admin(&app).await;
    let foreign = admin
        .send(
            &app.router,
            "POST",
            "/api/categories",
            Some(json!({"name": "Admin's"})),
        )
        .await;
    let foreign_id = foreign.json["id"].clone();
    let bill = create_bill(
        &app,
        &mut alice,
        json!({"name": "Rent", "amount_cents": 1000, "cycle": "monthly", "due_day": 1}),
    )
    .await;
    let bill_id = bill["id"].clone();
    let due = bill["anchor_date"].clone();

    let valid = json!({"name": "X", "amount_cents": 100, "cycle": "monthly", "due_day": 5});
    let with = |key: &str, value: Value| {
        let mut body = valid.clone();
        body[key] = value;
        body
    };
    let cases = [
        (
            "/api/bills",
            with("amount_cents", json!(-1)),
            "amount_cents",
        ),
        (
            "/api/bills",
            with("amount_cents", json!(12.5)),
            "amount_cents",
        ),
        (
            "/api/bills",
            with("amount_cents", json!("100")),
            "amount_cents",
        ),
        ("/api/bills", with("due_day", json!(0)), "due_day"),
        ("/api/bills", with("due_day", json!(32)), "due_day"),
        ("/api/bills", with("cycle", json!("fortnightly")), "cycle"),
        (
            "/api/bills",
            with("category_id", json!(9999)),
            "category_id",
        ),
        ("/api/bills", with("category_id", foreign_id), "category_id"),
        ("/api/bills", with("name", json!("")), "name"),
        (
            "/api/bills",
            with("anchor_date", json!("2026-02-30")),
            "anchor_date",
        ),
        (
            "/api/bills",
            json!({"name": "No cycle", "amount_cents": 1}),
            "cycle",
        ),
        (
            "/api/payments",
            json!({"bill_id": bill_id, "due_date": due, "amount_cents": 100, "paid_on": "yesterday"}),
            "paid_on",
        ),
        (
            "/api/payments",
            json!({"bill_id": bill_id, "due_date": due, "amount_cents": 0}),
            "amount_cents",
        ),
        (
            "/api/payments",
            json!({"bill_id": bill_id, "due_date": due, "amount_cents": -5}),
            "amount_cents",
        ),
        (
            "/api/payments",
            json!({"bill_id": bill_id, "due_date": "2001-01-07", "amount_cents": 5}),
            "due_date",
        ),
        (
            "/api/payments",
            json!({"bill_id": 9999, "due_date": due, "amount_cents": 5}),
            "bill_id",
        ),
        (
            "/api/categories",
            json!({"name": "Bad colour", "color": "red"}),
            "color",
        ),
    ];
    let count = |app: &TestApp| -> (i64, i64, i64) {
        app.db
            .get()
            .unwrap()
            .query_row(
                "SELECT (SELECT count(*) FROM bills), (SELECT count(*) FROM payments), (SELECT count(*) FROM categories)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
    };
    let before = count(&app);
    for (path, body, field) in cases {
        let answer = alice
            .send(&app.router, "POST", path, Some(body.clone()))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{path} {body}: {:?}",
            answer.json
        );
        assert_eq!(
            answer.json["error"]["field"], field,
            "{path} {body}: {:?}",
            answer.json
        );
    }
    assert_eq!(count(&app), before, "nothing was written");

    let patch = alice
        .send(
            &app.router,
            "PATCH",
            &format!("/api/bills/{bill_id}"),
            Some(json!({"due_day": 0})),
        )
        .await;
    assert_eq!(patch.json["error"]["field"], "due_day");
    let month = alice
        .send(&app.router, "GET", "/api/tracker?year=2026&month=13", None)
        .await;
    assert_eq!(month.json["error"]["field"], "month");
    let malformed = alice
        .send(&app.router, "GET", "/api/bills/not-a-number", None)
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn quick_pay_and_its_undo_change_the_tracker_totals() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let bill = create_bill(
        &app,
        &mut alice,
        json!({"name": "Phone", "amount_cents": 4_500, "cycle": "monthly", "due_day": 1}),
    )
    .await;
    let id = bill["id"].as_i64().unwrap();
    let due = bill["anchor_date"].as_str().unwrap().to_string();

    let before = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json;
    assert_eq!(row(&before, id)["remaining_cents"], 4_500);

    let paid = alice
        .send(
            &app.router,
            "POST",
            &format!("/api/occurrences/{id}/{due}/quick-pay"),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{:?}", paid.json);
    assert_eq!(paid.json["amount_cents"], 4_500);
    let after = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json;
    assert_eq!(row(&after, id)["status"], "paid");
    assert_eq!(
        after["totals"]["paid_cents"].as_i64().unwrap(),
        before["totals"]["paid_cents"].as_i64().unwrap() + 4_500
    );
    assert_eq!(
        after["totals"]["remaining_cents"].as_i64().unwrap(),
        before["totals"]["remaining_cents"].as_i64().unwrap() - 4_500
    );

    let again = alice
        .send(
            &app.router,
            "POST",
            &format!("/api/occurrences/{id}/{due}/quick-pay"),
            None,
        )
        .await;
    assert_eq!(again.code(), "NOTHING_TO_PAY");

    // Remove the month's payments, then Undo.
    let removed = alice
        .send(
            &app.router,
            "DELETE",
            &format!("/api/occurrences/{id}/{due}/payments"),
            None,
        )
        .await;
    let ids = removed.json["ids"].clone();
    assert_eq!(ids.as_array().unwrap().len(), 1);
    let unpaid = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json;
    assert_eq!(
        row(&unpaid, id)["paid_cents"],
        0,
        "deleted payments do not count"
    );
    let restored = alice
        .send(
            &app.router,
            "POST",
            "/api/payments/bulk-restore",
            Some(json!({"ids": ids})),
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK);
    let back = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json;
    assert_eq!(row(&back, id)["status"], "paid");
}

#[tokio::test]
async fn pay_all_due_pays_each_unpaid_occurrence_once_and_undoes_in_one_step() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let mut ids = Vec::new();
    for (name, cents) in [("A", 1_000), ("B", 2_000), ("C", 3_000)] {
        let bill = create_bill(&app, &mut alice, json!({"name": name, "amount_cents": cents, "cycle": "monthly", "due_day": 1, "bucket": "first"})).await;
        ids.push(bill["id"].as_i64().unwrap());
    }
    let due = {
        let t = alice
            .send(&app.router, "GET", "/api/tracker", None)
            .await
            .json;
        row(&t, ids[0])["due_date"].as_str().unwrap().to_string()
    };
    alice
        .send(
            &app.router,
            "POST",
            "/api/payments",
            Some(json!({"bill_id": ids[1], "due_date": due, "amount_cents": 500})),
        )
        .await;
    let tracker = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json;
    let (year, month) = (tracker["year"].clone(), tracker["month"].clone());

    let preview = alice
        .send(
            &app.router,
            "POST",
            "/api/payments/bulk",
            Some(json!({"year": year, "month": month, "bucket": "first", "dry_run": true})),
        )
        .await;
    assert_eq!(preview.json["count"], 3);
    assert_eq!(preview.json["total_cents"], 1_000 + 1_500 + 3_000);
    assert!(preview.json["payment_ids"].as_array().unwrap().is_empty());

    let paid = alice
        .send(
            &app.router,
            "POST",
            "/api/payments/bulk",
            Some(json!({"year": year, "month": month, "bucket": "first"})),
        )
        .await;
    assert_eq!(paid.json["payment_ids"].as_array().unwrap().len(), 3);
    let after = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json;
    for id in &ids {
        assert_eq!(row(&after, *id)["status"], "paid");
    }
    assert_eq!(after["buckets"][0]["totals"]["remaining_cents"], 0);

    let undo = alice
        .send(
            &app.router,
            "POST",
            "/api/payments/bulk-delete",
            Some(json!({"ids": paid.json["payment_ids"]})),
        )
        .await;
    assert_eq!(undo.status, StatusCode::OK);
    let undone = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json;
    assert_eq!(
        undone["totals"], tracker["totals"],
        "one Undo restores the month exactly"
    );
}

#[tokio::test]
async fn deleted_bills_and_categories_come_back_whole_within_thirty_days() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let category = alice
        .send(
            &app.router,
            "POST",
            "/api/categories",
            Some(json!({"name": "Utilities", "color": "#228BE6"})),
        )
        .await;
    let category_id = category.json["id"].as_i64().unwrap();
    let bill = create_bill(&app, &mut alice, json!({"name": "Water", "amount_cents": 900, "cycle": "monthly", "due_day": 3, "category_id": category_id})).await;
    let id = bill["id"].as_i64().unwrap();

    let list = alice
        .send(&app.router, "GET", "/api/categories", None)
        .await;
    assert_eq!(list.json[0]["bill_count"], 1);
    assert_eq!(list.json[0]["color"], "#228be6");

    assert_eq!(
        alice
            .send(&app.router, "DELETE", &format!("/api/bills/{id}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let tracker = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json;
    assert_eq!(
        tracker["totals"]["occurrence_count"], 0,
        "a deleted bill is invisible"
    );
    let deleted = alice
        .send(&app.router, "GET", "/api/bills/deleted", None)
        .await;
    assert_eq!(deleted.json[0]["days_left"], 30);
    assert_eq!(
        alice
            .send(&app.router, "GET", &format!("/api/bills/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let restored = alice
        .send(
            &app.router,
            "POST",
            &format!("/api/bills/{id}/restore"),
            None,
        )
        .await;
    assert_eq!(restored.json["category_id"], category_id);
    assert_eq!(restored.json["name"], "Water");

    assert_eq!(
        alice
            .send(
                &app.router,
                "DELETE",
                &format!("/api/categories/{category_id}"),
                None
            )
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let deleted = alice
        .send(&app.router, "GET", "/api/categories/deleted", None)
        .await;
    assert_eq!(deleted.json[0]["days_left"], 30);
    let bill = alice
        .send(&app.router, "GET", &format!("/api/bills/{id}"), None)
        .await;
    assert_eq!(
        bill.json["category_id"], category_id,
        "bills keep the category until it is purged"
    );
    let back = alice
        .send(
            &app.router,
            "POST",
            &format!("/api/categories/{category_id}/restore"),
            None,
        )
        .await;
    assert_eq!(back.json["name"], "Utilities");
}

#[tokio::test]
async fn duplicate_and_deactivate_keep_history() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let bill = create_bill(&app, &mut alice, json!({"name": "Gym", "amount_cents": 2_500, "cycle": "monthly", "due_day": 1, "anchor_date": "2025-01-01"})).await;
    let id = bill["id"].as_i64().unwrap();
    alice
        .send(&app.router, "POST", "/api/payments", Some(json!({"bill_id": id, "due_date": "2025-06-01", "amount_cents": 2_500, "paid_on": "2025-06-01"})))
        .await;

    let copy = alice
        .send(
            &app.router,
            "POST",
            &format!("/api/bills/{id}/duplicate"),
            None,
        )
        .await;
    assert_eq!(copy.status, StatusCode::CREATED);
    assert_eq!(copy.json["name"], "Gym (copy)");
    assert_eq!(copy.json["amount_cents"], 2_500);

    let off = alice
        .send(
            &app.router,
            "PATCH",
            &format!("/api/bills/{id}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(off.json["active"], false);
    let june = alice
        .send(&app.router, "GET", "/api/tracker?year=2025&month=6", None)
        .await
        .json;
    assert_eq!(row(&june, id)["status"], "paid", "past history stays");
    let far = alice
        .send(&app.router, "GET", "/api/tracker?year=2030&month=1", None)
        .await
        .json;
    let has = far["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["rows"].as_array().unwrap())
        .any(|r| r["bill_id"] == id);
    assert!(!has, "an inactive bill drops out of future months");

    let history = alice
        .send(
            &app.router,
            "GET",
            &format!("/api/bills/{id}/payments?limit=1"),
            None,
        )
        .await;
    assert_eq!(history.json["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn month_overrides_change_amount_skip_and_snooze() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let bill = create_bill(&app, &mut alice, json!({"name": "Power", "amount_cents": 8_000, "amount_kind": "variable", "cycle": "monthly", "due_day": 28, "anchor_date": "2026-01-28"})).await;
    let id = bill["id"].as_i64().unwrap();

    let set = alice
        .send(
            &app.router,
            "PUT",
            &format!("/api/occurrences/{id}/2026-02-28/override"),
            Some(json!({"amount_cents": 9_100, "note": "cold month"})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.json);
    let feb = alice
        .send(&app.router, "GET", "/api/tracker?year=2026&month=2", None)
        .await
        .json;
    assert_eq!(row(&feb, id)["amount_due_cents"], 9_100);
    assert_eq!(row(&feb, id)["expected_cents"], 8_000);
    assert_eq!(row(&feb, id)["override"]["note"], "cold month");

    alice
        .send(
            &app.router,
            "PUT",
            &format!("/api/occurrences/{id}/2026-02-28/override"),
            Some(json!({"skipped": true})),
        )
        .await;
    let feb = alice
        .send(&app.router, "GET", "/api/tracker?year=2026&month=2", None)
        .await
        .json;
    assert_eq!(row(&feb, id)["status"], "skipped");
    assert_eq!(feb["totals"]["due_cents"], 0);

    let wrong_day = alice
        .send(
            &app.router,
            "PUT",
            &format!("/api/occurrences/{id}/2026-02-27/override"),
            Some(json!({"skipped": true})),
        )
        .await;
    assert_eq!(wrong_day.json["error"]["field"], "due_date");

    alice
        .send(
            &app.router,
            "DELETE",
            &format!("/api/occurrences/{id}/2026-02-28/override"),
            None,
        )
        .await;
    let feb = alice
        .send(&app.router, "GET", "/api/tracker?year=2026&month=2", None)
        .await
        .json;
    assert_eq!(row(&feb, id)["amount_due_cents"], 8_000);
}
