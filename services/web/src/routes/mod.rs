//! The API routes, one module per resource.

pub mod meta;
