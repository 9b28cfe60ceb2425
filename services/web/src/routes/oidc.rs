//! Single sign-on: the redirect to the provider, the provider's callback,
//! and the admin's "test provider". The flow itself is in [`crate::oidc`].

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use billtracker::accounts::oidc::{self, RoleSync};
use billtracker::accounts::settings;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::extract::AdminUser;
use crate::auth::{
    Client, OIDC_BINDING_COOKIE, cookie_secure, expired_oidc_binding_cookie, oidc_binding_cookie,
    session_cookie,
};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::oidc::check::{self, OidcCheck};
use crate::oidc::flow::{self, CallbackQuery, Failure};
use crate::routes::admin_auth::{self, AuthSettingsUpdate};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginQuery {
    /// A local path to open after sign-in (default `/`).
    pub return_to: Option<String>,
}

/// Starts single sign-on: redirects the browser to the provider and sets
/// the `bt_oidc_binding` cookie that the callback must carry.
#[utoipa::path(get, path = "/api/auth/oidc/login", tag = "auth", operation_id = "oidc_login", params(LoginQuery),
    responses(
        (status = 302, description = "to the provider's sign-in, or to `/login?error=<code>&message=<sentence>` \
                                      when single sign-on is off or the provider cannot be reached"),
        (status = 429, description = "too many sign-ins from this address", body = crate::error::ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    state.limits.oidc.check(&client.ip_text())?;
    let return_to = query.ok().and_then(|Query(q)| q.return_to);
    let return_to = flow::safe_return_to(return_to.as_deref());

    match flow::start(&state, return_to).await {
        Ok(started) => {
            let secure = cookie_secure(&state.web, &client);
            let jar = jar.add(oidc_binding_cookie(started.binding, secure));
            Ok((jar, found(&started.authorization_url)).into_response())
        }
        Err(failure) => Ok(failed(&state, &client, failure).await),
    }
}

/// The provider sends the browser back here: checks that this browser
/// started the sign-in (`bt_oidc_binding`), signs in, sets the
/// `bt_session` cookie and redirects to the page the sign-in started from.
#[utoipa::path(get, path = "/api/auth/oidc/callback", tag = "auth", operation_id = "oidc_callback", params(CallbackQuery),
    responses(
        (status = 302, description = "signed in: to the `return_to` of the login; otherwise to \
                                      `/login?error=<code>&message=<sentence>`"),
        (status = 429, description = "too many sign-ins from this address", body = crate::error::ErrorBody),
    ))]
pub async fn callback(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    state.limits.oidc.check(&client.ip_text())?;
    let query = query.map(|Query(q)| q).unwrap_or_default();

    let ip = client.ip_text();
    let binding = jar.get(OIDC_BINDING_COOKIE).map(|c| c.value().to_string());
    let finished = flow::finish(
        &state,
        query,
        binding.as_deref(),
        &ip,
        client.user_agent.as_deref(),
    )
    .await;
    match finished {
        Ok(done) => {
            let user = &done.signed_in.user;
            if done.signed_in.role == RoleSync::KeptLastAdmin {
                tracing::warn!(
                    user.id = user.id,
                    "not in the admin group, but kept admin: this is the last active admin"
                );
            }
            tracing::info!(
                user.id = user.id,
                oidc.matched = ?done.signed_in.matched,
                oidc.role = ?done.signed_in.role,
                "signed in through OIDC"
            );
            let secure = cookie_secure(&state.web, &client);
            let jar = jar
                .add(session_cookie(done.signed_in.token, secure))
                .add(expired_oidc_binding_cookie(secure));
            Ok((jar, found(&done.return_to)).into_response())
        }
        Err(failure) => Ok(failed(&state, &client, failure).await),
    }
}

/// A 302 that no cache keeps.
fn found(location: &str) -> Response {
    let location =
        HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response()
}

/// Audits and logs a failed sign-in and sends the browser to the login
/// page, which shows the sentence.
async fn failed(state: &AppState, client: &Client, failure: Failure) -> Response {
    tracing::info!(
        oidc.error = failure.code,
        oidc.reason = %failure.reason,
        user.id = ?failure.user_id,
        client.ip = %client.ip,
        "OIDC sign-in failed"
    );
    flow::audit(
        state,
        &failure,
        &client.ip_text(),
        client.user_agent.as_deref(),
    )
    .await;
    found(&failure.location())
}

/// The "test provider" report.
#[derive(Debug, Serialize, ToSchema)]
pub struct OidcTestReport {
    /// No check failed.
    pub ok: bool,
    /// In order: issuer, discovery, redirect_uri, client_credentials.
    pub checks: Vec<OidcCheck>,
    /// The groups claim received at the last OIDC sign-in (names only);
    /// null when there was none or it carried no groups claim.
    pub groups_claim_seen: Option<Vec<String>>,
    /// The claim the groups are read from.
    pub groups_claim_name: String,
}

/// Tests the provider with the stored settings, or with unsaved values
/// merged over them (nothing is saved).
#[utoipa::path(post, path = "/api/admin/settings/auth/oidc/test", tag = "admin", operation_id = "oidc_test",
    request_body(content = Option<AuthSettingsUpdate>, description = "unsaved values to test; none tests the stored settings"),
    responses((status = 200, body = OidcTestReport), (status = 400, body = crate::error::ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    _admin: AdminUser,
    update: Option<ApiJson<AuthSettingsUpdate>>,
) -> Result<Json<OidcTestReport>, ApiError> {
    let app = state.clone();
    let (effective, last_login) = state
        .db
        .run(move |conn| {
            let mut stored = settings::load_stored(conn)?;
            if let Some(ApiJson(update)) = update
                && let Err(error) = admin_auth::apply(&mut stored, update, &app.secrets)
            {
                return Ok(Err(error));
            }
            let effective = settings::resolve(&stored, &app.web.oidc, &app.secrets);
            Ok(Ok((effective, oidc::last_login(conn)?)))
        })
        .await??;

    let checks = check::run(&effective).await;
    Ok(Json(OidcTestReport {
        ok: checks.iter().all(|c| c.ok != Some(false)),
        checks,
        groups_claim_seen: last_login.and_then(|l| l.groups),
        groups_claim_name: effective.groups_claim,
    }))
}
