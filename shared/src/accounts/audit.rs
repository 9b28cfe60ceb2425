//! The audit log: admin actions and every sign-in, with time, actor,
//! action and target. A user's login history is read from it.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
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

/// Failed local sign-ins of one key (an address or a username) within
/// the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    /// When the count drops below the allowed number again: the moment
    /// the allowed-th newest failure leaves the window. `None` while the
    /// count is below it already.
    pub free_at: Option<Timestamp>,
}

/// Failed local sign-ins within `window` from an address and for a
/// username (case-insensitive), each with the moment it falls below
/// `allowed` again.
pub fn recent_failures(
    conn: &Connection,
    ip: Option<&str>,
    username: &str,
    window: SignedDuration,
    allowed: i64,
) -> crate::Result<(Failures, Failures)> {
    let since = format(Timestamp::now() - window);
    let by = |column: &str, value: Option<&str>| -> crate::Result<Failures> {
        let matching = format!(
            "action = ?1 AND at > ?2 AND {column} = ?3 COLLATE NOCASE AND detail LIKE 'local%'"
        );
        let count = conn.query_row(
            &format!("SELECT count(*) FROM audit_log WHERE {matching}"),
            params![action::LOGIN_FAILURE, since, value],
            |r| r.get(0),
        )?;
        let limiting: Option<String> = conn
            .query_row(
                &format!(
                    "SELECT at FROM audit_log WHERE {matching} ORDER BY at DESC LIMIT 1 OFFSET ?4"
                ),
                params![action::LOGIN_FAILURE, since, value, allowed.max(1) - 1],
                |r| r.get(0),
            )
            .optional()?;
        Ok(Failures {
            count,
            free_at: limiting
                .as_deref()
                .and_then(crate::time::parse)
                .map(|at| at + window),
        })
    };
    Ok((by("ip", ip)?, by("target", Some(username))?))
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

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        conn
    }

    fn failure(conn: &Connection, ago: SignedDuration, ip: &str, username: &str) {
        conn.execute(
            "INSERT INTO audit_log (at, action, target, detail, ip) VALUES (?1, ?2, ?3, 'local: wrong credentials', ?4)",
            params![format(Timestamp::now() - ago), action::LOGIN_FAILURE, username, ip],
        )
        .unwrap();
    }

    #[test]
    fn each_key_is_free_when_its_own_allowed_th_newest_failure_leaves_the_window() {
        let conn = db();
        let window = SignedDuration::from_mins(15);
        // The address has one old failure; the username has three newer
        // ones from elsewhere, one past the window.
        failure(&conn, SignedDuration::from_mins(14), "10.0.0.7", "someone");
        failure(&conn, SignedDuration::from_mins(20), "192.0.2.1", "Ann");
        failure(&conn, SignedDuration::from_mins(5), "192.0.2.1", "ann");
        failure(&conn, SignedDuration::from_mins(3), "192.0.2.2", "ANN");
        failure(&conn, SignedDuration::from_mins(1), "192.0.2.3", "ann");

        let (by_ip, by_user) = recent_failures(&conn, Some("10.0.0.7"), "Ann", window, 2).unwrap();
        assert_eq!(by_ip.count, 1);
        assert_eq!(by_ip.free_at, None, "below the limit: nothing to wait for");
        assert_eq!(by_user.count, 3, "usernames match case-insensitively");
        let free_at = by_user.free_at.unwrap();
        let expected = Timestamp::now() - SignedDuration::from_mins(3) + window;
        assert!(
            free_at.duration_since(expected).as_secs().abs() <= 1,
            "the second newest failure decides: {free_at} vs {expected}"
        );
    }
}
