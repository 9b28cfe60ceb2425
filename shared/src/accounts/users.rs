//! Users and the rules of their administration.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::now_text;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Users, settings, backups, cleanup, Status; and their own bills.
    Admin,
    /// Their own bills and data.
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "user" => Some(Role::User),
            _ => None,
        }
    }
}

/// How a user signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthSource {
    Local,
    Oidc,
    Both,
}

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    pub active: bool,
    pub auth_source: AuthSource,
    pub must_change_password: bool,
    pub last_login_at: Option<String>,
    pub created_at: String,
}

/// A user with what sign-in needs.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: User,
    pub password_hash: Option<String>,
    pub email_verified: bool,
}

/// Why a change to users is refused.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("no such user")]
    NotFound,
    #[error("the username {0:?} is already taken")]
    UsernameTaken(String),
    #[error("this is the last active admin: make another user admin first")]
    LastAdmin,
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] crate::Error),
}

impl From<rusqlite::Error> for UserError {
    fn from(error: rusqlite::Error) -> Self {
        UserError::Store(error.into())
    }
}

const COLUMNS: &str = r#"
    id, username, display_name, email, role, active, password_hash,
    oidc_subject, must_change_password, last_login_at, created_at, email_verified
"#;

fn account_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    let role: String = row.get(4)?;
    let password_hash: Option<String> = row.get(6)?;
    let oidc_subject: Option<String> = row.get(7)?;
    let auth_source = match (password_hash.is_some(), oidc_subject.is_some()) {
        (true, true) => AuthSource::Both,
        (false, true) => AuthSource::Oidc,
        _ => AuthSource::Local,
    };
    Ok(Account {
        user: User {
            id: row.get(0)?,
            username: row.get(1)?,
            display_name: row.get(2)?,
            email: row.get(3)?,
            role: Role::parse(&role).unwrap_or(Role::User),
            active: row.get(5)?,
            auth_source,
            must_change_password: row.get(8)?,
            last_login_at: row.get(9)?,
            created_at: row.get(10)?,
        },
        password_hash,
        email_verified: row.get(11)?,
    })
}

pub fn account_by_username(conn: &Connection, username: &str) -> crate::Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE username = ?1");
    Ok(conn
        .query_row(&sql, [username.trim()], account_row)
        .optional()?)
}

pub fn account_by_id(conn: &Connection, id: i64) -> crate::Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], account_row).optional()?)
}

pub fn account_by_oidc(
    conn: &Connection,
    issuer: &str,
    subject: &str,
) -> crate::Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE oidc_issuer = ?1 AND oidc_subject = ?2");
    Ok(conn
        .query_row(&sql, [issuer, subject], account_row)
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> crate::Result<Option<User>> {
    Ok(account_by_id(conn, id)?.map(|a| a.user))
}

pub fn list(conn: &Connection) -> crate::Result<Vec<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY username");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], account_row)?;
    Ok(rows
        .map(|r| r.map(|a| a.user))
        .collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> crate::Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
}

fn active_admins(conn: &Connection) -> crate::Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1",
        [],
        |r| r.get(0),
    )?)
}

/// Whether a username may hold this character: ASCII letters and digits,
/// `.`, `_`, `-` and `@`. ASCII only, because the database compares
/// usernames with `COLLATE NOCASE`, which folds the case of ASCII letters
/// alone: "Ä" and "ä" would otherwise be two users.
pub fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')
}

/// Checks and normalises a username: 1 to 64 characters of ASCII letters,
/// digits, `.`, `_`, `-` and `@`.
pub fn clean_username(username: &str) -> Result<String, UserError> {
    let trimmed = username.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 || !trimmed.chars().all(is_username_char)
    {
        return Err(UserError::Invalid {
            field: "username",
            message: "a username has 1 to 64 characters: letters A to Z (without accents), \
                      digits, '.', '_', '-' or '@'"
                .into(),
        });
    }
    Ok(trimmed.to_string())
}

/// Checks an optional display name (up to 120 characters); empty means none.
pub fn clean_display_name(name: Option<&str>) -> Result<Option<String>, UserError> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > 120 {
        return Err(UserError::Invalid {
            field: "display_name",
            message: "a display name has at most 120 characters".into(),
        });
    }
    Ok(Some(name.to_string()))
}

/// Checks an optional email address; empty means none.
pub fn clean_email(email: Option<&str>) -> Result<Option<String>, UserError> {
    let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let plausible = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !email.contains(' ')
        });
    if !plausible {
        return Err(UserError::Invalid {
            field: "email",
            message: "this is not an email address".into(),
        });
    }
    Ok(Some(email.to_string()))
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    pub must_change_password: bool,
    pub oidc: Option<(String, String)>,
}

pub fn create(tx: &Transaction<'_>, new: NewUser) -> Result<User, UserError> {
    let username = clean_username(&new.username)?;
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)",
        [&username],
        |r| r.get(0),
    )?;
    if taken {
        return Err(UserError::UsernameTaken(username));
    }
    let now = now_text();
    let (issuer, subject) = new.oidc.unzip();
    tx.execute(
        r#"
        INSERT INTO users
            (username, display_name, email, email_verified, role, password_hash,
             must_change_password, oidc_issuer, oidc_subject, created_at, password_changed_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        "#,
        params![
            username,
            clean_display_name(new.display_name.as_deref())?,
            clean_email(new.email.as_deref())?,
            new.email_verified,
            new.role.as_str(),
            new.password_hash,
            new.must_change_password,
            issuer,
            subject,
            now,
            new.password_hash.as_ref().map(|_| now.clone()),
        ],
    )?;
    let id = tx.last_insert_rowid();
    get(tx, id)?.ok_or(UserError::NotFound)
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub username: Option<String>,
    pub display_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// Applies a patch. Demoting or deactivating the last active admin is
/// refused; a role change or deactivation ends the user's sessions.
pub fn update(tx: &Transaction<'_>, id: i64, patch: UserPatch) -> Result<User, UserError> {
    let current = get(tx, id)?.ok_or(UserError::NotFound)?;

    let loses_admin = current.role == Role::Admin
        && current.active
        && (patch.role == Some(Role::User) || patch.active == Some(false));
    if loses_admin && active_admins(tx)? <= 1 {
        return Err(UserError::LastAdmin);
    }

    // A name given unchanged is kept as it is, also one from before the
    // ASCII rule.
    if let Some(username) = patch.username.as_ref().filter(|u| **u != current.username) {
        let username = clean_username(username)?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1 AND id != ?2)",
            params![username, id],
            |r| r.get(0),
        )?;
        if taken {
            return Err(UserError::UsernameTaken(username));
        }
        tx.execute(
            "UPDATE users SET username = ?2 WHERE id = ?1",
            params![id, username],
        )?;
    }
    if let Some(name) = &patch.display_name {
        let name = clean_display_name(name.as_deref())?;
        tx.execute(
            "UPDATE users SET display_name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
    }
    if let Some(email) = &patch.email {
        let email = clean_email(email.as_deref())?;
        let changed = email != current.email;
        tx.execute(
            "UPDATE users SET email = ?2, email_verified = CASE WHEN ?3 THEN 0 ELSE email_verified END WHERE id = ?1",
            params![id, email, changed],
        )?;
    }
    if let Some(role) = patch.role
        && role != current.role
    {
        tx.execute(
            "UPDATE users SET role = ?2 WHERE id = ?1",
            params![id, role.as_str()],
        )?;
        super::sessions::end_all(tx, id)?;
    }
    if let Some(active) = patch.active
        && active != current.active
    {
        tx.execute(
            "UPDATE users SET active = ?2 WHERE id = ?1",
            params![id, active],
        )?;
        if !active {
            super::sessions::end_all(tx, id)?;
        }
    }
    get(tx, id)?.ok_or(UserError::NotFound)
}

/// Sets a new password hash. `must_change` forces a change at next sign-in.
pub fn set_password(
    tx: &Transaction<'_>,
    id: i64,
    hash: &str,
    must_change: bool,
) -> Result<(), UserError> {
    let changed = tx.execute(
        r#"
        UPDATE users
        SET password_hash = ?2, must_change_password = ?3, password_changed_at = ?4
        WHERE id = ?1
        "#,
        params![id, hash, must_change, now_text()],
    )?;
    if changed == 0 {
        return Err(UserError::NotFound);
    }
    Ok(())
}

/// Sets or changes the role from an OIDC admin group (at every OIDC login).
pub fn set_role(tx: &Transaction<'_>, id: i64, role: Role) -> Result<(), UserError> {
    tx.execute(
        "UPDATE users SET role = ?2 WHERE id = ?1",
        params![id, role.as_str()],
    )?;
    Ok(())
}

/// Links an existing user to an OIDC identity.
pub fn link_oidc(
    tx: &Transaction<'_>,
    id: i64,
    issuer: &str,
    subject: &str,
) -> Result<(), UserError> {
    tx.execute(
        "UPDATE users SET oidc_issuer = ?2, oidc_subject = ?3 WHERE id = ?1",
        params![id, issuer, subject],
    )?;
    Ok(())
}

pub fn record_login(tx: &Transaction<'_>, id: i64) -> Result<(), UserError> {
    tx.execute(
        "UPDATE users SET last_login_at = ?2 WHERE id = ?1",
        params![id, now_text()],
    )?;
    Ok(())
}

/// Tables holding a user's own data, checked before a delete: every table
/// whose `user_id` references `users`, except the sign-in records
/// (sessions). A test checks this list against the migrations.
pub const USER_DATA_TABLES: &[&str] = &[
    "bills",
    "categories",
    "payments",
    "month_plans",
    "income_entries",
    "calendar_feeds",
];

/// Rows of user data the user owns, per table.
pub fn owned_data(conn: &Connection, id: i64) -> crate::Result<Vec<(&'static str, i64)>> {
    let mut owned = Vec::new();
    for table in USER_DATA_TABLES {
        let count: i64 = conn.query_row(
            &format!("SELECT count(*) FROM {table} WHERE user_id = ?1"),
            [id],
            |r| r.get(0),
        )?;
        if count > 0 {
            owned.push((*table, count));
        }
    }
    Ok(owned)
}

/// The user, when they may be deleted: they exist and are not the last
/// active admin.
pub fn check_deletable(conn: &Connection, id: i64) -> Result<User, UserError> {
    let current = get(conn, id)?.ok_or(UserError::NotFound)?;
    if current.role == Role::Admin && current.active && active_admins(conn)? <= 1 {
        return Err(UserError::LastAdmin);
    }
    Ok(current)
}

/// Deletes a user (their sessions and, through foreign keys, their data).
pub fn delete(tx: &Transaction<'_>, id: i64) -> Result<User, UserError> {
    let current = check_deletable(tx, id)?;
    tx.execute("DELETE FROM users WHERE id = ?1", [id])?;
    Ok(current)
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

    /// Tables whose rows go with a user: a foreign key to `users` that
    /// cascades on delete.
    fn tables_deleted_with_a_user(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare(
                r#"
                SELECT DISTINCT m.name
                FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS fk
                WHERE m.type = 'table' AND fk."table" = 'users' AND fk.on_delete = 'CASCADE'
                ORDER BY m.name
                "#,
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn every_table_deleted_with_a_user_is_checked_before_a_delete() {
        let conn = db();
        let cascading = tables_deleted_with_a_user(&conn);
        assert!(cascading.iter().any(|t| t == "bills"), "{cascading:?}");
        for table in cascading {
            if table == "sessions" {
                continue;
            }
            assert!(
                USER_DATA_TABLES.contains(&table.as_str()),
                "{table} is deleted with its user but not in USER_DATA_TABLES"
            );
        }
    }

    #[test]
    fn usernames_are_ascii_so_case_folds_for_every_letter() {
        assert_eq!(clean_username("  Ann.B_c-d@x ").unwrap(), "Ann.B_c-d@x");
        for refused in ["Ä", "jörg", "ﬁle", "İstanbul", "a b", "", &"a".repeat(65)] {
            match clean_username(refused) {
                Err(UserError::Invalid { field, message }) => {
                    assert_eq!(field, "username");
                    assert!(message.contains("without accents"), "{message}");
                }
                other => panic!("{refused:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn a_name_from_before_the_ascii_rule_is_kept_when_given_unchanged() {
        let mut conn = db();
        conn.execute(
            "INSERT INTO users (username, role, created_at) VALUES ('Jörg', 'user', 'now')",
            [],
        )
        .unwrap();
        let id = conn.last_insert_rowid();
        let patch = UserPatch {
            username: Some("Jörg".into()),
            display_name: Some(Some("J".into())),
            ..UserPatch::default()
        };
        let user = crate::db::write(&mut conn, |tx| {
            update(tx, id, patch).map_err(|e| crate::Error::Rule(e.to_string()))
        })
        .unwrap();
        assert_eq!(user.username, "Jörg");
        assert_eq!(user.display_name.as_deref(), Some("J"));
    }

    #[test]
    fn a_month_plan_alone_counts_as_owned_data() {
        let mut conn = db();
        let id = crate::db::write(&mut conn, |tx| {
            let new = NewUser {
                username: "planner".into(),
                password_hash: None,
                role: Role::User,
                display_name: None,
                email: None,
                email_verified: false,
                must_change_password: false,
                oidc: None,
            };
            Ok(create(tx, new)
                .map_err(|e| crate::Error::Rule(e.to_string()))?
                .id)
        })
        .unwrap();
        assert!(owned_data(&conn, id).unwrap().is_empty());

        conn.execute(
            "INSERT INTO month_plans (user_id, year, month, starting_first_cents) VALUES (?1, 2026, 12, 5000)",
            [id],
        )
        .unwrap();
        assert_eq!(owned_data(&conn, id).unwrap(), vec![("month_plans", 1)]);
    }
}
