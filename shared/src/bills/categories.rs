//! Categories of a user's bills. Deleting is soft: a category is kept for
//! 30 days and its bills become uncategorised only when it is purged.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{BillsError, BillsResult};
use crate::time::now_text;

/// How long a deleted record can be restored.
pub const RECOVERY_WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub color: String,
    pub icon: Option<String>,
    pub counts_toward_spending: bool,
    /// Bills (not deleted) in this category.
    pub bill_count: i64,
    /// Days left to restore it; only for deleted categories.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    pub name: Option<String>,
    /// `#rrggbb`.
    pub color: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub icon: Option<Option<String>>,
    pub counts_toward_spending: Option<bool>,
}

/// Days left of the recovery window of a record deleted at `deleted_at`.
pub fn days_left(deleted_at: &str) -> i64 {
    let Some(deleted) = crate::time::parse(deleted_at) else {
        return 0;
    };
    let left = (deleted + RECOVERY_WINDOW).duration_since(Timestamp::now());
    (left.as_secs() as f64 / 86_400.0).ceil().max(0.0) as i64
}

fn clean_name(name: &str) -> BillsResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(BillsError::invalid(
            "name",
            "a category name has 1 to 60 characters",
        ));
    }
    Ok(name.to_string())
}

fn clean_color(color: &str) -> BillsResult<String> {
    let valid = color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !valid {
        return Err(BillsError::invalid("color", "a colour is written #rrggbb"));
    }
    Ok(color.to_ascii_lowercase())
}

/// An icon is one emoji or a short symbol: up to 16 characters (an emoji
/// with modifiers takes several), none of them blank; empty means none.
fn clean_icon(icon: Option<String>) -> BillsResult<Option<String>> {
    let Some(icon) = icon.map(|i| i.trim().to_string()).filter(|i| !i.is_empty()) else {
        return Ok(None);
    };
    if icon.chars().count() > 16 || icon.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(BillsError::invalid(
            "icon",
            "an icon is one emoji or symbol, at most 16 characters",
        ));
    }
    Ok(Some(icon))
}

const SELECT: &str = r#"
    SELECT c.id, c.name, c.color, c.icon, c.counts_toward_spending, c.deleted_at,
           (SELECT count(*) FROM bills b WHERE b.category_id = c.id AND b.deleted_at IS NULL)
    FROM categories c
"#;

fn category_row(row: &Row<'_>) -> rusqlite::Result<Category> {
    let deleted_at: Option<String> = row.get(5)?;
    Ok(Category {
        id: row.get(0)?,
        name: row.get(1)?,
        color: row.get(2)?,
        icon: row.get(3)?,
        counts_toward_spending: row.get(4)?,
        days_left: deleted_at.as_deref().map(days_left),
        bill_count: row.get(6)?,
    })
}

pub fn list(conn: &Connection, user_id: i64) -> BillsResult<Vec<Category>> {
    let sql = format!(
        "{SELECT} WHERE c.user_id = ?1 AND c.deleted_at IS NULL ORDER BY c.name COLLATE NOCASE"
    );
    let mut stmt = conn.prepare(&sql)?;
    Ok(stmt
        .query_map([user_id], category_row)?
        .collect::<rusqlite::Result<_>>()?)
}

pub fn list_deleted(conn: &Connection, user_id: i64) -> BillsResult<Vec<Category>> {
    let sql = format!(
        "{SELECT} WHERE c.user_id = ?1 AND c.deleted_at IS NOT NULL ORDER BY c.deleted_at DESC"
    );
    let mut stmt = conn.prepare(&sql)?;
    Ok(stmt
        .query_map([user_id], category_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// A live category of the user.
pub fn get(conn: &Connection, user_id: i64, id: i64) -> BillsResult<Category> {
    let sql = format!("{SELECT} WHERE c.id = ?1 AND c.user_id = ?2 AND c.deleted_at IS NULL");
    conn.query_row(&sql, params![id, user_id], category_row)
        .optional()?
        .ok_or(BillsError::NotFound("the category"))
}

/// Checks that a category id is one of the user's live categories.
pub fn check_owned(conn: &Connection, user_id: i64, id: i64) -> BillsResult<()> {
    get(conn, user_id, id)
        .map(|_| ())
        .map_err(|_| BillsError::invalid("category_id", "unknown category"))
}

fn name_taken(
    conn: &Connection,
    user_id: i64,
    name: &str,
    except: Option<i64>,
) -> BillsResult<bool> {
    Ok(conn.query_row(
        r#"
        SELECT EXISTS (
            SELECT 1 FROM categories
            WHERE user_id = ?1 AND name = ?2 COLLATE NOCASE AND deleted_at IS NULL AND id IS NOT ?3
        )
        "#,
        params![user_id, name, except],
        |r| r.get(0),
    )?)
}

pub fn create(tx: &Transaction<'_>, user_id: i64, input: CategoryInput) -> BillsResult<Category> {
    let name = clean_name(
        input
            .name
            .as_deref()
            .ok_or_else(|| BillsError::invalid("name", "a category needs a name"))?,
    )?;
    if name_taken(tx, user_id, &name, None)? {
        return Err(BillsError::Conflict {
            code: "NAME_TAKEN",
            message: format!("you already have a category named {name:?}"),
        });
    }
    let color = clean_color(input.color.as_deref().unwrap_or("#868e96"))?;
    let icon = clean_icon(input.icon.flatten())?;
    tx.execute(
        r#"
        INSERT INTO categories (user_id, name, color, icon, counts_toward_spending, created_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        "#,
        params![
            user_id,
            name,
            color,
            icon,
            input.counts_toward_spending.unwrap_or(true),
            now_text()
        ],
    )?;
    get(tx, user_id, tx.last_insert_rowid())
}

/// Changes the given fields; every field is checked before anything is written.
pub fn update(
    tx: &Transaction<'_>,
    user_id: i64,
    id: i64,
    input: CategoryInput,
) -> BillsResult<Category> {
    let current = get(tx, user_id, id)?;
    let name = match input.name {
        Some(name) => {
            let name = clean_name(&name)?;
            if name_taken(tx, user_id, &name, Some(id))? {
                return Err(BillsError::Conflict {
                    code: "NAME_TAKEN",
                    message: format!("you already have a category named {name:?}"),
                });
            }
            name
        }
        None => current.name,
    };
    let color = match input.color {
        Some(color) => clean_color(&color)?,
        None => current.color,
    };
    let icon = match input.icon {
        Some(icon) => clean_icon(icon)?,
        None => current.icon,
    };

    tx.execute(
        r#"
        UPDATE categories
        SET name = ?2, color = ?3, icon = ?4, counts_toward_spending = ?5
        WHERE id = ?1
        "#,
        params![
            id,
            name,
            color,
            icon,
            input
                .counts_toward_spending
                .unwrap_or(current.counts_toward_spending)
        ],
    )?;
    get(tx, user_id, id)
}

pub fn delete(tx: &Transaction<'_>, user_id: i64, id: i64) -> BillsResult<()> {
    get(tx, user_id, id)?;
    tx.execute(
        "UPDATE categories SET deleted_at = ?2 WHERE id = ?1",
        params![id, now_text()],
    )?;
    Ok(())
}

pub fn restore(tx: &Transaction<'_>, user_id: i64, id: i64) -> BillsResult<Category> {
    let found: Option<(String, String)> = tx
        .query_row(
            "SELECT name, deleted_at FROM categories WHERE id = ?1 AND user_id = ?2 AND deleted_at IS NOT NULL",
            params![id, user_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((name, deleted_at)) = found else {
        return Err(BillsError::NotFound("the deleted category"));
    };
    if days_left(&deleted_at) == 0 {
        return Err(BillsError::NotFound("the deleted category"));
    }
    if name_taken(tx, user_id, &name, Some(id))? {
        return Err(BillsError::Conflict {
            code: "NAME_TAKEN",
            message: format!("another category is named {name:?} now; rename it first"),
        });
    }
    tx.execute(
        "UPDATE categories SET deleted_at = NULL WHERE id = ?1",
        [id],
    )?;
    get(tx, user_id, id)
}
