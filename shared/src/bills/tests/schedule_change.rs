//! A bill's schedule changes (due day, first due date, cycle, end date):
//! occurrences with a payment or a month override stay where they were.

use jiff::civil::{Date, date};

use super::*;
use crate::bills::bills::BillInput;
use crate::bills::status::Status;
use crate::bills::tracker::{self, Bucket, Overrides, PaidByOccurrence, TrackedBill};

const TODAY: Date = date(2026, 3, 10);

fn edit(db: &TestDb, user: i64, bill: i64, change: impl FnOnce(&mut BillInput)) {
    let mut input = BillInput::default();
    change(&mut input);
    db.write(|tx| bills::update(tx, user, bill, input, TODAY).unwrap());
}

#[test]
fn a_paid_month_stays_paid_after_the_due_day_moves() {
    let db = TestDb::new();
    let alice = db.user("alice");
    let rent = db.write(|tx| {
        let rent = create_bill(
            tx,
            alice,
            input("Rent", 1_000, Cycle::Monthly, on_day(5, date(2025, 11, 5))),
            TODAY,
        );
        pay(
            tx,
            alice,
            (rent, date(2026, 1, 5)),
            1_000,
            date(2026, 1, 5),
            TODAY,
        );
        set_override(
            tx,
            alice,
            (rent, date(2026, 2, 5)),
            Override {
                amount_cents: Some(700),
                ..Override::default()
            },
            TODAY,
        );
        rent
    });
    let january = db.tracker(alice, 2026, 1, TODAY);
    let february = db.tracker(alice, 2026, 2, TODAY);

    edit(&db, alice, rent, |i| i.due_day = Some(Some(20)));

    let after = db.tracker(alice, 2026, 1, TODAY);
    assert_eq!(
        after.totals, january.totals,
        "January's totals are unchanged"
    );
    let paid = row_of(&after, rent);
    assert_eq!(
        (paid.due_date, paid.status),
        (date(2026, 1, 5), Status::Paid)
    );

    let after = db.tracker(alice, 2026, 2, TODAY);
    assert_eq!(after.totals, february.totals);
    let changed = row_of(&after, rent);
    assert_eq!(
        changed.due_date,
        date(2026, 2, 5),
        "the month override stays"
    );
    assert_eq!(changed.amount_due_cents, 700);

    // Months without a record follow the new schedule.
    for (year, month, day) in [(2025, 11, 20), (2025, 12, 20), (2026, 3, 20), (2026, 4, 20)] {
        let tracker = db.tracker(alice, year, month, TODAY);
        assert_eq!(row_of(&tracker, rent).due_date, date(year, month, day));
    }
    let march = db.tracker(alice, 2026, 3, TODAY);
    assert_eq!(row_of(&march, rent).status, Status::Upcoming);
}

#[test]
fn a_kept_occurrence_can_still_be_paid_and_a_payment_on_the_new_date_shows_too() {
    let db = TestDb::new();
    let alice = db.user("alice");
    let phone = db.write(|tx| {
        let phone = create_bill(
            tx,
            alice,
            input("Phone", 5_000, Cycle::Monthly, on_day(5, date(2026, 1, 5))),
            TODAY,
        );
        pay(
            tx,
            alice,
            (phone, date(2026, 2, 5)),
            2_000,
            date(2026, 2, 5),
            TODAY,
        );
        phone
    });
    edit(&db, alice, phone, |i| i.due_day = Some(Some(25)));

    // The rest of the partly paid occurrence of the old date.
    db.write(|tx| {
        payments::quick_pay(tx, alice, phone, date(2026, 2, 5), None, TODAY).unwrap();
    });
    let february = db.tracker(alice, 2026, 2, TODAY);
    let row = row_of(&february, phone);
    assert_eq!(
        (row.due_date, row.paid_cents, row.status),
        (date(2026, 2, 5), 5_000, Status::Paid)
    );

    // A date that carries nothing is still not a due date.
    let refused = db.write(|tx| {
        let input = PaymentInput {
            bill_id: Some(phone),
            due_date: Some(date(2026, 2, 6)),
            amount_cents: Some(1),
            ..PaymentInput::default()
        };
        payments::create(tx, alice, input, Source::Manual, TODAY).unwrap_err()
    });
    assert!(
        matches!(
            refused,
            crate::bills::BillsError::Invalid {
                field: "due_date",
                ..
            }
        ),
        "{refused:?}"
    );

    // Paying the new schedule's date of that month on purpose shows both.
    db.write(|tx| pay(tx, alice, (phone, date(2026, 2, 25)), 5_000, TODAY, TODAY));
    let february = db.tracker(alice, 2026, 2, TODAY);
    let dates: Vec<Date> = rows_of(&february, phone)
        .iter()
        .map(|r| r.due_date)
        .collect();
    assert_eq!(dates, vec![date(2026, 2, 5), date(2026, 2, 25)]);
    assert_eq!(
        february.totals.paid_cents, 10_000,
        "each payment counted once"
    );
}

#[test]
fn removing_the_payments_of_a_kept_occurrence_brings_the_new_date_back() {
    let db = TestDb::new();
    let alice = db.user("alice");
    let gym = db.write(|tx| {
        let gym = create_bill(
            tx,
            alice,
            input("Gym", 3_000, Cycle::Monthly, on_day(1, date(2026, 1, 1))),
            TODAY,
        );
        pay(
            tx,
            alice,
            (gym, date(2026, 2, 1)),
            3_000,
            date(2026, 2, 1),
            TODAY,
        );
        gym
    });
    edit(&db, alice, gym, |i| i.due_day = Some(Some(15)));
    db.write(|tx| payments::delete_of_occurrence(tx, alice, gym, date(2026, 2, 1), TODAY).unwrap());

    let february = db.tracker(alice, 2026, 2, TODAY);
    let row = row_of(&february, gym);
    assert_eq!(
        (row.due_date, row.status),
        (date(2026, 2, 15), Status::Missed)
    );
}

#[test]
fn the_feed_overdue_panel_and_pay_all_due_see_kept_occurrences() {
    let db = TestDb::new();
    let alice = db.user("alice");
    let power = db.write(|tx| {
        let power = create_bill(
            tx,
            alice,
            input("Power", 9_000, Cycle::Monthly, on_day(2, date(2026, 1, 2))),
            TODAY,
        );
        pay(
            tx,
            alice,
            (power, date(2026, 2, 2)),
            4_000,
            date(2026, 2, 2),
            TODAY,
        );
        pay(
            tx,
            alice,
            (power, date(2026, 3, 2)),
            9_000,
            date(2026, 3, 2),
            TODAY,
        );
        power
    });
    edit(&db, alice, power, |i| i.due_day = Some(Some(6)));

    let overdue = crate::bills::overdue_for(&db.conn(), alice, TODAY).unwrap();
    let owed: Vec<(Date, i64)> = overdue
        .iter()
        .map(|r| (r.due_date, r.remaining_cents))
        .collect();
    assert_eq!(
        owed,
        vec![(date(2026, 1, 6), 9_000), (date(2026, 2, 2), 5_000)]
    );

    let due = db.write(|tx| {
        payments::pay_all_due(tx, alice, (2026, 3), Bucket::First, true, TODAY).unwrap()
    });
    assert_eq!(due.count, 0, "March was paid on its old date: {due:?}");

    let (from, to) = (date(2026, 1, 1), date(2026, 3, 31));
    let feed =
        crate::bills::calendar::occurrences_between(&db.conn(), alice, from, to, TODAY).unwrap();
    let dates: Vec<Date> = feed.iter().map(|r| r.due_date).collect();
    assert_eq!(
        dates,
        vec![date(2026, 1, 6), date(2026, 2, 2), date(2026, 3, 2)]
    );
}

fn weekly(anchor: Date) -> TrackedBill {
    TrackedBill {
        id: 1,
        name: "Lunch".into(),
        category_id: None,
        amount_cents: 1_000,
        bucket: Bucket::Other,
        autopay: false,
        schedule: crate::bills::cycle::Schedule {
            cycle: Cycle::Weekly,
            due_day: None,
            anchor,
            end: None,
        },
        inactive_from: None,
    }
}

#[test]
fn a_paid_week_stands_in_for_the_nearest_new_date_also_across_a_month_end() {
    // Paid on Mondays, then moved to Wednesdays (first due 2026-01-07).
    let bill = weekly(date(2026, 1, 7));
    let mut paid = PaidByOccurrence::new();
    for monday in [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 30)] {
        paid.insert((1, monday), (1_000, 1));
    }
    let overrides = Overrides::new();
    let dates = |year, month| -> Vec<Date> {
        let t = tracker::month(
            year,
            month,
            TODAY,
            std::slice::from_ref(&bill),
            &paid,
            &overrides,
        )
        .unwrap();
        rows_of(&t, 1).iter().map(|r| r.due_date).collect()
    };

    assert_eq!(
        dates(2026, 3),
        vec![
            date(2026, 3, 2),
            date(2026, 3, 9),
            date(2026, 3, 18),
            date(2026, 3, 25),
            date(2026, 3, 30),
        ]
    );
    assert_eq!(
        dates(2026, 4),
        vec![
            date(2026, 4, 8),
            date(2026, 4, 15),
            date(2026, 4, 22),
            date(2026, 4, 29)
        ],
        "Wednesday April 1st is the week paid on Monday March 30th"
    );
}
