//! Payments of the signed-in user: record, edit, delete with Undo, bulk pay.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use billtracker::bills::autopay;
use billtracker::bills::payments::{self, BulkPaid, Payment, PaymentFilter, PaymentInput, Source};
use billtracker::bills::tracker::{Bucket, Row};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::extract::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::routes::bills::PaymentPage;
use crate::routes::tracker::MonthQuery;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentQuery {
    pub bill_id: Option<i64>,
    /// Paid on or after (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<Date>,
    /// Paid on or before (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<Date>,
    /// The `next` of the previous page: the id of its last payment.
    pub before: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

/// The user's payments, newest paid date first (ties by id), paged: pass
/// `next` as `before` for the following page.
#[utoipa::path(get, path = "/api/payments", tag = "payments", params(PaymentQuery), responses((status = 200, body = PaymentPage), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<PaymentQuery>,
) -> Result<Json<PaymentPage>, ApiError> {
    let user = current.user.id;
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let filter = PaymentFilter {
        bill_id: query.bill_id,
        from: query.from,
        to: query.to,
    };
    let items = state
        .db
        .run(move |conn| Ok(payments::list(conn, user, filter, query.before, limit)))
        .await??;
    let next = (items.len() as u32 == limit)
        .then(|| items.last().map(|p| p.id))
        .flatten();
    Ok(Json(PaymentPage { items, next }))
}

/// Records a payment toward one occurrence.
#[utoipa::path(post, path = "/api/payments", tag = "payments", request_body = PaymentInput,
    responses((status = 201, body = Payment), (status = 400, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(input): ApiJson<PaymentInput>,
) -> Result<(StatusCode, Json<Payment>), ApiError> {
    let (user, today) = (current.user.id, state.today());
    let payment = state
        .db
        .try_write(move |tx| payments::create(tx, user, input, Source::Manual, today))
        .await?;
    Ok((StatusCode::CREATED, Json(payment)))
}

/// Changes a payment's amount, dates, method or note.
#[utoipa::path(patch, path = "/api/payments/{id}", tag = "payments", request_body = PaymentInput, params(("id" = i64, Path)),
    responses((status = 200, body = Payment), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<PaymentInput>,
) -> Result<Json<Payment>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    Ok(Json(
        state
            .db
            .try_write(move |tx| payments::update(tx, user, id, input, today))
            .await?,
    ))
}

/// Deletes a payment (restorable for 30 days).
#[utoipa::path(delete, path = "/api/payments/{id}", tag = "payments", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let user = current.user.id;
    state
        .db
        .try_write(move |tx| payments::delete_many(tx, user, &[id]))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restores a deleted payment.
#[utoipa::path(post, path = "/api/payments/{id}/restore", tag = "payments", params(("id" = i64, Path)),
    responses((status = 200, body = Payment), (status = 404, body = ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Payment>, ApiError> {
    let user = current.user.id;
    let mut restored = state
        .db
        .try_write(move |tx| payments::restore_many(tx, user, &[id]))
        .await?;
    restored
        .pop()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("the deleted payment"))
}

/// Marks an autopay payment as failed: the bank did not pay. The payment is
/// deleted, the occurrence is owed again and marked `autopay_failed`, and
/// the daily run never records autopay for it again. Undo: restore the
/// payment (`POST /api/payments/{id}/restore`), which clears the mark.
/// Answers the occurrence's tracker row; a payment not recorded by
/// autopay is refused with `NOT_AUTOPAY`.
#[utoipa::path(post, path = "/api/payments/{id}/autopay-failed", tag = "payments", params(("id" = i64, Path)),
    responses((status = 200, body = Row), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn autopay_failed(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Row>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let row = state
        .db
        .try_write(move |tx| autopay::mark_failed(tx, user, id, today))
        .await?;
    tracing::info!(
        user.id = user,
        payment.id = id,
        bill.id = row.bill_id,
        "autopay marked as failed"
    );
    Ok(Json(row))
}

/// Pay every unpaid occurrence due up to today in one bucket of a month.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkPay {
    pub year: i16,
    pub month: i8,
    pub bucket: Bucket,
    /// Only count what would be paid (for the confirmation).
    #[serde(default)]
    pub dry_run: bool,
}

/// "Pay all due": pays the remaining amount of every unpaid occurrence due
/// up to today in a bucket, in one transaction.
#[utoipa::path(post, path = "/api/payments/bulk", tag = "payments", request_body = BulkPay,
    responses((status = 200, body = BulkPaid), (status = 400, body = ErrorBody)))]
pub async fn bulk(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<BulkPay>,
) -> Result<Json<BulkPaid>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    MonthQuery {
        year: Some(body.year),
        month: Some(body.month),
    }
    .resolve(today)?;

    let answer = state
        .db
        .try_write(move |tx| {
            let month = (body.year, body.month);
            payments::pay_all_due(tx, user, month, body.bucket, body.dry_run, today)
        })
        .await?;
    Ok(Json(answer))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentIds {
    pub ids: Vec<i64>,
}

/// Deletes several payments at once (the Undo of "Pay all due").
#[utoipa::path(post, path = "/api/payments/bulk-delete", tag = "payments", request_body = PaymentIds,
    responses((status = 200, body = PaymentIds), (status = 404, body = ErrorBody)))]
pub async fn bulk_delete(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<PaymentIds>,
) -> Result<Json<PaymentIds>, ApiError> {
    let user = current.user.id;
    if body.ids.len() > 1000 {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            "ids",
            "at most 1000 payments at once",
        ));
    }
    let ids = state
        .db
        .try_write(move |tx| payments::delete_many(tx, user, &body.ids))
        .await?;
    Ok(Json(PaymentIds { ids }))
}

/// Restores several deleted payments at once (the Undo of a removal).
#[utoipa::path(post, path = "/api/payments/bulk-restore", tag = "payments", request_body = PaymentIds,
    responses((status = 200, body = Vec<Payment>), (status = 404, body = ErrorBody)))]
pub async fn bulk_restore(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<PaymentIds>,
) -> Result<Json<Vec<Payment>>, ApiError> {
    let user = current.user.id;
    if body.ids.len() > 1000 {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            "ids",
            "at most 1000 payments at once",
        ));
    }
    Ok(Json(
        state
            .db
            .try_write(move |tx| payments::restore_many(tx, user, &body.ids))
            .await?,
    ))
}
