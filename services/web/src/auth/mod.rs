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
/// Binds a single sign-on in flight to the browser that started it.
pub const OIDC_BINDING_COOKIE: &str = "bt_oidc_binding";

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

/// The client address from `X-Forwarded-For`. Each proxy appends the
/// address it was reached from, and a client can send any chain it likes,
/// so the chain is read from the right: the right-most address that is not
/// a trusted proxy. `TRUST_PROXY=true` trusts the peer alone, not the
/// addresses it passes on: the right-most entry, which it appended.
fn forwarded_for(headers: &HeaderMap, trust: &config::TrustProxy) -> Option<IpAddr> {
    // An entry that is no address ends the walk: what is left of it was
    // not written by a proxy we can tell apart.
    let chain: Vec<Option<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| v.to_str().unwrap_or_default().split(','))
        .map(|part| part.trim().parse().ok())
        .collect();
    if let config::TrustProxy::All = trust {
        return chain.last().copied().flatten();
    }
    for ip in chain.iter().rev() {
        let ip = (*ip)?;
        if !trust.trusts(ip) {
            return Some(ip);
        }
    }
    // Every hop a trusted proxy: the one farthest out.
    chain.first().copied().flatten()
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

/// The single sign-on binding cookie: set when the sign-in starts, checked
/// at the callback. Lax, because the provider's redirect back is a
/// cross-site navigation; it lives as long as the login state.
pub fn oidc_binding_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((OIDC_BINDING_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(secure)
        .max_age(time_from_jiff(billtracker::accounts::oidc::STATE_LIFETIME))
        .build()
}

/// The cookie that removes the binding cookie.
pub fn expired_oidc_binding_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = oidc_binding_cookie(String::new(), secure);
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

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Args {
        #[command(flatten)]
        web: WebArgs,
    }

    /// The address a request from `peer` with `forwarded` is taken to come
    /// from, with `TRUST_PROXY=trust`.
    fn client_ip(trust: &str, peer: [u8; 4], forwarded: &[&str]) -> IpAddr {
        let args = Args::parse_from(["web", "--trust-proxy", trust]).web;
        let mut request = Request::builder();
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from((peer, 40_000))));
        Client::from_parts(&parts, &args).ip
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let forged = ["203.0.113.66, 198.51.100.1"];
        assert_eq!(client_ip("false", [10, 0, 0, 7], &forged), ip("10.0.0.7"));
        assert_eq!(
            client_ip("10.0.0.0/8", [192, 0, 2, 50], &forged),
            ip("192.0.2.50"),
            "a peer outside the trusted ranges is not a proxy"
        );
    }

    #[test]
    fn a_trusted_peer_gives_the_address_it_appended_not_the_forged_ones() {
        // The client sent "203.0.113.66"; the proxy appended the address
        // the client really came from.
        let chain = ["203.0.113.66, 198.51.100.9"];
        assert_eq!(client_ip("true", [10, 0, 0, 7], &chain), ip("198.51.100.9"));
        assert_eq!(
            client_ip("true", [10, 0, 0, 7], &["203.0.113.66", "198.51.100.9"]),
            ip("198.51.100.9"),
            "repeated headers form one chain"
        );
        assert_eq!(
            client_ip("true", [10, 0, 0, 7], &["203.0.113.66, bogus"]),
            ip("10.0.0.7"),
            "an entry that is no address is not followed past"
        );
        assert_eq!(client_ip("true", [10, 0, 0, 7], &[]), ip("10.0.0.7"));
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_from_the_right() {
        // Client -> edge proxy 10.0.0.3 -> inner proxy 10.0.0.7 -> us; the
        // client forged the first two entries.
        let chain = ["203.0.113.66, 10.0.0.99, 198.51.100.9, 10.0.0.3"];
        assert_eq!(
            client_ip("10.0.0.0/8", [10, 0, 0, 7], &chain),
            ip("198.51.100.9")
        );
        assert_eq!(
            client_ip(
                "10.0.0.0/8, 127.0.0.1",
                [127, 0, 0, 1],
                &["10.0.0.4, 10.0.0.3"]
            ),
            ip("10.0.0.4"),
            "every hop trusted: the one farthest out"
        );
    }
}
