//! Alarms from what controllers report. A door forced or held open, a tamper, a reader
//! gone silent, a fire release and a lost badge presented at a door each raise an alarm for
//! the guards as soon as the event is uploaded; a held-open door closing, a reader
//! answering again and a forced door shutting clear theirs (a guard still acknowledges
//! them). A controller whose journal refused events when full raises a journal-full alarm
//! on that controller when it reports the overflow. An alarm already open for the same kind
//! and source is not raised twice.

use crate::state::AppState;
use crate::store::StoreError;
use gatehouse_core::decide::{CredentialRef, Decision};
use gatehouse_core::ids::ControllerId;
use gatehouse_core::model::BadgeCredential;
use gatehouse_core::reason::Reason;
use gatehouse_core::wire::{AlarmKind, AlarmSource, DoorEvent, DoorEventKind, Event};

/// What an event does to the alarms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlarmChange {
    /// Raise this alarm (unless one is open).
    Raise(AlarmKind, AlarmSource),
    /// Clear the open alarms of this kind and source.
    Clear(AlarmKind, AlarmSource),
}

/// The alarm a door event raises or clears, if any.
pub fn for_door_event(e: &DoorEvent) -> Option<AlarmChange> {
    use AlarmChange::{Clear, Raise};
    let door = AlarmSource::Door(e.door);
    let reader = |direction| AlarmSource::Reader {
        door: e.door,
        direction,
    };
    Some(match e.kind {
        DoorEventKind::ForcedOpen => Raise(AlarmKind::DoorForced, door),
        DoorEventKind::HeldOpen => Raise(AlarmKind::DoorHeldOpen, door),
        DoorEventKind::HeldOpenCleared => Clear(AlarmKind::DoorHeldOpen, door),
        DoorEventKind::Tamper { reader: r } => Raise(AlarmKind::Tamper, r.map_or(door, reader)),
        DoorEventKind::ReaderOffline { reader: r } => Raise(AlarmKind::ReaderOffline, reader(r)),
        DoorEventKind::ReaderOnline { reader: r } => Clear(AlarmKind::ReaderOffline, reader(r)),
        DoorEventKind::FireRelease => Raise(AlarmKind::FireAlarm, door),
        // A forced door's cause is gone once it is shut again; the alarm stays open until a
        // guard acknowledges it.
        DoorEventKind::Closed => Clear(AlarmKind::DoorForced, door),
        DoorEventKind::Opened
        | DoorEventKind::ExitRequest
        | DoorEventKind::Unlocked
        | DoorEventKind::Locked => return None,
    })
}

/// The badge a refused decision names, when the refusal could be a lost badge.
fn refused_badge(d: &Decision) -> Option<BadgeCredential> {
    if d.reason != Reason::Revoked {
        return None;
    }
    match d.credential {
        CredentialRef::Card(card) => Some(BadgeCredential::Card(card)),
        CredentialRef::Pass { serial, .. } => Some(BadgeCredential::Qr(serial)),
        CredentialRef::Unreadable => None,
    }
}

/// Applies the alarms of the events `controller` uploaded, in order.
pub async fn apply(
    state: &AppState,
    controller: ControllerId,
    events: Vec<&Event>,
) -> Result<(), StoreError> {
    let now = state.now().0;
    for event in events {
        let change = match event {
            Event::Door(e) => for_door_event(e),
            Event::Access(d) => match refused_badge(d) {
                Some(badge) if state.store.badge_is_lost(state.site, &badge).await? => Some(
                    AlarmChange::Raise(AlarmKind::LostBadgePresented, AlarmSource::Door(d.door)),
                ),
                _ => None,
            },
            // Events were lost for want of room: nothing clears it but a guard, who should
            // find out why the controller could not upload.
            Event::JournalOverflow { .. } => Some(AlarmChange::Raise(
                AlarmKind::JournalFull,
                AlarmSource::Controller(controller),
            )),
            Event::ControllerStarted { .. } | Event::ControllerStopping { .. } => None,
        };
        match change {
            Some(AlarmChange::Raise(kind, source)) => {
                if let Some(alarm) = state
                    .store
                    .raise_alarm(state.site, kind, kind.severity(), source, now)
                    .await?
                {
                    tracing::warn!(alarm = alarm.id, ?kind, ?source, "alarm raised");
                }
            }
            Some(AlarmChange::Clear(kind, source)) => {
                state
                    .store
                    .clear_alarms(state.site, kind, source, now)
                    .await?;
            }
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_core::ids::DoorId;
    use gatehouse_core::model::Direction;
    use gatehouse_core::time::Timestamp;

    fn door(kind: DoorEventKind) -> Option<AlarmChange> {
        for_door_event(&DoorEvent {
            door: DoorId(3),
            kind,
            at: Timestamp(0),
        })
    }

    #[test]
    fn door_events_map_to_their_alarms() {
        let d = AlarmSource::Door(DoorId(3));
        let r = AlarmSource::Reader {
            door: DoorId(3),
            direction: Direction::Entry,
        };
        use AlarmChange::{Clear, Raise};
        assert_eq!(
            door(DoorEventKind::ForcedOpen),
            Some(Raise(AlarmKind::DoorForced, d))
        );
        assert_eq!(
            door(DoorEventKind::HeldOpenCleared),
            Some(Clear(AlarmKind::DoorHeldOpen, d))
        );
        assert_eq!(
            door(DoorEventKind::Tamper {
                reader: Some(Direction::Entry)
            }),
            Some(Raise(AlarmKind::Tamper, r))
        );
        assert_eq!(
            door(DoorEventKind::ReaderOnline {
                reader: Direction::Entry
            }),
            Some(Clear(AlarmKind::ReaderOffline, r))
        );
        assert_eq!(
            door(DoorEventKind::Closed),
            Some(Clear(AlarmKind::DoorForced, d))
        );
        assert_eq!(door(DoorEventKind::Opened), None);
    }
}
