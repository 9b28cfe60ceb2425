//! Categories of the signed-in user's bills.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use billtracker::bills::categories::{self, Category, CategoryInput};

use crate::app::AppState;
use crate::auth::extract::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::json::{ApiJson, ApiPath};

/// The user's categories with their bill counts.
#[utoipa::path(get, path = "/api/categories", tag = "bills", responses((status = 200, body = Vec<Category>)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<Vec<Category>>, ApiError> {
    let user = current.user.id;
    Ok(Json(
        state
            .db
            .run(move |conn| Ok(categories::list(conn, user)))
            .await??,
    ))
}

/// Creates a category.
#[utoipa::path(post, path = "/api/categories", tag = "bills", request_body = CategoryInput,
    responses((status = 201, body = Category), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(input): ApiJson<CategoryInput>,
) -> Result<(StatusCode, Json<Category>), ApiError> {
    let user = current.user.id;
    let created = state
        .db
        .try_write(move |tx| categories::create(tx, user, input))
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Renames or recolours a category.
#[utoipa::path(patch, path = "/api/categories/{id}", tag = "bills", request_body = CategoryInput,
    params(("id" = i64, Path)),
    responses((status = 200, body = Category), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CategoryInput>,
) -> Result<Json<Category>, ApiError> {
    let user = current.user.id;
    Ok(Json(
        state
            .db
            .try_write(move |tx| categories::update(tx, user, id, input))
            .await?,
    ))
}

/// Deletes a category (restorable for 30 days).
#[utoipa::path(delete, path = "/api/categories/{id}", tag = "bills", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let user = current.user.id;
    state
        .db
        .try_write(move |tx| categories::delete(tx, user, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Recently deleted categories with the days left to restore them.
#[utoipa::path(get, path = "/api/categories/deleted", tag = "bills", responses((status = 200, body = Vec<Category>)))]
pub async fn deleted(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<Vec<Category>>, ApiError> {
    let user = current.user.id;
    Ok(Json(
        state
            .db
            .run(move |conn| Ok(categories::list_deleted(conn, user)))
            .await??,
    ))
}

/// Restores a deleted category.
#[utoipa::path(post, path = "/api/categories/{id}/restore", tag = "bills", params(("id" = i64, Path)),
    responses((status = 200, body = Category), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Category>, ApiError> {
    let user = current.user.id;
    Ok(Json(
        state
            .db
            .try_write(move |tx| categories::restore(tx, user, id))
            .await?,
    ))
}
