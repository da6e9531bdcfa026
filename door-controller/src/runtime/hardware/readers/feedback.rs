//! What a door shows its person on its OSDP readers: the door's LED colour and its beeps,
//! sent to each OSDP reader of the door as LED and buzzer commands (a Wiegand reader's LED
//! and beeper are lines, driven with the door's outputs). A pattern goes as one command,
//! so the reader times it, not the poll interval.

use crate::door::Beep;
use gatehouse_hardware::door_io::LedColor;
use gatehouse_hardware::osdp::{self, BuzzerCommand, Command, LedCommand};
use gatehouse_hardware::reader::ReaderId;
use std::sync::mpsc::Sender;

/// A command for one reader of an OSDP bus, handed to the bus's thread.
pub type ToBus = (ReaderId, Command);

/// The OSDP readers of one door.
#[derive(Clone, Debug, Default)]
pub struct ReaderFeedback {
    readers: Vec<(ReaderId, Sender<ToBus>)>,
}

impl ReaderFeedback {
    /// Feedback to `reader`, whose bus takes commands on `bus`.
    pub fn add(&mut self, reader: ReaderId, bus: Sender<ToBus>) {
        self.readers.push((reader, bus));
    }

    /// The door's LED, steady.
    pub fn led(&self, color: LedColor) {
        let color = match color {
            LedColor::Off => osdp::LedColor::Black,
            LedColor::Red => osdp::LedColor::Red,
            LedColor::Green => osdp::LedColor::Green,
            LedColor::Amber => osdp::LedColor::Amber,
        };
        self.send(&Command::Led(LedCommand::steady(color)));
    }

    /// A grant's or a denial's beeps.
    pub fn beep(&self, beep: Beep) {
        let (on_time, off_time, count) = match beep {
            Beep::Granted => (2, 0, 1),
            Beep::Denied => (1, 1, 3),
        };
        self.send(&Command::Buzzer(BuzzerCommand {
            reader: 0,
            on_time,
            off_time,
            count,
        }));
    }

    /// The continuous buzzer (held-open pre-alarm) on or off.
    pub fn buzzer(&self, on: bool) {
        let on_time = if on { 5 } else { 0 };
        self.send(&Command::Buzzer(BuzzerCommand {
            reader: 0,
            on_time,
            off_time: 0,
            count: 0,
        }));
    }

    fn send(&self, command: &Command) {
        for (reader, bus) in &self.readers {
            // A bus thread that ended (the controller stopping) takes nothing more.
            let _ = bus.send((reader.clone(), command.clone()));
        }
    }
}
