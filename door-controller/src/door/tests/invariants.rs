//! Random walks over inputs and time (a fixed-seed generator, so a failure reproduces),
//! checking what must hold after every call whatever came before.

use super::*;

/// xorshift64*: enough randomness for a walk, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn flip(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

fn random_input(rng: &mut Rng) -> DoorInput {
    match rng.below(9) {
        0 | 1 => DoorInput::Access {
            granted: rng.flip(),
            lockdown_override: rng.below(4) == 0,
        },
        2 | 3 => DoorInput::Contact { open: rng.flip() },
        4 => DoorInput::Rex {
            pressed: rng.flip(),
        },
        5 => DoorInput::Fire {
            active: rng.below(4) == 0,
        },
        6 => DoorInput::UnlockWindow { active: rng.flip() },
        7 => DoorInput::Lockdown {
            active: rng.below(3) == 0,
        },
        _ => DoorInput::RemoteUnlock {
            duration: Duration::from_secs(rng.below(20)),
        },
    }
}

/// The outputs as the runtime would hold them after carrying out every action.
#[derive(Debug)]
struct Outputs {
    lock: LockState,
    led: LedColor,
    buzzer: bool,
    /// The last lock event journaled (Locked, Unlocked or FireRelease).
    lock_event: DoorEventKind,
}

impl Outputs {
    fn apply(&mut self, actions: &[Action]) {
        for action in actions {
            match *action {
                Action::SetLock(lock) => {
                    assert_ne!(lock, self.lock, "SetLock only on change: {actions:?}");
                    self.lock = lock;
                }
                Action::Led(led) => self.led = led,
                Action::Buzzer(on) => self.buzzer = on,
                Action::Event(
                    kind @ (DoorEventKind::Locked
                    | DoorEventKind::Unlocked
                    | DoorEventKind::FireRelease),
                ) => {
                    assert_ne!(kind, self.lock_event, "no repeated lock event: {actions:?}");
                    self.lock_event = kind;
                }
                Action::Beep(_) | Action::Event(_) => {}
            }
        }
    }
}

fn walk(config: DoorConfig, seed: u64) {
    let mut rng = Rng(seed);
    let t0 = Instant::now();
    let mut now = t0;
    let (mut door, actions) = DoorMachine::start(config, now, Start::default());
    let mut outputs = Outputs {
        lock: LockState::Locked,
        led: LedColor::Off,
        buzzer: false,
        lock_event: DoorEventKind::Locked,
    };
    outputs.apply(&actions[1..]);
    for _ in 0..300 {
        now += Duration::from_millis(rng.below(15_000));
        // Tick at every deadline on the way, as the runtime does.
        while let Some(deadline) = door.next_deadline().filter(|d| *d <= now) {
            let actions = door.tick(deadline);
            outputs.apply(&actions);
            assert!(door.next_deadline().is_none_or(|d| d > deadline));
        }
        let input = random_input(&mut rng);
        let actions = door.handle(input, now);
        outputs.apply(&actions);
        let status = door.status();
        let context = format!("seed {seed} at {:?}: {input:?} -> {actions:?}", now - t0);
        assert_eq!(outputs.lock, status.lock, "{context}");
        assert_eq!(outputs.led, status.led, "{context}");
        assert_eq!(outputs.buzzer, status.buzzer, "{context}");
        if status.fire && config.lock_wiring == LockWiring::FailSafe {
            assert_eq!(status.lock, LockState::Unlocked, "fire releases: {context}");
            assert_eq!(outputs.lock_event, DoorEventKind::FireRelease, "{context}");
        }
        if status.buzzer {
            assert!(status.open && !status.forced_open, "{context}");
        }
        if status.lockdown && status.lock == LockState::Locked {
            assert_ne!(outputs.led, LedColor::Off, "{context}");
        }
        if status.lock == LockState::Unlocked {
            assert_ne!(outputs.led, LedColor::Off, "{context}");
        }
        if let DoorInput::RemoteUnlock { .. } = input {
            if status.lockdown {
                assert!(actions.is_empty(), "refused: {context}");
            }
        }
    }
}

#[test]
fn random_walks_keep_outputs_and_journal_consistent() {
    for seed in 1..=200 {
        for config in [strike(), maglock(), shunt_only(), first_card()] {
            walk(config, seed);
        }
    }
}
