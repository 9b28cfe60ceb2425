//! Public facts about the running server: `/api/about` and `/api/health`.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};

/// What is running.
#[derive(Debug, Serialize, ToSchema)]
pub struct About {
    /// Always "BillTracker".
    pub name: &'static str,
    /// The running version (semver).
    pub version: &'static str,
    /// The commit the binary was built from, when known.
    pub commit: Option<&'static str>,
    /// The instance currency (ISO 4217) amounts are shown in.
    pub currency: String,
}

/// The product name and running version.
#[utoipa::path(get, path = "/api/about", tag = "meta", responses((status = 200, body = About)))]
pub async fn about(State(state): State<AppState>) -> Json<About> {
    Json(About {
        name: "BillTracker",
        version: billtracker::VERSION,
        commit: billtracker::BUILD_COMMIT,
        currency: state.web.currency.clone(),
    })
}

/// Health of this process.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// "ok" when the database answers.
    pub status: &'static str,
}

/// 200 when the process can read the database, else 503.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "meta",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "the database cannot be read", body = ErrorBody),
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state
        .db
        .run(|conn| {
            Ok(
                conn.query_row("SELECT count(*) FROM schema_migrations", [], |row| {
                    row.get::<_, i64>(0)
                })?,
            )
        })
        .await
        .map_err(|error| {
            tracing::warn!(%error, "health check: the database cannot be read");
            ApiError::unavailable("the database cannot be read")
        })?;
    Ok(Json(Health { status: "ok" }))
}
