//! Logins in flight: state, nonce and PKCE verifier kept server-side,
//! because the Strict session cookie is not sent on the provider's
//! redirect back. A state works once and for ten minutes.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::time::{format, now_text};

/// How long a login may stay at the provider before its state expires.
pub const STATE_LIFETIME: SignedDuration = SignedDuration::from_mins(10);

/// A login in flight, kept server-side until the provider sends the
/// browser back (or the state expires).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginState {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
}

/// Stores a login in flight and prunes the expired ones.
pub fn save_state(tx: &Transaction<'_>, login: &LoginState) -> crate::Result<()> {
    let now = Timestamp::now();
    tx.execute(
        "DELETE FROM oidc_login_states WHERE expires_at <= ?1",
        [format(now)],
    )?;
    tx.execute(
        r#"
        INSERT INTO oidc_login_states (state, nonce, pkce_verifier, return_to, created_at, expires_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        "#,
        params![
            login.state,
            login.nonce,
            login.pkce_verifier,
            login.return_to,
            format(now),
            format(now + STATE_LIFETIME)
        ],
    )?;
    Ok(())
}

/// Takes a login in flight: the row is deleted whatever happens next, so a
/// state works once. An unknown or expired state has none.
pub fn take_state(tx: &Transaction<'_>, state: &str) -> crate::Result<Option<LoginState>> {
    let row: Option<(LoginState, String)> = tx
        .query_row(
            r#"
            DELETE FROM oidc_login_states
            WHERE state = ?1
            RETURNING state, nonce, pkce_verifier, return_to, expires_at
            "#,
            [state],
            |r| {
                let login = LoginState {
                    state: r.get(0)?,
                    nonce: r.get(1)?,
                    pkce_verifier: r.get(2)?,
                    return_to: r.get(3)?,
                };
                Ok((login, r.get(4)?))
            },
        )
        .optional()?;
    Ok(row.and_then(|(login, expires_at)| (expires_at > now_text()).then_some(login)))
}

/// Whether a login with this state is in flight (known and not expired),
/// without taking it.
pub fn is_pending(conn: &Connection, state: &str) -> crate::Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM oidc_login_states WHERE state = ?1 AND expires_at > ?2",
            params![state, now_text()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
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

    #[test]
    fn a_state_works_once_and_not_after_it_expires() {
        let mut conn = db();
        let login = LoginState {
            state: "s1".into(),
            nonce: "n1".into(),
            pkce_verifier: "v1".into(),
            return_to: "/bills".into(),
        };
        crate::db::write(&mut conn, |tx| save_state(tx, &login)).unwrap();
        assert!(is_pending(&conn, "s1").unwrap());
        assert!(!is_pending(&conn, "s2").unwrap());
        let taken = crate::db::write(&mut conn, |tx| take_state(tx, "s1")).unwrap();
        assert!(!is_pending(&conn, "s1").unwrap(), "taken");
        assert_eq!(taken, Some(login.clone()));
        assert_eq!(
            crate::db::write(&mut conn, |tx| take_state(tx, "s1")).unwrap(),
            None
        );

        crate::db::write(&mut conn, |tx| save_state(tx, &login)).unwrap();
        conn.execute(
            "UPDATE oidc_login_states SET expires_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
        assert_eq!(
            crate::db::write(&mut conn, |tx| take_state(tx, "s1")).unwrap(),
            None
        );
        let left: i64 = conn
            .query_row("SELECT count(*) FROM oidc_login_states", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "an expired state is deleted too");
    }

    #[test]
    fn saving_a_state_prunes_the_expired_ones() {
        let mut conn = db();
        let login = |state: &str| LoginState {
            state: state.into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/".into(),
        };
        crate::db::write(&mut conn, |tx| save_state(tx, &login("old"))).unwrap();
        conn.execute(
            "UPDATE oidc_login_states SET expires_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
        crate::db::write(&mut conn, |tx| save_state(tx, &login("new"))).unwrap();
        let states: Vec<String> = conn
            .prepare("SELECT state FROM oidc_login_states")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(states, vec!["new".to_string()]);
    }
}
