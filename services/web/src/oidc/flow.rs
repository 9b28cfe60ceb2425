//! The sign-in flow: from the login button to the provider ([`start`])
//! and back ([`finish`]): state, nonce and PKCE kept server-side, the code
//! exchanged, the ID token verified, the person mapped to a user. Every
//! failure becomes a [`Failure`].

use billtracker::accounts::oidc::{self, Identity, LoginState, Origin, Policy, SignedIn};
use billtracker::accounts::settings::AuthSettings;
use billtracker::accounts::{sessions, users};
use openidconnect::core::CoreResponseType;
use openidconnect::{
    AccessToken, AccessTokenHash, AuthenticationFlow, AuthorizationCode, CsrfToken, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RequestTokenError, Scope,
    SubjectIdentifier, TokenResponse,
};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use utoipa::IntoParams;

pub use super::failure::Failure;
use super::{ExtraClaims, OidcClient, Provider, http_client, root_cause};
use crate::app::AppState;

/// The longest `return_to` kept.
const RETURN_TO_MAX: usize = 512;

/// A local path to come back to after sign-in; anything else is "/".
/// Characters beyond ASCII are percent-encoded for the Location header.
pub fn safe_return_to(value: Option<&str>) -> String {
    let Some(path) = value else {
        return "/".to_string();
    };
    let local = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    if !local || path.len() > RETURN_TO_MAX || path.chars().any(char::is_control) {
        return "/".to_string();
    }
    let mut encoded = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii() {
            encoded.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                encoded.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    encoded
}

/// A sign-in sent to the provider.
#[derive(Debug)]
pub struct Started {
    /// Where to send the browser.
    pub authorization_url: String,
    /// The value of the binding cookie for this browser.
    pub binding: String,
}

/// The `state` of a login bound to the browser holding `binding`: its
/// SHA-256, so that the stored state is the binding's hash and the
/// callback can check the cookie against it.
fn state_for(binding: &str) -> String {
    sessions::hash_token(binding)
}

/// Whether the binding cookie belongs to the login with this `state`.
pub fn binds(binding: Option<&str>, state: &str) -> bool {
    binding.is_some_and(|binding| bool::from(state_for(binding).as_bytes().ct_eq(state.as_bytes())))
}

/// Starts a sign-in: stores state, nonce and PKCE verifier and returns
/// the provider's authorization URL, with the binding value for the
/// browser's cookie (the state is its hash).
pub async fn start(state: &AppState, return_to: String) -> Result<Started, Failure> {
    let settings = state
        .auth_settings()
        .await
        .map_err(|_| Failure::internal("cannot load the settings"))?;
    if !settings.oidc_enabled {
        return Err(Failure::disabled());
    }
    let provider = Provider::from_settings(&settings).map_err(Failure::misconfigured)?;
    let metadata = super::metadata(&provider.issuer)
        .await
        .map_err(Failure::unreachable)?;
    let client = provider.client(metadata);

    let binding = sessions::new_token();
    let login_state = state_for(&binding);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            move || CsrfToken::new(login_state),
            Nonce::new_random,
        )
        .add_scopes(provider.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .url();

    let login = LoginState {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        return_to,
    };
    state
        .db
        .write(move |tx| oidc::save_state(tx, &login))
        .await
        .map_err(Failure::internal)?;
    Ok(Started {
        authorization_url: url.to_string(),
        binding,
    })
}

/// The query of the provider's redirect back to BillTracker.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    /// Set instead of `code` when the provider refused.
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// The provider's issuer (RFC 9207), when it sends it.
    pub iss: Option<String>,
}

/// A finished sign-in and where to go next.
#[derive(Debug)]
pub struct Completed {
    pub signed_in: SignedIn,
    pub return_to: String,
}

/// Finishes a sign-in: checks the state and that this browser started it
/// (`binding`, the cookie set by [`start`]), exchanges the code, verifies
/// the ID token and signs the person in.
pub async fn finish(
    state: &AppState,
    query: CallbackQuery,
    binding: Option<&str>,
    ip: &str,
    user_agent: Option<&str>,
) -> Result<Completed, Failure> {
    let Some(state_value) = query.state.filter(|s| !s.is_empty() && s.len() <= 256) else {
        return Err(Failure::invalid_state("no state"));
    };

    // A callback link started in another browser would sign this one in
    // as whoever started it (login CSRF): refused, and the login stays
    // for the browser that started it.
    if !binds(binding, &state_value) {
        let pending = {
            let state_value = state_value.clone();
            state
                .db
                .run(move |conn| oidc::is_pending(conn, &state_value))
                .await
                .map_err(Failure::internal)?
        };
        return Err(if !pending {
            Failure::invalid_state("unknown or expired state")
        } else if binding.is_none() {
            Failure::other_browser("no binding cookie: started in another browser")
        } else {
            Failure::other_browser("the binding cookie is another sign-in's")
        });
    }
    let login = state
        .db
        .write(move |tx| oidc::take_state(tx, &state_value))
        .await
        .map_err(Failure::internal)?
        .ok_or_else(|| Failure::invalid_state("unknown or expired state"))?;

    if let Some(error) = query.error {
        let error = error_code(&error);
        return Err(Failure::new(
            "provider_error",
            format!(
                "The sign-in provider refused the sign-in ({error}). Try again, or ask an admin."
            ),
            format!("provider refused: {error}"),
        ));
    }
    let Some(code) = query.code.filter(|c| !c.is_empty() && c.len() <= 4096) else {
        return Err(Failure::new(
            "invalid_request",
            "The provider sent no authorization code. Start the sign-in again.",
            "no code",
        ));
    };

    let settings = state
        .auth_settings()
        .await
        .map_err(|_| Failure::internal("cannot load the settings"))?;
    if !settings.oidc_enabled {
        return Err(Failure::disabled());
    }
    let provider = Provider::from_settings(&settings).map_err(Failure::misconfigured)?;
    if query.iss.is_some_and(|iss| iss != provider.issuer.as_str()) {
        // A response meant for another provider (mix-up attack, RFC 9207).
        return Err(Failure::invalid_token(
            "the authorization response names another issuer",
        ));
    }
    let metadata = super::metadata(&provider.issuer)
        .await
        .map_err(Failure::unreachable)?;
    let client = provider.client(metadata);
    let identity = match verify(&client, &settings, code, &login).await {
        Ok(identity) => identity,
        Err(failure) => {
            // Keys may have rotated, or the settings changed: discover again
            // at the next attempt.
            super::forget(&provider.issuer);
            return Err(failure);
        }
    };

    let (ip, user_agent) = (ip.to_string(), user_agent.map(str::to_string));
    let admin_group = settings.admin_group.clone();
    let (link_by_email, auto_provision) = (settings.link_by_email, settings.auto_provision);
    let outcome = state
        .db
        .write(move |tx| {
            oidc::record_last_login(tx, identity.groups.as_deref())?;
            let policy = Policy {
                link_by_email,
                auto_provision,
                admin_group: admin_group.as_deref(),
            };
            let origin = Origin {
                ip: Some(&ip),
                user_agent: user_agent.as_deref(),
            };
            oidc::sign_in(tx, &identity, policy, origin)
        })
        .await
        .map_err(Failure::internal)?;
    match outcome {
        Ok(signed_in) => Ok(Completed {
            signed_in,
            return_to: safe_return_to(Some(&login.return_to)),
        }),
        Err(refusal) => Err(Failure::refused(&refusal)),
    }
}

/// Writes a failed sign-in to the audit log, unless the account rules
/// already did. A failure to write is logged, never shown.
pub async fn audit(state: &AppState, failure: &Failure, ip: &str, user_agent: Option<&str>) {
    if failure.audited {
        return;
    }
    let (reason, user_id) = (failure.reason.clone(), failure.user_id);
    let (ip, user_agent) = (ip.to_string(), user_agent.map(str::to_string));
    let recorded = state
        .db
        .write(move |tx| {
            let user = match user_id {
                Some(id) => users::get(tx, id)?.map(|u| (u.id, u.username)),
                None => None,
            };
            let origin = Origin {
                ip: Some(&ip),
                user_agent: user_agent.as_deref(),
            };
            let user = user.as_ref().map(|(id, name)| (*id, name.as_str()));
            oidc::record_failure(tx, &reason, user, origin)
        })
        .await;
    if let Err(error) = recorded {
        tracing::error!(%error, "cannot audit a failed OIDC sign-in");
    }
}

/// An OAuth error code as the provider sent it, reduced to the characters
/// such codes have.
fn error_code(raw: &str) -> String {
    let code: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(64)
        .collect();
    if code.is_empty() {
        "unknown error".to_string()
    } else {
        code
    }
}

/// Exchanges the code and verifies the ID token (signature, issuer,
/// audience, expiry, nonce, access token hash).
async fn verify(
    client: &OidcClient,
    settings: &AuthSettings,
    code: String,
    login: &LoginState,
) -> Result<Identity, Failure> {
    let http = http_client().map_err(Failure::internal)?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| Failure::misconfigured("the provider names no token endpoint".into()))?
        .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|error| {
            let reason = match &error {
                RequestTokenError::ServerResponse(answer) => format!("the provider answered {}", answer.error()),
                RequestTokenError::Request(cause) => format!("the token endpoint cannot be reached: {}", root_cause(cause)),
                RequestTokenError::Parse(cause, _) => format!("the token response is malformed (at {})", cause.path()),
                RequestTokenError::Other(message) => message.clone(),
            };
            Failure::new(
                "token_exchange_failed",
                "The provider did not accept the sign-in. Start it again, or ask an admin to check the client settings.",
                format!("code exchange failed: {reason}"),
            )
        })?;

    let id_token = response
        .id_token()
        .ok_or_else(|| Failure::invalid_token("the token response holds no ID token"))?;
    let verifier = client.id_token_verifier();
    let nonce = Nonce::new(login.nonce.clone());
    let claims = id_token
        .claims(&verifier, &nonce)
        .map_err(|e| Failure::invalid_token(e.to_string()))?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token
            .signing_alg()
            .map_err(|e| Failure::invalid_token(e.to_string()))?;
        let key = id_token
            .signing_key(&verifier)
            .map_err(|e| Failure::invalid_token(e.to_string()))?;
        let actual = AccessTokenHash::from_token(response.access_token(), alg, key)
            .map_err(|e| Failure::invalid_token(e.to_string()))?;
        if actual != *expected {
            return Err(Failure::invalid_token(
                "the access token hash does not match",
            ));
        }
    }

    // Providers that follow the spec strictly put the profile and the
    // groups only at the userinfo endpoint: ask it for what is missing.
    let mut groups = claims.additional_claims().groups(&settings.groups_claim);
    let mut identity = Identity {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified() == Some(true),
        preferred_username: claims.preferred_username().map(|u| u.to_string()),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
        groups: None,
    };
    let incomplete =
        groups.is_none() || identity.email.is_none() || identity.preferred_username.is_none();
    if incomplete {
        match userinfo(client, response.access_token(), claims.subject()).await {
            Ok(Some(info)) => {
                groups = groups.or_else(|| info.additional_claims().groups(&settings.groups_claim));
                if identity.email.is_none() {
                    identity.email = info.email().map(|e| e.to_string());
                    identity.email_verified = info.email_verified() == Some(true);
                }
                identity.preferred_username = identity
                    .preferred_username
                    .or_else(|| info.preferred_username().map(|u| u.to_string()));
                identity.name = identity
                    .name
                    .or_else(|| info.name().and_then(|n| n.get(None)).map(|n| n.to_string()));
            }
            Ok(None) => {}
            // Without the groups the role cannot be decided: no sign-in.
            Err(reason) if groups.is_none() && settings.admin_group.is_some() => {
                return Err(Failure::unreachable(reason));
            }
            Err(reason) => {
                tracing::warn!(oidc.reason = %reason, "signing in with the ID token's claims alone");
            }
        }
    }
    identity.groups = groups;
    Ok(identity)
}

type UserInfo = openidconnect::UserInfoClaims<ExtraClaims, openidconnect::core::CoreGenderClaim>;

/// The userinfo endpoint's claims about the subject of the ID token;
/// `None` when the provider has no such endpoint.
async fn userinfo(
    client: &OidcClient,
    access_token: &AccessToken,
    subject: &SubjectIdentifier,
) -> Result<Option<UserInfo>, String> {
    let Ok(request) = client.user_info(access_token.clone(), Some(subject.clone())) else {
        return Ok(None);
    };
    let http = http_client()?;
    let info = request
        .request_async(&http)
        .await
        .map_err(|error| format!("the userinfo endpoint did not answer: {error}"))?;
    Ok(Some(info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_return_to(Some("/bills?month=2024-05")),
            "/bills?month=2024-05"
        );
        assert_eq!(safe_return_to(None), "/");
        for outside in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "bills",
            "",
            "/a\r\nSet-Cookie: x",
        ] {
            assert_eq!(safe_return_to(Some(outside)), "/", "{outside:?}");
        }
        assert_eq!(safe_return_to(Some(&format!("/{}", "a".repeat(600)))), "/");
        assert_eq!(safe_return_to(Some("/bills/ä")), "/bills/%C3%A4");
    }

    #[test]
    fn only_the_binding_whose_hash_is_the_state_binds() {
        let binding = sessions::new_token();
        let state = state_for(&binding);
        assert_ne!(state, binding, "the state does not reveal the binding");
        assert!(binds(Some(&binding), &state));
        assert!(!binds(None, &state));
        assert!(!binds(Some(&sessions::new_token()), &state));
        assert!(!binds(Some(&state), &state));
    }

    #[test]
    fn provider_error_codes_are_reduced_to_code_characters() {
        assert_eq!(error_code("access_denied"), "access_denied");
        assert_eq!(error_code("<script>x"), "scriptx");
        assert_eq!(error_code("%%"), "unknown error");
    }
}
