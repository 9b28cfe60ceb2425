//! The router: API routes with their OpenAPI document, security headers,
//! request tracing, and the SPA for every other path.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::response::IntoResponse;
use axum::routing::get;
use billtracker::db::Db;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::meta;
use crate::spa;

/// Shared by every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub started_at: Instant,
    openapi: Arc<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BillTracker API",
        description = "JSON API of BillTracker. Money is integer cents, dates are YYYY-MM-DD, \
                       timestamps RFC 3339 in UTC."
    ),
    tags((name = "meta", description = "What is running and whether it is healthy"))
)]
struct ApiDoc;

/// The API routes and the OpenAPI document generated from their handlers.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::about))
        .routes(routes!(meta::health))
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

/// Builds the application.
pub fn router(db: Db, started_at: Instant) -> Router {
    let (api, _) = api();
    let state = AppState {
        db,
        started_at,
        openapi: Arc::new(openapi_json()),
    };

    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ];

    let mut app = api
        .route("/api/openapi.json", get(openapi_document))
        .fallback(spa::fallback)
        .with_state(state)
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let route = request
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("fallback", |p| p.as_str());
                tracing::debug_span!("request", http.method = %request.method(), http.route = route)
            }),
        );
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
