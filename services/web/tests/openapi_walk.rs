//! Tests generated from `/api/openapi.json`, so that every route added
//! later is covered: CSRF on every mutation, and user data scoped to its
//! owner.

mod common;

use axum::http::StatusCode;
use common::openapi::{
    IdField, document, fill_values, id_fields, operations, param_kind, path_params, query,
    request_body,
};
use common::{Answer, Client, TestApp, admin, app, user};
use serde_json::{Value, json};

const MUTATIONS: [&str; 4] = ["post", "put", "patch", "delete"];

/// Routes authenticated by a token of their own, outside CSRF.
const CSRF_EXEMPT: [&str; 3] = [
    "/api/calendar/feed/",
    "/api/notify/link/",
    "/api/auth/oidc/callback",
];

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
    seed_owned(&app, &mut alice).await;

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

/// Routes of a signed-in user's own data (public, sign-in and admin routes
/// excluded), with or without path parameters.
fn is_user_route(path: &str) -> bool {
    let elsewhere = [
        "/api/admin/",
        "/api/auth/",
        "/api/calendar/feed/",
        "/api/notify/link/",
    ];
    !elsewhere.iter().any(|p| path.starts_with(p))
        && !["/api/about", "/api/health", "/api/openapi.json"].contains(&path)
}

/// Tables of records whose name is not the plural of the word for them.
const TABLES: [(&str, &str); 2] = [("income", "income_entries"), ("feed", "calendar_feeds")];

/// An id that is no one's record.
const NOBODY: i64 = 1_000_000;

/// Ids of `user_id`'s records named by `word` (`bill`, `bills`, `category`,
/// `income`), deleted ones included; `None` when no table with `id` and
/// `user_id` columns holds them.
fn ids_of(app: &TestApp, word: &str, user_id: i64) -> Option<Vec<i64>> {
    let singular = word
        .strip_suffix("ies")
        .map(|w| format!("{w}y"))
        .or_else(|| word.strip_suffix('s').map(str::to_string))
        .unwrap_or_else(|| word.to_string());
    let plural = singular
        .strip_suffix('y')
        .map_or_else(|| format!("{singular}s"), |w| format!("{w}ies"));
    let alias = TABLES
        .iter()
        .find(|(w, _)| *w == singular)
        .map(|(_, table)| table.to_string());
    let conn = app.db.get().unwrap();
    let table = alias.into_iter().chain([plural, singular]).find(|table| {
        conn.query_row(
            "SELECT count(*) FROM pragma_table_info(?1) WHERE name IN ('id', 'user_id')",
            [table],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            == 2
    })?;
    let ids = conn
        .prepare(&format!(
            "SELECT id FROM \"{table}\" WHERE user_id = ?1 ORDER BY id"
        ))
        .unwrap()
        .query_map([user_id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    Some(ids)
}

/// Every way to fill the path's parameters with `user_id`'s records (dates
/// with 2026-03-01); `None` when a parameter names records of no known table.
fn path_choices(app: &TestApp, path: &str, user_id: i64) -> Option<Vec<Vec<String>>> {
    let mut choices = vec![Vec::new()];
    for name in path_params(path) {
        let values: Vec<String> = if name.contains("date") {
            vec!["2026-03-01".to_string()]
        } else {
            let ids = ids_of(app, &param_kind(path, &name), user_id)?;
            ids.iter().map(i64::to_string).collect()
        };
        choices = choices
            .into_iter()
            .flat_map(|choice| {
                values.iter().map(move |value| {
                    let mut choice = choice.clone();
                    choice.push(value.clone());
                    choice
                })
            })
            .collect();
    }
    Some(choices)
}

/// What `client` sees of their data through the API: every user-data GET,
/// for March 2026, on each of their records.
async fn view(
    app: &TestApp,
    doc: &Value,
    client: &mut Client,
    user_id: i64,
) -> Vec<(String, StatusCode, Value)> {
    let mut seen = Vec::new();
    for (method, path, operation) in operations(doc) {
        if method != "get" || !is_user_route(&path) {
            continue;
        }
        let choices = path_choices(app, &path, user_id).unwrap_or_default();
        for values in choices {
            let uri = format!(
                "{}{}",
                fill_values(&path, &values),
                query(&operation, doc, true)
            );
            let answer = client.send(&app.router, "GET", &uri, None).await;
            seen.push((uri, answer.status, answer.json));
        }
    }
    seen
}

/// Sends a request that must succeed; returns the answer's JSON.
async fn ok(app: &TestApp, client: &mut Client, method: &str, uri: &str, body: Value) -> Value {
    let body = (!body.is_null()).then_some(body);
    let answer = client.send(&app.router, method, uri, body).await;
    assert!(
        answer.status.is_success(),
        "{method} {uri}: {} {:?}",
        answer.status,
        answer.json
    );
    answer.json
}

/// `seed_records`, plus a deleted category, bill and payment, so that
/// references to deleted records and restores are tried too.
async fn seed_owned(app: &TestApp, client: &mut Client) {
    seed_records(app, client).await;

    let old = ok(
        app,
        client,
        "POST",
        "/api/categories",
        json!({"name": "Old"}),
    )
    .await;
    let uri = format!("/api/categories/{}", old["id"]);
    ok(app, client, "DELETE", &uri, Value::Null).await;

    let bill = json!({"name": "Gym", "amount_cents": 3000, "cycle": "monthly", "due_day": 1,
                      "anchor_date": "2026-01-01"});
    let gym = ok(app, client, "POST", "/api/bills", bill).await;
    let payment = json!({"bill_id": gym["id"], "due_date": "2026-02-01", "amount_cents": 100,
                         "paid_on": "2026-02-01"});
    let paid = ok(app, client, "POST", "/api/payments", payment).await;
    let uri = format!("/api/payments/{}", paid["id"]);
    ok(app, client, "DELETE", &uri, Value::Null).await;

    let bill = json!({"name": "Club", "amount_cents": 3000, "cycle": "monthly", "due_day": 1,
                      "anchor_date": "2026-01-01"});
    let club = ok(app, client, "POST", "/api/bills", bill).await;
    let uri = format!("/api/bills/{}", club["id"]);
    ok(app, client, "DELETE", &uri, Value::Null).await;
}

/// Fields a route needs beyond what its schema requires (create and update
/// share one input type, so the schema requires nothing).
fn known_good(method: &str, path: &str) -> Value {
    match (method, path) {
        ("post", "/api/bills") => json!({"name": "Water", "amount_cents": 1000,
            "cycle": "monthly", "due_day": 1, "anchor_date": "2026-01-01"}),
        ("post", "/api/payments") => {
            json!({"due_date": "2026-03-01", "amount_cents": 100, "paid_on": "2026-03-01"})
        }
        _ => json!({}),
    }
}

/// One id field of one mutation.
struct Target {
    verb: String,
    path: String,
    query: String,
    /// A valid body apart from the id field.
    base: Value,
    field: IdField,
}

impl Target {
    fn label(&self) -> String {
        format!("{} {} {}", self.verb, self.path, self.field.label())
    }

    fn uri(&self, path_values: &[String]) -> String {
        format!("{}{}", fill_values(&self.path, path_values), self.query)
    }

    async fn send(&self, app: &TestApp, client: &mut Client, uri: &str, ids: &[i64]) -> Answer {
        let body = self.field.set(&self.base, ids);
        client.send(&app.router, &self.verb, uri, Some(body)).await
    }

    /// Sends the request with the user's own records, in the path and in the
    /// field, until one is accepted, and returns that uri: the body is valid
    /// but for the id, so a refusal of someone else's id is about the id.
    async fn accepted_uri(&self, app: &TestApp, client: &mut Client, user_id: i64) -> String {
        let label = self.label();
        let own = ids_of(app, &self.field.kind, user_id).unwrap();
        let choices = path_choices(app, &self.path, user_id)
            .unwrap_or_else(|| panic!("{label}: its path names records of no known table"));
        let mut last = None;
        for values in choices {
            let uri = self.uri(&values);
            for id in &own {
                let answer = self.send(app, client, &uri, &[*id]).await;
                if answer.status.is_success() {
                    return uri;
                }
                last = Some((uri.clone(), *id, answer));
            }
        }
        panic!(
            "{label}: no own record of the user is accepted, so the body is wrong apart \
             from the id; add what the route needs to `known_good` (last try: {last:?})"
        );
    }
}

/// Refused as accounts.md asks: 404, or a 400/422 that names the field; and
/// exactly as an id of nobody's is refused, so nothing is learnt from it.
fn assert_refused_like_nobody(what: &str, field: &IdField, answer: &Answer, nobody: &Answer) {
    let named = answer.json["error"]["field"]
        .as_str()
        .and_then(|f| f.rsplit(['.', '[', ']']).find(|s| !s.is_empty()))
        == Some(field.name.as_str());
    let bad_input = matches!(
        answer.status,
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
    );
    assert!(
        answer.status == StatusCode::NOT_FOUND || (bad_input && named),
        "{what}: answered {} {:?}; another user's id must get 404 or an error naming `{}`",
        answer.status,
        answer.json,
        field.name
    );
    let shape = |a: &Answer| {
        (
            a.status,
            a.code().to_string(),
            a.json["error"]["field"].clone(),
        )
    };
    assert_eq!(
        shape(answer),
        shape(nobody),
        "{what}: another user's id is answered unlike an id of nobody's"
    );
}

/// User B sends every mutation whose JSON body names records (integer
/// fields `id`/`*_id`, integer arrays `ids`/`*_ids`, at any depth, found in
/// the OpenAPI request schemas) with user A's ids there, live and deleted.
///
/// What is expected: accounts.md says another user's record "answers 404,
/// never 403 and never data", and quality-bar.md that another user's ids get
/// a clear error and change nothing. An id in the path is the record asked
/// for, so the walk above wants 404. An id in the body is input, and the API
/// answers an id that names none of the user's records either with 404 (bulk
/// delete and restore, income entries) or with 400 or 422 naming the field ("unknown
/// bill"); both are accepted here. What is not accepted: success, 403, any
/// other error, or an answer that differs in status, code or field from the
/// one for an id of nobody's, which would tell B that A's record exists.
/// Neither the database nor anything A sees through the API may change.
///
/// Before A's ids, each route is sent with B's own ids until one is
/// accepted; this shows the rest of the body is valid, so that a refusal of
/// A's ids comes from the ownership check and not from another field.
#[tokio::test]
async fn another_users_ids_in_a_request_body_are_refused_and_nothing_changes() {
    let app = app().await;
    let doc = document(&app).await;
    let mut admin = admin(&app).await;
    let (alice_id, mut alice) = user(&app, &mut admin, "alice").await;
    let (bob_id, mut bob) = user(&app, &mut admin, "bob").await;
    seed_owned(&app, &mut alice).await;
    seed_owned(&app, &mut bob).await;
    let alice_sees = view(&app, &doc, &mut alice, alice_id).await;
    let shown = alice_sees.iter().filter(|(_, s, _)| *s == StatusCode::OK);
    assert!(
        shown.count() >= 10,
        "alice's view through the API is too thin to compare: {alice_sees:?}"
    );

    let mut checked = Vec::new();
    for (method, path, operation) in operations(&doc) {
        if !MUTATIONS.contains(&method.as_str()) || !is_user_route(&path) {
            continue;
        }
        let resource = path["/api/".len()..].split('/').next().unwrap();
        for field in id_fields(&operation, &doc, resource) {
            let mut base = request_body(&operation, &doc).unwrap_or_else(|| json!({}));
            for (key, value) in known_good(&method, &path).as_object().unwrap() {
                base[key] = value.clone();
            }
            let target = Target {
                verb: method.to_uppercase(),
                path: path.clone(),
                query: query(&operation, &doc, false),
                base,
                field,
            };
            let label = target.label();
            let theirs = ids_of(&app, &target.field.kind, alice_id)
                .filter(|ids| !ids.is_empty())
                .unwrap_or_else(|| {
                    panic!(
                        "{label} names `{}` records: seed some in `seed_owned`, and add their \
                         table to TABLES if it is not named after them",
                        target.field.kind
                    )
                });
            let uri = target.accepted_uri(&app, &mut bob, bob_id).await;

            let before = snapshot(&app);
            let mut tries: Vec<Vec<i64>> = theirs.iter().map(|id| vec![*id]).collect();
            if target.field.many {
                tries.push(theirs.clone());
            }
            for ids in tries {
                let answer = target.send(&app, &mut bob, &uri, &ids).await;
                let nobodys: Vec<i64> = (0..ids.len() as i64).map(|i| NOBODY + i).collect();
                let nobody = target.send(&app, &mut bob, &uri, &nobodys).await;
                let what = format!("{label} = alice's {ids:?} on {uri}");
                assert_refused_like_nobody(&what, &target.field, &answer, &nobody);
            }
            assert_eq!(
                snapshot(&app),
                before,
                "{label}: alice's ids changed the database"
            );
            checked.push(label);
        }
    }

    assert_eq!(
        view(&app, &doc, &mut alice, alice_id).await,
        alice_sees,
        "what alice sees of her data changed"
    );
    for known in [
        "POST /api/bills category_id",
        "PATCH /api/bills/{id} category_id",
        "POST /api/payments bill_id",
        "PATCH /api/payments/{id} bill_id",
        "POST /api/payments/bulk-delete ids",
        "POST /api/payments/bulk-restore ids",
        "PUT /api/summary income[].id",
    ] {
        assert!(
            checked.iter().any(|c| c == known),
            "{known} was not walked; walked: {checked:?}"
        );
    }
}
