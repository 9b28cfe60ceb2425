//! Server-side sessions. The cookie holds 32 random bytes; the database
//! holds only their SHA-256. A session lasts 7 days from its last use.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::users::{Account, account_by_id};
use crate::time::{format, now_text};

/// How long a session lives after its last use.
pub const LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);

/// A session is extended at most this often, to spare a write per request.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// How the session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Local,
    Oidc,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Local => "local",
            Method::Oidc => "oidc",
        }
    }
}

/// The stored form of a cookie value.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token: 32 bytes, URL-safe base64.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Opens a session and returns the cookie value (shown only this once).
pub fn create(tx: &Transaction<'_>, user_id: i64, method: Method) -> crate::Result<String> {
    let token = new_token();
    let now = Timestamp::now();
    tx.execute(
        r#"
        INSERT INTO sessions (token_hash, user_id, method, created_at, last_used_at, expires_at)
        VALUES (?1, ?2, ?3, ?4, ?4, ?5)
        "#,
        params![
            hash_token(&token),
            user_id,
            method.as_str(),
            format(now),
            format(now + LIFETIME)
        ],
    )?;
    Ok(token)
}

/// A live session and its user.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub account: Account,
    pub last_used_at: String,
}

/// Finds the live session of a cookie value; expired sessions and inactive
/// users have none.
pub fn lookup(conn: &Connection, token: &str) -> crate::Result<Option<Session>> {
    let token_hash = hash_token(token);
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT user_id, last_used_at FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
            params![token_hash, now_text()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((user_id, last_used_at)) = found else {
        return Ok(None);
    };
    let Some(account) = account_by_id(conn, user_id)?.filter(|a| a.user.active) else {
        return Ok(None);
    };
    Ok(Some(Session {
        token_hash,
        account,
        last_used_at,
    }))
}

/// Whether a session used at `last_used_at` should be extended now.
pub fn needs_touch(last_used_at: &str) -> bool {
    crate::time::parse(last_used_at).is_none_or(|at| Timestamp::now() - TOUCH_EVERY > at)
}

/// Extends a session by its lifetime from now.
pub fn touch(tx: &Transaction<'_>, token_hash: &str) -> crate::Result<()> {
    let now = Timestamp::now();
    tx.execute(
        "UPDATE sessions SET last_used_at = ?2, expires_at = ?3 WHERE token_hash = ?1",
        params![token_hash, format(now), format(now + LIFETIME)],
    )?;
    Ok(())
}

/// Ends one session.
pub fn end(tx: &Transaction<'_>, token_hash: &str) -> crate::Result<()> {
    tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

/// Ends every session of a user.
pub fn end_all(tx: &Transaction<'_>, user_id: i64) -> crate::Result<usize> {
    Ok(tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?)
}

/// Ends every session of a user but one.
pub fn end_others(tx: &Transaction<'_>, user_id: i64, keep_hash: &str) -> crate::Result<usize> {
    Ok(tx.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash != ?2",
        params![user_id, keep_hash],
    )?)
}

/// Deletes expired sessions; returns how many.
pub fn prune_expired(tx: &Transaction<'_>) -> crate::Result<usize> {
    Ok(tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now_text()])?)
}

/// Live sessions (for Status).
pub fn count_active(conn: &Connection) -> crate::Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM sessions WHERE expires_at > ?1",
        [now_text()],
        |r| r.get(0),
    )?)
}
