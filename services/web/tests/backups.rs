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
