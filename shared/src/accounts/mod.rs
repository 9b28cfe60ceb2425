//! Accounts: users and roles, passwords, sessions, the audit log, and the
//! sign-in settings. HTTP concerns (cookies, CSRF) live in the web crate.

pub mod audit;
pub mod bootstrap;
pub mod oidc;
pub mod password;
pub mod reassign;
pub mod sessions;
pub mod settings;
pub mod users;

pub use users::{AuthSource, Role, User};
