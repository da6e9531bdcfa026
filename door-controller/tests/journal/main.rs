//! The journal with real processes: a child appends and is killed with SIGKILL.

mod crash;
