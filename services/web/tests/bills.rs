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
            "/api/bills",
            with("anchor_date", json!("2026-01-20")),
            "anchor_date",
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
        (
            "/api/categories",
            json!({"name": "Bad icon", "icon": "🏠 home"}),
            "icon",
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

/// Every id of a paged payment list, following `next` from the first page.
async fn page_through(app: &TestApp, client: &mut Client, path: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut next = Value::Null;
    for _ in 0..20 {
        let uri = match &next {
            Value::Null => format!("{path}?limit=2"),
            cursor => format!("{path}?limit=2&before={cursor}"),
        };
        let page = client.send(&app.router, "GET", &uri, None).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {:?}", page.json);
        let items = page.json["items"].as_array().unwrap();
        ids.extend(items.iter().map(|p| p["id"].as_i64().unwrap()));
        next = page.json["next"].clone();
        if next.is_null() {
            return ids;
        }
    }
    panic!("{path} did not end after 20 pages: {ids:?}");
}

#[tokio::test]
async fn payment_pages_follow_the_paid_date_even_when_entered_out_of_order() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let bill = create_bill(&app, &mut alice, json!({"name": "Rent", "amount_cents": 1_000, "cycle": "monthly", "due_day": 1, "anchor_date": "2025-01-01"})).await;
    let bill_id = bill["id"].as_i64().unwrap();
    let mut entered = Vec::new();
    // Entered in this order; paid on these dates (two on the same day).
    for (due, paid_on) in [
        ("2025-03-01", "2025-03-01"),
        ("2025-02-01", "2025-02-01"),
        ("2025-04-01", "2025-04-01"),
        ("2025-01-01", "2025-01-01"),
        ("2025-05-01", "2025-03-01"),
    ] {
        let created = alice
            .send(&app.router, "POST", "/api/payments", Some(json!({"bill_id": bill_id, "due_date": due, "amount_cents": 100, "paid_on": paid_on})))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json);
        entered.push(created.json["id"].as_i64().unwrap());
    }
    let newest_first = vec![entered[2], entered[4], entered[0], entered[1], entered[3]];

    assert_eq!(
        page_through(&app, &mut alice, "/api/payments").await,
        newest_first,
        "each payment once, newest paid date first"
    );
    assert_eq!(
        page_through(&app, &mut alice, &format!("/api/bills/{bill_id}/payments")).await,
        newest_first
    );

    let mut bob = signed_in_user(&app, "bob").await;
    for cursor in ["999999".to_string(), entered[0].to_string()] {
        let unknown = bob
            .send(
                &app.router,
                "GET",
                &format!("/api/payments?before={cursor}"),
                None,
            )
            .await;
        assert_eq!(
            unknown.status,
            StatusCode::BAD_REQUEST,
            "{:?}",
            unknown.json
        );
        assert_eq!(unknown.json["error"]["field"], "before");
    }
}

#[tokio::test]
async fn an_occurrence_of_nothing_is_paid_without_a_payment() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let bill = create_bill(&app, &mut alice, json!({"name": "Free tier", "amount_cents": 0, "cycle": "monthly", "due_day": 1, "anchor_date": "2025-01-01"})).await;
    let id = bill["id"].as_i64().unwrap();

    let january = alice
        .send(&app.router, "GET", "/api/tracker?year=2025&month=1", None)
        .await
        .json;
    assert_eq!(row(&january, id)["status"], "paid");
    assert_eq!(january["totals"]["overdue_count"], 0);
    let preview = alice
        .send(
            &app.router,
            "POST",
            "/api/payments/bulk",
            Some(json!({"year": 2025, "month": 1, "bucket": "first", "dry_run": true})),
        )
        .await;
    assert_eq!(preview.json["count"], 0, "nothing to pay");
}

#[tokio::test]
async fn payments_of_a_deleted_bill_are_invisible_until_it_is_restored() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let bill = create_bill(&app, &mut alice, json!({"name": "Gym", "amount_cents": 2_500, "cycle": "monthly", "due_day": 1, "anchor_date": "2025-01-01"})).await;
    let bill_id = bill["id"].as_i64().unwrap();
    let payment = alice
        .send(&app.router, "POST", "/api/payments", Some(json!({"bill_id": bill_id, "due_date": "2025-06-01", "amount_cents": 2_500, "paid_on": "2025-06-01"})))
        .await;
    let payment_id = payment.json["id"].as_i64().unwrap();
    let listed = |answer: &Value| -> Vec<i64> {
        answer["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };

    alice
        .send(
            &app.router,
            "DELETE",
            &format!("/api/bills/{bill_id}"),
            None,
        )
        .await;

    let list = alice.send(&app.router, "GET", "/api/payments", None).await;
    assert_eq!(listed(&list.json), Vec::<i64>::new());
    let patch = alice
        .send(
            &app.router,
            "PATCH",
            &format!("/api/payments/{payment_id}"),
            Some(json!({"amount_cents": 1})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND, "{:?}", patch.json);
    let delete = alice
        .send(
            &app.router,
            "DELETE",
            &format!("/api/payments/{payment_id}"),
            None,
        )
        .await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
    let undo = alice
        .send(
            &app.router,
            "POST",
            "/api/payments/bulk-delete",
            Some(json!({"ids": [payment_id]})),
        )
        .await;
    assert_eq!(undo.status, StatusCode::NOT_FOUND);

    alice
        .send(
            &app.router,
            "POST",
            &format!("/api/bills/{bill_id}/restore"),
            None,
        )
        .await;
    let list = alice.send(&app.router, "GET", "/api/payments", None).await;
    assert_eq!(
        listed(&list.json),
        vec![payment_id],
        "back whole on restore"
    );
    let history = alice
        .send(
            &app.router,
            "GET",
            &format!("/api/bills/{bill_id}/payments"),
            None,
        )
        .await;
    assert_eq!(history.json["items"][0]["amount_cents"], 2_500);
}

#[tokio::test]
async fn a_snoozed_occurrence_stays_missed_and_overdue_but_leaves_the_panel_until_its_snooze_date()
{
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let bill = create_bill(&app, &mut alice, json!({"name": "Water", "amount_cents": 3_000, "cycle": "monthly", "due_day": 1, "anchor_date": "2025-01-01"})).await;
    let id = bill["id"].as_i64().unwrap();
    let today: jiff::civil::Date = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json["today"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let due = today
        .first_of_month()
        .checked_sub(jiff::Span::new().months(1))
        .unwrap();
    let last_month = format!("/api/tracker?year={}&month={}", due.year(), due.month());
    let overdue = |tracker: &Value| -> i64 {
        tracker["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["rows"].as_array().unwrap())
            .filter(|r| r["status"] == "late" || r["status"] == "missed")
            .count() as i64
    };
    let in_panel = |panel: &Value| -> bool {
        panel
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["bill_id"] == id && r["due_date"] == due.to_string())
    };
    let snooze = |until: jiff::civil::Date| json!({"snoozed_until": until.to_string()});
    let override_path = format!("/api/occurrences/{id}/{due}/override");

    let before = alice.send(&app.router, "GET", &last_month, None).await.json;
    assert_eq!(row(&before, id)["status"], "missed");
    assert_eq!(before["totals"]["overdue_count"], 1);
    let panel = alice
        .send(&app.router, "GET", "/api/tracker/overdue", None)
        .await
        .json;
    assert!(in_panel(&panel), "{panel}");

    let until = today.tomorrow().unwrap();
    let set = alice
        .send(&app.router, "PUT", &override_path, Some(snooze(until)))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.json);
    let snoozed = alice.send(&app.router, "GET", &last_month, None).await.json;
    assert_eq!(
        row(&snoozed, id)["override"]["snoozed_until"],
        until.to_string()
    );
    assert_eq!(
        row(&snoozed, id)["status"],
        "missed",
        "snoozing is not paying"
    );
    assert_eq!(snoozed["totals"]["overdue_count"], 1);
    assert_eq!(
        snoozed["totals"]["overdue_count"].as_i64().unwrap(),
        overdue(&snoozed),
        "the count follows the statuses"
    );
    assert_eq!(snoozed["buckets"][0]["totals"]["overdue_count"], 1);
    assert_eq!(snoozed["totals"]["remaining_cents"], 3_000);
    let panel = alice
        .send(&app.router, "GET", "/api/tracker/overdue", None)
        .await
        .json;
    assert!(!in_panel(&panel), "held back until tomorrow: {panel}");

    alice
        .send(&app.router, "PUT", &override_path, Some(snooze(today)))
        .await;
    let panel = alice
        .send(&app.router, "GET", "/api/tracker/overdue", None)
        .await
        .json;
    assert!(in_panel(&panel), "back on its snooze date: {panel}");
}

/// Every row of the tables a bad write could touch.
fn snapshot(app: &TestApp) -> Vec<String> {
    let conn = app.db.get().unwrap();
    let mut rows = Vec::new();
    for table in ["bills", "categories", "payments", "occurrence_overrides"] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .unwrap();
        let columns = stmt.column_count();
        let mut query = stmt.query([]).unwrap();
        while let Some(row) = query.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|i| format!("{:?}", row.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect();
            rows.push(format!("{table}: {}", values.join(", ")));
        }
    }
    rows
}

#[tokio::test]
async fn every_edit_refuses_bad_input_naming_the_field_and_changes_nothing() {
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
    let category = alice
        .send(
            &app.router,
            "POST",
            "/api/categories",
            Some(json!({"name": "Home", "color": "#228be6"})),
        )
        .await;
    let category_id = category.json["id"].as_i64().unwrap();
    let bill = create_bill(&app, &mut alice, json!({"name": "Rent", "amount_cents": 1_000, "cycle": "monthly", "due_day": 1, "anchor_date": "2025-01-01", "bucket": "first"})).await;
    let bill_id = bill["id"].as_i64().unwrap();
    let other = create_bill(&app, &mut alice, json!({"name": "Phone", "amount_cents": 500, "cycle": "monthly", "due_day": 2, "anchor_date": "2025-01-02"})).await;
    let payment = alice
        .send(&app.router, "POST", "/api/payments", Some(json!({"bill_id": bill_id, "due_date": "2025-01-01", "amount_cents": 400, "paid_on": "2025-01-03"})))
        .await;
    let payment_id = payment.json["id"].as_i64().unwrap();
    let kept = alice
        .send(
            &app.router,
            "PUT",
            &format!("/api/occurrences/{bill_id}/2025-02-01/override"),
            Some(json!({"note": "keep me", "amount_cents": 900})),
        )
        .await;
    assert_eq!(kept.status, StatusCode::OK, "{:?}", kept.json);

    let payment_path = format!("/api/payments/{payment_id}");
    let override_path = format!("/api/occurrences/{bill_id}/2025-02-01/override");
    let category_path = format!("/api/categories/{category_id}");
    let bill_path = format!("/api/bills/{bill_id}");
    let bulk_path = "/api/payments/bulk".to_string();
    let quick_pay_path = format!("/api/occurrences/{bill_id}/2025-03-01/quick-pay");
    let not_a_day = format!("/api/occurrences/{bill_id}/2025-02-30/quick-pay");
    let not_a_month = format!("/api/occurrences/{bill_id}/2025-13-01/override");
    let not_a_date = format!("/api/occurrences/{bill_id}/march/payments");
    let not_an_id = "/api/occurrences/rent/2025-03-01/quick-pay".to_string();
    let cases = [
        (
            "POST",
            &quick_pay_path,
            json!({"method": "bitcoin"}),
            "method",
        ),
        ("POST", &quick_pay_path, json!({"method": 5}), "method"),
        ("POST", &not_a_day, json!({}), "due_date"),
        ("PUT", &not_a_month, json!({"note": "x"}), "due_date"),
        ("DELETE", &not_a_month, json!({}), "due_date"),
        ("DELETE", &not_a_date, json!({}), "due_date"),
        ("POST", &not_an_id, json!({}), "bill_id"),
        (
            "PATCH",
            &payment_path,
            json!({"amount_cents": 0}),
            "amount_cents",
        ),
        (
            "PATCH",
            &payment_path,
            json!({"amount_cents": -5}),
            "amount_cents",
        ),
        (
            "PATCH",
            &payment_path,
            json!({"amount_cents": 12.5}),
            "amount_cents",
        ),
        (
            "PATCH",
            &payment_path,
            json!({"paid_on": "2025-13-01"}),
            "paid_on",
        ),
        (
            "PATCH",
            &payment_path,
            json!({"amount_cents": 1, "paid_on": "2999-01-01"}),
            "paid_on",
        ),
        (
            "PATCH",
            &payment_path,
            json!({"method": "bitcoin"}),
            "method",
        ),
        (
            "PATCH",
            &payment_path,
            json!({"due_date": "2025-01-15"}),
            "due_date",
        ),
        (
            "PATCH",
            &payment_path,
            json!({"bill_id": other["id"]}),
            "bill_id",
        ),
        (
            "PATCH",
            &payment_path,
            json!({"note": "x".repeat(501)}),
            "note",
        ),
        (
            "PUT",
            &override_path,
            json!({"amount_cents": -1}),
            "amount_cents",
        ),
        (
            "PUT",
            &override_path,
            json!({"amount_cents": 12.5}),
            "amount_cents",
        ),
        (
            "PUT",
            &override_path,
            json!({"amount_cents": "900"}),
            "amount_cents",
        ),
        (
            "PUT",
            &override_path,
            json!({"note": "changed", "amount_cents": -1}),
            "amount_cents",
        ),
        (
            "PUT",
            &override_path,
            json!({"amount_cents": i64::MAX}),
            "amount_cents",
        ),
        (
            "PUT",
            &override_path,
            json!({"snoozed_until": "2026-02-30"}),
            "snoozed_until",
        ),
        (
            "PUT",
            &override_path,
            json!({"snoozed_until": "next week"}),
            "snoozed_until",
        ),
        (
            "POST",
            &bulk_path,
            json!({"year": 2025, "month": 1, "bucket": "middle"}),
            "bucket",
        ),
        (
            "POST",
            &bulk_path,
            json!({"year": 2025, "month": 13, "bucket": "first"}),
            "month",
        ),
        (
            "POST",
            &bulk_path,
            json!({"year": 2025, "month": 0, "bucket": "first"}),
            "month",
        ),
        (
            "POST",
            &bulk_path,
            json!({"year": 10_000, "month": 1, "bucket": "first"}),
            "year",
        ),
        (
            "POST",
            &bulk_path,
            json!({"year": 2025, "month": "1", "bucket": "first"}),
            "month",
        ),
        ("PATCH", &category_path, json!({"color": "red"}), "color"),
        ("PATCH", &category_path, json!({"name": ""}), "name"),
        (
            "PATCH",
            &category_path,
            json!({"icon": "a house with a garden"}),
            "icon",
        ),
        (
            "PATCH",
            &category_path,
            json!({"name": "Renamed", "icon": "x".repeat(17)}),
            "icon",
        ),
        (
            "PATCH",
            &category_path,
            json!({"name": "Renamed", "color": "red"}),
            "color",
        ),
        (
            "PATCH",
            &category_path,
            json!({"counts_toward_spending": "yes"}),
            "counts_toward_spending",
        ),
        (
            "PATCH",
            &bill_path,
            json!({"cycle": "fortnightly"}),
            "cycle",
        ),
        (
            "PATCH",
            &bill_path,
            json!({"category_id": foreign_id}),
            "category_id",
        ),
        (
            "PATCH",
            &bill_path,
            json!({"name": "Renamed", "category_id": foreign_id}),
            "category_id",
        ),
        (
            "PATCH",
            &bill_path,
            json!({"category_id": 9999}),
            "category_id",
        ),
    ];
    let before = snapshot(&app);
    for (method, path, body, field) in cases {
        let answer = alice
            .send(&app.router, method, path, Some(body.clone()))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{method} {path} {body}: {:?}",
            answer.json
        );
        assert_eq!(
            answer.json["error"]["field"], field,
            "{method} {path} {body}: {:?}",
            answer.json
        );
        assert_eq!(
            snapshot(&app),
            before,
            "{method} {path} {body} changed nothing"
        );
    }
}

#[tokio::test]
async fn an_undo_that_fails_on_one_payment_restores_none() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let bill = create_bill(&app, &mut alice, json!({"name": "Rent", "amount_cents": 1_000, "cycle": "monthly", "due_day": 1, "anchor_date": "2025-01-01"})).await;
    let payment = alice
        .send(&app.router, "POST", "/api/payments", Some(json!({"bill_id": bill["id"], "due_date": "2025-01-01", "amount_cents": 1_000, "paid_on": "2025-01-01"})))
        .await;
    let id = payment.json["id"].as_i64().unwrap();
    alice
        .send(&app.router, "DELETE", &format!("/api/payments/{id}"), None)
        .await;

    let undo = alice
        .send(
            &app.router,
            "POST",
            "/api/payments/bulk-restore",
            Some(json!({"ids": [id, 999_999]})),
        )
        .await;
    assert_eq!(undo.status, StatusCode::NOT_FOUND);
    let list = alice.send(&app.router, "GET", "/api/payments", None).await;
    assert_eq!(list.json["items"], json!([]), "still deleted");
}

/// The daily run's autopay step over the app's database, as the janitor runs it.
fn record_autopay(app: &TestApp, today: jiff::civil::Date) -> usize {
    use billtracker::bills::autopay;
    let mut conn = app.db.get().unwrap();
    let tx = conn.transaction().unwrap();
    let recorded = autopay::record_due(&tx, autopay::first_window(today), today).unwrap();
    tx.commit().unwrap();
    recorded
}

#[tokio::test]
async fn an_autopay_marked_as_failed_is_owed_again_and_never_recorded_again() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let mut bob = signed_in_user(&app, "bob").await;
    let mut admin = admin(&app).await;
    let now = alice.send(&app.router, "GET", "/api/tracker", None).await;
    let today: jiff::civil::Date = now.json["today"].as_str().unwrap().parse().unwrap();
    let due = today.checked_sub(jiff::ToSpan::days(5)).unwrap();
    let month = format!("/api/tracker?year={}&month={}", due.year(), due.month());
    let bill = |name: &str, autopay: bool| {
        json!({"name": name, "amount_cents": 4200, "cycle": "monthly", "due_day": due.day(),
               "anchor_date": due.to_string(), "autopay": autopay})
    };
    let phone = create_bill(&app, &mut alice, bill("Phone", true)).await["id"].clone();
    let rent = create_bill(&app, &mut alice, bill("Rent", false)).await["id"].clone();
    let manual = alice
        .send(
            &app.router,
            "POST",
            "/api/payments",
            Some(json!({"bill_id": rent, "due_date": due.to_string(), "amount_cents": 4200})),
        )
        .await;
    assert_eq!(manual.status, StatusCode::CREATED, "{:?}", manual.json);
    assert_eq!(record_autopay(&app, today), 1);
    let tracker = alice.send(&app.router, "GET", &month, None).await.json;
    let phone_row = row(&tracker, phone.as_i64().unwrap());
    assert_eq!(phone_row["status"], "paid");
    assert_eq!(phone_row["autopay_failed"], false);
    let autopay_id = phone_row["autopay_payment_id"].as_i64().unwrap();
    let mark = |id: i64| format!("/api/payments/{id}/autopay-failed");

    let foreign = bob.send(&app.router, "POST", &mark(autopay_id), None).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{:?}", foreign.json);
    let by_hand = manual.json["id"].as_i64().unwrap();
    let refused = alice.send(&app.router, "POST", &mark(by_hand), None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.json);
    assert_eq!(refused.code(), "NOT_AUTOPAY");
    let untouched = alice.send(&app.router, "GET", &month, None).await.json;
    assert_eq!(untouched["totals"]["paid_count"], 2, "nothing was removed");

    let marked = alice
        .send(&app.router, "POST", &mark(autopay_id), None)
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{:?}", marked.json);
    assert_eq!(marked.json["autopay_failed"], true);
    assert_eq!(marked.json["payment_count"], 0);
    let tracker = alice.send(&app.router, "GET", &month, None).await.json;
    let phone_row = row(&tracker, phone.as_i64().unwrap());
    assert!(
        ["late", "missed"].contains(&phone_row["status"].as_str().unwrap()),
        "{phone_row}"
    );
    assert_eq!(phone_row["autopay_failed"], true);
    assert_eq!(phone_row["remaining_cents"], 4200);
    assert_eq!(phone_row["autopay_payment_id"], Value::Null);
    assert_eq!(tracker["totals"]["overdue_count"], 1);
    assert_eq!(
        record_autopay(&app, today),
        0,
        "the daily run leaves it alone"
    );

    // Undo: restoring the payment puts it back and clears the mark.
    let restored = alice
        .send(
            &app.router,
            "POST",
            &format!("/api/payments/{autopay_id}/restore"),
            None,
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{:?}", restored.json);
    let tracker = alice.send(&app.router, "GET", &month, None).await.json;
    let phone_row = row(&tracker, phone.as_i64().unwrap());
    assert_eq!(phone_row["status"], "paid");
    assert_eq!(phone_row["autopay_failed"], false);
    assert_eq!(tracker["totals"]["overdue_count"], 0);

    // Marked again and purged: the mark outlives the payment.
    let marked = alice
        .send(&app.router, "POST", &mark(autopay_id), None)
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{:?}", marked.json);
    app.db
        .get()
        .unwrap()
        .execute(
            "UPDATE payments SET deleted_at = '2000-01-01T00:00:00.000Z' WHERE id = ?1",
            [autopay_id],
        )
        .unwrap();
    let purged = admin
        .send(
            &app.router,
            "POST",
            "/api/admin/cleanup",
            Some(json!({"tasks": ["deleted_records"]})),
        )
        .await;
    assert_eq!(purged.status, StatusCode::OK, "{:?}", purged.json);
    let left: i64 = app
        .db
        .get()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM payments WHERE id = ?1",
            [autopay_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "the purge removed the payment");
    assert_eq!(record_autopay(&app, today), 0);
    let tracker = alice.send(&app.router, "GET", &month, None).await.json;
    let phone_row = row(&tracker, phone.as_i64().unwrap());
    assert_eq!(phone_row["payment_count"], 0);
    assert_eq!(phone_row["autopay_failed"], true);

    // Paying it by hand works as usual.
    let paid = alice
        .send(
            &app.router,
            "POST",
            &format!("/api/occurrences/{phone}/{due}/quick-pay"),
            Some(json!({})),
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{:?}", paid.json);
    let tracker = alice.send(&app.router, "GET", &month, None).await.json;
    assert_eq!(row(&tracker, phone.as_i64().unwrap())["status"], "paid");
    assert_eq!(tracker["totals"]["overdue_count"], 0);
}

#[tokio::test]
async fn a_paid_month_keeps_its_payment_and_totals_when_the_due_day_changes() {
    let app = app().await;
    let mut alice = signed_in_user(&app, "alice").await;
    let bill = create_bill(&app, &mut alice, json!({"name": "Rent", "amount_cents": 90_000, "cycle": "monthly", "due_day": 5, "anchor_date": "2025-01-05"})).await;
    let id = bill["id"].as_i64().unwrap();
    let today: jiff::civil::Date = alice
        .send(&app.router, "GET", "/api/tracker", None)
        .await
        .json["today"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let month = |back: i64| {
        today
            .first_of_month()
            .checked_add(jiff::Span::new().months(-back))
            .unwrap()
    };
    let tracker_path = |first: jiff::civil::Date| {
        format!("/api/tracker?year={}&month={}", first.year(), first.month())
    };
    let rows = |tracker: &Value| -> Vec<(String, String)> {
        tracker["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["rows"].as_array().unwrap())
            .filter(|r| r["bill_id"] == id)
            .map(|r| {
                let text = |key: &str| r[key].as_str().unwrap().to_string();
                (text("due_date"), text("status"))
            })
            .collect()
    };
    let paid_due = month(2).with().day(5).build().unwrap();
    let paid = alice
        .send(&app.router, "POST", "/api/payments", Some(json!({"bill_id": id, "due_date": paid_due.to_string(), "amount_cents": 90_000, "paid_on": paid_due.to_string()})))
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{:?}", paid.json);
    let before = alice
        .send(&app.router, "GET", &tracker_path(month(2)), None)
        .await
        .json;

    // The bill editor sends the first due date unchanged with the new due day.
    let edited = alice
        .send(
            &app.router,
            "PATCH",
            &format!("/api/bills/{id}"),
            Some(json!({"due_day": 20, "anchor_date": "2025-01-05"})),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.json);
    assert_eq!(
        edited.json["anchor_date"], "2025-01-20",
        "the first due date follows"
    );

    let after = alice
        .send(&app.router, "GET", &tracker_path(month(2)), None)
        .await
        .json;
    assert_eq!(
        after["totals"], before["totals"],
        "the paid month's totals are unchanged"
    );
    assert_eq!(
        rows(&after),
        vec![(paid_due.to_string(), "paid".to_string())]
    );

    let on_20th = |first: jiff::civil::Date| first.with().day(20).build().unwrap().to_string();
    let unpaid = alice
        .send(&app.router, "GET", &tracker_path(month(1)), None)
        .await
        .json;
    assert_eq!(
        rows(&unpaid),
        vec![(on_20th(month(1)), "missed".to_string())]
    );
    for back in [0, -1, -2] {
        let tracker = alice
            .send(&app.router, "GET", &tracker_path(month(back)), None)
            .await
            .json;
        let dates: Vec<String> = rows(&tracker).into_iter().map(|(d, _)| d).collect();
        assert_eq!(
            dates,
            vec![on_20th(month(back))],
            "{back} months back follows the new schedule"
        );
    }

    let history = alice
        .send(
            &app.router,
            "GET",
            &format!("/api/bills/{id}/payments"),
            None,
        )
        .await;
    assert_eq!(history.json["items"][0]["due_date"], paid_due.to_string());
}
