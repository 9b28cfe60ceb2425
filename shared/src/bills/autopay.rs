//! Autopay: the daily run records a payment for every autopay occurrence
//! that came due without one. The user can edit or undo it; an undone
//! (deleted) autopay payment is not recorded again. The user can also mark
//! it as failed (the bank did not pay): the payment is removed, the
//! occurrence is owed again, and the daily run leaves it alone for good.

use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::{Connection, Transaction, params};

use super::error::{BillsError, BillsResult};
use super::payments::{self, PaymentInput, Source};
use super::tracker::{AutopayMarks, Row};
use super::{bills, tracker};
use crate::time::now_text;

/// Records autopay payments for occurrences due from `since` to `today`;
/// returns how many were recorded.
pub fn record_due(tx: &Transaction<'_>, since: Date, today: Date) -> BillsResult<usize> {
    let mut stmt = tx.prepare(
        r#"
        SELECT DISTINCT b.user_id
        FROM bills b
        JOIN users u ON u.id = b.user_id
        WHERE b.autopay = 1 AND b.deleted_at IS NULL AND u.active = 1
        "#,
    )?;
    let owners: Vec<i64> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    drop(stmt);

    let mut recorded = 0;
    for user_id in owners {
        let autopay_bills: Vec<_> = bills::tracked(tx, user_id, today)?
            .into_iter()
            .filter(|b| b.autopay)
            .collect();
        let (paid, overrides) = payments::records(tx, user_id, since, today)?;
        let on_record = tracker::Recorded::new(&paid, &overrides);
        let marks = marks(tx, user_id, since, today)?;
        for bill in &autopay_bills {
            for due in tracker::visible_occurrences(bill, since, today, &paid, &on_record) {
                let row = tracker::row(bill, due, today, &paid, &overrides);
                if row.skipped || row.payment_count > 0 || row.remaining_cents == 0 {
                    continue;
                }
                // The bank did not pay this one; the mark outlives the purged payment.
                if marks.get(&(bill.id, due)).is_some_and(|m| m.failed) {
                    continue;
                }
                // Any payment ever recorded for it (an undone autopay included) wins.
                let ever_paid: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM payments WHERE bill_id = ?1 AND due_date = ?2)",
                    params![bill.id, due.to_string()],
                    |r| r.get(0),
                )?;
                if ever_paid {
                    continue;
                }
                payments::create(
                    tx,
                    user_id,
                    PaymentInput {
                        bill_id: Some(bill.id),
                        due_date: Some(due),
                        amount_cents: Some(row.remaining_cents),
                        paid_on: Some(due),
                        method: Some(payments::Method::Autopay),
                        note: None,
                    },
                    Source::Autopay,
                    today,
                )?;
                recorded += 1;
            }
        }
    }
    Ok(recorded)
}

/// Where autopay catches up from when there is no earlier run.
pub fn first_window(today: Date) -> Date {
    today.checked_sub(31.days()).unwrap_or(today)
}

/// Autopay of the user's occurrences with due dates in `[from, to]`: the
/// live autopay payment of each, and which the user marked as failed.
pub fn marks(conn: &Connection, user_id: i64, from: Date, to: Date) -> BillsResult<AutopayMarks> {
    let range = params![user_id, from.to_string(), to.to_string()];
    let mut all = AutopayMarks::new();

    let mut stmt = conn.prepare_cached(
        r#"
        SELECT bill_id, due_date, max(id)
        FROM payments
        WHERE user_id = ?1 AND source = 'autopay' AND deleted_at IS NULL
          AND due_date >= ?2 AND due_date <= ?3
        GROUP BY bill_id, due_date
        "#,
    )?;
    let paid = stmt.query_map(range, |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })?;
    for row in paid {
        let (bill, due, id) = row?;
        if let Ok(due) = due.parse() {
            all.entry((bill, due)).or_default().payment_id = Some(id);
        }
    }

    let mut stmt = conn.prepare_cached(
        r#"
        SELECT f.bill_id, f.due_date
        FROM autopay_failures f
        JOIN bills b ON b.id = f.bill_id
        WHERE b.user_id = ?1 AND f.due_date >= ?2 AND f.due_date <= ?3
        "#,
    )?;
    let failed = stmt.query_map(range, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in failed {
        let (bill, due) = row?;
        if let Ok(due) = due.parse() {
            all.entry((bill, due)).or_default().failed = true;
        }
    }
    Ok(all)
}

/// Marks an autopay payment as failed: the bank did not pay. The payment
/// is deleted (soft, so restoring it undoes this and clears the mark), and
/// the occurrence is marked so that the daily run never records autopay
/// for it again. Only a live payment with source `autopay` of one of the
/// user's live bills qualifies. Returns the occurrence's tracker row.
pub fn mark_failed(
    tx: &Transaction<'_>,
    user_id: i64,
    payment_id: i64,
    today: Date,
) -> BillsResult<Row> {
    let payment = payments::get(tx, user_id, payment_id)?;
    if payment.source != Source::Autopay {
        return Err(BillsError::Conflict {
            code: "NOT_AUTOPAY",
            message: "only a payment recorded by autopay can be marked as failed; \
                      delete this payment instead"
                .into(),
        });
    }

    payments::delete_many(tx, user_id, &[payment_id])?;
    tx.execute(
        r#"
        INSERT INTO autopay_failures (bill_id, due_date, payment_id, marked_at)
        VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (bill_id, due_date) DO UPDATE SET
            payment_id = excluded.payment_id, marked_at = excluded.marked_at
        "#,
        params![
            payment.bill_id,
            payment.due_date.to_string(),
            payment_id,
            now_text()
        ],
    )?;

    payments::row_of(tx, user_id, payment.bill_id, payment.due_date, today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bills::bills::BillInput;
    use crate::bills::cycle::Cycle;
    use crate::bills::status::Status;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 3, 10);
    const DUE: Date = date(2026, 3, 3);

    fn database() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        conn
    }

    fn user(conn: &Connection, name: &str) -> i64 {
        conn.execute(
            "INSERT INTO users (username, role, created_at) VALUES (?1, 'user', '2026-01-01T00:00:00.000Z')",
            [name],
        )
        .unwrap();
        conn.last_insert_rowid()
    }

    /// A monthly autopay bill due on the 3rd.
    fn autopay_bill(tx: &Transaction<'_>, user: i64, name: &str) -> i64 {
        let input = BillInput {
            name: Some(name.into()),
            amount_cents: Some(5_000),
            cycle: Some(Cycle::Monthly),
            due_day: Some(Some(3)),
            anchor_date: Some(date(2026, 1, 3)),
            autopay: Some(true),
            ..BillInput::default()
        };
        bills::create(tx, user, input, TODAY).unwrap().id
    }

    fn run_daily(tx: &Transaction<'_>) -> usize {
        record_due(tx, date(2026, 3, 1), TODAY).unwrap()
    }

    fn the_row(tx: &Transaction<'_>, user: i64, bill: i64) -> Row {
        payments::occurrence_row(tx, user, bill, DUE, TODAY).unwrap()
    }

    /// Removes the payment row for good, as the purge does after 30 days.
    fn purge_payment(tx: &Transaction<'_>, id: i64) {
        tx.execute("DELETE FROM payments WHERE id = ?1", [id])
            .unwrap();
    }

    #[test]
    fn a_failed_autopay_is_owed_again_late_and_marked() {
        let mut conn = database();
        let alice = user(&conn, "alice");
        let tx = conn.transaction().unwrap();
        let bill = autopay_bill(&tx, alice, "Phone");
        assert_eq!(run_daily(&tx), 1);
        let paid = the_row(&tx, alice, bill);
        assert_eq!(paid.status, Status::Paid);
        let payment = paid.autopay_payment_id.expect("the autopay payment");
        assert!(!paid.autopay_failed);

        let row = mark_failed(&tx, alice, payment, TODAY).unwrap();

        assert_eq!(row.status, Status::Late);
        assert_eq!(row.payment_count, 0);
        assert_eq!(row.remaining_cents, 5_000);
        assert!(row.autopay_failed);
        assert_eq!(row.autopay_payment_id, None);
        let tracker = crate::bills::tracker_for(&tx, alice, 2026, 3, TODAY).unwrap();
        assert_eq!(tracker.totals.overdue_count, 1);
        assert!(tracker.buckets[0].rows[0].autopay_failed);
        assert!(matches!(
            payments::get(&tx, alice, payment),
            Err(BillsError::NotFound(_))
        ));
    }

    #[test]
    fn only_a_live_autopay_payment_of_the_users_own_live_bill_can_fail() {
        let mut conn = database();
        let alice = user(&conn, "alice");
        let bob = user(&conn, "bob");
        let tx = conn.transaction().unwrap();
        let bill = autopay_bill(&tx, alice, "Phone");
        run_daily(&tx);
        let autopay = the_row(&tx, alice, bill).autopay_payment_id.unwrap();
        let manual = payments::create(
            &tx,
            alice,
            PaymentInput {
                bill_id: Some(bill),
                due_date: Some(DUE),
                amount_cents: Some(100),
                ..PaymentInput::default()
            },
            Source::Manual,
            TODAY,
        )
        .unwrap();

        assert!(matches!(
            mark_failed(&tx, alice, manual.id, TODAY),
            Err(BillsError::Conflict {
                code: "NOT_AUTOPAY",
                ..
            })
        ));
        assert!(matches!(
            mark_failed(&tx, bob, autopay, TODAY),
            Err(BillsError::NotFound(_))
        ));
        assert!(matches!(
            mark_failed(&tx, alice, 9_999, TODAY),
            Err(BillsError::NotFound(_))
        ));
        bills::delete(&tx, alice, bill, TODAY).unwrap();
        assert!(
            matches!(
                mark_failed(&tx, alice, autopay, TODAY),
                Err(BillsError::NotFound(_))
            ),
            "a deleted bill's payment"
        );
        bills::restore(&tx, alice, bill, TODAY).unwrap();
        mark_failed(&tx, alice, autopay, TODAY).unwrap();
        assert!(
            matches!(
                mark_failed(&tx, alice, autopay, TODAY),
                Err(BillsError::NotFound(_))
            ),
            "twice"
        );
    }

    #[test]
    fn the_daily_run_never_records_a_failed_autopay_again_even_once_purged() {
        let mut conn = database();
        let alice = user(&conn, "alice");
        let tx = conn.transaction().unwrap();
        let failed = autopay_bill(&tx, alice, "Phone");
        let undone = autopay_bill(&tx, alice, "Power");
        assert_eq!(run_daily(&tx), 2);
        let failed_payment = the_row(&tx, alice, failed).autopay_payment_id.unwrap();
        let undone_payment = the_row(&tx, alice, undone).autopay_payment_id.unwrap();
        mark_failed(&tx, alice, failed_payment, TODAY).unwrap();
        payments::delete_many(&tx, alice, &[undone_payment]).unwrap();
        assert_eq!(run_daily(&tx), 0, "the removed payments are still kept");

        purge_payment(&tx, failed_payment);
        purge_payment(&tx, undone_payment);
        assert_eq!(
            run_daily(&tx),
            1,
            "only the occurrence without a mark is recorded again"
        );

        let row = the_row(&tx, alice, failed);
        assert_eq!(row.payment_count, 0);
        assert!(row.autopay_failed, "the mark outlives the purged payment");
        assert_eq!(the_row(&tx, alice, undone).payment_count, 1);
    }

    #[test]
    fn restoring_the_failed_payment_clears_the_mark() {
        let mut conn = database();
        let alice = user(&conn, "alice");
        let tx = conn.transaction().unwrap();
        let bill = autopay_bill(&tx, alice, "Phone");
        run_daily(&tx);
        let payment = the_row(&tx, alice, bill).autopay_payment_id.unwrap();
        mark_failed(&tx, alice, payment, TODAY).unwrap();

        payments::restore_many(&tx, alice, &[payment]).unwrap();

        let row = the_row(&tx, alice, bill);
        assert_eq!(row.status, Status::Paid);
        assert!(!row.autopay_failed);
        assert_eq!(row.autopay_payment_id, Some(payment));
    }

    #[test]
    fn a_failed_autopay_can_be_paid_by_hand() {
        let mut conn = database();
        let alice = user(&conn, "alice");
        let tx = conn.transaction().unwrap();
        let bill = autopay_bill(&tx, alice, "Phone");
        run_daily(&tx);
        let payment = the_row(&tx, alice, bill).autopay_payment_id.unwrap();
        mark_failed(&tx, alice, payment, TODAY).unwrap();

        let paid = payments::quick_pay(&tx, alice, bill, DUE, None, TODAY).unwrap();

        assert_eq!(paid.source, Source::Manual);
        assert_eq!(paid.amount_cents, 5_000);
        let row = the_row(&tx, alice, bill);
        assert_eq!(row.status, Status::Paid);
        assert!(row.autopay_failed, "the row still says what happened");
        assert_eq!(row.autopay_payment_id, None, "nothing to mark as failed");
    }
}
