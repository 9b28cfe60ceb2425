//! The groups claim of the last OIDC sign-in (names only), which the
//! "test provider" action shows so that an admin can match the admin
//! group to the provider's spelling.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::time::now_text;

/// The `settings` area holding the groups claim of the last OIDC sign-in.
const LAST_LOGIN_AREA: &str = "oidc_last_login";

/// The groups claim of the last OIDC sign-in, names only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastLogin {
    pub at: String,
    /// `None` when the provider sent no groups claim.
    pub groups: Option<Vec<String>>,
}

/// Records the groups claim of a sign-in, replacing the previous one.
pub fn record_last_login(tx: &Transaction<'_>, groups: Option<&[String]>) -> crate::Result<()> {
    let last = LastLogin {
        at: now_text(),
        groups: groups.map(<[String]>::to_vec),
    };
    tx.execute(
        r#"
        INSERT INTO settings (area, value, updated_at) VALUES (?1, ?2, ?3)
        ON CONFLICT (area) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        "#,
        params![LAST_LOGIN_AREA, serde_json::to_string(&last)?, last.at],
    )?;
    Ok(())
}

/// The groups claim of the last OIDC sign-in, if there was one.
pub fn last_login(conn: &Connection) -> crate::Result<Option<LastLogin>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE area = ?1",
            [LAST_LOGIN_AREA],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        conn
    }

    #[test]
    fn the_last_groups_claim_is_kept_for_the_test_action() {
        let mut conn = db();
        assert_eq!(last_login(&conn).unwrap(), None);
        let groups = vec!["a".to_string(), "b".to_string()];
        crate::db::write(&mut conn, |tx| record_last_login(tx, Some(&groups))).unwrap();
        assert_eq!(last_login(&conn).unwrap().unwrap().groups, Some(groups));
        crate::db::write(&mut conn, |tx| record_last_login(tx, None)).unwrap();
        assert_eq!(last_login(&conn).unwrap().unwrap().groups, None);
    }
}
