//! The monthly summary: starting money, income entries and what is left.

use axum::Json;
use axum::extract::State;
use billtracker::bills::BillsError;
use billtracker::bills::summary::{self, Summary, SummaryInput};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::AppState;
use crate::auth::extract::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::routes::tracker::MonthQuery;

/// The month a change applies to; both are required.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanMonth {
    pub year: i16,
    /// 1 to 12.
    pub month: i8,
}

/// Starting money per bucket and in total, income, bills due, paid, still
/// to pay, what is left after bills, the previous month's leftover and
/// "safe to spend".
#[utoipa::path(get, path = "/api/summary", tag = "summary", params(MonthQuery),
    responses((status = 200, body = Summary), (status = 400, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Json<Summary>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let (year, month) = query.resolve(today)?;
    Ok(Json(
        state
            .db
            .run(move |conn| Ok(summary::summary_for(conn, user, year, month, today)))
            .await??,
    ))
}

/// Changes the month's starting money and replaces its income entries (an
/// entry with an id updates it, one without is created, a missing one is
/// deleted), all at once; a refused change changes nothing.
#[utoipa::path(put, path = "/api/summary", tag = "summary", params(PlanMonth), request_body = SummaryInput,
    responses((status = 200, body = Summary), (status = 400, body = ErrorBody),
              (status = 404, description = "an income id that is not one of this month's", body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<PlanMonth>,
    ApiJson(input): ApiJson<SummaryInput>,
) -> Result<Json<Summary>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let (year, month) = MonthQuery {
        year: Some(query.year),
        month: Some(query.month),
    }
    .resolve(today)?;

    let saved = state
        .db
        .write(move |tx| {
            // Validation comes before any write; a store error rolls back.
            match summary::save(tx, user, year, month, input) {
                Ok(()) => {}
                Err(BillsError::Store(error)) => return Err(error),
                Err(refused) => return Ok(Err(refused)),
            }
            Ok(summary::summary_for(tx, user, year, month, today))
        })
        .await??;
    tracing::info!(user.id = user, year, month, "month plan saved");
    Ok(Json(saved))
}
