//! The router in process: meta endpoints, the SPA fallback, headers, and the
//! committed OpenAPI document.

use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use billtracker::db::Db;
use billtracker::paths::DataDir;
use billtracker_web::app::AppState;
use billtracker_web::config::WebConfig;
use http_body_util::BodyExt;
use tower::ServiceExt;

fn app() -> (tempfile::TempDir, axum::Router) {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path());
    data.prepare().unwrap();
    let db = Db::open(&data, 2).unwrap();
    billtracker::migrate::migrate(&mut db.get().unwrap()).unwrap();
    let config: WebConfig = clap::Parser::parse_from([
        "billtracker-web",
        "--data-dir",
        &tmp.path().display().to_string(),
    ]);
    let secrets = billtracker::crypto::SecretBox::load(None, &data).unwrap();
    let state = AppState::new(db, Instant::now(), config, secrets);
    (tmp, billtracker_web::app::router(state))
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app
        .clone()
        .oneshot(
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn about_names_the_product_and_its_version() {
    let (_tmp, app) = app();
    let (status, _, body) = call(&app, "GET", "/api/about").await;
    assert_eq!(status, StatusCode::OK);
    let about: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(about["name"], "BillTracker");
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn health_is_ok_when_the_database_answers() {
    let (_tmp, app) = app();
    let (status, _, body) = call(&app, "GET", "/api/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["status"],
        "ok"
    );
}

#[tokio::test]
async fn head_of_the_root_answers_200_without_a_body() {
    let (_tmp, app) = app();
    let (status, headers, body) = call(&app, "HEAD", "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(body.is_empty());
}

#[tokio::test]
async fn app_paths_fall_back_to_the_shell_and_api_paths_do_not() {
    let (_tmp, app) = app();
    let (status, headers, _) = call(&app, "GET", "/settings/calendar").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(headers["cache-control"], "no-cache");

    let (status, headers, body) = call(&app, "GET", "/api/unknown").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["error"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let (_tmp, app) = app();
    for path in ["/", "/api/about", "/api/unknown"] {
        let (_, headers, _) = call(&app, "GET", path).await;
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
    }
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let (_tmp, app) = app();
    let (status, _, body) = call(&app, "GET", "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let served: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(served["paths"]["/api/health"]["get"].is_object());

    // The SPA's types are generated from services/web/openapi.json; it must
    // not drift from the handlers. Regenerate with `make openapi`.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        served, committed,
        "services/web/openapi.json is stale: run `make openapi`"
    );
}
