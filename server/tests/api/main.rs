//! The HTTP API, exercised through the real router (no sockets): authentication, access
//! rules, resources and their errors.

mod harness;
mod system;
