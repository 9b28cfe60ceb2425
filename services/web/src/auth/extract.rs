//! The extractors that authorise a request: [`SignedIn`] (any live
//! session), [`CurrentUser`] (signed in and not required to change the
//! password first) and [`AdminUser`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use billtracker::accounts::sessions::{self, Session};
use billtracker::accounts::{Role, User};

use super::refresh::SessionExtended;
use super::{Client, SESSION_COOKIE};
use crate::app::AppState;
use crate::error::ApiError;

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Client::from_parts(parts, &state.web))
    }
}

/// A request with a live session, whatever the state of its password.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(ApiError::unauthenticated());
        };
        if token.len() > 64 {
            return Err(ApiError::unauthenticated());
        }

        let found: Option<(Session, bool)> = state
            .db
            .run(move |conn| {
                let Some(session) = sessions::lookup(conn, &token)? else {
                    return Ok(None);
                };
                let touch = sessions::needs_touch(&session.last_used_at);
                if touch {
                    let hash = session.token_hash.clone();
                    billtracker::db::write(conn, |tx| sessions::touch(tx, &hash))?;
                }
                Ok(Some((session, touch)))
            })
            .await?;
        let (session, touched) = found.ok_or_else(ApiError::unauthenticated)?;
        if touched && let Some(extended) = parts.extensions.get::<SessionExtended>() {
            extended.mark();
        }
        Ok(SignedIn {
            user: session.account.user,
            token_hash: session.token_hash,
        })
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, ApiError> {
        match <SignedIn as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(signed_in) => Ok(Some(signed_in)),
            Err(error) if error.status() == axum::http::StatusCode::UNAUTHORIZED => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// A signed-in user who may use the app (no password change pending).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        if signed_in.user.must_change_password {
            return Err(ApiError::password_change_required());
        }
        Ok(CurrentUser {
            user: signed_in.user,
            token_hash: signed_in.token_hash,
        })
    }
}

/// An admin who may use the app.
#[derive(Debug, Clone)]
pub struct AdminUser {
    pub user: User,
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if current.user.role != Role::Admin {
            return Err(ApiError::forbidden());
        }
        Ok(AdminUser { user: current.user })
    }
}
