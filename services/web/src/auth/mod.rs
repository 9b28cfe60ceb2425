//! Sign-in at the HTTP edge: cookies and their Secure flag, the client's
//! address, CSRF, and the extractors that authorise a request.

pub mod csrf;
pub mod extract;
pub mod rate_limit;
pub mod refresh;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum_extra::extract::cookie::{Cookie, SameSite};
use billtracker::config::{self, WebArgs};

/// The session cookie.
pub const SESSION_COOKIE: &str = "bt_session";
/// The CSRF double-submit cookie.
pub const CSRF_COOKIE: &str = "bt_csrf_token";
/// The header that must repeat the CSRF cookie on mutations.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who is calling: address, user agent and whether the request came over
/// HTTPS, as far as `TRUST_PROXY` lets us believe the proxy.
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: IpAddr,
    pub user_agent: Option<String>,
    pub https: bool,
}

impl Client {
    pub fn from_parts(parts: &Parts, args: &WebArgs) -> Client {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        let trusted = args.trust_proxy.trusts(peer);
        let ip = if trusted {
            forwarded_for(&parts.headers, &args.trust_proxy).unwrap_or(peer)
        } else {
            peer
        };
        let https = trusted
            && parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Client {
            ip,
            user_agent,
            https,
        }
    }

    pub fn ip_text(&self) -> String {
        self.ip.to_string()
    }
}

/// The client address from `X-Forwarded-For`: the right-most address that
/// is not a trusted proxy (a client can prepend anything it likes).
fn forwarded_for(headers: &HeaderMap, trust: &config::TrustProxy) -> Option<IpAddr> {
    let chain: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    chain
        .iter()
        .rev()
        .find(|ip| !trust.trusts(**ip))
        .or_else(|| chain.first())
        .copied()
}

/// Whether cookies get the Secure flag: `COOKIE_SECURE`, else `HTTPS`,
/// else whether this request came over HTTPS.
pub fn cookie_secure(args: &WebArgs, client: &Client) -> bool {
    args.cookie_secure.or(args.https).unwrap_or(client.https)
}

/// The session cookie with its fixed attributes.
pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(secure)
        .max_age(time_from_jiff(billtracker::accounts::sessions::LIFETIME))
        .build()
}

/// The cookie that removes the session cookie.
pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), secure);
    cookie.make_removal();
    cookie
}

/// The CSRF cookie: HttpOnly unless `CSRF_HTTP_ONLY=false`, SameSite from
/// `CSRF_SAME_SITE`, Secure like the session cookie.
pub fn csrf_cookie(value: String, args: &WebArgs, secure: bool) -> Cookie<'static> {
    let same_site = match args.csrf_same_site {
        config::SameSite::Strict => SameSite::Strict,
        config::SameSite::Lax => SameSite::Lax,
        config::SameSite::None => SameSite::None,
    };
    Cookie::build((CSRF_COOKIE, value))
        .http_only(args.csrf_http_only)
        .same_site(same_site)
        .path("/")
        .secure(secure)
        .build()
}

fn time_from_jiff(duration: jiff::SignedDuration) -> cookie::time::Duration {
    cookie::time::Duration::seconds(duration.as_secs())
}
