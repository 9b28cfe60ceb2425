//! Admin > Backups: list, create, download, verify, restore, delete and
//! upload managed backups of the application database.
//!
//! The work happens in `billtracker::backup` on blocking threads. One
//! backup, upload, restore or delete runs at a time across the suite; a
//! second one answers 409 `BACKUP_BUSY` at once instead of waiting.

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use billtracker::accounts::audit::{self, Entry, action};
use billtracker::backup::{self, Backup, BackupError, Kind, Restored, Verification, Wait};
use billtracker::paths::DataDir;
use rusqlite::OptionalExtension;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::Client;
use crate::auth::extract::AdminUser;
use crate::error::{ApiError, ErrorBody};

/// Audit actions of this page beyond those of `audit::action`.
mod more_action {
    /// An uploaded file that was refused (the detail says why).
    pub const BACKUP_IMPORT_REFUSED: &str = "backup.import_refused";
    /// A restore that was refused or failed (the detail says why).
    pub const BACKUP_RESTORE_FAILED: &str = "backup.restore_failed";
    pub const BACKUP_DOWNLOAD: &str = "backup.download";
}

/// The largest backup file an upload may carry.
pub const IMPORT_BODY_LIMIT: usize = 512 * 1024 * 1024;

/// Maps backup failures to API errors; causes of 500s are logged, and
/// show on Status as the last error of backups.
fn backup_error(error: BackupError) -> ApiError {
    let _area = tracing::info_span!("backup_error", area = "backups").entered();
    match error {
        BackupError::NotFound(_) => ApiError::not_found("the backup"),
        BackupError::Busy => ApiError::conflict("BACKUP_BUSY", error.to_string()),
        BackupError::Refused(refusal) => {
            ApiError::bad_request(refusal.code(), "file", refusal.to_string())
        }
        BackupError::Invalid { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "BACKUP_INVALID",
            error.to_string(),
        ),
        error if error.is_disk_full() => {
            tracing::error!(%error, "backup failed: the disk is full");
            ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "DISK_FULL",
                "there is not enough free disk space in the data directory; free some space \
                 (for example by deleting old backups) and try again",
            )
        }
        error if error.is_damaged_database() => {
            tracing::error!(%error, "backup failed: the live database is damaged");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "DATABASE_DAMAGED",
                format!(
                    "{error}. The live database is damaged: stop the suite and restore a backup \
                     with `billtracker backup restore <id>`, which keeps the damaged files aside \
                     (see the backup recovery incident of the operations runbook)"
                ),
            )
        }
        error => ApiError::internal(error),
    }
}

/// The data directory, found from the database's own file.
async fn data_dir(state: &AppState) -> Result<DataDir, ApiError> {
    Ok(state
        .db
        .run(|conn| {
            backup::data_dir_of(conn)
                .ok_or_else(|| billtracker::Error::Rule("the database is not a file".into()))
        })
        .await?)
}

/// Runs backup work on a blocking thread.
async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, BackupError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
        .map_err(backup_error)
}

/// Runs backup work on a blocking thread, keeping its error for the audit log.
async fn blocking_raw<T, F>(work: F) -> Result<Result<T, BackupError>, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, BackupError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)
}

/// [`record`] for an action whose answer must not depend on the audit log
/// (the work is done, or it is a refusal): a failure is logged, and shows
/// on Status.
async fn record_or_log(
    state: &AppState,
    admin: &AdminUser,
    action: &'static str,
    target: String,
    detail: Option<String>,
    client: &Client,
) {
    if let Err(error) = record(state, admin, action, target, detail, client).await {
        tracing::error!(
            area = "backups",
            audit.action = action,
            error.status = %error.status(),
            "could not write the audit log entry of a backup action"
        );
    }
}

/// Records an admin's backup action in the audit log.
async fn record(
    state: &AppState,
    admin: &AdminUser,
    action: &'static str,
    target: String,
    detail: Option<String>,
    client: &Client,
) -> Result<(), ApiError> {
    let user = admin.user.clone();
    let ip = client.ip_text();
    state
        .db
        .write(move |tx| {
            // After a restore the admin may not exist in the restored data.
            let actor_id: Option<i64> = tx
                .query_row(
                    "SELECT id FROM users WHERE id = ?1 AND username = ?2",
                    rusqlite::params![user.id, user.username],
                    |row| row.get(0),
                )
                .optional()?;
            audit::record(
                tx,
                Entry {
                    actor_id,
                    actor: Some(&user.username),
                    action,
                    target: Some(&target),
                    detail,
                    ip: Some(&ip),
                    ..Entry::default()
                },
            )
        })
        .await?;
    Ok(())
}

/// Every managed backup, newest first, with whether it matches its checksum.
#[utoipa::path(get, path = "/api/admin/backups", tag = "admin",
    responses((status = 200, body = Vec<Backup>)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<Json<Vec<Backup>>, ApiError> {
    let data = data_dir(&state).await?;
    Ok(Json(blocking(move || backup::list(&data)).await?))
}

/// Takes a manual backup now (5 per hour per address).
#[utoipa::path(post, path = "/api/admin/backups", tag = "admin",
    responses(
        (status = 201, body = Backup),
        (status = 409, description = "a backup or restore is running", body = ErrorBody),
        (status = 429, body = ErrorBody),
        (status = 507, description = "the disk is full", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
) -> Result<(StatusCode, Json<Backup>), ApiError> {
    state.limits.backup.check(&client.ip_text())?;
    let data = data_dir(&state).await?;

    let created = blocking(move || backup::create(&data, Kind::Manual, Wait::No)).await?;

    record_or_log(
        &state,
        &admin,
        action::BACKUP_CREATE,
        created.id.clone(),
        None,
        &client,
    )
    .await;
    tracing::info!(backup.id = %created.id, admin.id = admin.user.id, "manual backup taken");
    Ok((StatusCode::CREATED, Json(created)))
}

/// Downloads a backup file.
#[utoipa::path(get, path = "/api/admin/backups/{id}/download", tag = "admin",
    params(("id" = String, Path, description = "The backup's file name")),
    responses(
        (status = 200, description = "The backup file as an attachment", content_type = "application/vnd.sqlite3"),
        (status = 404, body = ErrorBody),
    ))]
pub async fn download(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let data = data_dir(&state).await?;
    let (file, name, size) = blocking(move || {
        let (name, path) = backup::resolve(&data, &id)?;
        let file = std::fs::File::open(&path).map_err(|e| BackupError::io(&id, e))?;
        let size = file.metadata().map_err(|e| BackupError::io(&id, e))?.len();
        Ok((file, name, size))
    })
    .await?;

    record_or_log(
        &state,
        &admin,
        more_action::BACKUP_DOWNLOAD,
        name.to_string(),
        Some(format!("{size} bytes")),
        &client,
    )
    .await;

    // The open file is read to the end even if the backup is deleted meanwhile.
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let headers = [
        (header::CONTENT_TYPE, "application/vnd.sqlite3".to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
        (header::CONTENT_LENGTH, size.to_string()),
        (header::CACHE_CONTROL, "no-store".to_string()),
    ];
    Ok((headers, Body::from_stream(stream)).into_response())
}

/// Checks a backup: its checksum, SQLite's integrity check, and that it
/// carries a schema this release can restore.
#[utoipa::path(post, path = "/api/admin/backups/{id}/verify", tag = "admin",
    params(("id" = String, Path, description = "The backup's file name")),
    responses((status = 200, body = Verification), (status = 404, body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> Result<Json<Verification>, ApiError> {
    let data = data_dir(&state).await?;
    Ok(Json(blocking(move || backup::verify(&data, &id)).await?))
}

/// Restores a backup into the live database, after saving the live
/// database as a `pre-restore` backup (5 per hour per address). Every
/// process sees the restored data at once; sessions stay valid only if
/// they exist in the restored data.
#[utoipa::path(post, path = "/api/admin/backups/{id}/restore", tag = "admin",
    params(("id" = String, Path, description = "The backup's file name")),
    responses(
        (status = 200, body = Restored),
        (status = 404, body = ErrorBody),
        (status = 409, description = "a backup or restore is running", body = ErrorBody),
        (status = 422, description = "the backup failed its verification", body = ErrorBody),
        (status = 429, body = ErrorBody),
        (status = 507, description = "the disk is full", body = ErrorBody),
    ))]
pub async fn restore(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<Restored>, ApiError> {
    let data = data_dir(&state).await?;
    // An unknown id is a 404 that does not count against the limit.
    let known = data.clone();
    let checked = id.clone();
    blocking(move || backup::resolve(&known, &checked)).await?;
    state.limits.backup.check(&client.ip_text())?;

    let target = id.clone();
    let restored = match blocking_raw(move || backup::restore(&data, &id, Wait::No)).await? {
        Ok(restored) => restored,
        Err(error) => {
            record_or_log(
                &state,
                &admin,
                more_action::BACKUP_RESTORE_FAILED,
                target,
                Some(error.to_string()),
                &client,
            )
            .await;
            return Err(backup_error(error));
        }
    };

    // Recorded after the restore, so that the entry is in the restored data.
    // The restore is done: a failed entry is logged, and the answer still
    // gives the admin the pre-restore backup's id.
    record_or_log(
        &state,
        &admin,
        action::BACKUP_RESTORE,
        restored.restored.clone(),
        Some(format!(
            "pre-restore backup {}",
            restored.pre_restore_backup
        )),
        &client,
    )
    .await;
    tracing::info!(
        backup.id = %restored.restored,
        pre_restore_backup = %restored.pre_restore_backup,
        admin.id = admin.user.id,
        "backup restored"
    );
    Ok(Json(restored))
}

/// Deletes a backup and its checksum file.
#[utoipa::path(delete, path = "/api/admin/backups/{id}", tag = "admin",
    params(("id" = String, Path, description = "The backup's file name")),
    responses(
        (status = 204),
        (status = 404, body = ErrorBody),
        (status = 409, description = "a backup or restore is running", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let data = data_dir(&state).await?;
    let target = id.clone();
    blocking(move || backup::delete(&data, &id, Wait::No)).await?;
    record_or_log(&state, &admin, action::BACKUP_DELETE, target, None, &client).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The upload form of [`import`].
#[derive(Debug, Deserialize, ToSchema)]
pub struct ImportForm {
    /// A BillTracker backup: a SQLite file of this application, at most 512 MiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Uploads a backup file (multipart field `file`, at most 512 MiB; 5 per
/// hour per address). It is kept as a `manual` backup if it is a sound
/// SQLite database of this application at a schema version this release
/// knows; otherwise it is refused with the reason and nothing is kept.
#[utoipa::path(post, path = "/api/admin/backups/import", tag = "admin",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = Backup),
        (status = 400, description = "the file was refused; `code` says why: NOT_SQLITE, \
            TRUNCATED, CORRUPT, INTEGRITY_FAILED, FOREIGN_DATABASE, SCHEMA_TOO_NEW, \
            UNKNOWN_MIGRATIONS, SCHEMA_MISMATCH", body = ErrorBody),
        (status = 409, description = "a backup or restore is running", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 429, body = ErrorBody),
        (status = 507, description = "the disk is full", body = ErrorBody),
    ))]
pub async fn import(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Backup>), ApiError> {
    state.limits.backup.check(&client.ip_text())?;
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "INVALID_INPUT",
            "send the backup as multipart/form-data with the file in the field `file`",
        )
    })?;
    let data = data_dir(&state).await?;

    let mut upload = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") {
            continue;
        }
        let target = data.clone();
        let (partial, file) = blocking(move || backup::upload_partial(&target)).await?;
        // The partial file is removed if anything below fails.
        let mut file = tokio::fs::File::from_std(file);
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            file.write_all(&chunk).await.map_err(upload_error)?;
        }
        file.flush().await.map_err(upload_error)?;
        drop(file);
        upload = Some(partial);
        break;
    }
    let Some(upload) = upload else {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            "file",
            "send the backup in the multipart field `file`",
        ));
    };

    let imported = match blocking_raw(move || backup::import(&data, upload, Wait::No)).await? {
        Ok(imported) => imported,
        Err(error) => {
            let detail = match &error {
                BackupError::Refused(refusal) => format!("{}: {refusal}", refusal.code()),
                other => other.to_string(),
            };
            record_or_log(
                &state,
                &admin,
                more_action::BACKUP_IMPORT_REFUSED,
                "upload".to_string(),
                Some(detail),
                &client,
            )
            .await;
            return Err(backup_error(error));
        }
    };

    record_or_log(
        &state,
        &admin,
        action::BACKUP_IMPORT,
        imported.id.clone(),
        Some(format!("{} bytes", imported.size_bytes)),
        &client,
    )
    .await;
    tracing::info!(backup.id = %imported.id, admin.id = admin.user.id, "backup uploaded");
    Ok((StatusCode::CREATED, Json(imported)))
}

fn multipart_error(error: MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BODY_TOO_LARGE",
            "the file is larger than 512 MiB",
        )
    } else {
        ApiError::bad_request(
            "INVALID_INPUT",
            "file",
            "the upload was interrupted or is not valid multipart/form-data",
        )
    }
}

fn upload_error(error: std::io::Error) -> ApiError {
    backup_error(BackupError::io("upload", error))
}
