//! The HTTP API, exercised through the real router (no sockets): authentication, access
//! rules, resources and their errors.

mod devices;
mod harness;
mod role_matrix;
mod system;
