//! Helpers for tests that start the real binaries.
