//! Admin > Status and Admin > Cleanup.

use axum::Json;
use axum::extract::State;
use billtracker::cleanup::{self, Task, TaskCount};
use billtracker::status::{self, Report};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::Client;
use crate::auth::extract::AdminUser;
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;

/// The Status report: services, database, queue, daily run, backups,
/// cleanup and the last errors of every process. No paths, no secrets.
#[utoipa::path(get, path = "/api/admin/status", tag = "admin", responses((status = 200, body = Report)))]
pub async fn status(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<Json<Report>, ApiError> {
    let common = state.common.clone();
    let built = state
        .db
        .run(move |bills| {
            // A queue database that cannot be opened shows as empty queues.
            let queue = billtracker::queue::open_for_inspection(&common.data()).or_else(|_| {
                rusqlite::Connection::open_in_memory().map_err(billtracker::Error::from)
            })?;
            status::report(bills, &queue, &common)
        })
        .await;
    // A database that cannot be reached is what Status is for: never a 500.
    let report = built.unwrap_or_else(|error| status::unreachable(&state.common, &error));
    Ok(Json(report))
}

/// What each cleanup task would remove now.
#[utoipa::path(get, path = "/api/admin/cleanup", tag = "admin", responses((status = 200, body = Vec<TaskCount>)))]
pub async fn preview(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<Json<Vec<TaskCount>>, ApiError> {
    let data = state.common.data();
    let counts = state
        .db
        .run(move |bills| {
            let queue = billtracker::queue::open_for_inspection(&data)?;
            cleanup::preview(&data, bills, &queue)
        })
        .await?;
    Ok(Json(counts))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CleanupRequest {
    pub tasks: Vec<Task>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CleanupResult {
    /// What each chosen task removed.
    pub removed: Vec<TaskCount>,
}

/// Runs the chosen cleanup tasks and records the run for Status.
#[utoipa::path(post, path = "/api/admin/cleanup", tag = "admin", request_body = CleanupRequest,
    responses((status = 200, body = CleanupResult), (status = 400, body = ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    ApiJson(body): ApiJson<CleanupRequest>,
) -> Result<Json<CleanupResult>, ApiError> {
    if body.tasks.is_empty() {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            "tasks",
            "choose at least one task",
        ));
    }
    let data = state.common.data();
    let actor = admin.user.username.clone();
    let ip = client.ip_text();
    let removed = state
        .db
        .run(move |bills| {
            let mut queue = billtracker::queue::open_for_inspection(&data)?;
            let removed = cleanup::run(&data, bills, &mut queue, &body.tasks)?;
            cleanup::record(bills, "manual", Some(&actor), &removed)?;
            billtracker::db::write(bills, |tx| {
                billtracker::accounts::audit::record(
                    tx,
                    billtracker::accounts::audit::Entry {
                        actor_id: Some(admin.user.id),
                        actor: Some(&actor),
                        action: "cleanup.run",
                        detail: Some(
                            removed
                                .iter()
                                .map(|t| format!("{:?}: {}", t.task, t.count))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        ip: Some(&ip),
                        ..Default::default()
                    },
                )
            })?;
            Ok(removed)
        })
        .await?;
    tracing::info!(tasks = removed.len(), "cleanup run by an admin");
    Ok(Json(CleanupResult { removed }))
}
