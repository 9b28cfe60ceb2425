//! The flags of `bt_session` and `bt_csrf_token` for every combination of
//! COOKIE_SECURE, HTTPS, TRUST_PROXY, X-Forwarded-Proto and CSRF_HTTP_ONLY.

mod common;

use axum::http::StatusCode;
use billtracker::paths::DataDir;
use common::{ADMIN, ADMIN_PASSWORD, Client, app, router_for};

#[derive(Debug)]
struct Flags {
    secure: bool,
    http_only: bool,
    same_site: Option<String>,
    path: Option<String>,
}

fn flags(set_cookies: &[String], name: &str) -> Flags {
    let cookie = set_cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} was not set: {set_cookies:?}"));
    let attributes: Vec<String> = cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_string())
        .collect();
    let value_of = |key: &str| {
        attributes
            .iter()
            .find_map(|a| a.strip_prefix(&format!("{key}=")).map(str::to_string))
    };
    Flags {
        secure: attributes.iter().any(|a| a == "Secure"),
        http_only: attributes.iter().any(|a| a == "HttpOnly"),
        same_site: value_of("SameSite"),
        path: value_of("Path"),
    }
}

#[tokio::test]
async fn cookie_flags_follow_the_settings_and_always_agree_on_secure() {
    let app = app().await;
    let data = DataDir::new(app.tmp.path());
    let mut combinations = 0;

    for cookie_secure in [None, Some("true"), Some("false")] {
        for https in [None, Some("true"), Some("false")] {
            for trust_proxy in ["false", "true"] {
                for forwarded_proto in [None, Some("https"), Some("http")] {
                    for csrf_http_only in ["true", "false"] {
                        let mut args = vec![
                            "--trust-proxy",
                            trust_proxy,
                            "--csrf-http-only",
                            csrf_http_only,
                        ];
                        if let Some(v) = cookie_secure {
                            args.extend(["--cookie-secure", v]);
                        }
                        if let Some(v) = https {
                            args.extend(["--https", v]);
                        }
                        let router = router_for(&app.db, &data, &args);

                        let mut client = Client::new();
                        if let Some(proto) = forwarded_proto {
                            client
                                .headers
                                .push(("x-forwarded-proto".into(), proto.into()));
                        }
                        client.fetch_csrf(&router).await;
                        let csrf_answer = client
                            .send(&router, "GET", "/api/auth/csrf-token", None)
                            .await;
                        let login = client.login(&router, ADMIN, ADMIN_PASSWORD).await;
                        assert_eq!(login.status, StatusCode::OK);

                        let expected_secure = cookie_secure
                            .map(|v| v == "true")
                            .or(https.map(|v| v == "true"))
                            .unwrap_or(trust_proxy == "true" && forwarded_proto == Some("https"));
                        let case = format!(
                            "COOKIE_SECURE={cookie_secure:?} HTTPS={https:?} TRUST_PROXY={trust_proxy} \
                             X-Forwarded-Proto={forwarded_proto:?} CSRF_HTTP_ONLY={csrf_http_only}"
                        );

                        let session = flags(&login.set_cookies(), "bt_session");
                        let csrf = flags(&csrf_answer.set_cookies(), "bt_csrf_token");
                        assert_eq!(session.secure, expected_secure, "session Secure, {case}");
                        assert_eq!(
                            csrf.secure, session.secure,
                            "the cookies agree on Secure, {case}"
                        );
                        assert!(session.http_only, "{case}");
                        assert_eq!(session.same_site.as_deref(), Some("Strict"), "{case}");
                        assert_eq!(session.path.as_deref(), Some("/"), "{case}");
                        assert_eq!(
                            csrf.http_only,
                            csrf_http_only == "true",
                            "CSRF HttpOnly, {case}"
                        );
                        assert_eq!(csrf.same_site.as_deref(), Some("Strict"), "{case}");

                        let hsts = login.headers.get("strict-transport-security").is_some();
                        assert_eq!(
                            hsts,
                            https == Some("true"),
                            "HSTS only with HTTPS=true, {case}"
                        );
                        combinations += 1;
                    }
                }
            }
        }
    }
    assert_eq!(combinations, 108);
}

#[tokio::test]
async fn the_csrf_cookie_takes_its_same_site_from_the_setting() {
    let app = app().await;
    let data = DataDir::new(app.tmp.path());
    for (setting, expected) in [("strict", "Strict"), ("lax", "Lax"), ("none", "None")] {
        let router = router_for(
            &app.db,
            &data,
            &["--csrf-same-site", setting, "--cookie-secure", "true"],
        );
        let answer = Client::new()
            .send(&router, "GET", "/api/auth/csrf-token", None)
            .await;
        let csrf = flags(&answer.set_cookies(), "bt_csrf_token");
        assert_eq!(csrf.same_site.as_deref(), Some(expected));
    }
}
