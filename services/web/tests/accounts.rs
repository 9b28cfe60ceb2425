//! Sign-in, sessions, roles and user administration, in process.

mod common;

use axum::http::StatusCode;
use common::{ADMIN, ADMIN_PASSWORD, Client, admin, app, app_with, user};
use serde_json::json;

#[tokio::test]
async fn login_sets_the_session_cookie_and_me_answers_the_user() {
    let app = app().await;
    let mut client = Client::new();
    assert_eq!(
        client
            .send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let answer = client.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["username"], ADMIN);
    assert_eq!(answer.json["role"], "admin");
    assert!(answer.json.get("password_hash").is_none());
    assert!(client.cookies.contains_key("bt_session"));

    let me = client.send(&app.router, "GET", "/api/auth/me", None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["username"], ADMIN);

    // Only the hash of the session token is stored.
    let token = client.cookies["bt_session"].clone();
    let stored: String = app
        .db
        .get()
        .unwrap()
        .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_ne!(stored, token);
    assert_eq!(stored, billtracker::accounts::sessions::hash_token(&token));

    let out = client
        .send(&app.router, "POST", "/api/auth/logout", None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        client
            .send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let sessions: i64 = app
        .db
        .get()
        .unwrap()
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sessions, 0, "logout deletes the session server-side");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = app().await;
    let mut client = Client::new();
    let wrong = client.login(&app.router, ADMIN, "not-the-password").await;
    let unknown = client
        .login(&app.router, "nobody-here", "not-the-password")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json, unknown.json);
    assert_eq!(wrong.code(), "INVALID_CREDENTIALS");
    assert!(!client.cookies.contains_key("bt_session"));
}

#[tokio::test]
async fn ten_failed_logins_are_followed_by_429_with_retry_after() {
    let app = app().await;
    let mut client = Client::new();
    for _ in 0..10 {
        let answer = client.login(&app.router, ADMIN, "wrong-password").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let limited = client.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert_eq!(limited.code(), "RATE_LIMITED");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");

    // The same address is limited for another username too.
    let other = client
        .login(&app.router, "someone-else", "whatever-password")
        .await;
    assert_eq!(other.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_deactivated_users_live_session_stops_working_at_once() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (id, mut bob) = user(&app, &mut admin, "bob").await;
    assert_eq!(
        bob.send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::OK
    );

    let answer = admin
        .send(
            &app.router,
            "PATCH",
            &format!("/api/admin/users/{id}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["active"], false);
    assert_eq!(
        bob.send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // And the right password now tells them why.
    let mut again = Client::new();
    let login = again.login(&app.router, "bob", "bob-password-1").await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert_eq!(login.code(), "ACCOUNT_INACTIVE");
}

#[tokio::test]
async fn a_role_change_and_a_password_reset_end_the_users_sessions() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (id, mut carol) = user(&app, &mut admin, "carol").await;

    admin
        .send(
            &app.router,
            "PATCH",
            &format!("/api/admin/users/{id}"),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(
        carol
            .send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let mut carol = Client::new();
    assert_eq!(
        carol
            .login(&app.router, "carol", "carol-password-1")
            .await
            .status,
        StatusCode::OK
    );
    let reset = admin
        .send(
            &app.router,
            "POST",
            &format!("/api/admin/users/{id}/reset-password"),
            None,
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    let temporary = reset.json["temporary_password"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        carol
            .send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // The temporary password works once, and forces a change first.
    let mut carol = Client::new();
    let login = carol.login(&app.router, "carol", &temporary).await;
    assert_eq!(login.json["must_change_password"], true);
    let blocked = carol
        .send(&app.router, "GET", "/api/profile/logins", None)
        .await;
    assert_eq!(blocked.code(), "PASSWORD_CHANGE_REQUIRED");
    let changed = carol
        .send(
            &app.router,
            "POST",
            "/api/auth/password",
            Some(json!({"current_password": temporary, "new_password": "a-brand-new-secret"})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.json);
    assert_eq!(
        carol
            .send(&app.router, "GET", "/api/profile/logins", None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    let app = app().await;
    let mut admin_here = admin(&app).await;
    let (_, mut laptop) = user(&app, &mut admin_here, "dave").await;
    let mut phone = Client::new();
    assert_eq!(
        phone
            .login(&app.router, "dave", "dave-password-1")
            .await
            .status,
        StatusCode::OK
    );

    let wrong = laptop
        .send(
            &app.router,
            "POST",
            "/api/auth/password",
            Some(json!({"current_password": "nope-nope-nope", "new_password": "another-long-one"})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json["error"]["field"], "current_password");

    let short = laptop
        .send(
            &app.router,
            "POST",
            "/api/auth/password",
            Some(json!({"current_password": "dave-password-1", "new_password": "short"})),
        )
        .await;
    assert_eq!(short.code(), "PASSWORD_TOO_SHORT");
    assert_eq!(short.json["error"]["field"], "new_password");

    let ok = laptop
        .send(
            &app.router,
            "POST",
            "/api/auth/password",
            Some(
                json!({"current_password": "dave-password-1", "new_password": "another-long-one"}),
            ),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(
        laptop
            .send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        phone
            .send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_deactivated_or_deleted() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let me = admin.send(&app.router, "GET", "/api/auth/me", None).await;
    let id = me.json["id"].as_i64().unwrap();
    for body in [json!({"role": "user"}), json!({"active": false})] {
        let answer = admin
            .send(
                &app.router,
                "PATCH",
                &format!("/api/admin/users/{id}"),
                Some(body),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CONFLICT);
        assert_eq!(answer.code(), "LAST_ADMIN");
    }
    let delete = admin
        .send(
            &app.router,
            "DELETE",
            &format!("/api/admin/users/{id}"),
            Some(json!({"confirm_username": ADMIN})),
        )
        .await;
    assert_eq!(delete.code(), "LAST_ADMIN");
    assert_eq!(
        admin
            .send(&app.router, "GET", "/api/auth/me", None)
            .await
            .json["role"],
        "admin"
    );
}

#[tokio::test]
async fn admins_create_rename_and_delete_users_with_confirmation() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (id, _) = user(&app, &mut admin, "erin").await;

    let taken = admin
        .send(
            &app.router,
            "POST",
            "/api/admin/users",
            Some(json!({"username": "ERIN", "password": "long-enough-pw", "role": "user"})),
        )
        .await;
    assert_eq!(
        taken.status,
        StatusCode::CONFLICT,
        "usernames are unique without regard to case"
    );
    assert_eq!(taken.code(), "USERNAME_TAKEN");

    let renamed = admin
        .send(
            &app.router,
            "PATCH",
            &format!("/api/admin/users/{id}"),
            Some(json!({"username": "erin2", "display_name": "Erin"})),
        )
        .await;
    assert_eq!(renamed.json["username"], "erin2");
    assert_eq!(renamed.json["display_name"], "Erin");

    let mismatch = admin
        .send(
            &app.router,
            "DELETE",
            &format!("/api/admin/users/{id}"),
            Some(json!({"confirm_username": "erin"})),
        )
        .await;
    assert_eq!(mismatch.code(), "CONFIRMATION_MISMATCH");
    let deleted = admin
        .send(
            &app.router,
            "DELETE",
            &format!("/api/admin/users/{id}"),
            Some(json!({"confirm_username": "erin2"})),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let list = admin
        .send(&app.router, "GET", "/api/admin/users", None)
        .await;
    assert_eq!(list.json.as_array().unwrap().len(), 1);

    let audit = admin
        .send(&app.router, "GET", "/api/admin/audit?limit=50", None)
        .await;
    let actions: Vec<&str> = audit.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in ["user.create", "user.update", "user.delete", "login.success"] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
}

#[tokio::test]
async fn users_cannot_reach_admin_routes() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (_, mut frank) = user(&app, &mut admin, "frank").await;
    for (method, path) in [
        ("GET", "/api/admin/users"),
        ("GET", "/api/admin/audit"),
        ("GET", "/api/admin/settings/auth"),
    ] {
        let answer = frank.send(&app.router, method, path, None).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
    }
    let mut anonymous = Client::new();
    assert_eq!(
        anonymous
            .send(&app.router, "GET", "/api/admin/users", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_profile_shows_the_last_ten_sign_ins() {
    let app = app().await;
    let mut client = Client::new();
    client.login(&app.router, ADMIN, "a-wrong-password").await;
    for _ in 0..11 {
        let mut other = Client::new();
        other.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
    }
    let mut admin = admin(&app).await;
    let updated = admin
        .send(
            &app.router,
            "PATCH",
            "/api/profile",
            Some(json!({"display_name": "The Admin", "email": "admin@example.com"})),
        )
        .await;
    assert_eq!(updated.json["display_name"], "The Admin");
    let bad_email = admin
        .send(
            &app.router,
            "PATCH",
            "/api/profile",
            Some(json!({"email": "not an email"})),
        )
        .await;
    assert_eq!(bad_email.json["error"]["field"], "email");

    let logins = admin
        .send(&app.router, "GET", "/api/profile/logins", None)
        .await;
    let logins = logins.json.as_array().unwrap();
    assert_eq!(logins.len(), 10);
    assert!(
        logins
            .iter()
            .all(|l| l["success"] == true && l["method"] == "local")
    );
}

#[tokio::test]
async fn guard_rails_refuse_settings_that_lock_admins_out() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let cases = [
        json!({"local_enabled": false}),
        json!({"local_enabled": false, "oidc_enabled": false}),
        json!({"oidc_enabled": true}),
        json!({"oidc_enabled": true, "issuer_url": "https://id.example.com", "client_id": "bt"}),
    ];
    for body in cases {
        let answer = admin
            .send(
                &app.router,
                "PUT",
                "/api/admin/settings/auth",
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::CONFLICT,
            "{body}: {:?}",
            answer.json
        );
        assert_eq!(answer.code(), "GUARD_RAIL");
    }
    let full = json!({
        "oidc_enabled": true, "issuer_url": "https://id.example.com", "client_id": "bt",
        "client_secret": "s3cret-value", "redirect_uri": "https://bills.example.com/api/auth/oidc/callback",
        "provider_name": "Authentik"
    });
    let answer = admin
        .send(&app.router, "PUT", "/api/admin/settings/auth", Some(full))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
    assert_eq!(answer.json["client_secret_set"], true);
    assert!(
        !answer.json.to_string().contains("s3cret-value"),
        "the secret is write-only"
    );

    // Local login stays on until an admin has signed in through OIDC.
    let off = admin
        .send(
            &app.router,
            "PUT",
            "/api/admin/settings/auth",
            Some(json!({"local_enabled": false, "admin_group": "admins"})),
        )
        .await;
    assert_eq!(off.code(), "GUARD_RAIL");
    assert!(
        off.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("OIDC")
    );

    let mode = Client::new()
        .send(&app.router, "GET", "/api/auth/mode", None)
        .await;
    assert_eq!(mode.json["local"], true);
    assert_eq!(mode.json["oidc"]["enabled"], true);
    assert_eq!(mode.json["oidc"]["provider_name"], "Authentik");

    let stored: String = app
        .db
        .get()
        .unwrap()
        .query_row("SELECT value FROM settings WHERE area = 'auth'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        !stored.contains("s3cret-value"),
        "the client secret is encrypted at rest"
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let count = |app: &common::TestApp| -> i64 {
        app.db
            .get()
            .unwrap()
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap()
    };
    let before = count(&app);

    let cases = [
        (json!({"username": "x"}), Some("password")),
        (
            json!({"username": "y".repeat(65), "password": "long-enough-pw", "role": "user"}),
            Some("username"),
        ),
        (
            json!({"username": "ok-name", "password": "p".repeat(1025), "role": "user"}),
            Some("password"),
        ),
        (
            json!({"username": "ok-name", "password": "long-enough-pw", "role": "superuser"}),
            Some("role"),
        ),
        (
            json!({"username": "bad name!", "password": "long-enough-pw", "role": "user"}),
            Some("username"),
        ),
        (
            json!({"username": 42, "password": "long-enough-pw", "role": "user"}),
            Some("username"),
        ),
    ];
    for (body, field) in cases {
        let answer = admin
            .send(&app.router, "POST", "/api/admin/users", Some(body.clone()))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {:?}",
            answer.json
        );
        assert_eq!(answer.json["error"]["field"].as_str(), field, "{body}");
    }

    let mut raw = admin.clone();
    raw.headers
        .push(("content-type".into(), "application/json".into()));
    let malformed = raw.send(&app.router, "POST", "/api/auth/login", None).await;
    assert!(malformed.status.is_client_error());

    let mut anonymous = Client::new();
    anonymous.fetch_csrf(&app.router).await;
    let overlong = anonymous
        .send(
            &app.router,
            "POST",
            "/api/auth/login",
            Some(json!({"username": "u".repeat(200), "password": "x"})),
        )
        .await;
    assert_eq!(overlong.status, StatusCode::BAD_REQUEST);
    assert_eq!(overlong.json["error"]["field"], "username");

    let mut tampered = Client::new();
    tampered
        .cookies
        .insert("bt_session".into(), "forged-session-value".into());
    assert_eq!(
        tampered
            .send(&app.router, "GET", "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let mut bad_csrf = admin.clone();
    bad_csrf
        .cookies
        .insert("bt_csrf_token".into(), "tampered".into());
    bad_csrf.csrf = Some("tampered".into());
    let refused = bad_csrf
        .send(
            &app.router,
            "POST",
            "/api/admin/users",
            Some(json!({"username": "z-user", "password": "long-enough-pw", "role": "user"})),
        )
        .await;
    assert_eq!(refused.code(), "CSRF_INVALID");

    let huge = admin
        .send(
            &app.router,
            "PATCH",
            "/api/profile",
            Some(json!({"display_name": "x".repeat(100_000)})),
        )
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(count(&app), before);
}

#[tokio::test]
async fn using_a_session_extends_it_and_resends_the_cookie() {
    let app = app().await;
    let mut client = Client::new();
    client.login(&app.router, ADMIN, ADMIN_PASSWORD).await;

    let fresh = client.send(&app.router, "GET", "/api/auth/me", None).await;
    assert!(
        fresh.set_cookies().is_empty(),
        "a session used a moment ago is not rewritten"
    );

    app.db
        .get()
        .unwrap()
        .execute(
            "UPDATE sessions SET last_used_at = '2020-01-01T00:00:00.000Z', expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 day')",
            [],
        )
        .unwrap();
    let used = client.send(&app.router, "GET", "/api/auth/me", None).await;
    assert_eq!(used.status, StatusCode::OK);
    let cookie = used
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("bt_session="))
        .expect("cookie re-sent");
    assert!(cookie.contains("Max-Age=604800"), "{cookie}");
    let expires: String = app
        .db
        .get()
        .unwrap()
        .query_row("SELECT expires_at FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert!(
        expires.as_str() > "2026-01-01",
        "the server extended it by 7 days: {expires}"
    );
}

#[tokio::test]
async fn a_user_who_owns_only_a_month_plan_is_deleted_only_with_their_data() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let (id, _) = user(&app, &mut admin, "gina").await;
    app.db
        .get()
        .unwrap()
        .execute(
            "INSERT INTO month_plans (user_id, year, month, starting_first_cents) VALUES (?1, 2026, 12, 120000)",
            [id],
        )
        .unwrap();
    let plans = |app: &common::TestApp| -> i64 {
        app.db
            .get()
            .unwrap()
            .query_row(
                "SELECT count(*) FROM month_plans WHERE user_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };

    let refused = admin
        .send(
            &app.router,
            "DELETE",
            &format!("/api/admin/users/{id}"),
            Some(json!({"confirm_username": "gina"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.json);
    assert_eq!(refused.code(), "USER_HAS_DATA");
    assert!(
        refused.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 month_plans"),
        "{:?}",
        refused.json
    );
    assert_eq!(plans(&app), 1, "nothing was deleted");

    let deleted = admin
        .send(
            &app.router,
            "DELETE",
            &format!("/api/admin/users/{id}"),
            Some(json!({"confirm_username": "gina", "delete_data": true})),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(plans(&app), 0, "the plan went with the user");
}

#[tokio::test]
async fn environment_settings_that_lock_everyone_out_keep_local_login_on() {
    let lockouts: [&[&str]; 3] = [
        &["--local-login-enabled=false"],
        &["--local-login-enabled=false", "--oidc-enabled=true"],
        &[
            "--local-login-enabled=false",
            "--oidc-enabled=true",
            "--oidc-issuer-url=https://id.example.com",
            "--oidc-client-id=bt",
        ],
    ];
    for args in lockouts {
        let app = app_with(args).await;
        let mode = Client::new()
            .send(&app.router, "GET", "/api/auth/mode", None)
            .await;
        assert_eq!(mode.json["local"], true, "{args:?}: {:?}", mode.json);

        let mut admin = Client::new();
        let login = admin.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
        assert_eq!(login.status, StatusCode::OK, "{args:?}: {:?}", login.json);
        let view = admin
            .send(&app.router, "GET", "/api/admin/settings/auth", None)
            .await;
        assert_eq!(view.json["local_enabled"], true, "{args:?}");
    }

    // Settings that leave admins a way in are kept as they are.
    let app = app_with(&[
        "--local-login-enabled=false",
        "--oidc-enabled=true",
        "--oidc-issuer-url=https://id.example.com",
        "--oidc-client-id=bt",
        "--oidc-client-secret=s3cret-value",
        "--oidc-redirect-uri=https://bills.example.com/api/auth/oidc/callback",
        "--oidc-admin-group=admins",
        "--oidc-auto-provision=true",
    ])
    .await;
    let mode = Client::new()
        .send(&app.router, "GET", "/api/auth/mode", None)
        .await;
    assert_eq!(mode.json["local"], false);
    let login = Client::new()
        .login(&app.router, ADMIN, ADMIN_PASSWORD)
        .await;
    assert_eq!(login.code(), "LOCAL_LOGIN_DISABLED");
}

#[tokio::test]
async fn an_account_without_a_password_gets_the_wrong_password_answer_and_the_log_says_why() {
    let app = app_with(&[
        "--oidc-enabled=true",
        "--oidc-provider-name=Authentik",
        "--oidc-issuer-url=https://id.example.com",
        "--oidc-client-id=bt",
        "--oidc-client-secret=s3cret-value",
        "--oidc-redirect-uri=https://bills.example.com/api/auth/oidc/callback",
    ])
    .await;
    app.db
        .get()
        .unwrap()
        .execute(
            "INSERT INTO users (username, role, oidc_issuer, oidc_subject, created_at) \
             VALUES ('sso-only', 'user', 'https://id.example.com', 'sub-42', '2026-01-01T00:00:00.000Z')",
            [],
        )
        .unwrap();

    let mut client = Client::new();
    let sso = client
        .login(&app.router, "sso-only", "any-password-at-all")
        .await;
    let unknown = client
        .login(&app.router, "nobody-here", "any-password-at-all")
        .await;
    assert_eq!(sso.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sso.json, unknown.json,
        "no password to prove: an outsider learns nothing"
    );
    assert!(
        sso.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Authentik sign in with its button"),
        "{:?}",
        sso.json
    );

    let detail: String = app
        .db
        .get()
        .unwrap()
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'login.failure' AND target = 'sso-only'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(detail, "local: single sign-on only, no password");
}

#[tokio::test]
async fn password_changes_beyond_five_per_quarter_hour_get_429_with_retry_after() {
    let app = app().await;
    let mut admin_here = admin(&app).await;
    let (_, mut henry) = user(&app, &mut admin_here, "henry").await;
    for attempt in 0..5 {
        let wrong = henry
            .send(
                &app.router,
                "POST",
                "/api/auth/password",
                Some(json!({"current_password": "not-my-password", "new_password": "a-new-long-one"})),
            )
            .await;
        assert_eq!(wrong.code(), "WRONG_PASSWORD", "attempt {attempt}");
    }
    let limited = henry
        .send(
            &app.router,
            "POST",
            "/api/auth/password",
            Some(json!({"current_password": "henry-password-1", "new_password": "a-new-long-one"})),
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.code(), "RATE_LIMITED");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");

    // The limited change did not happen.
    let mut again = Client::new();
    assert_eq!(
        again
            .login(&app.router, "henry", "henry-password-1")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn oidc_sign_on_starts_beyond_twenty_per_quarter_hour_get_429_with_retry_after() {
    let app = app().await;
    let mut client = Client::new();
    for attempt in 0..20 {
        let start = client
            .send(&app.router, "GET", "/api/auth/oidc/login", None)
            .await;
        assert_eq!(start.status, StatusCode::FOUND, "attempt {attempt}");
    }
    let limited = client
        .send(&app.router, "GET", "/api/auth/oidc/login", None)
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.code(), "RATE_LIMITED");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_wrong_passwords_at_once_get_at_most_ten_tries() {
    let app = app().await;
    let mut client = Client::new();
    client.fetch_csrf(&app.router).await;

    let attempts: Vec<_> = (0..30)
        .map(|_| {
            let (mut client, router) = (client.clone(), app.router.clone());
            tokio::spawn(async move { client.login(&router, ADMIN, "wrong-password").await })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap().status);
    }
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(tried <= 10, "{tried} passwords were tried: {statuses:?}");
    assert!(tried >= 1, "{statuses:?}");
    assert_eq!(tried + limited, 30, "{statuses:?}");

    let failures: i64 = app
        .db
        .get()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'login.failure'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failures, tried as i64, "only tried passwords are failures");
    let limited = client.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(
        limited.status,
        if tried == 10 {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::OK
        }
    );
}

/// Writes a failed local sign-in `ago` in the past into the audit log.
fn logged_failure(app: &common::TestApp, ago: jiff::SignedDuration, ip: &str, username: &str) {
    let at = billtracker::time::format(jiff::Timestamp::now() - ago);
    app.db
        .get()
        .unwrap()
        .execute(
            "INSERT INTO audit_log (at, action, target, detail, ip) \
             VALUES (?1, 'login.failure', ?2, 'local: wrong credentials', ?3)",
            rusqlite::params![at, username, ip],
        )
        .unwrap();
}

/// Moves every audit entry `secs` into the past: as if that time passed.
fn let_time_pass(app: &common::TestApp, secs: u64) {
    let conn = app.db.get().unwrap();
    let entries: Vec<(i64, String)> = conn
        .prepare("SELECT id, at FROM audit_log")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, at) in entries {
        let at =
            billtracker::time::parse(&at).unwrap() - jiff::SignedDuration::from_secs(secs as i64);
        conn.execute(
            "UPDATE audit_log SET at = ?1 WHERE id = ?2",
            rusqlite::params![billtracker::time::format(at), id],
        )
        .unwrap();
    }
}

#[tokio::test]
async fn retry_after_is_the_wait_of_the_key_over_the_limit() {
    let app = app().await;
    let minutes = jiff::SignedDuration::from_mins;
    // This address failed once, long ago, for someone else: not over.
    logged_failure(
        &app,
        minutes(14) + jiff::SignedDuration::from_secs(50),
        "10.0.0.7",
        "someone",
    );
    // The admin's name failed ten times from elsewhere a minute ago: over.
    for n in 0..10 {
        logged_failure(&app, minutes(1), &format!("192.0.2.{n}"), ADMIN);
    }

    let mut client = Client::new();
    let limited = client.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (13 * 60..=14 * 60).contains(&retry),
        "the username's failures decide, not the address's older one: {retry}"
    );

    // A little early is still too early; after Retry-After it works.
    let_time_pass(&app, retry - 5);
    let early = client.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS);
    let_time_pass(&app, 5);
    let after = client.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(after.status, StatusCode::OK, "{:?}", after.json);
}

#[tokio::test]
async fn behind_a_trusted_proxy_a_forged_forwarded_address_does_not_escape_the_limit() {
    let app = app_with(&["--trust-proxy", "true"]).await;
    let mut client = Client::new();
    client.fetch_csrf(&app.router).await;
    for n in 0..10 {
        // The client makes up a new address each time; the proxy appends
        // the one it really came from.
        client.headers = vec![(
            "x-forwarded-for".into(),
            format!("203.0.113.{n}, 198.51.100.4"),
        )];
        let answer = client
            .login(&app.router, &format!("guess-{n}"), "wrong-password")
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    client.headers = vec![(
        "x-forwarded-for".into(),
        "203.0.113.99, 198.51.100.4".into(),
    )];
    let limited = client
        .login(&app.router, "guess-99", "wrong-password")
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);

    // Another client behind the same proxy is not.
    let mut other = Client::new();
    other.headers = vec![("x-forwarded-for".into(), "198.51.100.5".into())];
    let answer = other.login(&app.router, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK);
    let ips: Vec<String> = app
        .db
        .get()
        .unwrap()
        .prepare("SELECT DISTINCT ip FROM audit_log WHERE action LIKE 'login.%' ORDER BY ip")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ips, ["198.51.100.4", "198.51.100.5"]);
}

#[tokio::test]
async fn local_login_stays_on_without_an_admin_group_and_the_redirect_uri_must_be_the_callback() {
    let app = app().await;
    let mut admin = admin(&app).await;
    let full = json!({
        "oidc_enabled": true, "issuer_url": "https://id.example.com", "client_id": "bt",
        "client_secret": "s3cret-value", "redirect_uri": "https://bills.example.com/api/auth/oidc/callback",
    });
    let answer = admin
        .send(&app.router, "PUT", "/api/admin/settings/auth", Some(full))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
    assert_eq!(answer.json["admin_group"], serde_json::Value::Null);

    let off = admin
        .send(
            &app.router,
            "PUT",
            "/api/admin/settings/auth",
            Some(json!({"local_enabled": false})),
        )
        .await;
    assert_eq!(off.status, StatusCode::CONFLICT);
    assert_eq!(off.code(), "GUARD_RAIL");
    let message = off.json["error"]["message"].as_str().unwrap();
    assert!(message.contains("admin group"), "{message}");

    for elsewhere in [
        "https://bills.example.com/callback",
        "https://bills.example.com/api/auth/oidc/callback/extra",
    ] {
        let moved = admin
            .send(
                &app.router,
                "PUT",
                "/api/admin/settings/auth",
                Some(json!({"redirect_uri": elsewhere})),
            )
            .await;
        assert_eq!(moved.status, StatusCode::CONFLICT, "{elsewhere}");
        assert_eq!(moved.code(), "GUARD_RAIL");
        let message = moved.json["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("must end in /api/auth/oidc/callback"),
            "{message}"
        );
    }

    // Nothing refused was saved.
    let stored = admin
        .send(&app.router, "GET", "/api/admin/settings/auth", None)
        .await;
    assert_eq!(stored.json["local_enabled"], true);
    assert_eq!(
        stored.json["redirect_uri"],
        "https://bills.example.com/api/auth/oidc/callback"
    );
}
