//! The controller task: owns the doors, the bundle in use and the memory of recent
//! decisions. A read goes: decide → journal → remember → door machine → outputs, in that
//! order, so nothing opens that is not on the record first.

use super::access::{self, AwaitingPin, Outcome, ReaderPlace};
use super::hardware::ReaderFeedback;
use super::live_door::{Line, LiveDoor};
use super::status::{
    BundleReport, DecisionTiming, DoorReport, JournalReport, ReaderReport, StatusReport,
};
use super::{Shared, ToController};
use crate::config::{ControllerConfig, RexAction};
use crate::door::{DoorConfig, DoorInput, RexMode, Start};
use crate::journal::Appended;
use crate::systemd::{Notifier, watchdog_interval};
use gatehouse_core::bundle::Policy;
use gatehouse_core::decide::{Decision, LocalState, judge};
use gatehouse_core::ids::ZoneId;
use gatehouse_core::model::{Direction, ScheduleCheck};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{Command, CommandOutcome, DoorEvent, DoorEventKind, Event, Scope};
use gatehouse_hardware::door_io::{DoorOutputs, InputEvent};
use gatehouse_hardware::reader::{CredentialRead, ReaderEvent, ReaderHealth, ReaderId};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Schedules, lockdowns and the watchdog are looked at this often.
const HOUSEKEEPING: Duration = Duration::from_secs(1);
/// The status file is rewritten at most this often when something changed (an SD card
/// wears), and at least this often when nothing did.
const STATUS_EVERY: Duration = Duration::from_secs(5);
const STATUS_AT_LEAST: Duration = Duration::from_secs(60);

/// How many recent reads the timing in the status report is over.
const TIMED_READS: usize = 4096;

/// One reader of the controller.
struct ReaderEntry {
    name: String,
    place: ReaderPlace,
    health: ReaderHealth,
    last_read: Option<Timestamp>,
    waiting: Option<AwaitingPin>,
}

/// The controller task's state.
pub struct Controller {
    name: String,
    state_dir: std::path::PathBuf,
    started_at: Timestamp,
    doors: Vec<LiveDoor>,
    door_by_name: HashMap<String, usize>,
    readers: HashMap<ReaderId, ReaderEntry>,
    /// Reader names in configuration order, for the report.
    reader_order: Vec<ReaderId>,
    policy: Option<Arc<Policy>>,
    local: LocalState,
    shared: Arc<Shared>,
    /// Lockdowns ordered by command and not yet released (the bundle carries its own).
    commanded_lockdowns: Vec<Scope>,
    /// Reads decided since start, and the last ones' time from arrival to outputs (µs).
    decided: u64,
    read_times: VecDeque<u64>,
}

impl Controller {
    /// Starts every door's machine on outputs already safe, from what its inputs read at
    /// start (`starts`), journals the start and the doors' first events, and takes the
    /// bundle's per-door rules.
    pub fn start(
        config: &ControllerConfig,
        outputs: Vec<DoorOutputs<Line>>,
        starts: Vec<Start>,
        feedback: Vec<ReaderFeedback>,
        policy: Option<Arc<Policy>>,
        shared: Arc<Shared>,
    ) -> Controller {
        let now = Instant::now();
        let started_at = judge(shared.floor().clock(now), Timestamp(0)).now;
        let mut controller = Controller {
            name: config.controller.name.clone(),
            state_dir: config.controller.state_dir.clone(),
            started_at,
            doors: Vec::new(),
            door_by_name: HashMap::new(),
            readers: HashMap::new(),
            reader_order: Vec::new(),
            policy,
            local: LocalState::new(),
            shared,
            commanded_lockdowns: Vec::new(),
            decided: 0,
            read_times: VecDeque::with_capacity(TIMED_READS),
        };
        controller.journal(&Event::ControllerStarted { at: started_at });
        let doors = config.doors.iter().zip(outputs).zip(starts).zip(feedback);
        for (index, (((section, outputs), start), feedback)) in doors.enumerate() {
            let mut door_config = DoorConfig::new(section.lock);
            door_config.strike_time = section.strike_time.0;
            door_config.held_open_time = section.held_open_time.0;
            door_config.pre_alarm_lead = section.pre_alarm.0;
            door_config.rex = match section.rex_action {
                RexAction::Unlock => RexMode::Unlock,
                RexAction::ShuntOnly => RexMode::ShuntOnly,
            };
            if let Some(door) = controller.policy.as_ref().and_then(|p| p.door(section.id)) {
                door_config = door_config.with_door(door);
            }
            let (door, events) = LiveDoor::start(
                section.name.clone(),
                section.id,
                door_config,
                outputs,
                feedback,
                start,
                now,
            );
            controller.door_by_name.insert(section.name.clone(), index);
            controller.doors.push(door);
            controller.journal_door_events(index, events);
            for reader in &section.readers {
                let id = ReaderId::new(&reader.name);
                controller.reader_order.push(id.clone());
                controller.readers.insert(
                    id,
                    ReaderEntry {
                        name: reader.name.clone(),
                        place: ReaderPlace {
                            door: index,
                            door_id: section.id,
                            direction: reader.direction.direction(),
                        },
                        health: ReaderHealth::Online { secure: false },
                        last_read: None,
                        waiting: None,
                    },
                );
            }
        }
        controller.housekeeping(now);
        controller
    }

    /// Serves the doors until `shutdown` completes.
    #[allow(clippy::too_many_arguments)]
    pub async fn serve(
        &mut self,
        mut readers: mpsc::Receiver<ReaderEvent>,
        mut inputs: mpsc::Receiver<InputEvent>,
        mut commands: mpsc::Receiver<ToController>,
        mut policies: watch::Receiver<Option<Arc<Policy>>>,
        report: watch::Sender<serde_json::Value>,
        notifier: Option<&Notifier>,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let watchdog = notifier.and(watchdog_interval());
        let mut next_housekeeping = Instant::now() + HOUSEKEEPING;
        let mut last_status: Option<(Instant, StatusReport)> = None;
        let mut last_watchdog = Instant::now();
        loop {
            let wake = self
                .next_deadline()
                .map_or(next_housekeeping, |d| d.min(next_housekeeping));
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(event) = readers.recv() => self.on_reader_event(event),
                Some(event) = inputs.recv() => self.on_input(&event),
                Some(ToController::Command(command, reply)) = commands.recv() => {
                    let _ = reply.send(self.on_command(command));
                }
                Ok(()) = policies.changed() => {
                    let policy = policies.borrow_and_update().clone();
                    self.on_policy(policy);
                }
                () = tokio::time::sleep_until(wake.into()) => {}
            }
            let now = Instant::now();
            self.tick(now);
            if now >= next_housekeeping {
                next_housekeeping = now + HOUSEKEEPING;
                self.housekeeping(now);
                if let (Some(n), Some(every)) = (notifier, watchdog) {
                    // From this loop, not a timer: a stuck loop must stop the pings.
                    if now.duration_since(last_watchdog) >= every.min(HOUSEKEEPING) {
                        last_watchdog = now;
                        let _ = n.watchdog();
                    }
                }
                let current = self.report();
                report.send_replace(serde_json::to_value(&current).unwrap_or_default());
                let due = last_status.as_ref().is_none_or(|(at, old)| {
                    let since = now.duration_since(*at);
                    since >= STATUS_AT_LEAST
                        || (since >= STATUS_EVERY && !same_but_time(old, &current))
                });
                if due {
                    if let Err(e) = current.save(&self.state_dir) {
                        tracing::warn!(error = %e, "cannot write the status file");
                    }
                    last_status = Some((now, current));
                }
            }
        }
    }

    /// A clean stop: journals it, locks every door, syncs the journal and the floor, and
    /// leaves a last status report.
    pub fn stop(&mut self) {
        let now = Instant::now();
        let at = self.now_ts(now);
        self.journal(&Event::ControllerStopping { at });
        for door in &mut self.doors {
            for failure in door.make_safe() {
                tracing::error!(door = %door.name, error = %failure, "output not made safe");
            }
        }
        if let Err(e) = self.shared.journal().sync() {
            tracing::error!(error = %e, "journal sync at stop failed");
        }
        if let Err(e) = self.shared.floor().save(now) {
            tracing::warn!(error = %e, "cannot save the clock floor");
        }
        if let Err(e) = self.report().save(&self.state_dir) {
            tracing::warn!(error = %e, "cannot write the status file");
        }
    }

    fn now_ts(&self, now: Instant) -> Timestamp {
        judge(self.shared.floor().clock(now), Timestamp(0)).now
    }

    fn next_deadline(&self) -> Option<Instant> {
        let doors = self.doors.iter().filter_map(LiveDoor::next_deadline);
        let pins = self
            .readers
            .values()
            .filter_map(|r| r.waiting.as_ref().map(|w| w.until));
        doors.chain(pins).min()
    }

    fn tick(&mut self, now: Instant) {
        for index in 0..self.doors.len() {
            if self.doors[index].next_deadline().is_some_and(|d| d <= now) {
                let events = self.doors[index].tick(now);
                self.journal_door_events(index, events);
            }
        }
        let expired: Vec<ReaderId> = self
            .readers
            .iter()
            .filter(|(_, r)| r.waiting.as_ref().is_some_and(|w| w.until <= now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            let entry = self.readers.get_mut(&id).expect("listed above");
            if let Some(waiting) = entry.waiting.take() {
                let place = entry.place;
                self.act(place, waiting.decision, now);
            }
        }
    }

    fn on_reader_event(&mut self, event: ReaderEvent) {
        match event {
            ReaderEvent::Read(read) => self.on_read(read),
            ReaderEvent::Health { reader, health, .. } => self.on_health(&reader, health),
        }
    }

    fn on_read(&mut self, read: CredentialRead) {
        let now = Instant::now();
        let arrived = read.at;
        let clock = self.shared.floor().clock(now);
        let Some(entry) = self.readers.get_mut(&read.reader) else {
            tracing::warn!(reader = %read.reader, "a read from a reader not in the configuration");
            return;
        };
        let place = entry.place;
        entry.last_read = Some(judge(clock, Timestamp(0)).now);
        let waiting = entry.waiting.take();
        let (outcome, earlier) = access::decide_read(
            self.policy.as_deref(),
            place,
            read.data,
            waiting,
            clock,
            &self.local,
            now,
        );
        if let Some(earlier) = earlier {
            self.act(place, earlier, now);
        }
        match outcome {
            Outcome::Decided(decision) => {
                self.act(place, decision, now);
                self.time_read(arrived);
            }
            Outcome::AwaitPin(waiting) => {
                if let Some(entry) = self.readers.get_mut(&read.reader) {
                    entry.waiting = Some(waiting);
                }
            }
        }
    }

    /// Notes how long a read took from the reader back-end to the outputs.
    fn time_read(&mut self, arrived: Instant) {
        let micros = u64::try_from(arrived.elapsed().as_micros()).unwrap_or(u64::MAX);
        if self.read_times.len() == TIMED_READS {
            self.read_times.pop_front();
        }
        self.read_times.push_back(micros);
        self.decided += 1;
    }

    /// Journals a decision, remembers it, and lets the door act on it.
    fn act(&mut self, place: ReaderPlace, mut decision: Decision, now: Instant) {
        let policy = self.policy.as_deref();
        let overrides = access::lockdown_override(policy, &decision);
        let commanded = self.commanded_lockdown(place.door);
        access::apply_lockdown(&mut decision, commanded, overrides);
        tracing::info!(
            door = decision.door.0,
            direction = ?decision.direction,
            reason = %decision.reason,
            holder = ?decision.holder,
            "decision"
        );
        // Not on the record, not opened: a journal that cannot write keeps doors shut.
        let journaled = self.journal(&Event::Access(decision.clone()));
        self.local.record(&decision);
        let input = DoorInput::Access {
            granted: journaled && decision.granted(),
            lockdown_override: overrides,
        };
        let events = self.doors[place.door].handle(input, now);
        self.journal_door_events(place.door, events);
    }

    fn on_health(&mut self, reader: &ReaderId, health: ReaderHealth) {
        let now = Instant::now();
        let Some(entry) = self.readers.get_mut(reader) else {
            return;
        };
        let was_online = matches!(entry.health, ReaderHealth::Online { .. });
        let place = entry.place;
        let direction = place.direction;
        entry.health = health.clone();
        match health {
            ReaderHealth::Online { .. } if !was_online => {
                self.journal_door_events(
                    place.door,
                    vec![DoorEventKind::ReaderOnline { reader: direction }],
                );
            }
            ReaderHealth::Online { .. } => {}
            ReaderHealth::Offline => self.journal_door_events(
                place.door,
                vec![DoorEventKind::ReaderOffline { reader: direction }],
            ),
            ReaderHealth::Tamper | ReaderHealth::SecureChannelRefused { .. } => {
                let input = DoorInput::Tamper {
                    active: true,
                    reader: Some(direction),
                };
                let events = self.doors[place.door].handle(input, now);
                self.journal_door_events(place.door, events);
            }
        }
    }

    fn on_input(&mut self, event: &InputEvent) {
        let Some(&index) = self.door_by_name.get(event.door.name()) else {
            tracing::warn!(
                door = event.door.name(),
                "an input of a door not configured"
            );
            return;
        };
        let events = self.doors[index].handle(DoorInput::from_event(event), event.at);
        self.journal_door_events(index, events);
    }

    fn on_policy(&mut self, policy: Option<Arc<Policy>>) {
        self.policy = policy;
        if let Some(policy) = &self.policy {
            for door in &mut self.doors {
                let first_card = policy.door(door.id).is_some_and(|d| d.first_card_unlock);
                door.set_first_card_unlock(first_card);
            }
        }
        self.housekeeping(Instant::now());
    }

    fn on_command(&mut self, command: Command) -> CommandOutcome {
        let now = Instant::now();
        match command {
            Command::Lockdown { scope } => {
                if !self.commanded_lockdowns.contains(&scope) {
                    self.commanded_lockdowns.push(scope);
                }
                self.refresh_lockdowns(now);
                CommandOutcome::Applied
            }
            Command::Release { scope } => {
                self.commanded_lockdowns.retain(|s| *s != scope);
                self.refresh_lockdowns(now);
                CommandOutcome::Applied
            }
            Command::MomentaryUnlock { door, seconds } => {
                let Some(index) = self.doors.iter().position(|d| d.id == door) else {
                    return CommandOutcome::Rejected(format!(
                        "door {door} is not on this controller"
                    ));
                };
                if self.doors[index].status().lockdown {
                    return CommandOutcome::Rejected(format!("door {door} is locked down"));
                }
                let input = DoorInput::RemoteUnlock {
                    duration: Duration::from_secs(seconds.into()),
                };
                let events = self.doors[index].handle(input, now);
                self.journal_door_events(index, events);
                CommandOutcome::Applied
            }
        }
    }

    /// Follows the unlock schedules and lockdowns (by the clock, by the bundle).
    fn housekeeping(&mut self, now: Instant) {
        self.refresh_lockdowns(now);
        self.refresh_unlock_windows(now);
    }

    fn door_zone(&self, index: usize) -> Option<ZoneId> {
        let policy = self.policy.as_ref()?;
        policy.door(self.doors[index].id).map(|d| d.zone)
    }

    fn commanded_lockdown(&self, index: usize) -> bool {
        let zone = self.door_zone(index);
        self.commanded_lockdowns.iter().any(|scope| match scope {
            Scope::Site => true,
            Scope::Zone(z) => match (zone, &self.policy) {
                (Some(zone), Some(policy)) => policy.zone_and_ancestors(zone).any(|a| a.id == *z),
                _ => false,
            },
        })
    }

    fn refresh_lockdowns(&mut self, now: Instant) {
        for index in 0..self.doors.len() {
            let by_bundle = match (self.door_zone(index), &self.policy) {
                (Some(zone), Some(policy)) => policy.is_locked_down(zone),
                _ => false,
            };
            let active = by_bundle || self.commanded_lockdown(index);
            if self.doors[index].status().lockdown != active {
                let events = self.doors[index].handle(DoorInput::Lockdown { active }, now);
                self.journal_door_events(index, events);
            }
        }
    }

    /// A door's scheduled unlock window is open when its schedule is open by a clock that
    /// can be believed; with a doubtful clock the door stays locked (cards still work).
    fn refresh_unlock_windows(&mut self, now: Instant) {
        let clock = self.shared.floor().clock(now);
        for index in 0..self.doors.len() {
            let active = self.policy.as_ref().is_some_and(|policy| {
                let judged = judge(clock, policy.bundle().header.issued_at);
                let schedule = policy
                    .door(self.doors[index].id)
                    .and_then(|d| d.unlock_schedule)
                    .and_then(|s| policy.schedule(s));
                match (schedule, policy.local_time(judged.now)) {
                    (Some(schedule), Some(local)) if judged.trusted => {
                        let calendar = schedule.holidays.and_then(|c| policy.calendar(c));
                        let is_holiday = |d| calendar.is_some_and(|c| c.contains(d));
                        schedule.check(local, is_holiday) == ScheduleCheck::Open
                    }
                    _ => false,
                }
            });
            if self.doors[index].status().unlock_window != active {
                let events = self.doors[index].handle(DoorInput::UnlockWindow { active }, now);
                self.journal_door_events(index, events);
            }
        }
    }

    fn journal_door_events(&mut self, index: usize, kinds: Vec<DoorEventKind>) {
        if kinds.is_empty() {
            return;
        }
        let at = self.now_ts(Instant::now());
        let door = self.doors[index].id;
        for kind in kinds {
            tracing::info!(door = door.0, ?kind, "door event");
            self.journal(&Event::Door(DoorEvent { door, kind, at }));
        }
    }

    /// Appends to the journal; `false` if it could not be written (a full journal counts
    /// the event and raises an alarm: that is on the record).
    fn journal(&self, event: &Event) -> bool {
        let appended = self.shared.journal().append(event);
        match appended {
            Ok(Appended::Stored { .. }) => {
                self.shared.appended.notify_one();
                true
            }
            Ok(Appended::Refused { dropped }) => {
                tracing::error!(dropped, "journal full of unacknowledged events");
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "journal write failed");
                false
            }
        }
    }

    fn report(&self) -> StatusReport {
        let now = Instant::now();
        let at = self.now_ts(now);
        let bundle = self.policy.as_ref().map(|p| {
            let header = &p.bundle().header;
            BundleReport {
                epoch: header.version.epoch,
                version: header.version.version,
                issued_at: header.issued_at,
                age_secs: at.millis_since(header.issued_at) / 1000,
            }
        });
        let journal = JournalReport::from(&self.shared.journal().status());
        let doors = self
            .doors
            .iter()
            .map(|d| {
                let s = d.status();
                DoorReport {
                    name: d.name.clone(),
                    id: d.id.0,
                    lock: s.lock,
                    led: s.led,
                    open: s.open,
                    forced_open: s.forced_open,
                    held_open_alarm: s.held_open_alarm,
                    lockdown: s.lockdown,
                    fire: s.fire,
                    unlock_window: s.unlock_window,
                    output_fault: d.output_fault.clone(),
                }
            })
            .collect();
        let readers = self
            .reader_order
            .iter()
            .filter_map(|id| self.readers.get(id))
            .map(|r| ReaderReport {
                name: r.name.clone(),
                door: self.doors[r.place.door].name.clone(),
                direction: match r.place.direction {
                    Direction::Entry => "in".into(),
                    Direction::Exit => "out".into(),
                },
                health: health_name(&r.health).into(),
                last_read: r.last_read,
            })
            .collect();
        StatusReport {
            v: 1,
            controller: self.name.clone(),
            pid: std::process::id(),
            started_at: self.started_at,
            at,
            bundle,
            journal,
            sync: self.shared.sync_report().clone(),
            doors,
            readers,
            decisions: DecisionTiming::of(
                self.decided,
                &self.read_times.iter().copied().collect::<Vec<_>>(),
            ),
        }
    }
}

fn health_name(health: &ReaderHealth) -> &'static str {
    match health {
        ReaderHealth::Online { secure: true } => "online (secure channel)",
        ReaderHealth::Online { secure: false } => "online",
        ReaderHealth::Offline => "offline",
        ReaderHealth::Tamper => "tamper",
        ReaderHealth::SecureChannelRefused { .. } => "secure_channel_refused",
    }
}

/// Whether two reports differ only in their time fields.
fn same_but_time(a: &StatusReport, b: &StatusReport) -> bool {
    let strip = |r: &StatusReport| {
        let mut r = r.clone();
        r.at = Timestamp(0);
        if let Some(b) = &mut r.bundle {
            b.age_secs = 0;
        }
        r
    };
    strip(a) == strip(b)
}
