//! The name a controller's configuration gives a door.

use std::fmt;
use std::sync::Arc;

/// A door, by the name the controller's configuration gives it (e.g. `front`). The
/// configuration maps it to the bundle's `DoorId`; the hardware layer only needs a name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DoorName(Arc<str>);

impl DoorName {
    /// The door named `name`.
    pub fn new(name: &str) -> Self {
        DoorName(Arc::from(name))
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DoorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DoorName({})", self.0)
    }
}

impl fmt::Display for DoorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
