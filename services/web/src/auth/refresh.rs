//! Re-sends the session cookie when the server extended the session, so
//! that the browser keeps it as long as the server does (7 days from the
//! last use, not from sign-in).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;

use super::{Client, SESSION_COOKIE, cookie_secure, session_cookie};
use crate::app::AppState;

/// Set by the session extractor when it extended the session.
#[derive(Debug, Clone, Default)]
pub struct SessionExtended(Arc<AtomicBool>);

impl SessionExtended {
    pub fn mark(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

pub async fn refresh_cookie(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let token = CookieJar::from_headers(&parts.headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string());
    let client = Client::from_parts(&parts, &state.web);
    let extended = SessionExtended::default();
    parts.extensions.insert(extended.clone());

    let mut response = next.run(Request::from_parts(parts, body)).await;

    let already_set = response.headers().get_all(SET_COOKIE).iter().any(|v| {
        v.as_bytes()
            .starts_with(format!("{SESSION_COOKIE}=").as_bytes())
    });
    if extended.0.load(Ordering::Relaxed)
        && !already_set
        && let Some(token) = token
    {
        let cookie = session_cookie(token, cookie_secure(&state.web, &client));
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}
