//! Admin > Authentication: the sign-in settings and their guard rails.

use axum::Json;
use axum::extract::State;
use billtracker::accounts::audit::{self, Entry, action};
use billtracker::accounts::settings::{self, AuthSettings, StoredAuthSettings, TokenAuthMethod};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::Client;
use crate::auth::extract::AdminUser;
use crate::error::ApiError;
use crate::json::ApiJson;

/// The effective sign-in settings (the client secret is never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthSettingsView {
    pub local_enabled: bool,
    pub oidc_enabled: bool,
    pub provider_name: String,
    pub issuer_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_set: bool,
    pub token_auth_method: TokenAuthMethod,
    pub redirect_uri: Option<String>,
    pub scopes: String,
    pub groups_claim: String,
    pub admin_group: Option<String>,
    pub auto_provision: bool,
    pub link_by_email: bool,
}

impl From<&AuthSettings> for AuthSettingsView {
    fn from(s: &AuthSettings) -> Self {
        AuthSettingsView {
            local_enabled: s.local_enabled,
            oidc_enabled: s.oidc_enabled,
            provider_name: s.provider_name.clone(),
            issuer_url: s.issuer_url.clone(),
            client_id: s.client_id.clone(),
            client_secret_set: s.client_secret.is_some(),
            token_auth_method: s.token_auth_method,
            redirect_uri: s.redirect_uri.clone(),
            scopes: s.scopes.clone(),
            groups_claim: s.groups_claim.clone(),
            admin_group: s.admin_group.clone(),
            auto_provision: s.auto_provision,
            link_by_email: s.link_by_email,
        }
    }
}

/// Any subset of the settings. An empty string clears a stored value, so
/// that the environment variable applies again. `client_secret` is
/// write-only: omitted or null keeps the stored one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthSettingsUpdate {
    pub local_enabled: Option<bool>,
    pub oidc_enabled: Option<bool>,
    pub provider_name: Option<String>,
    pub issuer_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub token_auth_method: Option<TokenAuthMethod>,
    pub redirect_uri: Option<String>,
    pub scopes: Option<String>,
    pub groups_claim: Option<String>,
    pub admin_group: Option<String>,
    pub auto_provision: Option<bool>,
    pub link_by_email: Option<bool>,
}

fn text(
    value: Option<String>,
    current: &mut Option<String>,
    field: &str,
    max: usize,
) -> Result<(), ApiError> {
    if let Some(value) = value {
        let value = value.trim().to_string();
        if value.chars().count() > max {
            return Err(ApiError::bad_request(
                "INVALID_INPUT",
                field,
                format!("at most {max} characters"),
            ));
        }
        *current = (!value.is_empty()).then_some(value);
    }
    Ok(())
}

fn url(value: &Option<String>, field: &str) -> Result<(), ApiError> {
    if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        let valid = value.starts_with("https://") || value.starts_with("http://");
        if !valid || value.contains(char::is_whitespace) {
            return Err(ApiError::bad_request(
                "INVALID_INPUT",
                field,
                "enter a full http:// or https:// URL",
            ));
        }
    }
    Ok(())
}

/// Applies an update to the stored document (validating it).
pub fn apply(
    stored: &mut StoredAuthSettings,
    update: AuthSettingsUpdate,
    secrets: &billtracker::crypto::SecretBox,
) -> Result<(), ApiError> {
    url(&update.issuer_url, "issuer_url")?;
    url(&update.redirect_uri, "redirect_uri")?;
    if let Some(v) = update.local_enabled {
        stored.local_enabled = Some(v);
    }
    if let Some(v) = update.oidc_enabled {
        stored.oidc_enabled = Some(v);
    }
    text(
        update.provider_name,
        &mut stored.provider_name,
        "provider_name",
        60,
    )?;
    text(update.issuer_url, &mut stored.issuer_url, "issuer_url", 500)?;
    text(update.client_id, &mut stored.client_id, "client_id", 500)?;
    text(
        update.redirect_uri,
        &mut stored.redirect_uri,
        "redirect_uri",
        500,
    )?;
    text(update.scopes, &mut stored.scopes, "scopes", 500)?;
    text(
        update.groups_claim,
        &mut stored.groups_claim,
        "groups_claim",
        100,
    )?;
    text(
        update.admin_group,
        &mut stored.admin_group,
        "admin_group",
        200,
    )?;
    if let Some(v) = update.token_auth_method {
        stored.token_auth_method = Some(v);
    }
    if let Some(v) = update.auto_provision {
        stored.auto_provision = Some(v);
    }
    if let Some(v) = update.link_by_email {
        stored.link_by_email = Some(v);
    }
    if let Some(secret) = update
        .client_secret
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    {
        if secret.len() > 1000 {
            return Err(ApiError::bad_request(
                "INVALID_INPUT",
                "client_secret",
                "at most 1000 characters",
            ));
        }
        stored.client_secret = Some(secrets.encrypt(&secret)?);
    }
    if let Some(scopes) = &stored.scopes
        && !scopes.split_whitespace().any(|s| s == "openid")
    {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            "scopes",
            "the scopes must include openid",
        ));
    }
    Ok(())
}

/// The effective sign-in settings.
#[utoipa::path(get, path = "/api/admin/settings/auth", tag = "admin",
    responses((status = 200, body = AuthSettingsView)))]
pub async fn get(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<Json<AuthSettingsView>, ApiError> {
    Ok(Json(AuthSettingsView::from(&state.auth_settings().await?)))
}

/// Changes the sign-in settings; refuses (409 `GUARD_RAIL`) any change that
/// could lock every admin out.
#[utoipa::path(put, path = "/api/admin/settings/auth", tag = "admin", request_body = AuthSettingsUpdate,
    responses((status = 200, body = AuthSettingsView), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    admin: AdminUser,
    client: Client,
    ApiJson(update): ApiJson<AuthSettingsUpdate>,
) -> Result<Json<AuthSettingsView>, ApiError> {
    let ip = client.ip_text();
    let app = state.clone();
    let saved = state
        .db
        .write(move |tx| {
            let mut stored = settings::load_stored(tx)?;
            if let Err(error) = apply(&mut stored, update, &app.secrets) {
                return Ok(Err(error));
            }
            let effective = settings::resolve(&stored, &app.web.oidc, &app.secrets);
            if let Err(reason) = settings::guard_rails(&effective, tx)? {
                return Ok(Err(ApiError::conflict("GUARD_RAIL", reason)));
            }
            settings::save_stored(tx, &stored)?;
            audit::record(
                tx,
                Entry {
                    actor_id: Some(admin.user.id),
                    actor: Some(&admin.user.username),
                    action: action::AUTH_SETTINGS_UPDATE,
                    detail: Some(format!(
                        "local {}, oidc {}",
                        if effective.local_enabled { "on" } else { "off" },
                        if effective.oidc_enabled { "on" } else { "off" }
                    )),
                    ip: Some(&ip),
                    ..Entry::default()
                },
            )?;
            Ok(Ok(effective))
        })
        .await??;
    Ok(Json(AuthSettingsView::from(&saved)))
}
