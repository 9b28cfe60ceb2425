//! Bills and the monthly tracker: the occurrence engine, statuses and the
//! month's totals, computed in one place for the API, feed and reminders.

pub mod cycle;
