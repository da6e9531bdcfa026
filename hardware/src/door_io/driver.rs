//! An edge-driven input back-end's pure half: circuit edges in, debounced [`InputEvent`]s
//! out, over injected time; and the loop that runs it on a thread, waking at the
//! debouncer's deadline so a level that settles without a further edge is still reported.
//!
//! The GPIO back-end (`gpio`, feature `rpi`) only turns pin levels into [`Circuit`]s and
//! timestamps them; everything after that is here and tested without hardware.

use super::{Circuit, DoorName, Input, InputEvent};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Instant;

/// One door input fed circuit edges: its [`Input`] (wiring and settle time from its
/// [`InputConfig`](super::InputConfig)) and the door it belongs to.
#[derive(Clone, Debug)]
pub struct InputDriver {
    door: DoorName,
    input: Input,
}

impl InputDriver {
    /// Drives `input`, which belongs to `door`.
    pub fn new(door: DoorName, input: Input) -> Self {
        InputDriver { door, input }
    }

    /// Whether the input is active (debounced).
    pub fn is_active(&self) -> bool {
        self.input.is_active()
    }

    /// The circuit read `circuit` from `at` on (an edge, or a sample). A pending change
    /// whose deadline passed before `at` is settled first, so a loop that woke late does
    /// not lose a change that held long enough: up to two events, oldest first.
    pub fn edge(&mut self, circuit: Circuit, at: Instant) -> Vec<InputEvent> {
        let mut events = Vec::new();
        if let Some(deadline) = self.input.deadline()
            && deadline <= at
        {
            events.extend(self.poll(deadline));
        }
        if let Some(active) = self.input.sample(circuit, at) {
            events.push(self.event(active, at));
        }
        events
    }

    /// Time has passed without an edge: the change that settled by `at`, if any. The
    /// event's time is the moment it settled (the deadline), not `at`.
    pub fn poll(&mut self, at: Instant) -> Option<InputEvent> {
        let deadline = self.input.deadline()?;
        let settled = deadline.min(at);
        let active = self.input.poll(settled)?;
        Some(self.event(active, settled))
    }

    /// When a pending change settles if no edge comes first; `None` when nothing is
    /// pending.
    pub fn deadline(&self) -> Option<Instant> {
        self.input.deadline()
    }

    fn event(&self, active: bool, at: Instant) -> InputEvent {
        InputEvent {
            door: self.door.clone(),
            kind: self.input.config().kind,
            active,
            at,
        }
    }
}

/// Feeds `edges` (each the circuit's state after an edge, and when it was seen) to
/// `driver` and hands every debounced change to `sink`, waking at the driver's deadline
/// when no edge comes; until every sender of `edges` is gone. A change still pending then
/// is dropped: it never held for the settle time.
pub fn run_input(
    edges: &Receiver<(Circuit, Instant)>,
    mut driver: InputDriver,
    mut sink: impl FnMut(InputEvent),
) {
    loop {
        match crate::edge_wait::next_edge(edges, driver.deadline()) {
            Ok((circuit, at)) => driver.edge(circuit, at).into_iter().for_each(&mut sink),
            Err(RecvTimeoutError::Timeout) => {
                if let Some(event) = driver.poll(Instant::now()) {
                    sink(event);
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::door_io::{InputConfig, InputKind, Wiring};
    use std::sync::mpsc;
    use std::time::Duration;

    /// A circuit edge at this many ms.
    #[derive(Clone, Copy, Debug)]
    struct Edge(u64, Circuit);

    use Circuit::{Closed, Open};

    /// Runs the loop of [`run_input`] over simulated time: the edges in order, and a wake-up
    /// at every deadline that comes before the next edge (or, after the last edge, until
    /// nothing is pending). Returns `(ms, active)` per event.
    fn simulate(config: InputConfig, initial: Circuit, edges: &[Edge]) -> Vec<(u64, bool)> {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut driver = InputDriver::new(DoorName::new("front"), Input::new(config, initial));
        let mut events = Vec::new();
        let wake = |driver: &mut InputDriver, until: Option<Instant>, events: &mut Vec<_>| {
            while let Some(deadline) = driver.deadline() {
                if until.is_some_and(|until| deadline >= until) {
                    break;
                }
                events.extend(driver.poll(deadline));
            }
        };
        for &Edge(ms, circuit) in edges {
            wake(&mut driver, Some(at(ms)), &mut events);
            events.extend(driver.edge(circuit, at(ms)));
        }
        wake(&mut driver, None, &mut events);
        events
            .into_iter()
            .map(|e: InputEvent| {
                assert_eq!(e.door, DoorName::new("front"));
                assert_eq!(e.kind, config.kind);
                let ms = e.at.duration_since(t0).as_millis();
                (u64::try_from(ms).unwrap(), e.active)
            })
            .collect()
    }

    fn config(kind: InputKind, wiring: Wiring) -> InputConfig {
        InputConfig {
            kind,
            wiring,
            debounce_ms: None,
        }
    }

    /// A case: its name, the input, its circuit at start, the edges, the events expected.
    type Case = (
        &'static str,
        InputConfig,
        Circuit,
        &'static [Edge],
        &'static [(u64, bool)],
    );

    #[test]
    fn table() {
        let rex = config(InputKind::Rex, Wiring::NormallyOpen); // 20 ms
        let contact = config(InputKind::DoorContact, Wiring::NormallyClosed); // 50 ms
        let tamper = config(InputKind::Tamper, Wiring::NormallyClosed); // 100 ms
        let cases: &[Case] = &[
            (
                "a bouncing REX press gives one active and one inactive event",
                rex,
                Open,
                &[
                    Edge(0, Closed),
                    Edge(1, Open),
                    Edge(2, Closed),
                    Edge(4, Open),
                    Edge(5, Closed),
                    Edge(500, Open),
                    Edge(502, Closed),
                    Edge(503, Open),
                ],
                &[(25, true), (523, false)],
            ),
            (
                "a normally-closed door contact opening is active",
                contact,
                Closed,
                &[Edge(0, Open), Edge(3, Closed), Edge(7, Open)],
                &[(57, true)],
            ),
            (
                "a spike shorter than the settle time gives nothing",
                tamper,
                Closed,
                &[Edge(0, Open), Edge(99, Closed)],
                &[],
            ),
            (
                "a level that settles with no further edge is reported at the deadline",
                rex,
                Open,
                &[Edge(10, Closed)],
                &[(30, true)],
            ),
            (
                "an edge back to the stable level gives nothing",
                rex,
                Open,
                &[Edge(0, Open), Edge(100, Open)],
                &[],
            ),
            (
                "a custom settle time from the configuration",
                InputConfig {
                    debounce_ms: Some(5),
                    ..contact
                },
                Closed,
                &[Edge(0, Open), Edge(4, Closed), Edge(6, Open)],
                &[(11, true)],
            ),
            (
                "a normally-closed input whose wire is cut at start closes, then opens",
                tamper,
                Open,
                &[Edge(0, Closed), Edge(200, Open)],
                &[(100, false), (300, true)],
            ),
        ];
        for (name, config, initial, edges, expected) in cases {
            assert_eq!(simulate(*config, *initial, edges), *expected, "{name}");
        }
    }

    #[test]
    fn a_late_edge_first_settles_the_change_that_held() {
        // The loop did not wake at 20 ms (a busy system); the release edge at 30 ms must
        // not cancel the press that held from 0 to 30 ms.
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut driver = InputDriver::new(
            DoorName::new("front"),
            Input::new(config(InputKind::Rex, Wiring::NormallyOpen), Open),
        );
        assert!(driver.edge(Closed, ms(0)).is_empty());
        let events = driver.edge(Open, ms(30));
        let got: Vec<_> = events.iter().map(|e| (e.at, e.active)).collect();
        assert_eq!(got, [(ms(20), true)]);
        assert_eq!(driver.deadline(), Some(ms(50)));
        assert_eq!(driver.poll(ms(49)), None);
        assert_eq!(
            driver.poll(ms(60)).map(|e| (e.at, e.active)),
            Some((ms(50), false))
        );
        assert!(!driver.is_active());
    }

    #[test]
    fn the_loop_wakes_at_the_deadline_without_a_further_edge() {
        let (edges, rx) = mpsc::channel();
        let (events, got) = mpsc::channel();
        let input = Input::new(
            InputConfig {
                kind: InputKind::Rex,
                wiring: Wiring::NormallyOpen,
                debounce_ms: Some(5),
            },
            Open,
        );
        let driver = InputDriver::new(DoorName::new("front"), input);
        let thread = std::thread::spawn(move || {
            run_input(&rx, driver, |event| events.send(event).unwrap());
        });
        let pressed = Instant::now();
        edges.send((Closed, pressed)).unwrap();
        // The sender stays open: only the deadline can wake the loop.
        let event = got.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(event.kind, InputKind::Rex);
        assert!(event.active);
        assert_eq!(event.at, pressed + Duration::from_millis(5));
        drop(edges);
        thread.join().unwrap();
        assert!(got.try_recv().is_err(), "no further event");
    }
}
