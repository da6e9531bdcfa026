//! Who is calling: passwords, sessions, API tokens, and the principals they resolve to.

pub mod password;
