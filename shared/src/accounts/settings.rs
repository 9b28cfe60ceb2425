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

/// Loads the effective settings. Settings that would leave nobody a way
/// to sign in (see [`lockout`]) get local login on, so that the instance
/// stays usable while they are repaired.
pub fn load(conn: &Connection, env: &OidcArgs, secrets: &SecretBox) -> crate::Result<AuthSettings> {
    let stored = load_stored(conn)?;
    let mut settings = resolve(&stored, env, secrets);
    if !settings.local_enabled && lockout(&stored, &settings, oidc_admin_exists(conn)?).is_some() {
        settings.local_enabled = true;
    }
    Ok(settings)
}

/// Whether an active admin is linked to an OIDC identity.
pub fn oidc_admin_exists(conn: &Connection) -> crate::Result<bool> {
    Ok(conn.query_row(
        r#"
        SELECT EXISTS (
            SELECT 1 FROM users
            WHERE role = 'admin' AND active = 1 AND oidc_subject IS NOT NULL
        )
        "#,
        [],
        |r| r.get(0),
    )?)
}

/// Why the effective settings leave no admin a way to sign in, naming the
/// variables (or the Admin > Authentication fields) to change; `None` when
/// an admin can get in. Local login off locks everyone out when OIDC is
/// off or incomplete, and the admins when no admin is linked to the
/// provider and no admin group with account creation or email linking
/// could make one. Checked at web start-up, by `billtracker config
/// check`, and by [`load`], which then keeps local login on.
pub fn lockout(
    stored: &StoredAuthSettings,
    settings: &AuthSettings,
    oidc_admin_exists: bool,
) -> Option<String> {
    if settings.local_enabled {
        return None;
    }
    let local_off = if stored.local_enabled == Some(false) {
        "local login is off in Admin > Authentication"
    } else {
        "LOCAL_LOGIN_ENABLED=false"
    };
    if !settings.oidc_enabled {
        let oidc_off = if stored.oidc_enabled == Some(false) {
            "OIDC is off in Admin > Authentication"
        } else {
            "OIDC_ENABLED is false or unset"
        };
        return Some(format!("{local_off} and {oidc_off}: nobody could sign in"));
    }
    let missing: Vec<&str> = [
        ("OIDC_ISSUER_URL", settings.issuer_url.is_none()),
        ("OIDC_CLIENT_ID", settings.client_id.is_none()),
        ("OIDC_CLIENT_SECRET", settings.client_secret.is_none()),
        ("OIDC_REDIRECT_URI", settings.redirect_uri.is_none()),
    ]
    .into_iter()
    .filter_map(|(name, missing)| missing.then_some(name))
    .collect();
    if !missing.is_empty() {
        return Some(format!(
            "{local_off} and OIDC is on without {} (set neither in the environment nor in \
             Admin > Authentication): nobody could sign in",
            missing.join(", ")
        ));
    }
    if let Some(uri) = &settings.redirect_uri
        && !uri.ends_with("/api/auth/oidc/callback")
    {
        return Some(format!(
            "{local_off} and OIDC_REDIRECT_URI does not end in /api/auth/oidc/callback: \
             nobody could sign in"
        ));
    }
    let admin_can_appear =
        settings.admin_group.is_some() && (settings.auto_provision || settings.link_by_email);
    if !oidc_admin_exists && !admin_can_appear {
        return Some(format!(
            "{local_off}, no admin is linked to the OIDC provider, and OIDC_ADMIN_GROUP with \
             OIDC_AUTO_PROVISION or OIDC_LINK_BY_EMAIL could not make one: no admin could sign in"
        ));
    }
    None
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

#[cfg(test)]
mod tests {
    use clap::Parser;
    use rusqlite::Connection;

    use super::*;
    use crate::config::Secret;
    use crate::paths::DataDir;

    #[derive(Parser)]
    struct Env {
        #[command(flatten)]
        oidc: OidcArgs,
    }

    fn env(args: &[&str]) -> OidcArgs {
        let mut argv = vec!["test"];
        argv.extend_from_slice(args);
        Env::parse_from(argv).oidc
    }

    fn secrets() -> SecretBox {
        SecretBox::load(
            Some(&Secret::new("a test key for the settings tests")),
            &DataDir::new("/nonexistent"),
        )
        .unwrap()
    }

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        conn
    }

    const COMPLETE_OIDC: &[&str] = &[
        "--local-login-enabled=false",
        "--oidc-enabled=true",
        "--oidc-issuer-url=https://id.example.com",
        "--oidc-client-id=bt",
        "--oidc-client-secret=s3cret",
        "--oidc-redirect-uri=https://bills.example.com/api/auth/oidc/callback",
    ];

    #[test]
    fn both_methods_off_in_the_environment_keep_local_login_on() {
        let conn = db();
        let env = env(&["--local-login-enabled=false"]);
        let settings = load(&conn, &env, &secrets()).unwrap();
        assert!(settings.local_enabled, "local login is forced on");

        let raw = resolve(&StoredAuthSettings::default(), &env, &secrets());
        let reason = lockout(&StoredAuthSettings::default(), &raw, false).unwrap();
        assert!(reason.contains("LOCAL_LOGIN_ENABLED=false"), "{reason}");
        assert!(reason.contains("OIDC_ENABLED"), "{reason}");
    }

    #[test]
    fn oidc_without_its_client_names_the_missing_variables() {
        let conn = db();
        let env = env(&[
            "--local-login-enabled=false",
            "--oidc-enabled=true",
            "--oidc-issuer-url=https://id.example.com",
        ]);
        assert!(load(&conn, &env, &secrets()).unwrap().local_enabled);
        let raw = resolve(&StoredAuthSettings::default(), &env, &secrets());
        let reason = lockout(&StoredAuthSettings::default(), &raw, true).unwrap();
        for name in ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_REDIRECT_URI"] {
            assert!(reason.contains(name), "{name} in {reason}");
        }
        assert!(!reason.contains("OIDC_ISSUER_URL"), "{reason}");
    }

    #[test]
    fn a_stored_switch_is_named_as_the_form_not_the_variable() {
        let stored = StoredAuthSettings {
            local_enabled: Some(false),
            oidc_enabled: Some(false),
            ..StoredAuthSettings::default()
        };
        let raw = resolve(&stored, &env(&[]), &secrets());
        let reason = lockout(&stored, &raw, false).unwrap();
        assert!(reason.contains("Admin > Authentication"), "{reason}");
        assert!(!reason.contains("LOCAL_LOGIN_ENABLED"), "{reason}");
    }

    #[test]
    fn complete_oidc_with_a_way_for_admins_leaves_local_login_off() {
        let conn = db();
        let mut args = COMPLETE_OIDC.to_vec();
        args.extend(["--oidc-admin-group=admins", "--oidc-auto-provision=true"]);
        let settings = load(&conn, &env(&args), &secrets()).unwrap();
        assert!(!settings.local_enabled);
        assert!(lockout(&StoredAuthSettings::default(), &settings, false).is_none());
    }

    #[test]
    fn complete_oidc_without_any_admin_way_in_keeps_local_login_on() {
        let conn = db();
        let env = env(COMPLETE_OIDC);
        assert!(load(&conn, &env, &secrets()).unwrap().local_enabled);
        let raw = resolve(&StoredAuthSettings::default(), &env, &secrets());
        assert!(
            lockout(&StoredAuthSettings::default(), &raw, false)
                .unwrap()
                .contains("no admin could sign in")
        );

        // An admin already linked to the provider can get in.
        conn.execute(
            "INSERT INTO users (username, role, oidc_issuer, oidc_subject, created_at) \
             VALUES ('sso-admin', 'admin', 'https://id.example.com', 'sub-1', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
        assert!(oidc_admin_exists(&conn).unwrap());
        assert!(!load(&conn, &env, &secrets()).unwrap().local_enabled);
    }
}
