//! `backend = "sim"`: the simulator stands in for every door's outputs and inputs and for
//! the `sim` and `wiegand` readers, driven through its control socket.

use super::super::RuntimeError;
use super::super::live_door::Line;
use crate::config::ControllerConfig;
use gatehouse_hardware::door_io::{DoorOutputs, InputEvent, OutputWiring, Polarity};
use gatehouse_hardware::reader::ReaderEvent;
use gatehouse_hardware::sim::{SimConfig, SimOutput, Simulator};
use tokio::sync::mpsc;

/// The simulated doors, their outputs already safe.
pub struct SimDoors {
    /// Each door's outputs, in configuration order.
    pub outputs: Vec<DoorOutputs<Line>>,
    /// The simulated inputs' changes.
    pub inputs: mpsc::Receiver<InputEvent>,
    /// The simulated readers' reads.
    pub readers: mpsc::Receiver<ReaderEvent>,
    /// The simulator.
    pub sim: Simulator,
}

/// Builds the simulator for `config` and drives every door's outputs safe.
pub fn open(config: &ControllerConfig) -> Result<SimDoors, RuntimeError> {
    let backend = config.hardware.backend;
    let mut sim_config = SimConfig::new();
    if let Some(path) = &config.hardware.sim_record {
        sim_config = sim_config.record_to(path.clone());
    }
    for door in &config.doors {
        sim_config = sim_config.door(&door.name, door.lock);
        for reader in door.readers.iter().filter(|r| !r.is_real(backend)) {
            sim_config = sim_config.reader(&reader.name);
        }
    }
    let (sim, events) = Simulator::new(&sim_config);
    let mut outputs = Vec::with_capacity(config.doors.len());
    for door in &config.doors {
        let line = |output| -> Result<Line, RuntimeError> {
            sim.line(&door.name, output)
                .map(|l| Box::new(l) as Line)
                .map_err(|e| RuntimeError::Hardware(e.to_string()))
        };
        // The simulated reader's LED and beeper are on when energized, whatever the
        // configuration says of real wiring.
        let wiring = OutputWiring {
            lock: door.lock,
            led: Polarity::OnWhenEnergized,
            beeper: Polarity::OnWhenEnergized,
        };
        let door_outputs = DoorOutputs::new(
            wiring,
            line(SimOutput::Lock)?,
            Some((line(SimOutput::LedRed)?, line(SimOutput::LedGreen)?)),
            Some(line(SimOutput::Beeper)?),
        )
        .map_err(|e| RuntimeError::Hardware(format!("door {}: {e}", door.name)))?;
        outputs.push(door_outputs);
    }
    Ok(SimDoors {
        outputs,
        inputs: events.inputs,
        readers: events.readers,
        sim,
    })
}

/// Hands the simulated readers' events on to `to`, where real readers report too, until
/// either side is gone.
pub fn forward(mut from: mpsc::Receiver<ReaderEvent>, to: mpsc::Sender<ReaderEvent>) {
    tokio::spawn(async move {
        while let Some(event) = from.recv().await {
            if to.send(event).await.is_err() {
                return;
            }
        }
    });
}
