//! The first due date (anchor) and the due day of a month-based bill agree.

use jiff::civil::{Date, date};

use super::*;
use crate::bills::BillsError;
use crate::bills::bills::Bill;

const TODAY: Date = date(2026, 3, 10);

fn create(db: &TestDb, user: i64, input: BillInput) -> Result<Bill, BillsError> {
    db.write(|tx| bills::create(tx, user, input, TODAY))
}

fn field(error: BillsError) -> String {
    match error {
        BillsError::Invalid { field, .. } => field.to_string(),
        other => panic!("not a refused field: {other:?}"),
    }
}

#[test]
fn a_first_due_date_off_the_due_day_is_refused_naming_it() {
    let db = TestDb::new();
    let alice = db.user("alice");
    let off = input("Rent", 1_000, Cycle::Monthly, on_day(10, date(2026, 1, 20)));
    assert_eq!(field(create(&db, alice, off).unwrap_err()), "anchor_date");
    let count: i64 = db
        .conn()
        .query_row("SELECT count(*) FROM bills", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0);

    // The last day of a shorter month is the 31st's due date.
    let clamped = input("Car", 1_000, Cycle::Monthly, on_day(31, date(2026, 2, 28)));
    let car = create(&db, alice, clamped).unwrap();
    assert_eq!(
        (car.due_day, car.anchor_date),
        (Some(31), date(2026, 2, 28))
    );
    assert_eq!(car.next_due_date, Some(date(2026, 3, 31)));
}

#[test]
fn one_of_the_two_given_sets_the_other() {
    let db = TestDb::new();
    let alice = db.user("alice");
    let by_anchor = create(
        &db,
        alice,
        input("Water", 1_000, Cycle::Quarterly, |i| {
            i.anchor_date = Some(date(2026, 1, 20))
        }),
    )
    .unwrap();
    assert_eq!(by_anchor.due_day, Some(20));
    let by_day = create(
        &db,
        alice,
        input("Gym", 1_000, Cycle::Monthly, |i| i.due_day = Some(Some(4))),
    )
    .unwrap();
    assert_eq!(by_day.anchor_date, date(2026, 3, 4), "first due this month");
}

#[test]
fn an_edit_moves_the_other_one_along() {
    let db = TestDb::new();
    let alice = db.user("alice");
    let bill = create(
        &db,
        alice,
        input("Rent", 1_000, Cycle::Monthly, on_day(10, date(2026, 1, 10))),
    )
    .unwrap();
    let edit = |change: BillInput| db.write(|tx| bills::update(tx, alice, bill.id, change, TODAY));

    // The editor sends every field; only the due day changed.
    let moved = edit(BillInput {
        due_day: Some(Some(31)),
        anchor_date: Some(date(2026, 1, 10)),
        ..BillInput::default()
    })
    .unwrap();
    assert_eq!(
        (moved.due_day, moved.anchor_date),
        (Some(31), date(2026, 1, 31))
    );

    // Only the first due date changed, to a day the due day does not give.
    let moved = edit(BillInput {
        due_day: Some(Some(31)),
        anchor_date: Some(date(2026, 2, 14)),
        ..BillInput::default()
    })
    .unwrap();
    assert_eq!(
        (moved.due_day, moved.anchor_date),
        (Some(14), date(2026, 2, 14))
    );

    // Both changed, and they disagree: refused, nothing written.
    let refused = edit(BillInput {
        due_day: Some(Some(3)),
        anchor_date: Some(date(2026, 2, 4)),
        ..BillInput::default()
    })
    .unwrap_err();
    assert_eq!(field(refused), "anchor_date");
    let kept = db
        .write(|tx| bills::get(tx, alice, bill.id, TODAY))
        .unwrap();
    assert_eq!(
        (kept.due_day, kept.anchor_date),
        (Some(14), date(2026, 2, 14))
    );
}
