//! The monthly tracker and the actions on one occurrence.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use billtracker::bills as domain;
use billtracker::bills::payments::{self, Method, Payment};
use billtracker::bills::tracker::{Override, Row, Tracker};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::extract::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::routes::payments::PaymentIds;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// Defaults to the current year.
    pub year: Option<i16>,
    /// 1 to 12; defaults to the current month.
    pub month: Option<i8>,
}

impl MonthQuery {
    /// The requested month, or this one.
    pub fn resolve(&self, today: Date) -> Result<(i16, i8), ApiError> {
        let year = self.year.unwrap_or(today.year());
        let month = self.month.unwrap_or(today.month());
        if !(1..=12).contains(&month) {
            return Err(ApiError::bad_request(
                "INVALID_INPUT",
                "month",
                "month is 1 to 12",
            ));
        }
        if !(1970..=2200).contains(&year) {
            return Err(ApiError::bad_request(
                "INVALID_INPUT",
                "year",
                "year is 1970 to 2200",
            ));
        }
        Ok((year, month))
    }
}

/// The occurrence of a `/{bill_id}/{due_date}` path, a malformed part
/// refused by its name.
fn occurrence((bill_id, due_date): (String, String)) -> Result<(i64, Date), ApiError> {
    let bill_id = bill_id.parse().map_err(|_| {
        ApiError::bad_request("INVALID_INPUT", "bill_id", "the bill id is a whole number")
    })?;
    let due_date = due_date.parse().map_err(|_| {
        ApiError::bad_request(
            "INVALID_INPUT",
            "due_date",
            "the due date is a real date (YYYY-MM-DD)",
        )
    })?;
    Ok((bill_id, due_date))
}

/// The month's occurrences by bucket with totals, statuses and remaining amounts.
#[utoipa::path(get, path = "/api/tracker", tag = "tracker", params(MonthQuery),
    responses((status = 200, body = Tracker), (status = 400, body = ErrorBody)))]
pub async fn month(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Response, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let (year, month) = query.resolve(today)?;
    let tracker = state
        .db
        .run(move |conn| Ok(domain::tracker_for(conn, user, year, month, today)))
        .await??;
    Ok(tracker_json(tracker))
}

/// About the JSON size of one row, so that the body is written into one
/// buffer instead of one grown by doubling from a few bytes.
const ROW_JSON_BYTES: usize = 384;

/// The tracker as `Json` answers it, serialised into a buffer sized for its rows.
fn tracker_json(tracker: Tracker) -> Response {
    let rows: usize = tracker.buckets.iter().map(|b| b.rows.len()).sum();
    let mut body = Vec::with_capacity(1024 + rows * ROW_JSON_BYTES);
    match serde_json::to_writer(&mut body, &tracker) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(_) => Json(tracker).into_response(),
    }
}

/// Unpaid occurrences of earlier months (the last 90 days), not snoozed.
#[utoipa::path(get, path = "/api/tracker/overdue", tag = "tracker", responses((status = 200, body = Vec<Row>)))]
pub async fn overdue(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<Vec<Row>>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let rows = state
        .db
        .run(move |conn| Ok(domain::overdue_for(conn, user, today)))
        .await??;
    Ok(Json(rows))
}

/// A month override: each field optional; an absent field is no override.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    pub amount_cents: Option<i64>,
    pub skipped: Option<bool>,
    pub note: Option<String>,
    /// No reminders or overdue alerts until this date (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    pub snoozed_until: Option<Date>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideAnswer {
    #[serde(rename = "override")]
    pub value: Option<Override>,
}

/// Sets the override of one occurrence (replacing any earlier one).
#[utoipa::path(put, path = "/api/occurrences/{bill_id}/{due_date}/override", tag = "tracker", request_body = OverrideBody,
    params(("bill_id" = i64, Path), ("due_date" = String, Path, format = Date)),
    responses((status = 200, body = OverrideAnswer), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_override(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(path): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<OverrideBody>,
) -> Result<Json<OverrideAnswer>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let (bill_id, due_date) = occurrence(path)?;
    let value = Override {
        amount_cents: body.amount_cents,
        skipped: body.skipped,
        note: body.note,
        snoozed_until: body.snoozed_until.map(|d| d.to_string()),
    };
    let saved = state
        .db
        .try_write(move |tx| payments::set_override(tx, user, bill_id, due_date, value, today))
        .await?;
    Ok(Json(OverrideAnswer { value: saved }))
}

/// Removes the override of one occurrence.
#[utoipa::path(delete, path = "/api/occurrences/{bill_id}/{due_date}/override", tag = "tracker",
    params(("bill_id" = i64, Path), ("due_date" = String, Path, format = Date)),
    responses((status = 200, body = OverrideAnswer), (status = 404, body = ErrorBody)))]
pub async fn delete_override(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Json<OverrideAnswer>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let (bill_id, due_date) = occurrence(path)?;
    state
        .db
        .try_write(move |tx| payments::clear_override(tx, user, bill_id, due_date, today))
        .await?;
    Ok(Json(OverrideAnswer { value: None }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuickPay {
    pub method: Option<Method>,
}

/// Pays the remaining amount of an occurrence today.
#[utoipa::path(post, path = "/api/occurrences/{bill_id}/{due_date}/quick-pay", tag = "tracker", request_body = QuickPay,
    params(("bill_id" = i64, Path), ("due_date" = String, Path, format = Date)),
    responses((status = 201, body = Payment), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn quick_pay(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(path): ApiPath<(String, String)>,
    body: Option<ApiJson<QuickPay>>,
) -> Result<(axum::http::StatusCode, Json<Payment>), ApiError> {
    let (user, today) = (current.user.id, state.today());
    let (bill_id, due_date) = occurrence(path)?;
    let method = body.and_then(|ApiJson(b)| b.method);
    let payment = state
        .db
        .try_write(move |tx| payments::quick_pay(tx, user, bill_id, due_date, method, today))
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(payment)))
}

/// Removes every payment of an occurrence; returns their ids for Undo
/// (`POST /api/payments/bulk-restore`).
#[utoipa::path(delete, path = "/api/occurrences/{bill_id}/{due_date}/payments", tag = "tracker",
    params(("bill_id" = i64, Path), ("due_date" = String, Path, format = Date)),
    responses((status = 200, body = PaymentIds), (status = 404, body = ErrorBody)))]
pub async fn remove_payments(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Json<PaymentIds>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let (bill_id, due_date) = occurrence(path)?;
    let ids = state
        .db
        .try_write(move |tx| payments::delete_of_occurrence(tx, user, bill_id, due_date, today))
        .await?;
    Ok(Json(PaymentIds { ids }))
}
