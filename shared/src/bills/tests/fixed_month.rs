//! The tracker of a fixed data set on a fixed today, seeded through the
//! domain's own writes into a real database.

use jiff::civil::{Date, date};

use super::*;
use crate::bills::status::Status;
use crate::bills::tracker::{Bucket, Totals};

const TODAY: Date = date(2026, 3, 10);

struct Bills {
    rent: i64,
    phone: i64,
    power: i64,
    gym: i64,
    water: i64,
    insurance: i64,
    lunch: i64,
    car: i64,
    internet: i64,
    streaming: i64,
    daycare: i64,
}

/// The fixed data set; every due day has its first due date in January
/// 2026 unless the case needs another.
fn seed(db: &TestDb, user: i64) -> Bills {
    let jan = |day: i8| date(2026, 1, day);
    db.write(|tx| {
        let monthly = |name: &str, cents: i64, day: i8| {
            let input = input(name, cents, Cycle::Monthly, on_day(day.into(), jan(day)));
            create_bill(tx, user, input, TODAY)
        };
        let b = Bills {
            rent: monthly("Rent", 120_000, 1),
            phone: monthly("Phone", 5_000, 5),
            power: monthly("Power", 9_000, 3),
            gym: monthly("Gym", 3_000, 8),
            water: create_bill(
                tx,
                user,
                input(
                    "Water",
                    4_000,
                    Cycle::Quarterly,
                    on_day(20, date(2026, 3, 20)),
                ),
                TODAY,
            ),
            insurance: create_bill(
                tx,
                user,
                input("Insurance", 20_000, Cycle::Quarterly, on_day(20, jan(20))),
                TODAY,
            ),
            lunch: create_bill(
                tx,
                user,
                input("Lunch money", 1_000, Cycle::Weekly, |i| {
                    i.anchor_date = Some(date(2026, 3, 2));
                    i.bucket = Some(Bucket::Other);
                }),
                TODAY,
            ),
            car: monthly("Car", 30_000, 31),
            internet: monthly("Internet", 6_000, 10),
            streaming: monthly("Streaming", 1_500, 12),
            daycare: monthly("Daycare", 50_000, 2),
        };

        let march = |day: i8| date(2026, 3, day);
        pay(tx, user, (b.rent, march(1)), 120_000, march(1), TODAY);
        pay(
            tx,
            user,
            (b.rent, date(2026, 2, 1)),
            120_000,
            date(2026, 2, 3),
            TODAY,
        );
        pay(tx, user, (b.phone, march(5)), 2_000, march(6), TODAY);
        pay(tx, user, (b.gym, march(8)), 2_000, march(7), TODAY);
        pay(tx, user, (b.gym, march(8)), 1_500, march(8), TODAY);
        pay(tx, user, (b.lunch, march(2)), 1_000, march(2), TODAY);
        // Paid, then deleted: it counts nowhere.
        let deleted = pay(tx, user, (b.power, march(3)), 9_000, march(4), TODAY);
        payments::delete_many(tx, user, &[deleted]).unwrap();
        set_override(
            tx,
            user,
            (b.daycare, march(2)),
            Override {
                skipped: Some(true),
                ..Override::default()
            },
            TODAY,
        );
        set_override(
            tx,
            user,
            (b.streaming, march(12)),
            Override {
                amount_cents: Some(2_000),
                ..Override::default()
            },
            TODAY,
        );
        b
    })
}

#[test]
fn totals_and_statuses_of_a_fixed_month_from_the_database() {
    let db = TestDb::new();
    let alice = db.user("alice");
    let b = seed(&db, alice);
    let march = db.tracker(alice, 2026, 3, TODAY);
    let status = |bill: i64| row_of(&march, bill).status;

    assert_eq!(status(b.rent), Status::Paid);
    assert_eq!(status(b.phone), Status::Partial);
    assert_eq!(row_of(&march, b.phone).remaining_cents, 3_000);
    assert_eq!(status(b.power), Status::Late, "its payment was deleted");
    assert_eq!(row_of(&march, b.power).paid_cents, 0);
    assert_eq!(status(b.gym), Status::Paid);
    assert!(row_of(&march, b.gym).overpaid);
    assert_eq!(row_of(&march, b.gym).payment_count, 2);
    assert_eq!(status(b.water), Status::Upcoming, "its first quarter");
    assert!(
        rows_of(&march, b.insurance).is_empty(),
        "January, April, ..."
    );
    assert_eq!(row_of(&march, b.car).due_date, date(2026, 3, 31));
    assert_eq!(status(b.internet), Status::DueToday);
    assert_eq!(status(b.streaming), Status::DueSoon);
    assert_eq!(row_of(&march, b.streaming).amount_due_cents, 2_000);
    assert_eq!(row_of(&march, b.streaming).expected_cents, 1_500);
    assert_eq!(status(b.daycare), Status::Skipped);

    let lunch: Vec<(Date, Status)> = rows_of(&march, b.lunch)
        .iter()
        .map(|r| (r.due_date, r.status))
        .collect();
    assert_eq!(
        lunch,
        vec![
            (date(2026, 3, 2), Status::Paid),
            (date(2026, 3, 9), Status::Late),
            (date(2026, 3, 16), Status::Upcoming),
            (date(2026, 3, 23), Status::Upcoming),
            (date(2026, 3, 30), Status::Upcoming),
        ],
        "a weekly bill with five occurrences"
    );

    assert_eq!(
        march.totals,
        Totals {
            due_cents: 120_000 + 5_000 + 9_000 + 3_000 + 4_000 + 5 * 1_000 + 30_000 + 6_000 + 2_000,
            paid_cents: 120_000 + 2_000 + 3_500 + 1_000,
            remaining_cents: 3_000 + 9_000 + 4_000 + 4 * 1_000 + 30_000 + 6_000 + 2_000,
            overdue_count: 2,
            occurrence_count: 14,
            paid_count: 3,
            skipped_count: 1,
        }
    );
    let by_bucket: Vec<(Bucket, i64, i64)> = march
        .buckets
        .iter()
        .map(|v| (v.bucket, v.totals.due_cents, v.totals.remaining_cents))
        .collect();
    assert_eq!(
        by_bucket,
        vec![
            (Bucket::First, 145_000, 3_000 + 9_000 + 6_000 + 2_000),
            (Bucket::Fifteenth, 34_000, 34_000),
            (Bucket::Other, 5_000, 4_000),
        ]
    );
}

#[test]
fn february_has_ended_so_its_unpaid_bills_are_missed_and_the_31st_is_the_28th() {
    let db = TestDb::new();
    let alice = db.user("alice");
    let b = seed(&db, alice);
    let february = db.tracker(alice, 2026, 2, TODAY);

    let car = row_of(&february, b.car);
    assert_eq!(car.due_date, date(2026, 2, 28));
    assert_eq!(car.status, Status::Missed);
    assert_eq!(row_of(&february, b.rent).status, Status::Paid);
    for bill in [b.phone, b.power, b.gym, b.internet, b.streaming, b.daycare] {
        assert_eq!(
            row_of(&february, bill).status,
            Status::Missed,
            "bill {bill}"
        );
    }
    for bill in [b.water, b.insurance, b.lunch] {
        assert!(rows_of(&february, bill).is_empty(), "bill {bill}");
    }
    assert_eq!(february.totals.due_cents, 224_500);
    assert_eq!(february.totals.paid_cents, 120_000);
    assert_eq!(february.totals.remaining_cents, 104_500);
    assert_eq!(february.totals.overdue_count, 7);
}
