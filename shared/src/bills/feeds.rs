//! iCal feeds: a secret URL per feed whose token is stored only as its
//! SHA-256, the calendar served at that URL (see [`super::ical`]) and the
//! preview of its next events.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use utoipa::ToSchema;

use super::calendar::{feed_window, occurrences_between};
use super::error::{BillsError, BillsResult};
use super::ical::{render, summary_line};
use crate::accounts::sessions::{hash_token, new_token};
use crate::time::{self, now_text};

/// The most feeds a user may have at once.
pub const MAX_FEEDS: i64 = 20;
/// The longest feed label, in characters.
pub const MAX_LABEL_CHARS: usize = 80;
/// How often a fetch is recorded at most.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// A feed as its owner sees it: never its URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Feed {
    pub id: i64,
    pub label: Option<String>,
    pub created_at: String,
    pub last_fetched_at: Option<String>,
}

/// A feed found by the token of its URL.
#[derive(Debug, Clone)]
pub struct FeedAccess {
    pub id: i64,
    pub user_id: i64,
    pub label: Option<String>,
    /// Whether this fetch should be recorded (the last is a minute old).
    pub due_for_touch: bool,
}

const SELECT: &str = "SELECT id, label, created_at, last_fetched_at FROM calendar_feeds";

fn feed_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Feed> {
    Ok(Feed {
        id: r.get(0)?,
        label: r.get(1)?,
        created_at: r.get(2)?,
        last_fetched_at: r.get(3)?,
    })
}

/// The user's feeds, oldest first.
pub fn list(conn: &Connection, user_id: i64) -> BillsResult<Vec<Feed>> {
    let mut stmt = conn.prepare(&format!("{SELECT} WHERE user_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([user_id], feed_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One of the user's feeds.
pub fn get(conn: &Connection, user_id: i64, id: i64) -> BillsResult<Feed> {
    conn.query_row(
        &format!("{SELECT} WHERE id = ?1 AND user_id = ?2"),
        params![id, user_id],
        feed_row,
    )
    .optional()?
    .ok_or(BillsError::NotFound("the calendar feed"))
}

fn clean_label(label: Option<String>) -> BillsResult<Option<String>> {
    let label = label
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    if label
        .as_ref()
        .is_some_and(|l| l.chars().count() > MAX_LABEL_CHARS || l.chars().any(char::is_control))
    {
        return Err(BillsError::invalid(
            "label",
            format!("a label has at most {MAX_LABEL_CHARS} characters on one line"),
        ));
    }
    Ok(label)
}

/// Creates a feed; returns it with the token of its URL (shown this once).
pub fn create(
    tx: &Transaction<'_>,
    user_id: i64,
    label: Option<String>,
) -> BillsResult<(Feed, String)> {
    let label = clean_label(label)?;
    let count: i64 = tx.query_row(
        "SELECT count(*) FROM calendar_feeds WHERE user_id = ?1",
        [user_id],
        |r| r.get(0),
    )?;
    if count >= MAX_FEEDS {
        return Err(BillsError::Conflict {
            code: "TOO_MANY_FEEDS",
            message: format!("you have {MAX_FEEDS} calendar feeds; revoke one first"),
        });
    }

    let token = new_token();
    tx.execute(
        "INSERT INTO calendar_feeds (user_id, label, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![user_id, label, hash_token(&token), now_text()],
    )?;
    Ok((get(tx, user_id, tx.last_insert_rowid())?, token))
}

/// Gives a feed a new token: the old URL stops working at once.
pub fn regenerate(tx: &Transaction<'_>, user_id: i64, id: i64) -> BillsResult<(Feed, String)> {
    get(tx, user_id, id)?;
    let token = new_token();
    tx.execute(
        "UPDATE calendar_feeds SET token_hash = ?3 WHERE id = ?1 AND user_id = ?2",
        params![id, user_id, hash_token(&token)],
    )?;
    Ok((get(tx, user_id, id)?, token))
}

/// Revokes a feed.
pub fn delete(tx: &Transaction<'_>, user_id: i64, id: i64) -> BillsResult<()> {
    let deleted = tx.execute(
        "DELETE FROM calendar_feeds WHERE id = ?1 AND user_id = ?2",
        params![id, user_id],
    )?;
    if deleted == 0 {
        return Err(BillsError::NotFound("the calendar feed"));
    }
    Ok(())
}

/// The feed of a URL token, if it is live and its owner may sign in.
pub fn by_token(conn: &Connection, token: &str, now: Timestamp) -> BillsResult<Option<FeedAccess>> {
    let found = conn
        .query_row(
            r#"
            SELECT f.id, f.user_id, f.label, f.last_fetched_at
            FROM calendar_feeds f
            JOIN users u ON u.id = f.user_id
            WHERE f.token_hash = ?1 AND u.active = 1
            "#,
            [hash_token(token)],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            },
        )
        .optional()?;
    Ok(found.map(|(id, user_id, label, last)| FeedAccess {
        id,
        user_id,
        label,
        due_for_touch: last
            .as_deref()
            .and_then(time::parse)
            .is_none_or(|last| now.duration_since(last) >= TOUCH_EVERY),
    }))
}

/// Records a fetch, unless one was recorded less than a minute ago.
pub fn touch(tx: &Transaction<'_>, id: i64, now: Timestamp) -> BillsResult<()> {
    let stale = now
        .checked_sub(TOUCH_EVERY)
        .map(time::format)
        .unwrap_or_default();
    tx.execute(
        r#"
        UPDATE calendar_feeds SET last_fetched_at = ?2
        WHERE id = ?1 AND (last_fetched_at IS NULL OR last_fetched_at <= ?3)
        "#,
        params![id, time::format(now), stale],
    )?;
    Ok(())
}

/// An upcoming event of a feed, for the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PreviewEvent {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub summary: String,
    pub bill_id: i64,
}

/// The next `count` events of the user's feeds, from today on.
pub fn preview(
    conn: &Connection,
    user_id: i64,
    today: Date,
    currency: &str,
    count: usize,
) -> BillsResult<Vec<PreviewEvent>> {
    let (_, to) = feed_window(today);
    Ok(occurrences_between(conn, user_id, today, to, today)?
        .into_iter()
        .take(count)
        .map(|row| PreviewEvent {
            date: row.due_date,
            summary: summary_line(&row, currency),
            bill_id: row.bill_id,
        })
        .collect())
}

/// The calendar of a feed's owner as RFC 5545 text.
pub fn calendar_text(
    conn: &Connection,
    feed: &FeedAccess,
    today: Date,
    now: Timestamp,
    currency: &str,
) -> BillsResult<String> {
    let (from, to) = feed_window(today);
    let rows = occurrences_between(conn, feed.user_id, from, to, today)?;
    let name = match &feed.label {
        Some(label) => format!("BillTracker: {label}"),
        None => "BillTracker".to_string(),
    };
    Ok(render(&rows, &name, currency, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fetch_is_recorded_at_most_once_a_minute_and_regenerate_ends_the_old_token() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO users (username, role, created_at) VALUES ('u', 'user', '2026-01-01T00:00:00.000Z')",
            [],
        )
        .unwrap();
        let user = conn.last_insert_rowid();
        let tx = conn.transaction().unwrap();
        let (feed, token) = create(&tx, user, Some("  Phone  ".into())).unwrap();
        assert_eq!(feed.label.as_deref(), Some("Phone"));

        let now: Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        let later = |secs: i64| now.checked_add(SignedDuration::from_secs(secs)).unwrap();
        assert!(by_token(&tx, &token, now).unwrap().unwrap().due_for_touch);
        touch(&tx, feed.id, now).unwrap();
        assert!(
            !by_token(&tx, &token, later(30))
                .unwrap()
                .unwrap()
                .due_for_touch
        );
        touch(&tx, feed.id, later(30)).unwrap();
        assert_eq!(
            get(&tx, user, feed.id).unwrap().last_fetched_at,
            Some(time::format(now))
        );
        assert!(
            by_token(&tx, &token, later(61))
                .unwrap()
                .unwrap()
                .due_for_touch
        );

        let (_, fresh) = regenerate(&tx, user, feed.id).unwrap();
        assert!(by_token(&tx, &token, now).unwrap().is_none());
        assert!(by_token(&tx, &fresh, now).unwrap().is_some());
        assert!(matches!(
            regenerate(&tx, user + 1, feed.id),
            Err(BillsError::NotFound(_))
        ));
    }
}
