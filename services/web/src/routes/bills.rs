//! The signed-in user's bills.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use billtracker::bills::bills::{self, Bill, BillFilter, BillInput};
use billtracker::bills::payments::{self, Payment, PaymentFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::extract::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BillQuery {
    /// Text to find in the name or notes.
    pub q: Option<String>,
    pub category_id: Option<i64>,
    pub active: Option<bool>,
}

/// The user's bills.
#[utoipa::path(get, path = "/api/bills", tag = "bills", params(BillQuery), responses((status = 200, body = Vec<Bill>)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<BillQuery>,
) -> Result<Json<Vec<Bill>>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let filter = BillFilter {
        q: query
            .q
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty()),
        category_id: query.category_id,
        active: query.active,
    };
    Ok(Json(
        state
            .db
            .run(move |conn| Ok(bills::list(conn, user, &filter, today)))
            .await??,
    ))
}

/// Creates a bill.
#[utoipa::path(post, path = "/api/bills", tag = "bills", request_body = BillInput,
    responses((status = 201, body = Bill), (status = 400, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(input): ApiJson<BillInput>,
) -> Result<(StatusCode, Json<Bill>), ApiError> {
    let (user, today) = (current.user.id, state.today());
    let bill = state
        .db
        .try_write(move |tx| bills::create(tx, user, input, today))
        .await?;
    Ok((StatusCode::CREATED, Json(bill)))
}

/// One bill.
#[utoipa::path(get, path = "/api/bills/{id}", tag = "bills", params(("id" = i64, Path)),
    responses((status = 200, body = Bill), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Bill>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    Ok(Json(
        state
            .db
            .run(move |conn| Ok(bills::get(conn, user, id, today)))
            .await??,
    ))
}

/// Changes a bill; absent fields keep their value, null clears optional ones.
#[utoipa::path(patch, path = "/api/bills/{id}", tag = "bills", request_body = BillInput, params(("id" = i64, Path)),
    responses((status = 200, body = Bill), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<BillInput>,
) -> Result<Json<Bill>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    Ok(Json(
        state
            .db
            .try_write(move |tx| bills::update(tx, user, id, input, today))
            .await?,
    ))
}

/// Deletes a bill (restorable for 30 days).
#[utoipa::path(delete, path = "/api/bills/{id}", tag = "bills", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let (user, today) = (current.user.id, state.today());
    state
        .db
        .try_write(move |tx| bills::delete(tx, user, id, today))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Recently deleted bills with the days left to restore them.
#[utoipa::path(get, path = "/api/bills/deleted", tag = "bills", responses((status = 200, body = Vec<Bill>)))]
pub async fn deleted(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<Vec<Bill>>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    Ok(Json(
        state
            .db
            .run(move |conn| Ok(bills::list_deleted(conn, user, today)))
            .await??,
    ))
}

/// Restores a deleted bill.
#[utoipa::path(post, path = "/api/bills/{id}/restore", tag = "bills", params(("id" = i64, Path)),
    responses((status = 200, body = Bill), (status = 404, body = ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Bill>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    Ok(Json(
        state
            .db
            .try_write(move |tx| bills::restore(tx, user, id, today))
            .await?,
    ))
}

/// Copies a bill as "<name> (copy)".
#[utoipa::path(post, path = "/api/bills/{id}/duplicate", tag = "bills", params(("id" = i64, Path)),
    responses((status = 201, body = Bill), (status = 404, body = ErrorBody)))]
pub async fn duplicate(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<Bill>), ApiError> {
    let (user, today) = (current.user.id, state.today());
    let bill = state
        .db
        .try_write(move |tx| bills::duplicate(tx, user, id, today))
        .await?;
    Ok((StatusCode::CREATED, Json(bill)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next` of the previous page: the id of its last payment.
    pub before: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentPage {
    pub items: Vec<Payment>,
    /// The id of the last payment of this page, to send as `before` for the
    /// next one; the next page goes on from its place in the (paid date, id)
    /// order. Null when this page is not full, so it is the last.
    pub next: Option<i64>,
}

/// The payment history of a bill, newest paid date first (ties by id),
/// paged: pass `next` as `before` for the following page.
#[utoipa::path(get, path = "/api/bills/{id}/payments", tag = "bills", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = PaymentPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn payment_history(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<PaymentPage>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let items = state
        .db
        .run(move |conn| {
            let filter = PaymentFilter {
                bill_id: Some(id),
                ..PaymentFilter::default()
            };
            Ok(bills::get(conn, user, id, today)
                .and_then(|_| payments::list(conn, user, filter, page.before, limit)))
        })
        .await??;
    let next = (items.len() as u32 == limit)
        .then(|| items.last().map(|p| p.id))
        .flatten();
    Ok(Json(PaymentPage { items, next }))
}
