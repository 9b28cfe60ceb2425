//! Deleting a user after moving the data they own to another user.
//!
//! The rules, for rows a unique index would otherwise refuse:
//! - a category with the name of one of the receiver's categories (without
//!   regard to case) merges into the receiver's: its bills move into that
//!   category, which keeps its colour, icon and spending flag;
//! - a month plan of a month the receiver has planned too adds its starting
//!   money to the receiver's, bucket by bucket, as the bills and income of
//!   that month are added too;
//! - calendar feeds are revoked, not moved: a feed URL someone else knows
//!   must not start showing the receiver's bills.
//!
//! Everything else (bills with their overrides and autopay marks, payments,
//! income entries, deleted rows still in their recovery window) moves as it
//! is. The user's sessions end and the user is deleted.

use rusqlite::{Connection, Transaction, params};

use super::sessions;
use super::users::{self, User, UserError};

/// The tables a reassignment moves or revokes: it must name every table of
/// `users::USER_DATA_TABLES` (a test holds the two together).
pub const HANDLED_TABLES: &[&str] = &[
    "categories",
    "bills",
    "payments",
    "month_plans",
    "income_entries",
    "calendar_feeds",
];

/// What a reassignment moved, merged and revoked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Moved {
    /// Categories moved as they were.
    pub categories: usize,
    /// Categories merged into the receiver's category of the same name.
    pub categories_merged: usize,
    pub bills: usize,
    pub payments: usize,
    /// Month plans moved as they were.
    pub month_plans: usize,
    /// Month plans added to the receiver's plan of the same month.
    pub month_plans_merged: usize,
    pub income_entries: usize,
    pub feeds_revoked: usize,
}

impl Moved {
    /// One line for the audit log, naming only what there was.
    pub fn describe(&self) -> String {
        let counts = [
            (self.bills, "bill", "bills"),
            (self.payments, "payment", "payments"),
            (self.categories, "category", "categories"),
            (
                self.categories_merged,
                "category merged by name",
                "categories merged by name",
            ),
            (self.month_plans, "month plan", "month plans"),
            (
                self.month_plans_merged,
                "month plan added to the same month",
                "month plans added to the same month",
            ),
            (self.income_entries, "income entry", "income entries"),
            (
                self.feeds_revoked,
                "calendar feed revoked",
                "calendar feeds revoked",
            ),
        ];
        let parts: Vec<String> = counts
            .iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
            .collect();
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        }
    }
}

fn refuse(message: impl Into<String>) -> UserError {
    UserError::Invalid {
        field: "reassign_to",
        message: message.into(),
    }
}

/// The user who receives the data: another user, existing and active.
pub fn check_receiver(conn: &Connection, from: i64, to: i64) -> Result<User, UserError> {
    if from == to {
        return Err(refuse(
            "the data cannot move to the user being deleted: choose another user",
        ));
    }
    let Some(receiver) = users::get(conn, to)? else {
        return Err(refuse("no user has this id: choose another user"));
    };
    if !receiver.active {
        return Err(refuse(format!(
            "{} is deactivated: activate them first or choose another user",
            receiver.username
        )));
    }
    Ok(receiver)
}

/// Moves everything user `from` owns to user `to` and deletes `from`; the
/// deleted user, the receiver and what moved. Every refusal comes before the
/// first change, so a refused call changes nothing even when its
/// transaction is committed.
pub fn reassign_and_delete(
    tx: &Transaction<'_>,
    from: i64,
    to: i64,
) -> Result<(User, User, Moved), UserError> {
    let deleted = users::check_deletable(tx, from)?;
    let receiver = check_receiver(tx, from, to)?;

    let mut moved = Moved {
        categories_merged: merge_categories(tx, from, to)?,
        ..Moved::default()
    };
    moved.categories = move_rows(tx, "categories", from, to)?;
    moved.bills = move_rows(tx, "bills", from, to)?;
    moved.payments = move_rows(tx, "payments", from, to)?;
    moved.month_plans_merged = merge_month_plans(tx, from, to)?;
    moved.month_plans = move_rows(tx, "month_plans", from, to)?;
    moved.income_entries = move_rows(tx, "income_entries", from, to)?;
    moved.feeds_revoked = tx.execute("DELETE FROM calendar_feeds WHERE user_id = ?1", [from])?;

    // Nothing may be left for the delete's cascade to take with it.
    let left = users::owned_data(tx, from)?;
    if !left.is_empty() {
        return Err(UserError::Store(crate::Error::Rule(format!(
            "reassignment left data behind: {left:?}"
        ))));
    }
    sessions::end_all(tx, from)?;
    users::delete(tx, from)?;
    Ok((deleted, receiver, moved))
}

fn move_rows(tx: &Transaction<'_>, table: &str, from: i64, to: i64) -> Result<usize, UserError> {
    debug_assert!(HANDLED_TABLES.contains(&table));
    Ok(tx.execute(
        &format!("UPDATE {table} SET user_id = ?2 WHERE user_id = ?1"),
        params![from, to],
    )?)
}

/// Merges each live category of `from` into the live category of `to`
/// with the same name: the bills follow, the merged category goes.
fn merge_categories(tx: &Transaction<'_>, from: i64, to: i64) -> Result<usize, UserError> {
    let pairs: Vec<(i64, i64)> = {
        let mut stmt = tx.prepare(
            r#"
            SELECT mine.id, theirs.id
            FROM categories AS mine
            JOIN categories AS theirs
                ON theirs.user_id = ?2
                AND theirs.deleted_at IS NULL
                AND theirs.name = mine.name COLLATE NOCASE
            WHERE mine.user_id = ?1 AND mine.deleted_at IS NULL
            "#,
        )?;
        stmt.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (mine, theirs) in &pairs {
        tx.execute(
            "UPDATE bills SET category_id = ?2 WHERE category_id = ?1",
            params![mine, theirs],
        )?;
        tx.execute("DELETE FROM categories WHERE id = ?1", [mine])?;
    }
    Ok(pairs.len())
}

/// Adds each month plan of `from` to the plan of `to` for the same month,
/// bucket by bucket, and removes it.
fn merge_month_plans(tx: &Transaction<'_>, from: i64, to: i64) -> Result<usize, UserError> {
    let merged = tx.execute(
        r#"
        UPDATE month_plans AS theirs
        SET starting_first_cents = theirs.starting_first_cents + mine.starting_first_cents,
            starting_fifteenth_cents =
                theirs.starting_fifteenth_cents + mine.starting_fifteenth_cents,
            starting_other_cents = theirs.starting_other_cents + mine.starting_other_cents
        FROM month_plans AS mine
        WHERE theirs.user_id = ?2
            AND mine.user_id = ?1
            AND mine.year = theirs.year
            AND mine.month = theirs.month
        "#,
        params![from, to],
    )?;
    tx.execute(
        r#"
        DELETE FROM month_plans
        WHERE user_id = ?1
            AND EXISTS (
                SELECT 1 FROM month_plans AS theirs
                WHERE theirs.user_id = ?2
                    AND theirs.year = month_plans.year
                    AND theirs.month = month_plans.month
            )
        "#,
        params![from, to],
    )?;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;
    use crate::accounts::users::{NewUser, USER_DATA_TABLES};

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        conn
    }

    fn new_user(conn: &mut Connection, username: &str) -> i64 {
        crate::db::write(conn, |tx| {
            let new = NewUser {
                username: username.into(),
                password_hash: None,
                role: Role::User,
                display_name: None,
                email: None,
                email_verified: false,
                must_change_password: false,
                oidc: None,
            };
            Ok(users::create(tx, new)
                .map_err(|e| crate::Error::Rule(e.to_string()))?
                .id)
        })
        .unwrap()
    }

    fn reassign(conn: &mut Connection, from: i64, to: i64) -> Result<Moved, String> {
        crate::db::write(conn, |tx| {
            Ok(reassign_and_delete(tx, from, to)
                .map(|(_, _, moved)| moved)
                .map_err(|e| e.to_string()))
        })
        .unwrap()
    }

    #[test]
    fn every_table_of_user_data_is_moved_or_revoked() {
        let mut data: Vec<&str> = USER_DATA_TABLES.to_vec();
        let mut handled: Vec<&str> = HANDLED_TABLES.to_vec();
        data.sort_unstable();
        handled.sort_unstable();
        assert_eq!(data, handled);
    }

    #[test]
    fn same_named_categories_merge_and_same_month_plans_add_up() {
        let mut conn = db();
        let ann = new_user(&mut conn, "ann");
        let ben = new_user(&mut conn, "ben");
        conn.execute_batch(&format!(
            r#"
            INSERT INTO categories (id, user_id, name, color, created_at)
                VALUES (1, {ann}, 'utilities', '#111111', 'now'),
                       (2, {ann}, 'Garden', '#222222', 'now'),
                       (3, {ben}, 'Utilities', '#333333', 'now');
            INSERT INTO bills (id, user_id, name, category_id, amount_cents, amount_kind, cycle,
                               due_day, anchor_date, bucket, created_at)
                VALUES (10, {ann}, 'Power', 1, 5000, 'fixed', 'monthly', 1, '2026-01-01',
                        'first', 'now');
            INSERT INTO month_plans (user_id, year, month, starting_first_cents,
                                     starting_other_cents)
                VALUES ({ann}, 2026, 3, 100, 7), ({ann}, 2026, 4, 50, 0),
                       ({ben}, 2026, 3, 1000, 0);
            INSERT INTO calendar_feeds (user_id, token_hash, created_at)
                VALUES ({ann}, 'hash', 'now');
            "#
        ))
        .unwrap();

        let moved = reassign(&mut conn, ann, ben).unwrap();
        assert_eq!(
            moved,
            Moved {
                categories: 1,
                categories_merged: 1,
                bills: 1,
                payments: 0,
                month_plans: 1,
                month_plans_merged: 1,
                income_entries: 0,
                feeds_revoked: 1,
            }
        );
        assert_eq!(
            moved.describe(),
            "1 bill, 1 category, 1 category merged by name, 1 month plan, \
             1 month plan added to the same month, 1 calendar feed revoked"
        );
        let (owner, category): (i64, i64) = conn
            .query_row(
                "SELECT user_id, category_id FROM bills WHERE id = 10",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((owner, category), (ben, 3));
        let march: (i64, i64) = conn
            .query_row(
                "SELECT starting_first_cents, starting_other_cents FROM month_plans \
                 WHERE user_id = ?1 AND year = 2026 AND month = 3",
                [ben],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(march, (1100, 7));
        let users: i64 = conn
            .query_row("SELECT count(*) FROM users WHERE id = ?1", [ann], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(users, 0);
    }

    #[test]
    fn the_receiver_must_be_another_active_user() {
        let mut conn = db();
        let ann = new_user(&mut conn, "ann");
        let ben = new_user(&mut conn, "ben");
        conn.execute("UPDATE users SET active = 0 WHERE id = ?1", [ben])
            .unwrap();
        assert!(
            reassign(&mut conn, ann, ann)
                .unwrap_err()
                .contains("another user")
        );
        assert!(
            reassign(&mut conn, ann, 999)
                .unwrap_err()
                .contains("no user")
        );
        assert!(
            reassign(&mut conn, ann, ben)
                .unwrap_err()
                .contains("deactivated")
        );
    }
}
