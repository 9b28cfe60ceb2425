//! Accounts across processes: the first admin of a new instance, sessions
//! that survive a restart, and the CLI's rescue commands.

use std::time::Duration;

use billtracker_integration_tests::{Suite, wait_for};
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
