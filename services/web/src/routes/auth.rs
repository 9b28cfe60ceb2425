//! Sign-in: mode, local login, logout, the current user, password change.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use billtracker::accounts::audit::{self, Entry, action};
use billtracker::accounts::sessions::{self, Method};
use billtracker::accounts::{User, password, users};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::extract::SignedIn;
use crate::auth::rate_limit::whole_seconds;
use crate::auth::{Client, cookie_secure, expired_session_cookie, session_cookie};
use crate::error::ApiError;
use crate::json::ApiJson;

/// Failed sign-ins allowed per address and per username in the window.
const FAILED_LOGINS_ALLOWED: i64 = 10;
const FAILED_LOGIN_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// The OIDC part of the login modes.
#[derive(Debug, Serialize, ToSchema)]
pub struct OidcMode {
    pub enabled: bool,
    pub provider_name: Option<String>,
    pub login_url: String,
}

/// The sign-in methods that are on.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthMode {
    pub local: bool,
    pub oidc: OidcMode,
}

/// Which sign-in methods are on; the login page renders from it.
#[utoipa::path(get, path = "/api/auth/mode", tag = "auth", responses((status = 200, body = AuthMode)))]
pub async fn mode(State(state): State<AppState>) -> Result<Json<AuthMode>, ApiError> {
    let settings = state.auth_settings().await?;
    Ok(Json(AuthMode {
        local: settings.local_enabled,
        oidc: OidcMode {
            enabled: settings.oidc_enabled,
            provider_name: settings
                .oidc_enabled
                .then(|| settings.provider_name.clone()),
            login_url: "/api/auth/oidc/login".to_string(),
        },
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

/// Signs in with username and password; sets the `bt_session` cookie.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginBody,
    responses(
        (status = 200, body = User),
        (status = 401, description = "wrong username or password", body = crate::error::ErrorBody),
        (status = 403, description = "account inactive, or local login off", body = crate::error::ErrorBody),
        (status = 429, description = "too many failed sign-ins", body = crate::error::ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<impl IntoResponse, ApiError> {
    if body.username.trim().is_empty() || body.username.chars().count() > 64 {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            "username",
            "enter a username of at most 64 characters",
        ));
    }
    if body.password.is_empty() || body.password.chars().count() > password::MAX_LENGTH {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            "password",
            "enter your password",
        ));
    }
    let settings = state.auth_settings().await?;
    if !settings.local_enabled {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "LOCAL_LOGIN_DISABLED",
            "sign-in with a password is turned off; use single sign-on",
        ));
    }

    let ip = client.ip_text();
    let username = body.username.trim().to_string();

    // Reserve the attempt before counting the failures, so that attempts
    // in parallel count each other; the reservation ends once this
    // attempt's outcome is in the audit log.
    let reservation = state.limits.sign_in.reserve(&ip, &username);
    let (by_ip, by_user) = {
        let (ip, username) = (ip.clone(), username.clone());
        state
            .db
            .run(move |conn| {
                audit::recent_failures(
                    conn,
                    Some(&ip),
                    &username,
                    FAILED_LOGIN_WINDOW,
                    FAILED_LOGINS_ALLOWED,
                )
            })
            .await?
    };
    let keys = [(by_ip, reservation.by_ip), (by_user, reservation.by_user)];
    if let Some(wait) = wait_for_a_free_attempt(&keys) {
        tracing::warn!(client.ip = %ip, "sign-in refused: too many failures");
        return Err(ApiError::rate_limited(wait));
    }

    // Read the account, give the connection back, then verify off the
    // async threads; an unknown user costs the same hashing time as a
    // wrong password.
    let lookup_name = username.clone();
    let account = state
        .db
        .run(move |conn| users::account_by_username(conn, &lookup_name))
        .await?;
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let candidate = body.password;
    let verified = state
        .limits
        .password_hashing
        .run(move || password::verify(&candidate, stored.as_deref()))
        .await?;

    let user_agent = client.user_agent.clone();
    let outcome = match (&account, verified) {
        (Some(account), true) if account.user.active => Ok(account.user.clone()),
        (Some(account), true) => Err(("inactive", Some(account.user.id))),
        // Told apart in the audit log only: the answer stays that of a
        // wrong password, because there is no password to prove first.
        (Some(account), false) if account.password_hash.is_none() => {
            Err(("single sign-on only, no password", Some(account.user.id)))
        }
        (account, _) => Err(("wrong credentials", account.as_ref().map(|a| a.user.id))),
    };

    match outcome {
        Ok(user) => {
            let (ip, ua) = (ip.clone(), user_agent.clone());
            let token = state
                .db
                .write(move |tx| {
                    let token = sessions::create(tx, user.id, Method::Local)?;
                    users::record_login(tx, user.id).map_err(to_store)?;
                    audit::record(
                        tx,
                        Entry {
                            actor_id: Some(user.id),
                            actor: Some(&user.username),
                            action: action::LOGIN_SUCCESS,
                            target: Some(&user.username),
                            target_user_id: Some(user.id),
                            detail: Some("local".into()),
                            ip: Some(&ip),
                            user_agent: ua.as_deref(),
                        },
                    )?;
                    Ok(token)
                })
                .await?;
            let user = state.user(account.map_or(0, |a| a.user.id)).await?;
            tracing::info!(user.id = user.id, "signed in");
            let secure = cookie_secure(&state.web, &client);
            Ok((jar.add(session_cookie(token, secure)), Json(user)))
        }
        Err((reason, user_id)) => {
            let (ip, ua, name) = (ip.clone(), user_agent.clone(), username.clone());
            state
                .db
                .write(move |tx| {
                    audit::record(
                        tx,
                        Entry {
                            action: action::LOGIN_FAILURE,
                            target: Some(&name),
                            target_user_id: user_id,
                            detail: Some(format!("local: {reason}")),
                            ip: Some(&ip),
                            user_agent: ua.as_deref(),
                            ..Entry::default()
                        },
                    )
                })
                .await?;
            drop(reservation);
            tracing::info!(user.id = ?user_id, reason, "sign-in failed");
            if reason == "inactive" {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "ACCOUNT_INACTIVE",
                    "this account is deactivated; ask an admin to activate it",
                ));
            }
            let hint = if settings.oidc_enabled {
                format!(
                    " Accounts that use {} sign in with its button.",
                    settings.provider_name
                )
            } else {
                String::new()
            };
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "INVALID_CREDENTIALS",
                format!("Wrong username or password.{hint}"),
            ))
        }
    }
}

/// How long until another attempt may be made, when one of the keys
/// (address, username) is over the limit: its logged failures with the
/// attempts in flight. Only the keys over the limit decide; a key full of
/// failures waits until enough of them leave the window, a key full of
/// attempts in flight a second (their outcomes are logged by then).
fn wait_for_a_free_attempt(keys: &[(audit::Failures, u32)]) -> Option<std::time::Duration> {
    keys.iter()
        .filter(|(failures, in_flight)| {
            failures.count + i64::from(*in_flight) > FAILED_LOGINS_ALLOWED
        })
        .map(|(failures, _)| {
            if failures.count < FAILED_LOGINS_ALLOWED {
                return std::time::Duration::from_secs(1);
            }
            let free_at = failures
                .free_at
                .unwrap_or_else(|| Timestamp::now() + FAILED_LOGIN_WINDOW);
            let wait = free_at.duration_since(Timestamp::now()).unsigned_abs();
            whole_seconds(wait)
        })
        .max()
}

pub(crate) fn to_store(error: users::UserError) -> billtracker::Error {
    match error {
        users::UserError::Store(e) => e,
        other => billtracker::Error::Rule(other.to_string()),
    }
}

/// Ends the session and removes the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    client: Client,
    signed_in: Option<SignedIn>,
    jar: CookieJar,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(signed_in) = signed_in {
        let ip = client.ip_text();
        state
            .db
            .write(move |tx| {
                sessions::end(tx, &signed_in.token_hash)?;
                audit::record(
                    tx,
                    Entry {
                        actor_id: Some(signed_in.user.id),
                        actor: Some(&signed_in.user.username),
                        action: action::LOGOUT,
                        target: Some(&signed_in.user.username),
                        target_user_id: Some(signed_in.user.id),
                        ip: Some(&ip),
                        ..Entry::default()
                    },
                )
            })
            .await?;
    }
    let secure = cookie_secure(&state.web, &client);
    Ok((
        jar.add(expired_session_cookie(secure)),
        StatusCode::NO_CONTENT,
    ))
}

/// The signed-in user, or 401.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses((status = 200, body = User), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(signed_in: SignedIn) -> Json<User> {
    Json(signed_in.user)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the password; ends every other session of the user.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    client: Client,
    signed_in: SignedIn,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    state
        .limits
        .password_change
        .check(&signed_in.user.id.to_string())?;
    if let Err(rule) = password::validate(&body.new_password) {
        return Err(ApiError::bad_request(
            rule.code(),
            "new_password",
            rule.to_string(),
        ));
    }
    if body.current_password.chars().count() > password::MAX_LENGTH {
        return Err(ApiError::bad_request(
            "WRONG_PASSWORD",
            "current_password",
            "the current password is wrong",
        ));
    }

    // Read the account, give the connection back, then hash off the
    // async threads.
    let user_id = signed_in.user.id;
    let account = state
        .db
        .run(move |conn| users::account_by_id(conn, user_id))
        .await?;
    let stored = account.and_then(|a| a.password_hash);
    let (current, new) = (body.current_password, body.new_password);
    let new_hash = state
        .limits
        .password_hashing
        .run(move || -> billtracker::Result<_> {
            if !password::verify(&current, stored.as_deref()) {
                return Ok(None);
            }
            if current == new {
                return Ok(Some(Err(())));
            }
            Ok(Some(Ok(password::hash(&new)?)))
        })
        .await??;
    let hash = match new_hash {
        None => {
            return Err(ApiError::bad_request(
                "WRONG_PASSWORD",
                "current_password",
                "the current password is wrong",
            ));
        }
        Some(Err(())) => {
            return Err(ApiError::bad_request(
                "PASSWORD_UNCHANGED",
                "new_password",
                "the new password must differ from the current one",
            ));
        }
        Some(Ok(hash)) => hash,
    };

    let ip = client.ip_text();
    state
        .db
        .write(move |tx| {
            users::set_password(tx, user_id, &hash, false).map_err(to_store)?;
            sessions::end_others(tx, user_id, &signed_in.token_hash)?;
            audit::record(
                tx,
                Entry {
                    actor_id: Some(user_id),
                    actor: Some(&signed_in.user.username),
                    action: action::PASSWORD_CHANGE,
                    target: Some(&signed_in.user.username),
                    target_user_id: Some(user_id),
                    ip: Some(&ip),
                    ..Entry::default()
                },
            )
        })
        .await?;
    tracing::info!(user.id = user_id, "password changed");
    Ok(StatusCode::NO_CONTENT)
}
