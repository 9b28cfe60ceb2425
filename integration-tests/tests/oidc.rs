//! Single sign-on against a real OpenID provider: the certified
//! `oidc-provider` package (integration-tests/oidc-provider, run with Node)
//! and the real `billtracker-web`, each its own process. A browser is
//! played by a cookie-keeping client that follows every redirect by hand
//! and fills in the provider's sign-in and consent pages.
//!
//! Needs Node and `npm ci` in integration-tests/oidc-provider (`make test`
//! runs it).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use billtracker_integration_tests::{Suite, free_port, wait_for};
use reqwest::Url;
use reqwest::blocking::{Client, Response};
use reqwest::cookie::{CookieStore, Jar};
use serde_json::{Value, json};

const CLIENT_ID: &str = "billtracker";
const CLIENT_SECRET: &str = "real-client-secret-4f9d2c7a1b";
const ADMIN_GROUP: &str = "billtracker-admins";
const ADMIN_PASSWORD: &str = "local-admin-password";

/// The provider's directory in the repository.
fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc-provider")
}

/// The Node process of the provider; killed when dropped.
struct OidcProvider {
    child: Child,
    port: u16,
    accounts: PathBuf,
    log: PathBuf,
}

impl OidcProvider {
    /// Starts the provider with one client and the given accounts; fails
    /// loudly when Node or the npm packages are missing.
    fn start(
        dir: &Path,
        redirect_uri: &str,
        accounts: Value,
        env: &[(&str, &str)],
    ) -> OidcProvider {
        let node = Command::new("node").arg("--version").output();
        assert!(
            node.as_ref().is_ok_and(|o| o.status.success()),
            "Node is needed for the OpenID provider of these tests and was not found: install Node 20 or later, \
             then run `npm ci` in integration-tests/oidc-provider"
        );
        let package = provider_dir().join("node_modules").join("oidc-provider");
        assert!(
            package.join("package.json").exists(),
            "the npm packages of the test OpenID provider are missing: run `npm ci` in integration-tests/oidc-provider"
        );

        let port = free_port();
        let accounts_path = dir.join("oidc-accounts.json");
        std::fs::write(&accounts_path, accounts.to_string()).expect("write the accounts file");
        let log = dir.join("oidc-provider.log");
        let out = File::create(&log).expect("provider log");
        let err = out.try_clone().expect("provider log");
        let child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(provider_dir())
            .env("PORT", port.to_string())
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URIS", redirect_uri)
            .env("ACCOUNTS_FILE", &accounts_path)
            .envs(env.iter().copied())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("start node");
        let mut provider = OidcProvider {
            child,
            port,
            accounts: accounts_path,
            log,
        };
        let ready = wait_for(Duration::from_secs(20), || {
            if let Ok(Some(status)) = provider.child.try_wait() {
                panic!(
                    "the OpenID provider exited with {status}:\n{}",
                    provider.logs()
                );
            }
            provider.logs().contains("listening").then_some(())
        });
        assert!(
            ready.is_some(),
            "the OpenID provider did not start:\n{}",
            provider.logs()
        );
        provider
    }

    fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replaces the accounts; the provider reads them at every lookup.
    fn set_accounts(&self, accounts: Value) {
        std::fs::write(&self.accounts, accounts.to_string()).expect("rewrite the accounts file");
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn person(name: &str, groups: &[&str]) -> Value {
    json!({
        "email": format!("{name}@example.org"),
        "email_verified": true,
        "name": format!("{} Example", name.to_uppercase()),
        "preferred_username": name,
        "groups": groups,
    })
}

/// The provider and the web process, set up for single sign-on.
struct Sso {
    suite: Suite,
    provider: OidcProvider,
}

impl Sso {
    fn start(accounts: Value) -> Sso {
        Sso::start_with(accounts, &[], &[])
    }

    /// Starts both, with more (or other) environment for each.
    fn start_with(accounts: Value, env: &[(&str, &str)], provider_env: &[(&str, &str)]) -> Sso {
        let mut suite = Suite::new();
        let redirect_uri = suite.url("/api/auth/oidc/callback");
        let provider = OidcProvider::start(suite.dir.path(), &redirect_uri, accounts, provider_env);
        for (name, value) in [
            ("ADMIN_USERNAME", "admin"),
            ("ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("OIDC_ENABLED", "true"),
            ("OIDC_ISSUER_URL", &provider.issuer()),
            ("OIDC_CLIENT_ID", CLIENT_ID),
            ("OIDC_CLIENT_SECRET", CLIENT_SECRET),
            ("OIDC_REDIRECT_URI", &redirect_uri),
            ("OIDC_ADMIN_GROUP", ADMIN_GROUP),
            ("OIDC_AUTO_PROVISION", "true"),
        ] {
            suite.set_env(name, value);
        }
        for (name, value) in env {
            suite.set_env(name, value);
        }
        suite.start("web");
        assert!(
            suite.wait_for_web(Duration::from_secs(10)),
            "{}",
            suite.logs("web")
        );
        Sso { suite, provider }
    }

    /// Both processes' logs, for failure messages.
    fn logs(&self) -> String {
        format!(
            "--- web ---\n{}\n--- provider ---\n{}",
            self.suite.logs("web"),
            self.provider.logs()
        )
    }

    fn count(&self, sql: &str) -> i64 {
        self.suite.bills().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

/// A browser: keeps cookies (among them the `bt_oidc_binding` cookie that
/// ties a sign-in to the browser that started it), follows no redirect by
/// itself.
struct Browser {
    client: Client,
    jar: Arc<Jar>,
}

impl Browser {
    fn new() -> Browser {
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap();
        Browser { client, jar }
    }

    fn get(&self, url: &Url) -> Response {
        self.client.get(url.clone()).send().unwrap()
    }

    /// Where a redirect points, resolved against the request's URL.
    fn location(from: &Url, response: &Response) -> Url {
        let location = response
            .headers()
            .get("location")
            .unwrap_or_else(|| panic!("{} answered {} without a Location", from, response.status()))
            .to_str()
            .unwrap();
        from.join(location).unwrap()
    }

    /// Clicks "Sign in with …" and goes through the provider's pages as
    /// `login` until the provider sends the browser back; returns that
    /// callback URL without opening it.
    fn through_provider(&self, sso: &Sso, login: &str, return_to: &str) -> Url {
        self.at_provider(sso, At::SignIn(login), return_to)
    }

    /// Like [`Browser::through_provider`], doing `what` at the provider.
    fn at_provider(&self, sso: &Sso, what: At<'_>, return_to: &str) -> Url {
        let start = Url::parse(&sso.suite.url("/api/auth/oidc/login")).unwrap();
        let start = Url::parse_with_params(start.as_str(), [("return_to", return_to)]).unwrap();
        let response = self.get(&start);
        assert_eq!(response.status(), 302, "{}", sso.logs());
        let mut url = Browser::location(&start, &response);
        assert!(
            url.as_str().starts_with(&sso.provider.issuer()),
            "to the provider: {url}"
        );

        for _ in 0..20 {
            if url
                .as_str()
                .starts_with(&sso.suite.url("/api/auth/oidc/callback"))
            {
                return url;
            }
            let response = self.get(&url);
            if response.status().is_redirection() {
                url = Browser::location(&url, &response);
                continue;
            }
            assert_eq!(response.status(), 200, "{url}: {}", sso.logs());
            let page = response.text().unwrap();
            if let At::Cancel = what {
                let cancel = page
                    .split("href=\"")
                    .filter_map(|rest| rest.split('"').next())
                    .find(|href| href.contains("/abort"))
                    .unwrap_or_else(|| panic!("no Cancel link on {url}:\n{page}"));
                url = url.join(cancel).unwrap();
                continue;
            }
            let action =
                attribute(&page, "action").unwrap_or_else(|| panic!("no form on {url}:\n{page}"));
            let action = url.join(&action).unwrap();
            let form: Vec<(&str, &str)> = if page.contains(r#"name="prompt" value="login""#) {
                let At::SignIn(login) = what else {
                    unreachable!()
                };
                vec![("prompt", "login"), ("login", login), ("password", "any")]
            } else {
                vec![("prompt", "consent")]
            };
            let response = self.client.post(action.clone()).form(&form).send().unwrap();
            assert!(
                response.status().is_redirection(),
                "{action}: {}",
                response.status()
            );
            url = Browser::location(&action, &response);
        }
        panic!("the provider never sent the browser back:\n{}", sso.logs());
    }

    /// Opens the callback; returns the status and where it redirects.
    fn callback(&self, url: &Url) -> (u16, Url) {
        let response = self.get(url);
        let status = response.status().as_u16();
        (status, Browser::location(url, &response))
    }

    /// Signs in through the provider; returns where BillTracker sent the
    /// browser afterwards.
    fn sign_in(&self, sso: &Sso, login: &str, return_to: &str) -> Url {
        let callback = self.through_provider(sso, login, return_to);
        let (status, next) = self.callback(&callback);
        assert_eq!(status, 302, "{}", sso.logs());
        next
    }

    fn session_cookie(&self, sso: &Sso) -> Option<String> {
        let url = Url::parse(&sso.suite.url("/")).unwrap();
        let cookies = self.jar.cookies(&url)?;
        cookies
            .to_str()
            .unwrap()
            .split("; ")
            .find_map(|c| c.strip_prefix("bt_session="))
            .map(str::to_string)
    }

    fn me(&self, sso: &Sso) -> (u16, Value) {
        let response = self
            .client
            .get(sso.suite.url("/api/auth/me"))
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }
}

/// What the person does on the provider's pages.
#[derive(Clone, Copy)]
enum At<'a> {
    /// Signs in with this login name and consents.
    SignIn(&'a str),
    /// Clicks "Cancel".
    Cancel,
}

/// The first `name="…"` attribute value in an HTML page.
fn attribute(page: &str, name: &str) -> Option<String> {
    let start = page.find(&format!("{name}=\""))? + name.len() + 2;
    let end = page[start..].find('"')?;
    Some(page[start..start + end].replace("&amp;", "&"))
}

/// The local admin, signed in with a password and holding a CSRF token.
struct Admin {
    browser: Browser,
    csrf: String,
}

impl Admin {
    fn sign_in(sso: &Sso) -> Admin {
        let browser = Browser::new();
        let token: Value = browser
            .client
            .get(sso.suite.url("/api/auth/csrf-token"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let csrf = token["token"].as_str().unwrap().to_string();
        let login = browser
            .client
            .post(sso.suite.url("/api/auth/login"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
            .unwrap();
        assert_eq!(login.status(), 200, "{}", sso.logs());
        Admin { browser, csrf }
    }

    /// "Test provider" with unsaved values; returns the answer as text and
    /// as JSON.
    fn test_provider(&self, sso: &Sso, values: Value) -> (String, Value) {
        let response = self
            .browser
            .client
            .post(sso.suite.url("/api/admin/settings/auth/oidc/test"))
            .header("x-csrf-token", &self.csrf)
            .json(&values)
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{}", sso.logs());
        let text = response.text().unwrap();
        let report = serde_json::from_str(&text).unwrap();
        (text, report)
    }
}

/// The check of that name in a report.
fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report}"))
}

#[test]
fn two_people_sign_in_through_the_provider_and_the_admin_group_decides_their_role() {
    let sso = Sso::start(json!({
        "ann": person("ann", &[ADMIN_GROUP, "staff"]),
        "bob": person("bob", &["staff"]),
    }));

    let ann = Browser::new();
    let landed = ann.sign_in(&sso, "ann", "/bills?month=2026-05");
    assert_eq!(
        landed.as_str(),
        sso.suite.url("/bills?month=2026-05"),
        "back where the sign-in started"
    );
    let (status, me) = ann.me(&sso);
    assert_eq!(status, 200, "{}", sso.logs());
    assert_eq!(me["username"], "ann");
    assert_eq!(me["role"], "admin", "a member of {ADMIN_GROUP} is an admin");
    assert_eq!(me["auth_source"], "oidc");
    assert_eq!(me["display_name"], "ANN Example");
    assert_eq!(me["email"], "ann@example.org");

    let bob = Browser::new();
    let landed = bob.sign_in(&sso, "bob", "/");
    assert_eq!(landed.as_str(), sso.suite.url("/"));
    let (status, me) = bob.me(&sso);
    assert_eq!(status, 200);
    assert_eq!(me["username"], "bob");
    assert_eq!(me["role"], "user", "not in {ADMIN_GROUP}: a user");

    assert_eq!(
        sso.count(
            "SELECT count(*) FROM audit_log WHERE action = 'login.success' AND detail = 'oidc'"
        ),
        2
    );
    assert_eq!(
        sso.count("SELECT count(*) FROM sessions WHERE method = 'oidc'"),
        2
    );
    let logs = sso.suite.logs("web");
    assert!(
        !logs.contains("ann@example.org") && !logs.contains(CLIENT_SECRET),
        "{logs}"
    );

    // Ann leaves the admin group at the provider and signs in again.
    sso.provider.set_accounts(json!({
        "ann": person("ann", &["staff"]),
        "bob": person("bob", &["staff"]),
    }));
    let old_session = ann.session_cookie(&sso).expect("ann has a session");
    ann.sign_in(&sso, "ann", "/");
    let (status, me) = ann.me(&sso);
    assert_eq!(status, 200);
    assert_eq!(
        me["role"], "user",
        "leaving the admin group removes admin at the next sign-in"
    );
    assert_eq!(
        sso.count("SELECT count(*) FROM users WHERE username = 'ann'"),
        1,
        "the same user, not a new one"
    );

    let with_old_session = ann
        .client
        .get(sso.suite.url("/api/auth/me"))
        .header("cookie", format!("bt_session={old_session}"))
        .send()
        .unwrap();
    assert_eq!(
        with_old_session.status(),
        401,
        "a role change ends the older sessions"
    );
}

#[test]
fn test_provider_reports_each_misconfiguration_in_its_own_words() {
    let sso = Sso::start(json!({"ann": person("ann", &[ADMIN_GROUP, "staff"])}));
    let admin = Admin::sign_in(&sso);

    let (text, report) = admin.test_provider(&sso, json!({}));
    assert_eq!(report["ok"], true, "{report:#}\n{}", sso.logs());
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["issuer", "discovery", "redirect_uri", "client_credentials"]
    );
    for name in names {
        assert_eq!(check(&report, name)["ok"], true, "{report:#}");
    }
    assert_eq!(
        report["groups_claim_seen"],
        Value::Null,
        "no one has signed in through OIDC yet"
    );
    assert_eq!(report["groups_claim_name"], "groups");
    assert!(!text.contains(CLIENT_SECRET));

    // After a sign-in, the groups claim the provider sent is shown.
    Browser::new().sign_in(&sso, "ann", "/");
    let (_, report) = admin.test_provider(&sso, json!({}));
    assert_eq!(report["groups_claim_seen"], json!([ADMIN_GROUP, "staff"]));

    let wrong_secret = "wrong-secret-9e8d7c6b5a";
    let (text, report) = admin.test_provider(&sso, json!({"client_secret": wrong_secret}));
    assert_eq!(report["ok"], false);
    let credentials = check(&report, "client_credentials");
    assert_eq!(credentials["ok"], false, "{report:#}");
    assert!(
        credentials["message"]
            .as_str()
            .unwrap()
            .contains("rejected the client id or secret"),
        "{credentials}"
    );
    assert_eq!(check(&report, "redirect_uri")["ok"], true);
    assert!(
        !text.contains(wrong_secret) && !text.contains(CLIENT_SECRET),
        "{text}"
    );

    let elsewhere = sso.suite.url("/elsewhere/api/auth/oidc/callback");
    let (text, report) = admin.test_provider(&sso, json!({"redirect_uri": elsewhere}));
    assert_eq!(report["ok"], false);
    let redirect = check(&report, "redirect_uri");
    assert_eq!(redirect["ok"], false, "{report:#}");
    let message = redirect["message"].as_str().unwrap();
    assert!(
        message.starts_with("not registered") && message.contains(&elsewhere),
        "{message}"
    );
    assert!(
        message.contains("redirect_uri did not match"),
        "the provider's own words: {message}"
    );
    assert_eq!(check(&report, "client_credentials")["ok"], true);
    assert!(!text.contains(CLIENT_SECRET));

    let closed = format!("http://127.0.0.1:{}", free_port());
    let (text, report) = admin.test_provider(&sso, json!({"issuer_url": closed}));
    assert_eq!(report["ok"], false);
    let issuer = check(&report, "issuer");
    assert_eq!(issuer["ok"], false);
    let message = issuer["message"].as_str().unwrap();
    assert!(
        message.contains("cannot reach issuer host 127.0.0.1")
            && message.contains("connection refused"),
        "{message}"
    );
    for name in ["discovery", "redirect_uri", "client_credentials"] {
        let skipped = check(&report, name);
        assert_eq!(skipped["ok"], Value::Null, "{report:#}");
        assert!(
            skipped["message"]
                .as_str()
                .unwrap()
                .starts_with("not checked"),
            "{skipped}"
        );
    }
    assert!(!text.contains(CLIENT_SECRET));

    // Nothing tested was saved.
    let stored: Value = admin
        .browser
        .client
        .get(sso.suite.url("/api/admin/settings/auth"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(stored["issuer_url"], sso.provider.issuer());
    assert_eq!(
        stored["redirect_uri"],
        sso.suite.url("/api/auth/oidc/callback")
    );
    let (_, report) = admin.test_provider(&sso, json!({}));
    assert_eq!(report["ok"], true, "{report:#}");
}

#[test]
fn a_tampered_state_is_refused_and_changes_nothing() {
    let sso = Sso::start(json!({"cat": person("cat", &["staff"])}));
    let browser = Browser::new();
    let callback = browser.through_provider(&sso, "cat", "/bills");

    let state: String = callback
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut tampered = callback.clone();
    let pairs: Vec<(String, String)> = callback
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                format!("{v}x")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);
    assert_ne!(tampered, callback);

    let response = browser.get(&tampered);
    assert_eq!(response.status(), 302);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no cookie for a tampered state"
    );
    let to = Browser::location(&tampered, &response);
    assert_eq!(to.path(), "/login");
    let query: Vec<(String, String)> = to.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("error".into(), "invalid_state".into())),
        "{to}"
    );
    assert!(
        query
            .iter()
            .any(|(k, v)| k == "message" && v.contains("Start the sign-in again")),
        "{to}"
    );

    assert_eq!(browser.me(&sso).0, 401);
    assert_eq!(
        sso.count("SELECT count(*) FROM users"),
        1,
        "only the local admin: no one was created"
    );
    assert_eq!(sso.count("SELECT count(*) FROM sessions"), 0);
    assert_eq!(
        sso.count(
            "SELECT count(*) FROM audit_log WHERE action = 'login.failure' \
             AND detail = 'oidc: unknown or expired state'"
        ),
        1
    );
    let logs = sso.suite.logs("web");
    assert!(!logs.contains(&state), "the state is not logged:\n{logs}");

    // The genuine answer still works, exactly once.
    let (status, next) = browser.callback(&callback);
    assert_eq!((status, next.path()), (302, "/bills"), "{}", sso.logs());
    assert_eq!(browser.me(&sso).1["username"], "cat");
    let (_, again) = browser.callback(&callback);
    assert_eq!(again.path(), "/login", "a state works once");
    assert_eq!(sso.count("SELECT count(*) FROM users"), 2);
}

/// The `error` and `message` of a redirect to the login page.
fn login_error(to: &Url) -> (String, String) {
    assert_eq!(to.path(), "/login", "{to}");
    let get = |name: &str| {
        to.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no {name} in {to}"))
    };
    (get("error"), get("message"))
}

#[test]
fn a_person_without_an_account_or_who_cancels_lands_on_the_login_page_with_the_reason() {
    let sso = Sso::start_with(
        json!({"dan": person("dan", &["staff"])}),
        &[("OIDC_AUTO_PROVISION", "false")],
        &[],
    );

    let dan = Browser::new();
    let to = dan.sign_in(&sso, "dan", "/bills");
    let (error, message) = login_error(&to);
    assert_eq!(error, "not_linked");
    assert_eq!(
        message,
        "No BillTracker account is linked to this sign-in; ask an admin."
    );
    assert_eq!(dan.me(&sso).0, 401);
    assert_eq!(
        sso.count("SELECT count(*) FROM users"),
        1,
        "no account was created"
    );
    assert_eq!(
        sso.count(
            "SELECT count(*) FROM audit_log WHERE action = 'login.failure' \
             AND detail = 'oidc: no linked account'"
        ),
        1
    );

    let canceller = Browser::new();
    let callback = canceller.at_provider(&sso, At::Cancel, "/");
    let (status, to) = canceller.callback(&callback);
    assert_eq!(status, 302);
    let (error, message) = login_error(&to);
    assert_eq!(error, "provider_error");
    assert!(message.contains("access_denied"), "{message}");

    // An admin turns single sign-on off: the button's link says so.
    let admin = Admin::sign_in(&sso);
    let off = admin
        .browser
        .client
        .put(sso.suite.url("/api/admin/settings/auth"))
        .header("x-csrf-token", &admin.csrf)
        .json(&json!({"oidc_enabled": false}))
        .send()
        .unwrap();
    assert_eq!(off.status(), 200, "{}", sso.logs());
    let start = Url::parse(&sso.suite.url("/api/auth/oidc/login")).unwrap();
    let response = dan.get(&start);
    assert_eq!(response.status(), 302);
    let (error, message) = login_error(&Browser::location(&start, &response));
    assert_eq!(error, "oidc_disabled");
    assert!(
        message.contains("Single sign-on is turned off"),
        "{message}"
    );
}

#[test]
fn groups_and_profile_are_read_from_userinfo_when_the_id_token_has_none() {
    let sso = Sso::start_with(
        json!({"eve": person("eve", &[ADMIN_GROUP])}),
        &[],
        &[("CLAIMS_ONLY_AT_USERINFO", "true")],
    );
    let eve = Browser::new();
    eve.sign_in(&sso, "eve", "/");
    let (status, me) = eve.me(&sso);
    assert_eq!(status, 200, "{}", sso.logs());
    assert_eq!(
        me["role"], "admin",
        "the groups came from the userinfo endpoint"
    );
    assert_eq!(me["username"], "eve", "{me}");
    assert_eq!(me["email"], "eve@example.org");
    assert_eq!(me["display_name"], "EVE Example");
}

/// The `Set-Cookie` header that sets `name`, if any.
fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
}

#[test]
fn a_sign_in_link_started_in_another_browser_is_refused_and_changes_nothing() {
    let sso = Sso::start_with(
        json!({
            "mallory": person("mallory", &["staff"]),
            "vic": person("vic", &["staff"]),
        }),
        &[("TRUST_PROXY", "true")],
        &[],
    );

    // The binding cookie: HttpOnly, Lax (the provider's redirect back is a
    // cross-site navigation), as long as the login state, Secure like
    // bt_session.
    let start = Url::parse(&sso.suite.url("/api/auth/oidc/login")).unwrap();
    let plain = Browser::new().get(&start);
    let cookie = set_cookie(&plain, "bt_oidc_binding").expect("a binding cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600"] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let https = Browser::new()
        .client
        .get(start.clone())
        .header("x-forwarded-proto", "https")
        .send()
        .unwrap();
    let cookie = set_cookie(&https, "bt_oidc_binding").unwrap();
    assert!(
        cookie.contains("Secure"),
        "HTTPS through the proxy: {cookie}"
    );
    assert!(
        !sso.suite.logs("web").contains(
            cookie
                .trim_start_matches("bt_oidc_binding=")
                .split(';')
                .next()
                .unwrap()
        ),
        "the binding value is not logged"
    );

    // Mallory signs in at the provider and sends the callback link to Vic.
    let mallory = Browser::new();
    let link = mallory.through_provider(&sso, "mallory", "/bills");
    let users_before = sso.count("SELECT count(*) FROM users");

    let vic = Browser::new();
    let refused_for = |browser: &Browser| {
        let response = browser.get(&link);
        assert_eq!(response.status(), 302);
        assert!(
            set_cookie(&response, "bt_session").is_none(),
            "no session for a link from another browser"
        );
        let (error, message) = login_error(&Browser::location(&link, &response));
        assert_eq!(error, "other_browser");
        assert!(
            message.contains("not started in this browser")
                && message.contains("Start the sign-in again here"),
            "{message}"
        );
        assert_eq!(browser.me(&sso).0, 401, "still signed out");
    };
    refused_for(&vic);
    // Vic started a sign-in of her own: her binding cookie is not Mallory's.
    assert_eq!(vic.get(&start).status(), 302);
    refused_for(&vic);

    assert_eq!(
        sso.count("SELECT count(*) FROM users"),
        users_before,
        "no account was created for mallory"
    );
    assert_eq!(sso.count("SELECT count(*) FROM sessions"), 0);
    assert_eq!(
        sso.count(
            "SELECT count(*) FROM audit_log WHERE action = 'login.failure' \
             AND detail LIKE 'oidc: %binding cookie%'"
        ),
        2
    );

    // The browser that started it still can finish it, once.
    let (status, next) = mallory.callback(&link);
    assert_eq!((status, next.path()), (302, "/bills"), "{}", sso.logs());
    assert_eq!(mallory.me(&sso).1["username"], "mallory");
    assert!(
        mallory
            .jar
            .cookies(&Url::parse(&sso.suite.url("/")).unwrap())
            .is_none_or(|c| !c.to_str().unwrap().contains("bt_oidc_binding")),
        "the binding cookie is removed after the sign-in"
    );
    let (_, again) = mallory.callback(&link);
    assert_eq!(login_error(&again).0, "invalid_state");
}

#[test]
fn local_login_can_be_turned_off_once_an_admin_has_signed_in_through_the_provider() {
    let sso = Sso::start(json!({"ann": person("ann", &[ADMIN_GROUP])}));
    let admin = Admin::sign_in(&sso);
    let turn_local_off = || {
        admin
            .browser
            .client
            .put(sso.suite.url("/api/admin/settings/auth"))
            .header("x-csrf-token", &admin.csrf)
            .json(&json!({"local_enabled": false, "auto_provision": false}))
            .send()
            .unwrap()
    };

    // Before: no admin has signed in through OIDC, and none could appear.
    let refused = turn_local_off();
    assert_eq!(refused.status(), 409, "{}", sso.logs());

    let ann = Browser::new();
    ann.sign_in(&sso, "ann", "/");
    assert_eq!(ann.me(&sso).1["role"], "admin");

    let accepted = turn_local_off();
    assert_eq!(accepted.status(), 200, "{}", sso.logs());
    let view: Value = accepted.json().unwrap();
    assert_eq!(view["local_enabled"], false);

    let mode: Value = Browser::new()
        .client
        .get(sso.suite.url("/api/auth/mode"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(mode["local"], false);
    assert_eq!(mode["oidc"]["enabled"], true);

    // A password no longer signs in; the provider still does.
    let local = Browser::new();
    let token: Value = local
        .client
        .get(sso.suite.url("/api/auth/csrf-token"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let login = local
        .client
        .post(sso.suite.url("/api/auth/login"))
        .header("x-csrf-token", token["token"].as_str().unwrap())
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(login.status(), 403);
    let body: Value = login.json().unwrap();
    assert_eq!(body["error"]["code"], "LOCAL_LOGIN_DISABLED");
    let again = Browser::new();
    again.sign_in(&sso, "ann", "/");
    assert_eq!(again.me(&sso).1["username"], "ann");
}
