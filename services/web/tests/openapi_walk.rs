//! Tests generated from `/api/openapi.json`, so that every route added
//! later is covered: CSRF on every mutation, and user data scoped to its
//! owner.

mod common;

use axum::http::StatusCode;
use common::{Client, TestApp, admin, app, user};
use serde_json::{Map, Value, json};

const MUTATIONS: [&str; 4] = ["post", "put", "patch", "delete"];

/// Routes authenticated by a token of their own, outside CSRF.
const CSRF_EXEMPT: [&str; 3] = [
    "/api/calendar/feed/",
    "/api/notify/link/",
    "/api/auth/oidc/callback",
];

async fn document(app: &TestApp) -> Value {
    Client::new()
        .send(&app.router, "GET", "/api/openapi.json", None)
        .await
        .json
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    all
}

/// Fills path parameters: numbers for ids, a date for dates, text otherwise.
fn fill(path: &str, id: i64) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap() + start;
        let name = &rest[start + 1..end];
        let value = if name.contains("date") {
            "2026-03-01".to_string()
        } else if name.contains("token") {
            "0".repeat(43)
        } else {
            id.to_string()
        };
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A minimal body that satisfies the request schema, so that a handler
/// gets past validation to its ownership check.
fn example(schema: &Value, doc: &Value, depth: usize) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return example(&doc["components"]["schemas"][name], doc, depth + 1);
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return options
            .first()
            .map_or(Value::Null, |s| example(s, doc, depth + 1));
    }
    if let Some(values) = schema["enum"].as_array() {
        return values.first().cloned().unwrap_or(Value::Null);
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|k| *k != "null")
            .cloned()
            .unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str() {
        Some("object") => {
            let mut object = Map::new();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(properties) = schema["properties"].as_object() {
                for (name, property) in properties {
                    if required.contains(&name.as_str()) {
                        object.insert(name.clone(), example(property, doc, depth + 1));
                    }
                }
            }
            Value::Object(object)
        }
        Some("array") => json!([]),
        Some("integer") => json!(1),
        Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("string") => match schema["format"].as_str() {
            Some("date") => json!("2026-03-01"),
            Some("date-time") => json!("2026-03-01T00:00:00Z"),
            _ => json!("x"),
        },
        _ => Value::Null,
    }
}

fn request_body(operation: &Value, doc: &Value) -> Option<Value> {
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    (!schema.is_null()).then(|| example(schema, doc, 0))
}

#[tokio::test]
async fn every_mutation_without_or_with_a_wrong_csrf_header_is_refused() {
    let app = app().await;
    let doc = document(&app).await;
    let mut signed_in = admin(&app).await;
    let mut checked = 0;

    for (method, path, operation) in operations(&doc) {
        if !MUTATIONS.contains(&method.as_str()) || CSRF_EXEMPT.iter().any(|p| path.starts_with(p))
        {
            continue;
        }
        let uri = fill(&path, 1);
        let body = request_body(&operation, &doc);
        let verb = method.to_uppercase();

        let missing = signed_in
            .send_with(&app.router, &verb, &uri, body.clone(), false)
            .await;
        assert_eq!(
            missing.status,
            StatusCode::FORBIDDEN,
            "{verb} {path} without x-csrf-token"
        );
        assert_eq!(missing.code(), "CSRF_INVALID", "{verb} {path}");

        let mut wrong = signed_in.clone();
        wrong.csrf = Some("A".repeat(43));
        let answer = wrong.send(&app.router, &verb, &uri, body).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{verb} {path} with a wrong x-csrf-token"
        );
        assert_eq!(answer.code(), "CSRF_INVALID", "{verb} {path}");
        checked += 1;
    }
    assert!(
        checked >= 9,
        "only {checked} mutations found in the OpenAPI document"
    );

    // The session is intact: nothing above was let through.
    assert_eq!(
        signed_in
            .send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::OK
    );
}

/// Every table's rows, for a before/after comparison.
fn snapshot(app: &TestApp) -> Vec<(String, Vec<String>)> {
    let conn = app.db.get().unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('audit_log', 'sessions', 'service_heartbeats') ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let columns = stmt.column_count();
            let rows = stmt
                .query_map([], |row| {
                    Ok((0..columns)
                        .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            (table, rows)
        })
        .collect()
}

/// One record of each kind owned by `client`, with 2026-03-01 a real due date.
async fn seed_records(app: &TestApp, client: &mut Client) {
    let category = client
        .send(
            &app.router,
            "POST",
            "/api/categories",
            Some(json!({"name": "Home"})),
        )
        .await;
    assert_eq!(category.status, StatusCode::CREATED, "{:?}", category.json);
    for name in ["Rent", "Power"] {
        let bill = client
            .send(
                &app.router,
                "POST",
                "/api/bills",
                Some(
                    json!({"name": name, "amount_cents": 1000, "cycle": "monthly", "due_day": 1,
                            "anchor_date": "2026-01-01", "category_id": category.json["id"]}),
                ),
            )
            .await;
        assert_eq!(bill.status, StatusCode::CREATED, "{:?}", bill.json);
        let bill_id = bill.json["id"].as_i64().unwrap();
        let payment = client
            .send(
                &app.router,
                "POST",
                "/api/payments",
                Some(json!({"bill_id": bill_id, "due_date": "2026-03-01", "amount_cents": 500, "paid_on": "2026-03-01"})),
            )
            .await;
        assert_eq!(payment.status, StatusCode::CREATED, "{:?}", payment.json);
        let note = client
            .send(
                &app.router,
                "PUT",
                &format!("/api/occurrences/{bill_id}/2026-02-01/override"),
                Some(json!({"note": "call them"})),
            )
            .await;
        assert_eq!(note.status, StatusCode::OK, "{:?}", note.json);
    }
    let plan = client
        .send(
            &app.router,
            "PUT",
            "/api/summary?year=2026&month=3",
            Some(json!({"starting": {"first": 100}, "income": [
                {"label": "Salary", "amount_cents": 5000, "expected_on": "2026-03-01"}
            ]})),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{:?}", plan.json);
    client
        .headers
        .push(("host".into(), "bills.example.test".into()));
    let feed = client
        .send(
            &app.router,
            "POST",
            "/api/calendar/feeds",
            Some(json!({"label": "Phone"})),
        )
        .await;
    assert_eq!(feed.status, StatusCode::CREATED, "{:?}", feed.json);
}

/// Routes that belong to a user's own data: everything with a path
/// parameter except the public, sign-in and admin routes.
fn is_user_data(path: &str) -> bool {
    path.contains('{')
        && !path.starts_with("/api/admin/")
        && !path.starts_with("/api/auth/")
        && !path.starts_with("/api/calendar/feed/")
        && !path.starts_with("/api/notify/link/")
}

#[tokio::test]
async fn another_users_records_answer_404_and_nothing_changes() {
    let app = app().await;
    let doc = document(&app).await;
    let mut admin = admin(&app).await;
    // A owns data (later capabilities create one of each of their records
    // here); B owns nothing, so any id B can reach belongs to someone else.
    let (_, mut alice) = user(&app, &mut admin, "alice").await;
    let (_, mut bob) = user(&app, &mut admin, "bob").await;
    seed_records(&app, &mut alice).await;

    let before = snapshot(&app);
    let mut checked = 0;
    for (method, path, operation) in operations(&doc) {
        if !is_user_data(&path) {
            continue;
        }
        for id in 1..=20 {
            let uri = fill(&path, id);
            let body = request_body(&operation, &doc);
            let answer = bob
                .send(&app.router, &method.to_uppercase(), &uri, body)
                .await;
            assert_eq!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{method} {uri} as another user: {:?}",
                answer.json
            );
            checked += 1;
        }
    }
    assert_eq!(snapshot(&app), before, "user B changed nothing");
    assert!(
        checked >= 200,
        "only {checked} calls: user-data routes are missing from the document"
    );
}
