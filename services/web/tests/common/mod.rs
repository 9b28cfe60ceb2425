//! A test app: the real router over a fresh database, driven in process,
//! with a tiny cookie jar per client.

#![allow(dead_code)]

pub mod openapi;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use billtracker::db::Db;
use billtracker::paths::DataDir;
use billtracker_web::app::AppState;
use billtracker_web::config::WebConfig;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "correct-horse-battery";

pub struct TestApp {
    pub tmp: tempfile::TempDir,
    pub db: Db,
    pub router: axum::Router,
}

/// A fresh database with the first admin, and the router built from `args`
/// (extra command-line flags such as `--trust-proxy true`).
pub async fn app_with(args: &[&str]) -> TestApp {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path());
    data.prepare().unwrap();
    let db = Db::open(&data, 4).unwrap();
    billtracker::migrate::migrate(&mut db.get().unwrap()).unwrap();
    billtracker::accounts::bootstrap::ensure_admin(
        &db,
        Some(ADMIN.into()),
        Some(billtracker::config::Secret::new(ADMIN_PASSWORD)),
    )
    .await
    .unwrap();
    let router = router_for(&db, &data, args);
    TestApp { tmp, db, router }
}

pub async fn app() -> TestApp {
    app_with(&[]).await
}

/// Another router over the same database with other settings.
pub fn router_for(db: &Db, data: &DataDir, args: &[&str]) -> axum::Router {
    let data_dir = data.root().display().to_string();
    let mut argv = vec!["billtracker-web", "--data-dir", data_dir.as_str()];
    argv.extend_from_slice(args);
    let config: WebConfig = clap::Parser::parse_from(argv);
    let secrets = billtracker::crypto::SecretBox::load(None, data).unwrap();
    let state = AppState::new(db.clone(), Instant::now(), config, secrets);
    billtracker_web::app::router(state)
        .layer(MockConnectInfo(SocketAddr::from(([10, 0, 0, 7], 50_000))))
}

/// An answer with its parsed JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }

    /// Every Set-Cookie header of the answer.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

/// A browser: cookies and the CSRF token in memory.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub cookies: BTreeMap<String, String>,
    pub csrf: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl Client {
    pub fn new() -> Self {
        Client::default()
    }

    pub async fn send(
        &mut self,
        router: &axum::Router,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> Answer {
        self.send_with(router, method, uri, body, true).await
    }

    /// Sends a request; `with_csrf` adds the header when a token is known.
    pub async fn send_with(
        &mut self,
        router: &axum::Router,
        method: &str,
        uri: &str,
        body: Option<Value>,
        with_csrf: bool,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header("cookie", cookie);
        }
        if with_csrf && let Some(token) = &self.csrf {
            request = request.header("x-csrf-token", token);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();

        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let answer = Answer {
            status,
            headers,
            json,
        };
        for cookie in answer.set_cookies() {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        answer
    }

    pub async fn fetch_csrf(&mut self, router: &axum::Router) {
        let answer = self.send(router, "GET", "/api/auth/csrf-token", None).await;
        assert_eq!(answer.status, StatusCode::OK);
        self.csrf = Some(answer.json["token"].as_str().unwrap().to_string());
    }

    pub async fn login(&mut self, router: &axum::Router, username: &str, password: &str) -> Answer {
        if self.csrf.is_none() {
            self.fetch_csrf(router).await;
        }
        self.send(
            router,
            "POST",
            "/api/auth/login",
            Some(json!({"username": username, "password": password})),
        )
        .await
    }
}

/// A signed-in admin.
pub async fn admin(app: &TestApp) -> Client {
    let mut client = Client::new();
    let answer = client.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
    client
}

/// Creates a user through the admin API (no forced password change) and
/// signs them in.
pub async fn user(app: &TestApp, admin: &mut Client, username: &str) -> (i64, Client) {
    let password = format!("{username}-password-1");
    let created = admin
        .send(
            &app.router,
            "POST",
            "/api/admin/users",
            Some(json!({"username": username, "password": password, "role": "user", "must_change_password": false})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json);
    let mut client = Client::new();
    let answer = client.login(&app.router, username, &password).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
    (created.json["id"].as_i64().unwrap(), client)
}
