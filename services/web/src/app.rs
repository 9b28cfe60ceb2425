//! The router: API routes with their OpenAPI document, security headers,
//! request tracing, and the SPA for every other path.

use std::sync::Arc;
use std::time::Instant;

use crate::config::WebConfig;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::response::IntoResponse;
use axum::routing::get;
use billtracker::accounts::settings::{self, AuthSettings};
use billtracker::accounts::{User, users};
use billtracker::config::{CommonArgs, WebArgs};
use billtracker::crypto::SecretBox;
use billtracker::db::Db;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::auth::csrf;
use crate::auth::rate_limit::Limits;
use crate::error::ApiError;
use crate::routes::{
    admin_auth, admin_ops, admin_users, auth, backups, bills, categories, meta, payments, profile,
    tracker,
};
use crate::spa;

/// Shared by every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub started_at: Instant,
    pub common: Arc<CommonArgs>,
    pub web: Arc<WebArgs>,
    pub secrets: Arc<SecretBox>,
    pub limits: Limits,
    pub time_zone: jiff::tz::TimeZone,
    openapi: Arc<String>,
}

impl AppState {
    pub fn new(db: Db, started_at: Instant, config: WebConfig, secrets: SecretBox) -> Self {
        let time_zone = config.common.time_zone();
        AppState {
            db,
            started_at,
            common: Arc::new(config.common),
            web: Arc::new(config.web),
            secrets: Arc::new(secrets),
            limits: Limits::default(),
            time_zone,
            openapi: Arc::new(openapi_json()),
        }
    }

    /// Today in the instance time zone.
    pub fn today(&self) -> jiff::civil::Date {
        jiff::Timestamp::now()
            .to_zoned(self.time_zone.clone())
            .date()
    }

    /// The effective sign-in settings (database over environment).
    pub async fn auth_settings(&self) -> Result<AuthSettings, ApiError> {
        let state = self.clone();
        Ok(self
            .db
            .run(move |conn| settings::load(conn, &state.web.oidc, &state.secrets))
            .await?)
    }

    /// A user by id (404 when gone).
    pub async fn user(&self, id: i64) -> Result<User, ApiError> {
        self.db
            .run(move |conn| users::get(conn, id))
            .await?
            .ok_or_else(|| ApiError::not_found("the user"))
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BillTracker API",
        description = "JSON API of BillTracker. Money is integer cents, dates are YYYY-MM-DD, \
                       timestamps RFC 3339 in UTC."
    ),
    tags(
        (name = "meta", description = "What is running and whether it is healthy"),
        (name = "auth", description = "Sign-in, sessions and CSRF"),
        (name = "profile", description = "The signed-in user's own account"),
        (name = "admin", description = "Administration (admins only)"),
        (name = "bills", description = "Bills and categories of the signed-in user"),
        (name = "payments", description = "Payments of the signed-in user"),
        (name = "tracker", description = "The monthly tracker and its occurrences"),
        (name = "summary", description = "Monthly planning: starting money, income and what is left"),
        (name = "calendar", description = "The calendar and its iCal feeds"),
    )
)]
struct ApiDoc;

/// The API routes and the OpenAPI document generated from their handlers.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::about))
        .routes(routes!(meta::health))
        .routes(routes!(auth::mode))
        .routes(routes!(csrf::token))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(profile::update))
        .routes(routes!(profile::logins))
        .routes(routes!(admin_users::list, admin_users::create))
        .routes(routes!(admin_users::update, admin_users::delete))
        .routes(routes!(admin_users::reset_password))
        .routes(routes!(admin_users::audit_log))
        .routes(routes!(admin_auth::get, admin_auth::put))
        .routes(routes!(admin_ops::status))
        .routes(routes!(admin_ops::preview, admin_ops::run))
        .routes(routes!(backups::list, backups::create))
        .routes(routes!(backups::delete))
        .routes(routes!(backups::download))
        .routes(routes!(backups::verify))
        .routes(routes!(backups::restore))
        .routes(routes!(backups::import).layer(DefaultBodyLimit::max(backups::IMPORT_BODY_LIMIT)))
        .routes(routes!(categories::list, categories::create))
        .routes(routes!(categories::update, categories::delete))
        .routes(routes!(categories::deleted))
        .routes(routes!(categories::restore))
        .routes(routes!(bills::list, bills::create))
        .routes(routes!(bills::get, bills::update, bills::delete))
        .routes(routes!(bills::deleted))
        .routes(routes!(bills::restore))
        .routes(routes!(bills::duplicate))
        .routes(routes!(bills::payment_history))
        .routes(routes!(payments::list, payments::create))
        .routes(routes!(payments::update, payments::delete))
        .routes(routes!(payments::restore))
        .routes(routes!(payments::autopay_failed))
        .routes(routes!(payments::bulk))
        .routes(routes!(payments::bulk_delete))
        .routes(routes!(payments::bulk_restore))
        .routes(routes!(tracker::month))
        .routes(routes!(tracker::overdue))
        .routes(routes!(tracker::put_override, tracker::delete_override))
        .routes(routes!(tracker::quick_pay))
        .routes(routes!(tracker::remove_payments))
        .routes(routes!(
            crate::routes::summary::get,
            crate::routes::summary::put
        ))
        .routes(routes!(crate::routes::calendar::month))
        .routes(routes!(
            crate::routes::feeds::list,
            crate::routes::feeds::create
        ))
        .routes(routes!(crate::routes::feeds::regenerate))
        .routes(routes!(crate::routes::feeds::delete))
        .routes(routes!(crate::routes::feeds::preview))
        .merge(crate::routes::feeds::public())
        .routes(routes!(crate::routes::oidc::login))
        .routes(routes!(crate::routes::oidc::callback))
        .routes(routes!(crate::routes::oidc::test))
        .split_for_parts()
}

/// The OpenAPI document of the whole API, as served at `/api/openapi.json`.
pub fn openapi_json() -> String {
    let (_, doc) = api();
    doc.to_pretty_json().unwrap_or_else(|_| "{}".to_string())
}

/// Content-Security-Policy: scripts only from this origin. Mantine injects
/// its styles at run time, hence inline styles.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
                   frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The largest JSON body the API accepts.
const JSON_BODY_LIMIT: usize = 64 * 1024;

/// Builds the application.
pub fn router(state: AppState) -> Router {
    let (api, _) = api();
    let hsts = state.web.https == Some(true);
    let refresh =
        axum::middleware::from_fn_with_state(state.clone(), crate::auth::refresh::refresh_cookie);

    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];

    let mut app = api
        .route("/api/openapi.json", get(openapi_document))
        .fallback(spa::fallback)
        .with_state(state)
        .layer(refresh)
        .layer(axum::middleware::from_fn(csrf::enforce))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let route = request
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("fallback", |p| p.as_str());
                tracing::debug_span!("request", http.method = %request.method(), http.route = route)
            }),
        );
    if hsts {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    for (name, value) in headers {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    app
}

async fn openapi_document(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_str().to_owned(),
    )
}
