//! Sign-in settings (Admin > Authentication). Stored in the `settings`
//! table as one JSON document; a field left empty there falls back to the
//! environment variable of the same meaning, then to the default.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::{OidcArgs, Secret};
use crate::crypto::SecretBox;
use crate::time::now_text;

const AREA: &str = "auth";

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum TokenAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
}

/// The stored document: every field optional (absent = use the environment).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredAuthSettings {
    pub local_enabled: Option<bool>,
    pub oidc_enabled: Option<bool>,
    pub provider_name: Option<String>,
    pub issuer_url: Option<String>,
    pub client_id: Option<String>,
    /// Encrypted with the instance key.
    pub client_secret: Option<String>,
    pub token_auth_method: Option<TokenAuthMethod>,
    pub redirect_uri: Option<String>,
    pub scopes: Option<String>,
    pub groups_claim: Option<String>,
    pub admin_group: Option<String>,
    pub auto_provision: Option<bool>,
    pub link_by_email: Option<bool>,
}

/// The effective settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSettings {
    pub local_enabled: bool,
    pub oidc_enabled: bool,
    pub provider_name: String,
    pub issuer_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub token_auth_method: TokenAuthMethod,
    pub redirect_uri: Option<String>,
    pub scopes: String,
    pub groups_claim: String,
    pub admin_group: Option<String>,
    pub auto_provision: bool,
    pub link_by_email: bool,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub fn load_stored(conn: &Connection) -> crate::Result<StoredAuthSettings> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE area = ?1", [AREA], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

pub fn save_stored(tx: &Transaction<'_>, stored: &StoredAuthSettings) -> crate::Result<()> {
    tx.execute(
        r#"
        INSERT INTO settings (area, value, updated_at) VALUES (?1, ?2, ?3)
        ON CONFLICT (area) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        "#,
        params![AREA, serde_json::to_string(stored)?, now_text()],
    )?;
    Ok(())
}

/// Merges the stored document over the environment and the defaults.
pub fn resolve(stored: &StoredAuthSettings, env: &OidcArgs, secrets: &SecretBox) -> AuthSettings {
    let client_secret = match stored.client_secret.as_deref() {
        Some(encrypted) => match secrets.decrypt(encrypted) {
            Ok(secret) => Some(Secret::new(secret)),
            Err(error) => {
                tracing::error!(%error, "the stored OIDC client secret cannot be decrypted");
                None
            }
        },
        None => env
            .oidc_client_secret
            .clone()
            .filter(|s| !s.expose().trim().is_empty()),
    };
    AuthSettings {
        local_enabled: stored.local_enabled.unwrap_or(env.local_login_enabled),
        oidc_enabled: stored.oidc_enabled.unwrap_or(env.oidc_enabled),
        provider_name: non_empty(stored.provider_name.clone())
            .or_else(|| non_empty(env.oidc_provider_name.clone()))
            .unwrap_or_else(|| "single sign-on".to_string()),
        issuer_url: non_empty(stored.issuer_url.clone())
            .or_else(|| non_empty(env.oidc_issuer_url.clone())),
        client_id: non_empty(stored.client_id.clone())
            .or_else(|| non_empty(env.oidc_client_id.clone())),
        client_secret,
        token_auth_method: stored
            .token_auth_method
            .unwrap_or(env.oidc_token_auth_method),
        redirect_uri: non_empty(stored.redirect_uri.clone())
            .or_else(|| non_empty(env.oidc_redirect_uri.clone())),
        scopes: non_empty(stored.scopes.clone())
            .or_else(|| non_empty(Some(env.oidc_scopes.clone())))
            .unwrap_or_else(|| "openid email profile groups".to_string()),
        groups_claim: non_empty(stored.groups_claim.clone())
            .or_else(|| non_empty(Some(env.oidc_groups_claim.clone())))
            .unwrap_or_else(|| "groups".to_string()),
        admin_group: non_empty(stored.admin_group.clone())
            .or_else(|| non_empty(env.oidc_admin_group.clone())),
        auto_provision: stored.auto_provision.unwrap_or(env.oidc_auto_provision),
        link_by_email: stored.link_by_email.unwrap_or(env.oidc_link_by_email),
    }
}

/// Loads the effective settings.
pub fn load(conn: &Connection, env: &OidcArgs, secrets: &SecretBox) -> crate::Result<AuthSettings> {
    Ok(resolve(&load_stored(conn)?, env, secrets))
}

/// Refuses settings that would lock every admin out. Returns the reason.
pub fn guard_rails(
    settings: &AuthSettings,
    conn: &Connection,
) -> crate::Result<Result<(), String>> {
    if !settings.local_enabled && !settings.oidc_enabled {
        return Ok(Err(
            "at least one sign-in method must stay on: local login or OIDC".into(),
        ));
    }
    if settings.oidc_enabled {
        let missing: Vec<&str> = [
            ("issuer URL", settings.issuer_url.is_none()),
            ("client id", settings.client_id.is_none()),
            ("client secret", settings.client_secret.is_none()),
            ("redirect URI", settings.redirect_uri.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        if !missing.is_empty() {
            return Ok(Err(format!(
                "OIDC cannot be turned on before these are set: {}",
                missing.join(", ")
            )));
        }
        if let Some(uri) = &settings.redirect_uri
            && !uri.ends_with("/api/auth/oidc/callback")
        {
            return Ok(Err(
                "the redirect URI must end in /api/auth/oidc/callback".into()
            ));
        }
    }
    if !settings.local_enabled {
        if !settings.oidc_enabled || settings.admin_group.is_none() {
            return Ok(Err(
                "local login can be turned off only while OIDC is on and an admin group is set"
                    .into(),
            ));
        }
        let oidc_admin: bool = conn.query_row(
            r#"
            SELECT EXISTS (
                SELECT 1 FROM users
                WHERE role = 'admin' AND active = 1 AND oidc_subject IS NOT NULL AND last_login_at IS NOT NULL
            )
            "#,
            [],
            |r| r.get(0),
        )?;
        if !oidc_admin {
            return Ok(Err(
                "local login can be turned off only after at least one admin has signed in through OIDC".into(),
            ));
        }
    }
    Ok(Ok(()))
}
