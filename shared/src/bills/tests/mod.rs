//! Tests of the bills domain over a real SQLite database: the project's
//! pool and migrations on a file in a temporary data directory.

mod anchor;
mod fixed_month;
mod schedule_change;

use jiff::civil::Date;
use rusqlite::Transaction;

use crate::bills::bills::{self, BillInput};
use crate::bills::cycle::Cycle;
use crate::bills::payments::{self, PaymentInput, Source};
use crate::bills::tracker::{Override, Row, Tracker};
use crate::db::{Db, PooledConnection};
use crate::paths::DataDir;

/// A migrated database file in WAL mode, opened through the pool.
pub struct TestDb {
    _tmp: tempfile::TempDir,
    pub db: Db,
}

impl TestDb {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        let db = Db::open(&data, 2).unwrap();
        crate::migrate::migrate(&mut db.get().unwrap()).unwrap();
        TestDb { _tmp: tmp, db }
    }

    pub fn conn(&self) -> PooledConnection {
        self.db.get().unwrap()
    }

    /// Runs `f` in a transaction and commits it.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> T) -> T {
        let mut conn = self.conn();
        let tx = conn.transaction().unwrap();
        let value = f(&tx);
        tx.commit().unwrap();
        value
    }

    pub fn user(&self, name: &str) -> i64 {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO users (username, role, created_at) VALUES (?1, 'user', '2026-01-01T00:00:00.000Z')",
                [name],
            )
            .unwrap();
            tx.last_insert_rowid()
        })
    }

    pub fn tracker(&self, user: i64, year: i16, month: i8, today: Date) -> Tracker {
        crate::bills::tracker_for(&self.conn(), user, year, month, today).unwrap()
    }
}

/// A bill with a name, amount and cycle, changed by `more`.
pub fn input(name: &str, cents: i64, cycle: Cycle, more: impl FnOnce(&mut BillInput)) -> BillInput {
    let mut input = BillInput {
        name: Some(name.into()),
        amount_cents: Some(cents),
        cycle: Some(cycle),
        ..BillInput::default()
    };
    more(&mut input);
    input
}

/// A monthly (or longer) bill due on `day`, first due on `anchor`.
pub fn on_day(day: i64, anchor: Date) -> impl FnOnce(&mut BillInput) {
    move |input| {
        input.due_day = Some(Some(day));
        input.anchor_date = Some(anchor);
    }
}

pub fn create_bill(tx: &Transaction<'_>, user: i64, input: BillInput, today: Date) -> i64 {
    bills::create(tx, user, input, today).unwrap().id
}

pub fn pay(
    tx: &Transaction<'_>,
    user: i64,
    (bill, due): (i64, Date),
    cents: i64,
    paid_on: Date,
    today: Date,
) -> i64 {
    let input = PaymentInput {
        bill_id: Some(bill),
        due_date: Some(due),
        amount_cents: Some(cents),
        paid_on: Some(paid_on),
        ..PaymentInput::default()
    };
    payments::create(tx, user, input, Source::Manual, today)
        .unwrap()
        .id
}

pub fn set_override(
    tx: &Transaction<'_>,
    user: i64,
    (bill, due): (i64, Date),
    value: Override,
    today: Date,
) {
    payments::set_override(tx, user, bill, due, value, today).unwrap();
}

/// Every row of a bill in a tracker.
pub fn rows_of(tracker: &Tracker, bill: i64) -> Vec<&Row> {
    tracker
        .buckets
        .iter()
        .flat_map(|b| &b.rows)
        .filter(|r| r.bill_id == bill)
        .collect()
}

/// The one row of a bill in a tracker.
pub fn row_of(tracker: &Tracker, bill: i64) -> &Row {
    let rows = rows_of(tracker, bill);
    assert_eq!(rows.len(), 1, "one row of bill {bill}: {rows:#?}");
    rows[0]
}
