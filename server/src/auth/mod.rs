//! Who is calling: passwords, sessions, API tokens, device keys, and the access rules that
//! admit principals to handlers.

pub mod device;
pub mod password;
pub mod principal;
pub mod resolve;
pub mod rules;
pub mod throttle;
pub mod tokens;

pub use principal::{Actor, Principal};
pub use rules::{Allow, Rule};
