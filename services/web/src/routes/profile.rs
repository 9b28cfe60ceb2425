//! The signed-in user's own profile and login history.

use axum::Json;
use axum::extract::State;
use billtracker::accounts::User;
use billtracker::accounts::audit::{self, LoginEvent};
use billtracker::accounts::users::{self, UserPatch};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::extract::CurrentUser;
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::routes::admin_users::user_error;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Empty or null clears it.
    #[serde(default, deserialize_with = "billtracker::serde_util::double_option")]
    pub display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "billtracker::serde_util::double_option")]
    pub email: Option<Option<String>>,
}

/// Changes the display name and email of the signed-in user.
#[utoipa::path(patch, path = "/api/profile", tag = "profile", request_body = ProfilePatch,
    responses((status = 200, body = User), (status = 400, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<ProfilePatch>,
) -> Result<Json<User>, ApiError> {
    let id = current.user.id;
    let patch = UserPatch {
        display_name: body.display_name,
        email: body.email,
        ..UserPatch::default()
    };
    let user = state
        .db
        .write(move |tx| Ok(users::update(tx, id, patch)))
        .await?
        .map_err(user_error)?;
    Ok(Json(user))
}

/// The last 10 sign-ins of the signed-in user, newest first.
#[utoipa::path(get, path = "/api/profile/logins", tag = "profile",
    responses((status = 200, body = Vec<LoginEvent>)))]
pub async fn logins(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<Vec<LoginEvent>>, ApiError> {
    let id = current.user.id;
    let history = state
        .db
        .run(move |conn| audit::login_history(conn, id, 10))
        .await?;
    Ok(Json(history))
}
