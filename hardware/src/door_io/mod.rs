//! Door outputs and inputs as the door controller sees them: logical states, never pin
//! levels.
//!
//! - Outputs: a back-end (GPIO, the simulator) provides one [`OutputLine`] per relay or
//!   driver line, which only knows [`Level::Energized`] and [`Level::DeEnergized`]. The
//!   wrappers [`Lock`], [`ReaderLed`] and [`Beeper`] turn logical states (locked / unlocked,
//!   an LED colour, beeper on / off) into levels through the door's wiring ([`LockWiring`],
//!   [`Polarity`]). Each wrapper drives its line to the safe state (locked, LED off, beeper
//!   off) when it is created — before the controller makes its first decision — and again
//!   when it is dropped, so a controller that shuts down or unwinds leaves its doors safe.
//!   [`DoorOutputs`] holds one door's outputs and makes them all safe in one call, for the
//!   controller's shutdown path. A process killed outright (SIGKILL, power loss) runs no
//!   code: the hardware watchdog and the relay wiring are the answer there (see the
//!   hardware README).
//! - Inputs: door contact, REX, tamper and fire release, each wired normally-open or
//!   normally-closed ([`Wiring`]), read as open / closed circuits ([`Circuit`]) and
//!   debounced by the pure [`Debouncer`]: it is fed `(level, Instant)` samples or edges and
//!   asked at a time of the caller's choosing, so tests run on simulated time. Back-ends
//!   send debounced changes as [`InputEvent`]s, as readers send
//!   [`ReaderEvent`](crate::reader::ReaderEvent)s. An edge-driven back-end (GPIO) hands
//!   each edge, as a [`Circuit`] and its time, to [`run_input`], which runs an
//!   [`InputDriver`] (an [`Input`] and its door) on the back-end's thread and wakes at the
//!   debouncer's deadline, so a level that settles without a further edge is reported.
//!   The back-end never debounces, and no raw level reaches the controller.

mod debounce;
mod door_name;
mod driver;
mod error;
mod indicator;
mod input;
mod line;
mod lock;
mod outputs;

pub use debounce::Debouncer;
pub use door_name::DoorName;
pub use driver::{InputDriver, run_input};
pub use error::OutputError;
pub use indicator::{Beeper, LedColor, Polarity, ReaderLed};
pub use input::{Circuit, Input, InputConfig, InputEvent, InputKind, Wiring};
pub use line::{Level, OutputLine};
pub use lock::{Lock, LockState, LockWiring};
pub use outputs::{DoorOutputs, OutputWiring};

#[cfg(test)]
mod test_line;
