//! Opening the configured hardware back-end: its output lines, driven safe as they are
//! opened, and the channels its readers and inputs report on.

use super::RuntimeError;
use super::live_door::Line;
use crate::config::{Backend, ControllerConfig};
use gatehouse_hardware::door_io::{DoorOutputs, InputEvent, OutputWiring, Polarity};
use gatehouse_hardware::reader::ReaderEvent;
use gatehouse_hardware::sim::{SimConfig, SimOutput, Simulator};
use tokio::sync::mpsc;

/// The opened hardware.
pub struct Hardware {
    /// Reads and reader health, from every reader.
    pub readers: mpsc::Receiver<ReaderEvent>,
    /// Debounced input changes, from every door.
    pub inputs: mpsc::Receiver<InputEvent>,
    /// Each configured door's outputs, in configuration order, already safe.
    pub outputs: Vec<DoorOutputs<Line>>,
    /// The simulator, to serve its control socket (the sim back-end only).
    pub sim: Option<Simulator>,
}

/// Opens the back-end `config` names and drives every output safe.
pub fn open(config: &ControllerConfig) -> Result<Hardware, RuntimeError> {
    match config.hardware.backend {
        Backend::Sim => open_sim(config),
        Backend::Gpio => Err(RuntimeError::Hardware(
            "hardware.backend = \"gpio\": the GPIO, OSDP and QR back-ends are not wired \
             into the runtime yet (door controller issue); use backend = \"sim\""
                .into(),
        )),
    }
}

fn open_sim(config: &ControllerConfig) -> Result<Hardware, RuntimeError> {
    let mut sim_config = SimConfig::new();
    if let Some(path) = &config.hardware.sim_record {
        sim_config = sim_config.record_to(path.clone());
    }
    for door in &config.doors {
        sim_config = sim_config.door(&door.name, door.lock);
        for reader in &door.readers {
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
    Ok(Hardware {
        readers: events.readers,
        inputs: events.inputs,
        outputs,
        sim: Some(sim),
    })
}
