//! Settings of the web process: listening, cookies and proxies, the first
//! admin, and single sign-on read from the environment.

use clap::{Args, ValueEnum};

use super::Secret;

/// Settings of the web process.
#[derive(Debug, Clone, Args)]
pub struct WebArgs {
    /// TCP port to listen on.
    #[arg(long, env = "PORT", default_value_t = 3030)]
    pub port: u16,

    /// Address to listen on (0.0.0.0 for every interface).
    #[arg(long, env = "BIND_ADDRESS", default_value = "0.0.0.0")]
    pub bind_address: std::net::IpAddr,

    /// Username of the first admin, created when no user exists.
    #[arg(long, env = "ADMIN_USERNAME", value_parser = parse_username)]
    pub admin_username: Option<String>,

    /// Password of the first admin; without it a random one is printed once.
    #[arg(long, env = "ADMIN_PASSWORD", value_parser = parse_admin_password, hide_env_values = true)]
    pub admin_password: Option<Secret>,

    /// Force the Secure flag of the cookies on or off (else HTTPS, else the request scheme).
    #[arg(long, env = "COOKIE_SECURE", value_parser = clap::builder::BoolishValueParser::new())]
    pub cookie_secure: Option<bool>,

    /// The instance is served over HTTPS: Secure cookies and HSTS.
    #[arg(long, env = "HTTPS", value_parser = clap::builder::BoolishValueParser::new())]
    pub https: Option<bool>,

    /// Trust X-Forwarded-For/-Proto: "true", "false", or a comma-separated list of proxy addresses or CIDR ranges.
    #[arg(long, env = "TRUST_PROXY", default_value = "false", value_parser = parse_trust_proxy)]
    pub trust_proxy: TrustProxy,

    /// The CSRF cookie is HttpOnly (the SPA reads the token from /api/auth/csrf-token).
    #[arg(long, env = "CSRF_HTTP_ONLY", default_value_t = true, action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub csrf_http_only: bool,

    /// SameSite attribute of the CSRF cookie.
    #[arg(long, env = "CSRF_SAME_SITE", value_enum, default_value_t = SameSite::Strict)]
    pub csrf_same_site: SameSite,

    /// Currency of amounts (ISO 4217 code) for formatting in the app.
    #[arg(long, env = "CURRENCY", default_value = "USD", value_parser = parse_currency)]
    pub currency: String,

    /// The address users reach the app at (http:// or https://, optionally with a path); calendar feed URLs start with it. Unset: taken from each request.
    #[arg(long, env = "PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    #[command(flatten)]
    pub oidc: OidcArgs,
}

/// Sign-in settings read from the environment; Admin > Authentication
/// overrides each of them when set there.
#[derive(Debug, Clone, Args)]
pub struct OidcArgs {
    /// Local (username and password) login is on.
    #[arg(long, env = "LOCAL_LOGIN_ENABLED", default_value_t = true, action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub local_login_enabled: bool,

    /// OIDC single sign-on is on.
    #[arg(long, env = "OIDC_ENABLED", default_value_t = false, action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub oidc_enabled: bool,

    /// Name of the provider on the login button.
    #[arg(long, env = "OIDC_PROVIDER_NAME")]
    pub oidc_provider_name: Option<String>,

    /// Issuer URL (discovery at <issuer>/.well-known/openid-configuration).
    #[arg(long, env = "OIDC_ISSUER_URL")]
    pub oidc_issuer_url: Option<String>,

    /// Client id registered at the provider.
    #[arg(long, env = "OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// Client secret registered at the provider.
    #[arg(long, env = "OIDC_CLIENT_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub oidc_client_secret: Option<Secret>,

    /// How the client authenticates at the token endpoint.
    #[arg(long, env = "OIDC_TOKEN_AUTH_METHOD", value_enum,
          default_value_t = crate::accounts::settings::TokenAuthMethod::ClientSecretBasic)]
    pub oidc_token_auth_method: crate::accounts::settings::TokenAuthMethod,

    /// Redirect URI registered at the provider; ends in /api/auth/oidc/callback.
    #[arg(long, env = "OIDC_REDIRECT_URI")]
    pub oidc_redirect_uri: Option<String>,

    /// Scopes requested.
    #[arg(
        long,
        env = "OIDC_SCOPES",
        default_value = "openid email profile groups"
    )]
    pub oidc_scopes: String,

    /// Name of the ID token claim that lists the user's groups.
    #[arg(long, env = "OIDC_GROUPS_CLAIM", default_value = "groups")]
    pub oidc_groups_claim: String,

    /// Members of this group are admins (checked at every OIDC login).
    #[arg(long, env = "OIDC_ADMIN_GROUP")]
    pub oidc_admin_group: Option<String>,

    /// Create a user at the first OIDC login of an unknown person.
    #[arg(long, env = "OIDC_AUTO_PROVISION", default_value_t = false, action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub oidc_auto_provision: bool,

    /// Link the first OIDC login to an existing user with the same verified email.
    #[arg(long, env = "OIDC_LINK_BY_EMAIL", default_value_t = false, action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub oidc_link_by_email: bool,
}

/// Which peers may set X-Forwarded-For and X-Forwarded-Proto.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustProxy {
    None,
    All,
    Only(Vec<ipnet::IpNet>),
}

impl TrustProxy {
    pub fn trusts(&self, peer: std::net::IpAddr) -> bool {
        match self {
            TrustProxy::None => false,
            TrustProxy::All => true,
            TrustProxy::Only(nets) => nets.iter().any(|n| n.contains(&peer)),
        }
    }
}

fn parse_trust_proxy(value: &str) -> Result<TrustProxy, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "0" | "no" => return Ok(TrustProxy::None),
        "true" | "1" | "yes" => return Ok(TrustProxy::All),
        _ => {}
    }
    value
        .split(',')
        .map(|part| {
            let part = part.trim();
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    format!("'{part}' is not an IP address or CIDR range (or use true/false)")
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(TrustProxy::Only)
}

/// SameSite values of a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

fn parse_username(value: &str) -> Result<String, String> {
    crate::accounts::users::clean_username(value).map_err(|e| e.to_string())
}

fn parse_admin_password(value: &str) -> Result<Secret, String> {
    crate::accounts::password::validate(value).map_err(|e| e.to_string())?;
    Ok(Secret(value.to_string()))
}

fn parse_secret(value: &str) -> Result<Secret, String> {
    Ok(Secret(value.to_string()))
}

fn parse_currency(value: &str) -> Result<String, String> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("a currency is a three-letter ISO 4217 code such as USD or EUR".into())
    }
}

/// An absolute http(s) URL without query or fragment, kept without its
/// trailing slash so that paths can be appended.
fn parse_public_url(value: &str) -> Result<String, String> {
    let url = url::Url::parse(value.trim()).map_err(|e| format!("not an absolute URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the URL must start with http:// or https://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL must name a host".into());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("the URL must not carry a query, a fragment or credentials".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_url_is_an_http_address_kept_without_its_trailing_slash() {
        assert_eq!(
            parse_public_url("https://bills.example.com/").unwrap(),
            "https://bills.example.com"
        );
        assert_eq!(
            parse_public_url("http://10.0.0.2:3030/bills/").unwrap(),
            "http://10.0.0.2:3030/bills"
        );
        for bad in [
            "bills.example.com",
            "ftp://bills.example.com",
            "https://bills.example.com/?a=1",
            "https://user:pw@bills.example.com",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }
}
