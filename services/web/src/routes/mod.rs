//! The API routes, one module per resource.

pub mod admin_auth;
pub mod admin_users;
pub mod auth;
pub mod bills;
pub mod categories;
pub mod meta;
pub mod oidc;
pub mod payments;
pub mod profile;
pub mod tracker;
