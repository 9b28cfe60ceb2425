//! The audit log: admin actions and every sign-in, with time, actor,
//! action and target. A user's login history is read from it.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, Transaction, params};
use serde::Serialize;
use utoipa::ToSchema;

use crate::time::{format, now_text};

/// Audit actions.
pub mod action {
    pub const LOGIN_SUCCESS: &str = "login.success";
    pub const LOGIN_FAILURE: &str = "login.failure";
    pub const LOGOUT: &str = "logout";
    pub const PASSWORD_CHANGE: &str = "password.change";
    pub const USER_CREATE: &str = "user.create";
    pub const USER_UPDATE: &str = "user.update";
    pub const USER_RESET_PASSWORD: &str = "user.reset_password";
    pub const USER_DELETE: &str = "user.delete";
    pub const AUTH_SETTINGS_UPDATE: &str = "settings.auth.update";
    pub const BACKUP_CREATE: &str = "backup.create";
    pub const BACKUP_RESTORE: &str = "backup.restore";
    pub const BACKUP_IMPORT: &str = "backup.import";
    pub const BACKUP_DELETE: &str = "backup.delete";
}

/// One entry to record.
#[derive(Debug, Clone, Default)]
pub struct Entry<'a> {
    pub actor_id: Option<i64>,
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub target_user_id: Option<i64>,
    pub detail: Option<String>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub fn record(tx: &Transaction<'_>, entry: Entry<'_>) -> crate::Result<()> {
    let user_agent = entry
        .user_agent
        .map(|ua| ua.chars().take(200).collect::<String>());
    tx.execute(
        r#"
        INSERT INTO audit_log (at, actor_id, actor, action, target, target_user_id, detail, ip, user_agent)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        "#,
        params![
            now_text(),
            entry.actor_id,
            entry.actor,
            entry.action,
            entry.target,
            entry.target_user_id,
            entry.detail,
            entry.ip,
            user_agent
        ],
    )?;
    Ok(())
}

/// Failed local sign-ins within `window` from an address or for a username, and
/// when the oldest of them leaves the window.
pub fn recent_failures(
    conn: &Connection,
    ip: Option<&str>,
    username: &str,
    window: SignedDuration,
) -> crate::Result<(i64, i64, Option<Timestamp>)> {
    let since = format(Timestamp::now() - window);
    let by = |column: &str, value: Option<&str>| -> crate::Result<(i64, Option<String>)> {
        let sql = format!(
            "SELECT count(*), min(at) FROM audit_log WHERE action = ?1 AND at > ?2 AND {column} = ?3 COLLATE NOCASE AND detail LIKE 'local%'"
        );
        Ok(
            conn.query_row(&sql, params![action::LOGIN_FAILURE, since, value], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?,
        )
    };
    let (by_ip, oldest_ip) = by("ip", ip)?;
    let (by_user, oldest_user) = by("target", Some(username))?;
    let oldest = [oldest_ip, oldest_user]
        .into_iter()
        .flatten()
        .filter_map(|t| crate::time::parse(&t))
        .min();
    Ok((by_ip, by_user, oldest))
}

/// One sign-in of a user's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoginEvent {
    pub at: String,
    pub success: bool,
    /// `local` or `oidc`.
    pub method: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The last `limit` sign-ins of a user, newest first.
pub fn login_history(
    conn: &Connection,
    user_id: i64,
    limit: u32,
) -> crate::Result<Vec<LoginEvent>> {
    let mut stmt = conn.prepare(
        r#"
        SELECT at, action, coalesce(detail, 'local'), ip, user_agent
        FROM audit_log
        WHERE target_user_id = ?1
          AND action IN ('login.success', 'login.failure')
        ORDER BY id DESC
        LIMIT ?2
        "#,
    )?;
    let rows = stmt.query_map(params![user_id, limit], |r| {
        let action: String = r.get(1)?;
        let detail: String = r.get(2)?;
        Ok(LoginEvent {
            at: r.get(0)?,
            success: action == action::LOGIN_SUCCESS,
            method: if detail.starts_with("oidc") {
                "oidc"
            } else {
                "local"
            }
            .to_string(),
            ip: r.get(3)?,
            user_agent: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One entry as the admin sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

/// A page of the log, newest first, before the entry id `before`.
pub fn page(conn: &Connection, before: Option<i64>, limit: u32) -> crate::Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        r#"
        SELECT id, at, actor, action, target, detail, ip
        FROM audit_log
        WHERE ?1 IS NULL OR id < ?1
        ORDER BY id DESC
        LIMIT ?2
        "#,
    )?;
    let rows = stmt.query_map(params![before, limit], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            detail: r.get(5)?,
            ip: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
