//! Admin > Backups in process: ids are exact backup names, only admins
//! reach the routes, and the answers never show a path.

mod common;

use axum::http::StatusCode;
use common::{admin, app, user};

#[tokio::test]
async fn anything_but_an_existing_backup_name_is_not_found() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let created = admin
        .send(&app.router, "POST", "/api/admin/backups", None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json);
    let id = created.json["id"].as_str().unwrap().to_string();

    for bad in [
        "nope",
        "..%2Fdb%2Fbills.db",
        "%2E%2E%2Fdb%2Fbills.db",
        ".lock",
        "bills-20200101T000000Z-manual.db",
        &format!("{id}.sha256"),
        &format!("{id}%00"),
        &format!("..%2F..%2Fbackups%2F{id}"),
    ] {
        for (method, path) in [
            ("GET", format!("/api/admin/backups/{bad}/download")),
            ("POST", format!("/api/admin/backups/{bad}/verify")),
            ("POST", format!("/api/admin/backups/{bad}/restore")),
            ("DELETE", format!("/api/admin/backups/{bad}")),
        ] {
            let answer = admin.send(&app.router, method, &path, None).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(answer.code(), "NOT_FOUND", "{method} {path}");
        }
    }

    let verified = admin
        .send(
            &app.router,
            "POST",
            &format!("/api/admin/backups/{id}/verify"),
            None,
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK);
    assert_eq!(verified.json["ok"], true, "{:?}", verified.json);
    let deleted = admin
        .send(
            &app.router,
            "DELETE",
            &format!("/api/admin/backups/{id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let listed = admin
        .send(&app.router, "GET", "/api/admin/backups", None)
        .await;
    assert_eq!(listed.json, serde_json::json!([]));
}

#[tokio::test]
async fn only_admins_reach_backups() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (_, mut someone) = user(&app, &mut admin, "someone").await;
    for (method, path) in [
        ("GET", "/api/admin/backups"),
        ("POST", "/api/admin/backups"),
        ("POST", "/api/admin/backups/import"),
    ] {
        let answer = someone.send(&app.router, method, path, None).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let listed = admin
        .send(&app.router, "GET", "/api/admin/backups", None)
        .await;
    assert_eq!(listed.json, serde_json::json!([]), "nothing was created");
}

#[tokio::test]
async fn a_second_backup_while_one_runs_answers_409() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let data = billtracker::paths::DataDir::new(app.tmp.path());
    let _running =
        billtracker::backup::lock::BackupLock::acquire(&data, billtracker::backup::Wait::No)
            .unwrap();
    let answer = admin
        .send(&app.router, "POST", "/api/admin/backups", None)
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.code(), "BACKUP_BUSY");
    let message = answer.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("a backup or restore is running"),
        "{message}"
    );
    assert!(!message.contains(&app.tmp.path().display().to_string()));
}

/// The audit entries of `action`: (actor, target).
fn audited(app: &common::TestApp, action: &str) -> Vec<(String, String)> {
    let conn = app.db.get().unwrap();
    let mut stmt = conn
        .prepare("SELECT actor, target FROM audit_log WHERE action = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([action], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn backup_count(app: &common::TestApp) -> usize {
    let data = billtracker::paths::DataDir::new(app.tmp.path());
    billtracker::backup::list(&data).unwrap().len()
}

#[tokio::test]
async fn a_sixth_backup_within_the_hour_answers_429_and_takes_nothing() {
    let app = app().await;
    let mut admin = admin(&app).await;
    for n in 1..=5 {
        let created = admin
            .send(&app.router, "POST", "/api/admin/backups", None)
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "backup {n}");
    }
    let refused = admin
        .send(&app.router, "POST", "/api/admin/backups", None)
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "RATE_LIMITED");
    assert!(refused.headers.contains_key("retry-after"));
    assert_eq!(backup_count(&app), 5, "the refused request took no backup");
    assert_eq!(audited(&app, "backup.create").len(), 5);
}

#[tokio::test]
async fn restores_count_against_the_same_hourly_limit_and_the_sixth_is_refused() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let created = admin
        .send(&app.router, "POST", "/api/admin/backups", None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.json["id"].as_str().unwrap().to_string();
    let restore = format!("/api/admin/backups/{id}/restore");
    for n in 2..=5 {
        let restored = admin.send(&app.router, "POST", &restore, None).await;
        assert_eq!(
            restored.status,
            StatusCode::OK,
            "request {n}: {:?}",
            restored.json
        );
    }
    let before = backup_count(&app);
    let refused = admin.send(&app.router, "POST", &restore, None).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "RATE_LIMITED");
    assert_eq!(
        backup_count(&app),
        before,
        "a refused restore makes no pre-restore backup"
    );
    // An unknown id is still a 404, not a 429.
    let unknown = admin
        .send(
            &app.router,
            "POST",
            "/api/admin/backups/bills-20200101T000000Z-manual.db/restore",
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// Uploads `bytes` as the multipart field `file`, with the client's cookies and CSRF token.
async fn upload(app: &common::TestApp, client: &common::Client, bytes: Vec<u8>) -> StatusCode {
    use tower::ServiceExt;
    let boundary = "billtracker-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.db\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let cookie = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/admin/backups/import")
        .header("cookie", cookie)
        .header("x-csrf-token", client.csrf.clone().unwrap())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    app.router.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn creating_uploading_and_deleting_a_backup_are_audited() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let created = admin
        .send(&app.router, "POST", "/api/admin/backups", None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.json["id"].as_str().unwrap().to_string();
    assert_eq!(
        audited(&app, "backup.create"),
        [("admin".to_string(), id.clone())]
    );

    let file = std::fs::read(app.tmp.path().join("backups").join(&id)).unwrap();
    assert_eq!(upload(&app, &admin, file).await, StatusCode::CREATED);
    let imported = audited(&app, "backup.import");
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].0, "admin");
    assert_ne!(imported[0].1, id, "the upload is a backup of its own");
    // A refused upload is not recorded as an import.
    assert_eq!(
        upload(&app, &admin, b"not a database".to_vec()).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(audited(&app, "backup.import").len(), 1);
    assert_eq!(
        audited(&app, "backup.import_refused"),
        [("admin".to_string(), "upload".to_string())]
    );

    let deleted = admin
        .send(
            &app.router,
            "DELETE",
            &format!("/api/admin/backups/{id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(audited(&app, "backup.delete"), [("admin".to_string(), id)]);
}

/// The detail of the newest audit entry of `action`.
fn audit_detail(app: &common::TestApp, action: &str) -> Option<String> {
    let conn = app.db.get().unwrap();
    conn.query_row(
        "SELECT detail FROM audit_log WHERE action = ?1 ORDER BY id DESC LIMIT 1",
        [action],
        |r| r.get(0),
    )
    .ok()
}

#[tokio::test]
async fn downloads_and_refused_or_failed_restores_are_audited() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let created = admin
        .send(&app.router, "POST", "/api/admin/backups", None)
        .await;
    let id = created.json["id"].as_str().unwrap().to_string();

    let download = admin
        .send(
            &app.router,
            "GET",
            &format!("/api/admin/backups/{id}/download"),
            None,
        )
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(
        audited(&app, "backup.download"),
        [("admin".to_string(), id.clone())]
    );

    // A backup that fails verification is refused, and the refusal is audited.
    let sidecar = app.tmp.path().join("backups").join(format!("{id}.sha256"));
    std::fs::write(&sidecar, format!("{}  {id}\n", "0".repeat(64))).unwrap();
    let refused = admin
        .send(
            &app.router,
            "POST",
            &format!("/api/admin/backups/{id}/restore"),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        audited(&app, "backup.restore_failed"),
        [("admin".to_string(), id.clone())]
    );
    let detail = audit_detail(&app, "backup.restore_failed").unwrap();
    assert!(detail.contains("SHA-256"), "{detail}");
    assert!(!detail.contains(&app.tmp.path().display().to_string()));
    assert!(audited(&app, "backup.restore").is_empty());
}

#[tokio::test]
async fn a_restore_answers_its_ids_even_when_its_audit_entry_cannot_be_written() {
    let app = app().await;
    let mut admin = admin(&app).await;
    // The backup carries a trigger that refuses the restore's audit entry.
    let block = "CREATE TRIGGER no_restore_audit BEFORE INSERT ON audit_log \
                 WHEN NEW.action = 'backup.restore' BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END";
    app.db.get().unwrap().execute_batch(block).unwrap();
    let created = admin
        .send(&app.router, "POST", "/api/admin/backups", None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json);
    let id = created.json["id"].as_str().unwrap().to_string();
    app.db
        .get()
        .unwrap()
        .execute_batch("DROP TRIGGER no_restore_audit")
        .unwrap();

    let restored = admin
        .send(
            &app.router,
            "POST",
            &format!("/api/admin/backups/{id}/restore"),
            None,
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{:?}", restored.json);
    assert_eq!(restored.json["restored"], id.as_str());
    let pre_restore = restored.json["pre_restore_backup"].as_str().unwrap();
    assert!(pre_restore.ends_with("-pre-restore.db"), "{pre_restore}");
    assert!(audited(&app, "backup.restore").is_empty());
    // What happened before the restore is still in the audit log.
    assert_eq!(audited(&app, "backup.create").len(), 1);
}

#[tokio::test]
async fn a_restore_keeps_the_audit_trail_written_after_the_backup_and_adds_its_own() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let first = admin
        .send(&app.router, "POST", "/api/admin/backups", None)
        .await;
    let id = first.json["id"].as_str().unwrap().to_string();
    let second = admin
        .send(&app.router, "POST", "/api/admin/backups", None)
        .await;
    let later = second.json["id"].as_str().unwrap().to_string();

    let restored = admin
        .send(
            &app.router,
            "POST",
            &format!("/api/admin/backups/{id}/restore"),
            None,
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{:?}", restored.json);
    // The first backup holds neither entry of its own creation nor of the second.
    assert_eq!(
        audited(&app, "backup.create"),
        [
            ("admin".to_string(), id.clone()),
            ("admin".to_string(), later)
        ]
    );
    assert_eq!(audited(&app, "backup.restore"), [("admin".to_string(), id)]);
}
