//! The building's side through the socket; the controller's channels receive.

use crate::harness::Running;
use gatehouse_core::card::CardId;
use gatehouse_hardware::door_io::InputKind;
use gatehouse_hardware::reader::{ReadData, ReaderEvent};

#[tokio::test]
async fn a_presented_card_arrives_as_a_reader_event() {
    let mut running = Running::start();
    let mut client = running.client().await;
    for text in ["H10301:231:61033", "uid:04A1B2C3"] {
        let card: CardId = text.parse().unwrap();
        client.present_card("front-in", &card).await.unwrap();
        match running.events.readers.recv().await {
            Some(ReaderEvent::Read(read)) => {
                assert_eq!(read.reader.name(), "front-in");
                assert_eq!(read.data, ReadData::Card(card));
            }
            other => panic!("expected a card read, got {other:?}"),
        }
    }
    client.present_qr("front-in", "GH1:ABC").await.unwrap();
    match running.events.readers.recv().await {
        Some(ReaderEvent::Read(read)) => assert_eq!(read.data, ReadData::Qr("GH1:ABC".into())),
        other => panic!("expected a QR read, got {other:?}"),
    }
    running.stop().await;
}

#[tokio::test]
async fn door_rex_tamper_and_fire_arrive_as_input_events() {
    let mut running = Running::start();
    let mut client = running.client().await;
    client.set_door_open("front", true).await.unwrap();
    client.press_rex("front").await.unwrap();
    client.set_tamper("store", true).await.unwrap();
    client.set_fire(Some("store"), true).await.unwrap();
    client.set_fire(None, false).await.unwrap();
    client.set_door_open("front", false).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..7 {
        let event = running.events.inputs.recv().await.unwrap();
        seen.push((event.door.name().to_string(), event.kind, event.active));
    }
    let expected = [
        ("front", InputKind::DoorContact, true),
        ("front", InputKind::Rex, true),
        ("front", InputKind::Rex, false),
        ("store", InputKind::Tamper, true),
        ("store", InputKind::FireRelease, true),
        ("store", InputKind::FireRelease, false),
        ("front", InputKind::DoorContact, false),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(d, k, a)| (d.to_string(), *k, *a))
        .collect();
    assert_eq!(seen, expected);
    assert!(running.events.inputs.try_recv().is_err(), "nothing more");
    let status = running.client().await.status().await.unwrap();
    assert_eq!(status.readers, vec!["front-in".to_string()]);
    assert!(status.doors[1].tamper && !status.doors[1].fire);
    running.stop().await;
}

#[tokio::test]
async fn reader_health_arrives_as_a_health_event() {
    use gatehouse_hardware::reader::ReaderHealth;
    use gatehouse_hardware::sim::protocol::SimHealth;
    let mut running = Running::start();
    let mut client = running.client().await;
    for (sent, expected) in [
        (SimHealth::Offline, ReaderHealth::Offline),
        (
            SimHealth::OnlineSecure,
            ReaderHealth::Online { secure: true },
        ),
        (SimHealth::Tamper, ReaderHealth::Tamper),
    ] {
        client.set_reader_health("front-in", sent).await.unwrap();
        match running.events.readers.recv().await {
            Some(ReaderEvent::Health { reader, health, .. }) => {
                assert_eq!((reader.name(), health), ("front-in", expected));
            }
            other => panic!("expected a health event, got {other:?}"),
        }
    }
    running.stop().await;
}
