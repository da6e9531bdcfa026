//! One door while the controller runs: its state machine, its outputs, and the beep
//! patterns being played. The machine decides; this carries out what it asks, on the
//! real (or simulated) lines.

use super::hardware::ReaderFeedback;
use crate::door::{Action, Beep, DoorConfig, DoorInput, DoorMachine, DoorStatus, Start};
use gatehouse_core::ids::DoorId;
use gatehouse_core::wire::DoorEventKind;
use gatehouse_hardware::door_io::{DoorOutputs, OutputError, OutputLine};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// An output line of whichever back-end the configuration chose.
pub type Line = Box<dyn OutputLine>;

/// One door of the running controller.
pub struct LiveDoor {
    /// Its name in the configuration.
    pub name: String,
    /// Its id in the bundle.
    pub id: DoorId,
    machine: DoorMachine,
    outputs: DoorOutputs<Line>,
    /// Its OSDP readers, shown the same LED and beeps.
    feedback: ReaderFeedback,
    /// The beeper's steps still to play: at this instant, drive it on or off.
    beeps: VecDeque<(Instant, bool)>,
    /// The continuous buzzer the machine asked for (where a beep pattern returns to).
    buzzer: bool,
    /// The last output failure, for the status report.
    pub output_fault: Option<String>,
}

impl LiveDoor {
    /// Starts the door's machine with `outputs` (already driven safe by
    /// `DoorOutputs::new`) and its OSDP readers' feedback, and carries out its start
    /// actions. Returns the door and the events to journal.
    pub fn start(
        name: String,
        id: DoorId,
        config: DoorConfig,
        outputs: DoorOutputs<Line>,
        feedback: ReaderFeedback,
        start: Start,
        now: Instant,
    ) -> (LiveDoor, Vec<DoorEventKind>) {
        let (machine, actions) = DoorMachine::start(config, now, start);
        let mut door = LiveDoor {
            name,
            id,
            machine,
            outputs,
            feedback,
            beeps: VecDeque::new(),
            buzzer: false,
            output_fault: None,
        };
        let events = door.carry_out(actions, now);
        (door, events)
    }

    /// Feeds the machine one input and carries out its actions; returns the door events
    /// to journal.
    pub fn handle(&mut self, input: DoorInput, now: Instant) -> Vec<DoorEventKind> {
        let actions = self.machine.handle(input, now);
        self.carry_out(actions, now)
    }

    /// Handles every deadline due by `now`: the machine's timers and the beep steps.
    pub fn tick(&mut self, now: Instant) -> Vec<DoorEventKind> {
        self.tick_beeps(now);
        let actions = self.machine.tick(now);
        self.carry_out(actions, now)
    }

    /// When [`LiveDoor::tick`] must next be called.
    pub fn next_deadline(&self) -> Option<Instant> {
        let beep = self.beeps.front().map(|(at, _)| *at);
        match (self.machine.next_deadline(), beep) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The machine's view of the door.
    pub fn status(&self) -> DoorStatus {
        self.machine.status()
    }

    /// Takes the bundle's first-card rule for this door.
    pub fn set_first_card_unlock(&mut self, on: bool) {
        self.machine.set_first_card_unlock(on);
    }

    /// Locks, darkens and silences the door (a clean stop).
    pub fn make_safe(&mut self) -> Vec<OutputError> {
        self.beeps.clear();
        self.outputs.make_safe()
    }

    fn carry_out(&mut self, actions: Vec<Action>, now: Instant) -> Vec<DoorEventKind> {
        let mut events = Vec::new();
        for action in actions {
            match action {
                Action::SetLock(state) => {
                    let result = self.outputs.lock.set(state);
                    self.note(result);
                }
                Action::Led(color) => {
                    self.feedback.led(color);
                    if let Some(led) = &mut self.outputs.led {
                        let result = led.set(color);
                        self.note(result);
                    }
                }
                Action::Beep(beep) => self.play(beep, now),
                Action::Buzzer(on) => {
                    self.feedback.buzzer(on);
                    self.buzzer = on;
                    // A pattern being played ends on the new buzzer state.
                    if let Some(last) = self.beeps.back_mut() {
                        last.1 = on;
                    } else {
                        self.drive_beeper(on);
                    }
                }
                Action::Event(kind) => events.push(kind),
            }
        }
        events
    }

    /// Queues a beep pattern (a short beep for a grant, three for a denial), starting now.
    fn play(&mut self, beep: Beep, now: Instant) {
        self.feedback.beep(beep);
        let (count, on, off) = match beep {
            Beep::Granted => (1, Duration::from_millis(200), Duration::ZERO),
            Beep::Denied => (3, Duration::from_millis(100), Duration::from_millis(100)),
        };
        self.beeps.clear();
        let mut at = now;
        for i in 0..count {
            self.beeps.push_back((at, true));
            at += on;
            if i + 1 < count {
                self.beeps.push_back((at, false));
                at += off;
            }
        }
        self.beeps.push_back((at, self.buzzer));
        // The first step is due now.
        self.tick_beeps(now);
    }

    fn tick_beeps(&mut self, now: Instant) {
        while self.beeps.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, on)) = self.beeps.pop_front() {
                self.drive_beeper(on);
            }
        }
    }

    fn drive_beeper(&mut self, on: bool) {
        if let Some(beeper) = &mut self.outputs.beeper {
            let result = beeper.set(on);
            self.note(result);
        }
    }

    fn note(&mut self, result: Result<(), OutputError>) {
        if let Err(e) = result {
            tracing::error!(door = %self.name, error = %e, "output failed");
            self.output_fault = Some(e.to_string());
        }
    }
}
