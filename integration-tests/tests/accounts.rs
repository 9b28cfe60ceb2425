//! Accounts across processes: the first admin of a new instance, sessions
//! that survive a restart, and the CLI's rescue commands.

use std::time::Duration;

use billtracker_integration_tests::{Suite, bin, wait_for};
use nix::sys::signal::Signal;
use serde_json::{Value, json};

/// A cookie-keeping client that signs in with the CSRF token.
struct Browser {
    client: reqwest::blocking::Client,
    csrf: String,
    base: String,
}

impl Browser {
    fn new(suite: &Suite) -> Browser {
        let client = reqwest::blocking::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let base = suite.url("");
        let token: Value = client
            .get(format!("{base}/api/auth/csrf-token"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        Browser {
            client,
            csrf: token["token"].as_str().unwrap().to_string(),
            base,
        }
    }

    fn post(&self, path: &str, body: Value) -> reqwest::blocking::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .unwrap()
    }

    fn get(&self, path: &str) -> reqwest::blocking::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .unwrap()
    }
}

#[test]
fn a_new_instance_prints_a_one_time_admin_password_that_must_be_changed() {
    let mut suite = Suite::new();
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));

    let logs = suite.logs("web");
    let line = logs
        .lines()
        .find(|l| l.contains("one-time password"))
        .unwrap_or_else(|| panic!("the generated password is printed once:\n{logs}"));
    let password = line
        .split("one-time password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    assert_eq!(password.len(), 20);

    let browser = Browser::new(&suite);
    let login = browser.post(
        "/api/auth/login",
        json!({"username": "admin", "password": password}),
    );
    assert_eq!(login.status(), 200);
    let user: Value = login.json().unwrap();
    assert_eq!(user["must_change_password"], true);

    let blocked = browser.get("/api/profile/logins");
    assert_eq!(blocked.status(), 403);
    let changed = browser.post(
        "/api/auth/password",
        json!({"current_password": password, "new_password": "my-own-admin-password"}),
    );
    assert_eq!(changed.status(), 204);
    assert_eq!(browser.get("/api/profile/logins").status(), 200);

    // A second start does not print another password.
    suite.signal("web", Signal::SIGTERM, Duration::from_secs(10));
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));
    assert_eq!(suite.logs("web").matches("one-time password").count(), 1);

    // The session survived the restart of the web process.
    let me = browser.get("/api/auth/me");
    assert_eq!(me.status(), 200, "sessions survive a restart");
}

#[test]
fn the_cli_rescues_accounts_with_the_web_process_running() {
    let mut suite = Suite::new();
    suite.set_env("ADMIN_USERNAME", "root-admin");
    suite.set_env("ADMIN_PASSWORD", "correct-horse-battery");
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));

    let browser = Browser::new(&suite);
    assert_eq!(
        browser
            .post(
                "/api/auth/login",
                json!({"username": "root-admin", "password": "correct-horse-battery"})
            )
            .status(),
        200
    );

    let users = suite.ctl_json(&["user", "list", "--json"]);
    assert_eq!(users[0]["username"], "root-admin");
    assert_eq!(users[0]["role"], "admin");

    // The last admin is protected here too.
    let refused = suite.ctl(&["user", "deactivate", "root-admin"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("last active admin"));
    assert_eq!(
        suite
            .ctl(&["user", "set-role", "nobody", "admin"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        suite
            .ctl(&["user", "set-role", "root-admin", "emperor"])
            .status
            .code(),
        Some(2)
    );

    let reset = suite.ctl(&["user", "reset-password", "root-admin"]);
    assert!(reset.status.success());
    let text = String::from_utf8_lossy(&reset.stdout).to_string();
    let password = text
        .split(": ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_string();

    // The live session ended at once; the new password works and must be changed.
    wait_for(Duration::from_secs(5), || {
        (browser.get("/api/auth/me").status() == 401).then_some(())
    })
    .expect("the session ended");
    let again = Browser::new(&suite);
    let login = again.post(
        "/api/auth/login",
        json!({"username": "root-admin", "password": password}),
    );
    assert_eq!(login.status(), 200);
    assert_eq!(login.json::<Value>().unwrap()["must_change_password"], true);

    let audit: Vec<String> = {
        let conn = suite.bills();
        let mut stmt = conn
            .prepare("SELECT actor || ' ' || action FROM audit_log")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(
        audit
            .iter()
            .any(|a| a == "billtracker CLI user.reset_password"),
        "{audit:?}"
    );
}

/// Signs in and returns the browser, asserting success.
fn signed_in(suite: &Suite, username: &str, password: &str) -> Browser {
    let browser = Browser::new(suite);
    let login = browser.post(
        "/api/auth/login",
        json!({"username": username, "password": password}),
    );
    assert_eq!(login.status(), 200, "{username} signs in");
    browser
}

fn login_code(suite: &Suite, username: &str, password: &str) -> (u16, String) {
    let answer = Browser::new(suite).post(
        "/api/auth/login",
        json!({"username": username, "password": password}),
    );
    let status = answer.status().as_u16();
    let body: Value = answer.json().unwrap_or(Value::Null);
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_string(),
    )
}

fn ctl_ok(suite: &Suite, args: &[&str]) -> String {
    let output = suite.ctl(args);
    assert!(
        output.status.success(),
        "`billtracker {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[test]
fn the_cli_activates_deactivates_promotes_and_turns_local_login_back_on() {
    let mut suite = Suite::new();
    suite.set_env("ADMIN_USERNAME", "root-admin");
    suite.set_env("ADMIN_PASSWORD", "correct-horse-battery");
    // Single sign-on complete, with a way for admins to get in, so that
    // local login off is a setting the web server keeps.
    for (name, value) in [
        ("OIDC_ENABLED", "true"),
        ("OIDC_ISSUER_URL", "https://id.example.com"),
        ("OIDC_CLIENT_ID", "billtracker"),
        ("OIDC_CLIENT_SECRET", "not-a-real-secret"),
        (
            "OIDC_REDIRECT_URI",
            "https://bills.example.com/api/auth/oidc/callback",
        ),
        ("OIDC_ADMIN_GROUP", "billtracker-admins"),
        ("OIDC_AUTO_PROVISION", "true"),
    ] {
        suite.set_env(name, value);
    }
    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));

    let admin = signed_in(&suite, "root-admin", "correct-horse-battery");
    let created = admin.post(
        "/api/admin/users",
        json!({"username": "alice", "password": "alice-password-1", "role": "user",
               "must_change_password": false}),
    );
    assert_eq!(created.status(), 201);

    // deactivate: the live session ends and the right password is told why.
    let alice = signed_in(&suite, "alice", "alice-password-1");
    assert!(ctl_ok(&suite, &["user", "deactivate", "alice"]).contains("alice is deactivated"));
    assert_eq!(alice.get("/api/auth/me").status(), 401);
    assert_eq!(
        login_code(&suite, "alice", "alice-password-1"),
        (403, "ACCOUNT_INACTIVE".to_string())
    );

    // activate: signing in works again.
    assert!(ctl_ok(&suite, &["user", "activate", "alice"]).contains("alice is activated"));
    let alice = signed_in(&suite, "alice", "alice-password-1");
    assert_eq!(alice.get("/api/admin/users").status(), 403);

    // set-role: the session ends, the next one has admin rights.
    assert!(ctl_ok(&suite, &["user", "set-role", "alice", "admin"]).contains("alice is now admin"));
    assert_eq!(alice.get("/api/auth/me").status(), 401);
    let alice = signed_in(&suite, "alice", "alice-password-1");
    let me: Value = alice.get("/api/auth/me").json().unwrap();
    assert_eq!(me["role"], "admin");
    assert_eq!(alice.get("/api/admin/users").status(), 200);

    // Local login switched off as an admin's save would store it.
    suite
        .bills()
        .execute(
            "INSERT INTO settings (area, value, updated_at) VALUES ('auth', '{\"local_enabled\":false}', '2026-01-01T00:00:00.000Z') \
             ON CONFLICT (area) DO UPDATE SET value = excluded.value",
            [],
        )
        .unwrap();
    let mode: Value = admin.get("/api/auth/mode").json().unwrap();
    assert_eq!(mode["local"], false, "{mode}");
    assert_eq!(
        login_code(&suite, "root-admin", "correct-horse-battery"),
        (403, "LOCAL_LOGIN_DISABLED".to_string())
    );

    // auth enable-local-login: no restart needed.
    assert!(ctl_ok(&suite, &["auth", "enable-local-login"]).contains("local login is on"));
    let mode: Value = admin.get("/api/auth/mode").json().unwrap();
    assert_eq!(mode["local"], true, "{mode}");
    assert_eq!(mode["oidc"]["enabled"], true, "single sign-on stays on");
    signed_in(&suite, "root-admin", "correct-horse-battery");

    let audit: Vec<String> = {
        let conn = suite.bills();
        let mut stmt = conn
            .prepare("SELECT action || ' ' || coalesce(detail, '') FROM audit_log WHERE actor = 'billtracker CLI'")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    for expected in [
        "user.update deactivated from the CLI",
        "user.update activated from the CLI",
        "user.update role admin from the CLI",
        "settings.auth.update local login on, from the CLI",
    ] {
        assert!(
            audit.iter().any(|a| a == expected),
            "{expected} in {audit:?}"
        );
    }
}

#[test]
fn settings_that_lock_everyone_out_keep_local_login_on_and_reach_status() {
    let mut suite = Suite::new();
    suite.set_env("ADMIN_USERNAME", "root-admin");
    suite.set_env("ADMIN_PASSWORD", "correct-horse-battery");
    suite.set_env("LOCAL_LOGIN_ENABLED", "false");

    // `config check` catches it before any process starts.
    let checked = suite.ctl(&["config", "check"]);
    assert_eq!(checked.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert!(stderr.contains("LOCAL_LOGIN_ENABLED=false"), "{stderr}");
    assert!(stderr.contains("OIDC_ENABLED"), "{stderr}");

    suite.start("web");
    assert!(suite.wait_for_web(Duration::from_secs(10)));
    let logs = suite.logs("web");
    assert!(
        logs.lines()
            .any(|l| l.contains("ERROR") && l.contains("lock every admin out")),
        "a loud line at start-up:\n{logs}"
    );

    let admin = signed_in(&suite, "root-admin", "correct-horse-battery");
    let mode: Value = admin.get("/api/auth/mode").json().unwrap();
    assert_eq!(mode["local"], true);
    let status = wait_for(Duration::from_secs(5), || {
        let report: Value = admin.get("/api/admin/status").json().ok()?;
        let errors = report["recent_errors"].as_array()?.clone();
        errors
            .iter()
            .any(|e| {
                e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("LOCAL_LOGIN_ENABLED=false"))
            })
            .then_some(errors)
    });
    assert!(status.is_some(), "the error is on the Status page");

    // Fixed in the environment, the check passes (the database exists now).
    suite.set_env("LOCAL_LOGIN_ENABLED", "true");
    let fixed = suite.ctl(&["config", "check"]);
    assert!(
        fixed.status.success(),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    assert!(String::from_utf8_lossy(&fixed.stdout).contains("LOCAL_LOGIN_ENABLED      true"));
}

#[test]
fn a_csrf_cookie_for_cross_site_use_without_secure_cookies_stops_the_web_process() {
    let dir = tempfile::tempdir().unwrap();
    for secure in [
        &[][..],
        &[("COOKIE_SECURE", "false")],
        &[("COOKIE_SECURE", "false"), ("HTTPS", "true")],
        &[("HTTPS", "false")],
    ] {
        let output = std::process::Command::new(bin("billtracker-web"))
            .env_clear()
            .env("DATA_DIR", dir.path().join("data"))
            .env("PORT", "0")
            .env("BIND_ADDRESS", "127.0.0.1")
            .env("CSRF_SAME_SITE", "none")
            .envs(secure.iter().copied())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{secure:?}: {text}");
        assert!(
            text.contains("invalid configuration: CSRF_SAME_SITE (--csrf-same-site): 'none' needs Secure cookies"),
            "{secure:?}: {text}"
        );
        assert!(!text.contains("panicked"), "{text}");
        assert!(
            !dir.path().join("data").exists(),
            "refused before anything is written"
        );
    }
}
