//! Admin > Users: create, edit, reset password, delete; and the audit log.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use billtracker::accounts::audit::{self, AuditEntry, Entry, action};
use billtracker::accounts::bootstrap::random_password;
use billtracker::accounts::reassign;
use billtracker::accounts::users::{self, NewUser, UserError, UserPatch};
use billtracker::accounts::{Role, User, password, sessions};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::Client;
use crate::auth::extract::AdminUser;
use crate::error::ApiError;
use crate::json::ApiJson;

/// Maps the rules of user administration to API errors.
pub fn user_error(error: UserError) -> ApiError {
    match error {
        UserError::NotFound => ApiError::not_found("the user"),
        UserError::UsernameTaken(_) => {
            ApiError::conflict("USERNAME_TAKEN", error.to_string()).with_field("username")
        }
        UserError::LastAdmin => ApiError::conflict("LAST_ADMIN", error.to_string()),
        UserError::Invalid { field, message } => {
            ApiError::bad_request("INVALID_INPUT", field, message)
        }
        UserError::Store(e) => ApiError::from(e),
    }
}

/// Every user.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", responses((status = 200, body = Vec<User>)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.db.run(|conn| users::list(conn)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// Ask the user to choose a new password at first sign-in (default true).
    pub must_change_password: Option<bool>,
}

/// Creates a local user.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", request_body = CreateUser,
    responses((status = 201, body = User), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    if let Err(rule) = password::validate(&body.password) {
        return Err(ApiError::bad_request(
            rule.code(),
            "password",
            rule.to_string(),
        ));
    }
    users::clean_username(&body.username).map_err(user_error)?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&body.password))
        .await
        .map_err(ApiError::internal)??;

    let ip = client.ip_text();
    let admin_id = admin.user.id;
    let new = NewUser {
        username: body.username,
        password_hash: Some(hash),
        role: body.role,
        display_name: body.display_name,
        email: body.email,
        email_verified: false,
        must_change_password: body.must_change_password.unwrap_or(true),
        oidc: None,
    };
    let created = state
        .db
        .write(move |tx| {
            let created = match users::create(tx, new) {
                Ok(user) => user,
                Err(error) => return Ok(Err(error)),
            };
            audit::record(
                tx,
                admin_entry(
                    &admin,
                    action::USER_CREATE,
                    &created,
                    Some(format!("role {}", created.role.as_str())),
                    &ip,
                ),
            )?;
            Ok(Ok(created))
        })
        .await?
        .map_err(user_error)?;
    tracing::info!(user.id = created.id, admin.id = admin_id, "user created");
    Ok((StatusCode::CREATED, Json(created)))
}

fn admin_entry<'a>(
    admin: &'a AdminUser,
    action: &'a str,
    target: &'a User,
    detail: Option<String>,
    ip: &'a str,
) -> Entry<'a> {
    Entry {
        actor_id: Some(admin.user.id),
        actor: Some(&admin.user.username),
        action,
        target: Some(&target.username),
        target_user_id: Some(target.id),
        detail,
        ip: Some(ip),
        user_agent: None,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchUser {
    pub username: Option<String>,
    #[serde(default, deserialize_with = "billtracker::serde_util::double_option")]
    pub display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "billtracker::serde_util::double_option")]
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// Renames, changes role, activates or deactivates a user. A role change
/// or deactivation ends the user's sessions at once.
#[utoipa::path(patch, path = "/api/admin/users/{id}", tag = "admin", request_body = PatchUser,
    params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PatchUser>,
) -> Result<Json<User>, ApiError> {
    let detail = describe_patch(&body);
    let patch = UserPatch {
        username: body.username,
        display_name: body.display_name,
        email: body.email,
        role: body.role,
        active: body.active,
    };
    let ip = client.ip_text();
    let updated = state
        .db
        .write(move |tx| {
            let updated = match users::update(tx, id, patch) {
                Ok(user) => user,
                Err(error) => return Ok(Err(error)),
            };
            audit::record(
                tx,
                admin_entry(&admin, action::USER_UPDATE, &updated, Some(detail), &ip),
            )?;
            Ok(Ok(updated))
        })
        .await?
        .map_err(user_error)?;
    Ok(Json(updated))
}

fn describe_patch(body: &PatchUser) -> String {
    let mut parts = Vec::new();
    if body.username.is_some() {
        parts.push("renamed".to_string());
    }
    if body.display_name.is_some() {
        parts.push("display name".to_string());
    }
    if body.email.is_some() {
        parts.push("email".to_string());
    }
    if let Some(role) = body.role {
        parts.push(format!("role {}", role.as_str()));
    }
    if let Some(active) = body.active {
        parts.push(if active { "activated" } else { "deactivated" }.to_string());
    }
    parts.join(", ")
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The new password; a random one is generated when absent.
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetAnswer {
    /// The generated password, shown this once; null when one was given.
    pub temporary_password: Option<String>,
}

/// Sets a new password that the user must change at next sign-in, and ends
/// their sessions.
#[utoipa::path(post, path = "/api/admin/users/{id}/reset-password", tag = "admin", request_body = ResetPassword,
    params(("id" = i64, Path)),
    responses((status = 200, body = ResetAnswer), (status = 404, body = crate::error::ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    Path(id): Path<i64>,
    body: Option<ApiJson<ResetPassword>>,
) -> Result<Json<ResetAnswer>, ApiError> {
    let given = body.and_then(|ApiJson(b)| b.password);
    if let Some(given) = &given
        && let Err(rule) = password::validate(given)
    {
        return Err(ApiError::bad_request(
            rule.code(),
            "password",
            rule.to_string(),
        ));
    }
    let temporary = given.is_none().then(random_password);
    let new_password = given.or_else(|| temporary.clone()).unwrap_or_default();
    let hash = tokio::task::spawn_blocking(move || password::hash(&new_password))
        .await
        .map_err(ApiError::internal)??;

    let ip = client.ip_text();
    state
        .db
        .write(move |tx| {
            let Some(target) = users::get(tx, id)? else {
                return Ok(Err(UserError::NotFound));
            };
            if let Err(error) = users::set_password(tx, id, &hash, true) {
                return Ok(Err(error));
            }
            sessions::end_all(tx, id)?;
            audit::record(
                tx,
                admin_entry(&admin, action::USER_RESET_PASSWORD, &target, None, &ip),
            )?;
            Ok(Ok(()))
        })
        .await?
        .map_err(user_error)?;
    Ok(Json(ResetAnswer {
        temporary_password: temporary,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteUser {
    /// The user's username, typed again as confirmation.
    pub confirm_username: String,
    /// Also delete the data the user owns.
    #[serde(default)]
    pub delete_data: bool,
    /// Move the data the user owns to this other active user instead: same-named
    /// categories merge, month plans of the same month add up, calendar feeds are
    /// revoked. Not together with `delete_data`.
    pub reassign_to: Option<i64>,
}

/// Deletes a user after confirmation; refused while they own data unless
/// `delete_data` or `reassign_to` is set, and for the last active admin.
#[utoipa::path(delete, path = "/api/admin/users/{id}", tag = "admin", request_body = DeleteUser,
    params(("id" = i64, Path)),
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DeleteUser>,
) -> Result<StatusCode, ApiError> {
    if body.delete_data && body.reassign_to.is_some() {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            "reassign_to",
            "either delete the data or move it to another user, not both",
        ));
    }

    let ip = client.ip_text();
    let admin_id = admin.user.id;
    let outcome = state
        .db
        .write(move |tx| {
            let Some(target) = users::get(tx, id)? else {
                return Ok(Err(ApiError::not_found("the user")));
            };
            if !target
                .username
                .eq_ignore_ascii_case(body.confirm_username.trim())
            {
                return Ok(Err(ApiError::bad_request(
                    "CONFIRMATION_MISMATCH",
                    "confirm_username",
                    "type the user's username to confirm",
                )));
            }
            let detail = if let Some(to) = body.reassign_to {
                // Refusals come before the first change: an `Ok(Err(..))` commits nothing.
                match reassign::reassign_and_delete(tx, id, to) {
                    Ok((_, receiver, moved)) => Some(format!(
                        "data moved to {} (id {}): {}",
                        receiver.username,
                        receiver.id,
                        moved.describe()
                    )),
                    Err(UserError::Store(error)) => return Err(error),
                    Err(error) => return Ok(Err(user_error(error))),
                }
            } else {
                let owned = users::owned_data(tx, id)?;
                if !owned.is_empty() && !body.delete_data {
                    let listed: Vec<String> =
                        owned.iter().map(|(t, n)| format!("{n} {t}")).collect();
                    return Ok(Err(ApiError::conflict(
                        "USER_HAS_DATA",
                        format!(
                            "{} still owns data ({}); delete it, move it to another user, \
                             or keep the user",
                            target.username,
                            listed.join(", ")
                        ),
                    )));
                }
                if let Err(error) = users::delete(tx, id) {
                    return Ok(Err(user_error(error)));
                }
                (!owned.is_empty()).then(|| "data deleted".to_string())
            };
            // The user row is gone: keep the name, not the id.
            let entry = Entry {
                target_user_id: None,
                ..admin_entry(&admin, action::USER_DELETE, &target, detail, &ip)
            };
            audit::record(tx, entry)?;
            Ok(Ok(body.reassign_to))
        })
        .await?;
    let reassigned_to = outcome?;
    tracing::info!(
        user.id = id,
        admin.id = admin_id,
        receiver.id = reassigned_to,
        "user deleted"
    );
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Entries older than this id (the `next` of the previous page).
    pub before: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next: Option<i64>,
}

/// The audit log, newest first, paged.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = AuditPage)))]
pub async fn audit_log(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let items = state
        .db
        .run(move |conn| audit::page(conn, query.before, limit))
        .await?;
    let next = (items.len() as u32 == limit)
        .then(|| items.last().map(|e| e.id))
        .flatten();
    Ok(Json(AuditPage { items, next }))
}
