//! The HTTP API.

pub mod error;
