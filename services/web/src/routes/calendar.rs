//! The calendar page: a month of occurrences and payments by day.

use axum::Json;
use axum::extract::State;
use billtracker::bills::calendar::{self, MonthCalendar};

use crate::app::AppState;
use crate::auth::extract::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiQuery;
use crate::routes::tracker::MonthQuery;

/// One entry per day of the month: each occurrence on its due date with its
/// status, each payment on its paid date.
#[utoipa::path(get, path = "/api/calendar", tag = "calendar", params(MonthQuery),
    responses((status = 200, body = MonthCalendar), (status = 400, body = ErrorBody)))]
pub async fn month(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Json<MonthCalendar>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let (year, month) = query.resolve(today)?;
    Ok(Json(
        state
            .db
            .run(move |conn| Ok(calendar::month(conn, user, year, month, today)))
            .await??,
    ))
}
