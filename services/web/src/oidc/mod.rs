//! OIDC single sign-on against the provider: discovery (cached per issuer),
//! the client built from the effective settings, the login flow
//! ([`flow`]) and the "test provider" checks ([`check`]).
//!
//! The HTTP client never follows redirects (which also guards against
//! SSRF through provider metadata) and gives up after 10 seconds.

mod answer;
pub mod check;
mod failure;
pub mod flow;

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, OnceLock};
use std::time::{Duration, Instant};

use billtracker::accounts::settings::{AuthSettings, TokenAuthMethod};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthType, ClientId, ClientSecret, DiscoveryError, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpClientError, IssuerUrl, RedirectUrl,
    StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};

/// How long one request to the provider may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// How long discovered provider metadata (and its keys) is reused.
const DISCOVERY_TTL: Duration = Duration::from_secs(10 * 60);

/// The claims of the ID token and userinfo answer beyond the standard
/// ones, kept whole so that the configured groups claim is read by name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    pub claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for ExtraClaims {}

impl ExtraClaims {
    /// The named groups claim: an array of strings, or a single string.
    /// `None` when absent or of another shape.
    pub fn groups(&self, claim: &str) -> Option<Vec<String>> {
        match self.claims.get(claim)? {
            serde_json::Value::String(group) => Some(vec![group.clone()]),
            serde_json::Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect(),
            ),
            _ => None,
        }
    }
}

type IdTokenFields = openidconnect::IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type TokenResponse = StandardTokenResponse<IdTokenFields, CoreTokenType>;

/// The client of one provider, as discovery sets it up.
pub type OidcClient = openidconnect::Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The HTTP client for everything sent to the provider.
pub fn http_client() -> Result<reqwest::Client, String> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client.clone());
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .connect_timeout(HTTP_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", root_cause(&e)))?;
    Ok(CLIENT.get_or_init(|| client).clone())
}

/// The OIDC settings that a login needs, checked for presence and form.
#[derive(Debug, Clone)]
pub struct Provider {
    pub issuer: IssuerUrl,
    pub client_id: ClientId,
    pub client_secret: ClientSecret,
    pub redirect_uri: RedirectUrl,
    pub auth_method: TokenAuthMethod,
    /// The scopes besides `openid`, which is always sent.
    pub scopes: Vec<String>,
}

impl Provider {
    /// The provider of the settings; the reason when something is missing.
    pub fn from_settings(settings: &AuthSettings) -> Result<Provider, String> {
        let missing = |what: &str| format!("no {what} is set");
        let issuer = settings
            .issuer_url
            .clone()
            .ok_or_else(|| missing("issuer URL"))?;
        let issuer =
            IssuerUrl::new(issuer).map_err(|e| format!("the issuer URL is not a URL: {e}"))?;
        let client_id = settings
            .client_id
            .clone()
            .ok_or_else(|| missing("client id"))?;
        let client_secret = settings
            .client_secret
            .as_ref()
            .ok_or_else(|| missing("client secret"))?;
        let redirect_uri = settings
            .redirect_uri
            .clone()
            .ok_or_else(|| missing("redirect URI"))?;
        let redirect_uri = RedirectUrl::new(redirect_uri)
            .map_err(|e| format!("the redirect URI is not a URL: {e}"))?;
        Ok(Provider {
            issuer,
            client_id: ClientId::new(client_id),
            client_secret: ClientSecret::new(client_secret.expose().to_string()),
            redirect_uri,
            auth_method: settings.token_auth_method,
            scopes: settings
                .scopes
                .split_whitespace()
                .filter(|s| *s != "openid")
                .map(str::to_string)
                .collect(),
        })
    }

    /// The client for discovered metadata.
    pub fn client(&self, metadata: CoreProviderMetadata) -> OidcClient {
        let auth_type = match self.auth_method {
            TokenAuthMethod::ClientSecretBasic => AuthType::BasicAuth,
            TokenAuthMethod::ClientSecretPost => AuthType::RequestBody,
        };
        OidcClient::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_redirect_uri(self.redirect_uri.clone())
        .set_auth_type(auth_type)
    }
}

/// Discovered metadata per issuer, with the time it was fetched.
static DISCOVERED: LazyLock<Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The provider's metadata and keys, from the cache when fresh.
pub async fn metadata(issuer: &IssuerUrl) -> Result<CoreProviderMetadata, String> {
    let cached = DISCOVERED
        .lock()
        .ok()
        .and_then(|cache| cache.get(issuer.as_str()).cloned())
        .filter(|(at, _)| at.elapsed() < DISCOVERY_TTL);
    if let Some((_, metadata)) = cached {
        return Ok(metadata);
    }
    let metadata = discover(issuer).await?;
    if let Ok(mut cache) = DISCOVERED.lock() {
        cache.retain(|_, (at, _)| at.elapsed() < DISCOVERY_TTL);
        cache.insert(
            issuer.as_str().to_string(),
            (Instant::now(), metadata.clone()),
        );
    }
    Ok(metadata)
}

/// Drops the cached metadata of an issuer, so that the next login
/// discovers again (after a failed exchange or rotated keys).
pub fn forget(issuer: &IssuerUrl) {
    if let Ok(mut cache) = DISCOVERED.lock() {
        cache.remove(issuer.as_str());
    }
}

/// Fetches the discovery document and the keys it names; the reason in
/// an admin's words when that fails.
pub async fn discover(issuer: &IssuerUrl) -> Result<CoreProviderMetadata, String> {
    let http = http_client()?;
    CoreProviderMetadata::discover_async(issuer.clone(), &http)
        .await
        .map_err(|error| describe_discovery_error(&error))
}

fn describe_discovery_error(error: &DiscoveryError<HttpClientError<reqwest::Error>>) -> String {
    match error {
        DiscoveryError::Request(cause) => {
            format!(
                "the discovery document or the provider's keys cannot be fetched: {}",
                root_cause(cause)
            )
        }
        DiscoveryError::Response(_, _, message) => {
            format!(
                "the discovery document or the provider's keys did not answer as expected: {message}"
            )
        }
        DiscoveryError::Parse(cause) => {
            format!(
                "the discovery document is not OpenID provider metadata (at {})",
                cause.path()
            )
        }
        DiscoveryError::Validation(message) => {
            format!("the discovery document is not valid: {message}")
        }
        DiscoveryError::UrlParse(cause) => {
            format!("the issuer URL cannot name a discovery document: {cause}")
        }
        DiscoveryError::Other(message) => message.clone(),
        _ => error.to_string(),
    }
}

/// The innermost cause of an error, which is the one that explains it
/// ("Connection refused", "dns error"…).
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_from_an_array_or_a_single_string() {
        let claims: ExtraClaims = serde_json::from_value(
            serde_json::json!({"groups": ["a", "b", 3], "role": "admins", "n": 1}),
        )
        .unwrap();
        assert_eq!(
            claims.groups("groups"),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(claims.groups("role"), Some(vec!["admins".to_string()]));
        assert_eq!(claims.groups("n"), None);
        assert_eq!(claims.groups("missing"), None);
    }
}
