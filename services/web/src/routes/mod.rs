//! The API routes, one module per resource.

pub mod admin_auth;
pub mod admin_ops;
pub mod admin_users;
pub mod auth;
pub mod backups;
pub mod bills;
pub mod calendar;
pub mod categories;
pub mod feeds;
pub mod meta;
pub mod oidc;
pub mod payments;
pub mod profile;
pub mod summary;
pub mod tracker;
