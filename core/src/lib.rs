//! Gatehouse core: the model, the credential formats, the signed policy bundle and the access
//! decision.
//!
//! Everything here is pure: no I/O, no threads, no clock. Time and keys come in as
//! arguments, so a door decides the same way on a Raspberry Pi, on the server and in a test.

pub mod bundle;
pub mod card;
pub mod credential;
pub mod decide;
pub mod ids;
pub mod model;
pub mod reason;
pub mod sample;
pub mod time;
pub mod wire;
