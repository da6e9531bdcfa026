//! Wire messages: their JSON form is stable, they survive a round trip in JSON and in the
//! compact binary form, and a message of another wire version is refused.

use gatehouse_core::card::CardId;
use gatehouse_core::decide::{CredentialRef, Decision, Holder};
use gatehouse_core::ids::{ControllerId, DoorId, PersonId, ZoneId};
use gatehouse_core::model::Direction;
use gatehouse_core::reason::Reason;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::*;

fn decision() -> Decision {
    Decision {
        reason: Reason::AntiPassback,
        door: DoorId(4),
        direction: Direction::Entry,
        zone: Some(ZoneId(4)),
        credential: CredentialRef::Card("H10301:12:1005".parse::<CardId>().unwrap()),
        holder: Some(Holder::Person(PersonId(105))),
        companion: None,
        at: Timestamp(1_795_597_200_000),
        clock_trusted: true,
    }
}

fn batch() -> EventBatch {
    EventBatch {
        v: WIRE_VERSION,
        controller: ControllerId(1),
        entries: vec![
            JournalEntry {
                journal: JournalId(0xabc),
                seq: 1,
                event: Event::Access(decision()),
            },
            JournalEntry {
                journal: JournalId(0xabc),
                seq: 2,
                event: Event::Door(DoorEvent {
                    door: DoorId(4),
                    kind: DoorEventKind::ForcedOpen,
                    at: Timestamp(1_795_597_260_000),
                }),
            },
        ],
    }
}

#[test]
fn an_access_event_in_json_names_its_reason_and_card() {
    let json = serde_json::to_value(&batch().entries[0]).unwrap();
    assert_eq!(json["event"]["access"]["reason"], "anti_passback");
    assert_eq!(
        json["event"]["access"]["credential"]["card"]["format"],
        "H10301"
    );
    assert_eq!(
        json["event"]["access"]["credential"]["card"]["card_number"],
        1005
    );
    assert_eq!(json["event"]["access"]["holder"]["person"], 105);
    assert_eq!(json["seq"], 1);
}

#[test]
fn batches_round_trip_in_json_and_binary() {
    let b = batch();
    let json = serde_json::to_string(&b).unwrap();
    assert_eq!(serde_json::from_str::<EventBatch>(&json).unwrap(), b);
    let bin = postcard::to_allocvec(&b).unwrap();
    assert_eq!(postcard::from_bytes::<EventBatch>(&bin).unwrap(), b);
}

#[test]
fn commands_and_alarms_have_a_stable_json_form() {
    let cmd = CommandEnvelope {
        v: WIRE_VERSION,
        id: CommandId(9),
        issued_at: Timestamp(0),
        command: Command::Lockdown {
            scope: Scope::Zone(ZoneId(1)),
        },
    };
    assert_eq!(
        serde_json::to_string(&cmd).unwrap(),
        r#"{"v":1,"id":9,"issued_at":0,"command":{"lockdown":{"scope":{"zone":1}}}}"#
    );
    let alarm = Alarm {
        v: WIRE_VERSION,
        kind: AlarmKind::DoorForced,
        severity: AlarmKind::DoorForced.severity(),
        source: AlarmSource::Door(DoorId(4)),
        at: Timestamp(5),
    };
    assert_eq!(
        serde_json::to_string(&alarm).unwrap(),
        r#"{"v":1,"kind":"door_forced","severity":"critical","source":{"door":4},"at":5}"#
    );
}

#[test]
fn another_wire_version_is_refused() {
    assert!(check_version(WIRE_VERSION).is_ok());
    assert_eq!(check_version(2), Err(UnsupportedVersion(2)));
}
