//! CSRF protection by double submit: every POST, PUT, PATCH and DELETE
//! under `/api` must carry `x-csrf-token` equal to the `bt_csrf_token`
//! cookie. The only exceptions authenticate by a token of their own.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Serialize;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use super::{CSRF_COOKIE, CSRF_HEADER, Client, cookie_secure, csrf_cookie};
use crate::app::AppState;
use crate::error::ApiError;

/// Paths that are authenticated by their own token, not by the session.
const EXEMPT_PREFIXES: [&str; 3] = [
    "/api/calendar/feed/",
    "/api/notify/link/",
    "/api/auth/oidc/callback",
];

fn is_mutation(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Rejects a mutation whose header does not match its cookie.
pub async fn enforce(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let guarded = is_mutation(request.method())
        && (path == "/api" || path.starts_with("/api/"))
        && !EXEMPT_PREFIXES.iter().any(|p| path.starts_with(p));
    if guarded {
        let jar = CookieJar::from_headers(request.headers());
        let cookie = jar.get(CSRF_COOKIE).map(|c| c.value().to_string());
        let header = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let valid = match (cookie, header) {
            (Some(cookie), Some(header)) if well_formed(&cookie) => {
                bool::from(cookie.as_bytes().ct_eq(header.as_bytes()))
            }
            _ => false,
        };
        if !valid {
            return ApiError::csrf_invalid().into_response();
        }
    }
    next.run(request).await
}

/// A token we could have issued: 43 URL-safe base64 characters.
fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The CSRF token the SPA sends back in `x-csrf-token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CsrfToken {
    pub token: String,
}

/// Returns the CSRF token and sets it as the `bt_csrf_token` cookie. An
/// existing well-formed cookie keeps its value, so that several tabs agree.
#[utoipa::path(get, path = "/api/auth/csrf-token", tag = "auth",
    responses((status = 200, body = CsrfToken)))]
pub async fn token(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
) -> impl IntoResponse {
    let token = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| well_formed(t))
        .unwrap_or_else(billtracker::accounts::sessions::new_token);
    let secure = cookie_secure(&state.web, &client);
    let jar = jar.add(csrf_cookie(token.clone(), &state.web, secure));
    (jar, Json(CsrfToken { token }))
}
