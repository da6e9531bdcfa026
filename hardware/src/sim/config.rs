//! What the simulator simulates: named readers and doors with their lock wiring.

use crate::door_io::LockWiring;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The simulated hardware of one controller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Reader names (e.g. `front-in`).
    #[serde(default)]
    pub readers: Vec<String>,
    /// Doors, each with a lock, a two-colour reader LED, a beeper and the four inputs.
    #[serde(default)]
    pub doors: Vec<SimDoorConfig>,
    /// A file every output change is also appended to, one JSON line each: the door's own
    /// memory of what it was told, which outlives a controller killed with SIGKILL (the
    /// crash tests compare it with the events the server received).
    #[serde(default)]
    pub record_file: Option<PathBuf>,
}

/// One simulated door.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimDoorConfig {
    /// Its name (e.g. `front`).
    pub name: String,
    /// How its lock is wired: the simulator, being the door, judges locked / unlocked from
    /// the level it is driven to, whatever the controller believes.
    pub lock: LockWiring,
}

impl SimConfig {
    /// No readers, no doors.
    pub fn new() -> Self {
        SimConfig::default()
    }

    /// Adds a reader.
    pub fn reader(mut self, name: &str) -> Self {
        self.readers.push(name.to_string());
        self
    }

    /// Appends every output change to `path` as well (see [`SimConfig::record_file`]).
    pub fn record_to(mut self, path: PathBuf) -> Self {
        self.record_file = Some(path);
        self
    }

    /// Adds a door whose lock is wired `lock`.
    pub fn door(mut self, name: &str, lock: LockWiring) -> Self {
        self.doors.push(SimDoorConfig {
            name: name.to_string(),
            lock,
        });
        self
    }
}
