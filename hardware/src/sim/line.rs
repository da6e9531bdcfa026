//! A simulated output line: what the controller drives.

use super::{SimOutput, Simulator};
use crate::door_io::{Level, OutputError, OutputLine};

/// One output line of a simulated door. Driving it records the change in the simulator.
#[derive(Clone, Debug)]
pub struct SimLine {
    sim: Simulator,
    door: String,
    output: SimOutput,
}

impl SimLine {
    pub(crate) fn new(sim: Simulator, door: &str, output: SimOutput) -> Self {
        SimLine {
            sim,
            door: door.to_string(),
            output,
        }
    }
}

impl OutputLine for SimLine {
    fn drive(&mut self, level: Level) -> Result<(), OutputError> {
        self.sim.drive(&self.door, self.output, level);
        Ok(())
    }
}
