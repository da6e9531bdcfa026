//! Where a door decides: [`decide()`] is one pure function of the policy, the door, the
//! credential, the clock and the controller's local state. It reads no clock, does no I/O
//! and is deterministic, so the controller, the server's simulations and the tests all get
//! the same answer.

mod clock_guard;
mod decision;
mod grants;
mod local_state;
mod presented;
mod rules;

pub use clock_guard::{Judged, judge};
pub use decision::{CredentialRef, Decision, Holder};
pub use local_state::LocalState;
pub use presented::{Credential, Presented};
pub use rules::decide;
