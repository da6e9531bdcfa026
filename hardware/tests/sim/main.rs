//! The simulator across a real Unix socket: a test process (the building) drives it through
//! `sim::control::Client` while the controller's side reads its channels and drives its
//! lines, as a controller in another process would.

mod harness;
mod outputs;
mod protocol_errors;
mod reads_and_inputs;
