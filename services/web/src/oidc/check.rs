//! "Test provider": one line per thing an admin must get right, in the
//! order they depend on each other. A check after a failed one is not run.
//! The client secret never appears in a message, whatever the provider
//! echoes.

use std::net::SocketAddr;
use std::time::Duration;

use billtracker::accounts::settings::{AuthSettings, TokenAuthMethod};
use openidconnect::core::CoreProviderMetadata;
use openidconnect::url::{Url, form_urlencoded};
use openidconnect::{CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge};
use serde::Serialize;
use utoipa::ToSchema;

use super::answer::{
    Redactor, cut, error_of_location, mentions_redirect, oauth_error, provider_text, quote,
    redirect_complaint,
};
use super::{discover, forget, http_client, root_cause};

/// How long resolving and connecting to the issuer may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// The issuer URL parses, its host resolves and accepts a connection.
    Issuer,
    /// The discovery document answers and names this issuer.
    Discovery,
    /// The provider knows the redirect URI (where it tells).
    RedirectUri,
    /// The token endpoint accepts the client id and secret.
    ClientCredentials,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OidcCheck {
    pub name: CheckName,
    /// `null` when the provider gives no way to tell, or the check was not
    /// run because an earlier one failed.
    pub ok: Option<bool>,
    pub message: String,
}

fn line(name: CheckName, ok: Option<bool>, message: impl Into<String>) -> OidcCheck {
    OidcCheck {
        name,
        ok,
        message: message.into(),
    }
}

/// Runs every check against the given (possibly unsaved) settings.
pub async fn run(settings: &AuthSettings) -> Vec<OidcCheck> {
    let mut checks = Vec::with_capacity(4);
    let issuer = check_issuer(settings).await;
    let issuer_ok = issuer.ok == Some(true);
    checks.push(issuer);

    let metadata = match settings
        .issuer_url
        .as_deref()
        .map(|u| IssuerUrl::new(u.to_string()))
    {
        Some(Ok(issuer)) if issuer_ok => match discover(&issuer).await {
            Ok(metadata) => {
                forget(&issuer);
                checks.push(line(
                    CheckName::Discovery,
                    Some(true),
                    format!(
                        "the discovery document answers for this issuer and lists {} signing key(s)",
                        metadata.jwks().keys().len()
                    ),
                ));
                Some(metadata)
            }
            Err(reason) => {
                checks.push(line(CheckName::Discovery, Some(false), reason));
                None
            }
        },
        _ => {
            checks.push(line(
                CheckName::Discovery,
                None,
                "not checked: the issuer check failed",
            ));
            None
        }
    };

    match metadata {
        Some(metadata) => {
            checks.push(check_redirect_uri(settings, &metadata).await);
            checks.push(check_client_credentials(settings, &metadata).await);
        }
        None => {
            let why = if issuer_ok {
                "discovery failed"
            } else {
                "the issuer check failed"
            };
            checks.push(line(
                CheckName::RedirectUri,
                None,
                format!("not checked: {why}"),
            ));
            checks.push(line(
                CheckName::ClientCredentials,
                None,
                format!("not checked: {why}"),
            ));
        }
    }

    let redact = Redactor::new(settings);
    for check in &mut checks {
        check.message = redact.apply(&check.message);
    }
    checks
}

/// The issuer URL parses; its host resolves and accepts a TCP connection.
async fn check_issuer(settings: &AuthSettings) -> OidcCheck {
    let fail = |message: String| line(CheckName::Issuer, Some(false), message);
    let Some(raw) = settings.issuer_url.as_deref() else {
        return fail("no issuer URL is set".into());
    };
    let url = match Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        Ok(_) => {
            return fail(format!(
                "the issuer URL {raw} is not an http:// or https:// URL"
            ));
        }
        Err(error) => return fail(format!("the issuer URL {raw} is not a URL: {error}")),
    };
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return fail(format!("the issuer URL {raw} names no host"));
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();

    let addresses: Vec<SocketAddr> = match tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(addresses)) => addresses.collect(),
        Ok(Err(error)) => {
            return fail(format!(
                "cannot resolve issuer host {host}: {}",
                io_reason(&error)
            ));
        }
        Err(_) => {
            return fail(format!(
                "cannot resolve issuer host {host}: no answer within 5 s"
            ));
        }
    };
    let mut last_error = format!("{host} resolves to no address");
    for address in &addresses {
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(address)).await {
            Ok(Ok(_)) => {
                return line(
                    CheckName::Issuer,
                    Some(true),
                    format!(
                        "issuer host {host} resolves to {} and accepts connections on port {port}",
                        address.ip()
                    ),
                );
            }
            Ok(Err(error)) => last_error = io_reason(&error),
            Err(_) => last_error = "no answer within 5 s".to_string(),
        }
    }
    fail(format!(
        "cannot reach issuer host {host} on port {port}: {last_error}"
    ))
}

/// "connection refused" rather than "Connection refused (os error 111)".
fn io_reason(error: &std::io::Error) -> String {
    let kind = error.kind().to_string();
    if kind.contains("other") || kind.contains("uncategorized") {
        error.to_string()
    } else {
        kind
    }
}

/// Sends the authorization endpoint a real first request and reads whether
/// it takes the redirect URI.
async fn check_redirect_uri(settings: &AuthSettings, metadata: &CoreProviderMetadata) -> OidcCheck {
    let fail = |message: String| line(CheckName::RedirectUri, Some(false), message);
    let (Some(client_id), Some(redirect_uri)) = (
        settings.client_id.as_deref(),
        settings.redirect_uri.as_deref(),
    ) else {
        let missing = if settings.client_id.is_none() {
            "client id"
        } else {
            "redirect URI"
        };
        return fail(format!("no {missing} is set"));
    };
    let (challenge, _verifier) = PkceCodeChallenge::new_random_sha256();
    let mut url = metadata.authorization_endpoint().url().clone();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("state", CsrfToken::new_random().secret())
        .append_pair("nonce", Nonce::new_random().secret())
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", "S256");

    let http = match http_client() {
        Ok(http) => http,
        Err(reason) => return fail(reason),
    };
    let response = match http.get(url).send().await {
        Ok(response) => response,
        Err(error) => {
            return fail(format!(
                "the authorization endpoint cannot be reached: {}",
                root_cause(&error)
            ));
        }
    };
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = cut(response.text().await.unwrap_or_default());

    if status.is_redirection()
        && let Some(location) = location
    {
        if location.starts_with(redirect_uri) {
            return line(
                CheckName::RedirectUri,
                Some(true),
                "registered: the provider sends the browser back to this redirect URI",
            );
        }
        let error = error_of_location(&location);
        return match error {
            Some(error) if mentions_redirect(&error) => fail(format!(
                "not registered: the provider refused {redirect_uri}: {error}"
            )),
            Some(error) => line(
                CheckName::RedirectUri,
                None,
                format!("the provider does not tell: it redirects with {error}"),
            ),
            None => line(
                CheckName::RedirectUri,
                Some(true),
                "registered: the provider accepts this redirect URI and asks the person to sign in",
            ),
        };
    }
    let said = provider_text(&body);
    if mentions_redirect(&said) {
        return fail(format!(
            "not registered: the provider refused {redirect_uri}: {}",
            redirect_complaint(&said)
        ));
    }
    let detail = if said.is_empty() {
        String::new()
    } else {
        format!(": {}", quote(&said))
    };
    line(
        CheckName::RedirectUri,
        None,
        format!(
            "the provider does not tell (it answered HTTP {}{detail})",
            status.as_u16()
        ),
    )
}

/// Sends the token endpoint a bogus code with the client authentication of
/// the settings: a provider checks the client before the code.
async fn check_client_credentials(
    settings: &AuthSettings,
    metadata: &CoreProviderMetadata,
) -> OidcCheck {
    let fail = |message: String| line(CheckName::ClientCredentials, Some(false), message);
    let Some(client_id) = settings.client_id.as_deref() else {
        return fail("no client id is set".into());
    };
    let Some(secret) = settings.client_secret.as_ref().map(|s| s.expose()) else {
        return fail("no client secret is set".into());
    };
    let Some(token_endpoint) = metadata.token_endpoint() else {
        return fail("the discovery document names no token endpoint".into());
    };
    let http = match http_client() {
        Ok(http) => http,
        Err(reason) => return fail(reason),
    };

    let (_, verifier) = PkceCodeChallenge::new_random_sha256();
    let bogus_code = format!("billtracker-test-{}", CsrfToken::new_random().secret());
    let mut form: Vec<(&str, &str)> = vec![
        ("grant_type", "authorization_code"),
        ("code", &bogus_code),
        ("code_verifier", verifier.secret()),
    ];
    if let Some(redirect_uri) = settings.redirect_uri.as_deref() {
        form.push(("redirect_uri", redirect_uri));
    }
    let mut request = http
        .post(token_endpoint.url().clone())
        .header(reqwest::header::ACCEPT, "application/json");
    match settings.token_auth_method {
        TokenAuthMethod::ClientSecretBasic => {
            // RFC 6749 2.3.1: both parts form-encoded before Basic.
            let encode =
                |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            request = request.basic_auth(encode(client_id), Some(encode(secret)));
        }
        TokenAuthMethod::ClientSecretPost => {
            form.push(("client_id", client_id));
            form.push(("client_secret", secret));
        }
    }
    let response = match request.form(&form).send().await {
        Ok(response) => response,
        Err(error) => {
            return fail(format!(
                "the token endpoint cannot be reached: {}",
                root_cause(&error)
            ));
        }
    };
    let status = response.status();
    let body = cut(response.text().await.unwrap_or_default());
    let (error, description) = oauth_error(&body);
    let said = match (&error, &description) {
        (Some(error), Some(description)) => format!("{error}: {description}"),
        (Some(error), None) => error.clone(),
        _ => format!("HTTP {}", status.as_u16()),
    };

    if status == reqwest::StatusCode::UNAUTHORIZED || error.as_deref() == Some("invalid_client") {
        return fail(format!(
            "the provider rejected the client id or secret ({})",
            quote(&said)
        ));
    }
    match error.as_deref() {
        Some("invalid_grant" | "unauthorized_client") => line(
            CheckName::ClientCredentials,
            Some(true),
            format!(
                "accepted: the provider checked the client and refused only the test code ({})",
                quote(&said)
            ),
        ),
        None if status.is_success() => line(CheckName::ClientCredentials, Some(true), "accepted"),
        _ => line(
            CheckName::ClientCredentials,
            None,
            format!("the provider does not tell: it answered {}", quote(&said)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use billtracker::config::Secret;

    use super::*;

    fn settings() -> AuthSettings {
        AuthSettings {
            local_enabled: true,
            oidc_enabled: true,
            provider_name: "Test".into(),
            issuer_url: None,
            client_id: Some("billtracker".into()),
            client_secret: Some(Secret::new("s3cr&t value")),
            token_auth_method: TokenAuthMethod::ClientSecretBasic,
            redirect_uri: Some("https://bills.example/api/auth/oidc/callback".into()),
            scopes: "openid".into(),
            groups_claim: "groups".into(),
            admin_group: None,
            auto_provision: false,
            link_by_email: false,
        }
    }

    #[tokio::test]
    async fn a_closed_port_is_reported_as_unreachable_and_stops_the_other_checks() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut settings = settings();
        settings.issuer_url = Some(format!("http://127.0.0.1:{port}"));
        let checks = run(&settings).await;
        let names: Vec<CheckName> = checks.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                CheckName::Issuer,
                CheckName::Discovery,
                CheckName::RedirectUri,
                CheckName::ClientCredentials
            ]
        );
        assert_eq!(checks[0].ok, Some(false));
        assert!(
            checks[0].message.contains("connection refused"),
            "{}",
            checks[0].message
        );
        assert!(
            checks[1..]
                .iter()
                .all(|c| c.ok.is_none() && c.message.starts_with("not checked"))
        );
    }
}
