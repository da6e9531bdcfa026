//! Outputs driven on the controller's side, read back through the socket.

use crate::harness::Running;
use gatehouse_hardware::door_io::{Level, Lock, LockState, LockWiring};
use gatehouse_hardware::sim::SimOutput;

#[tokio::test]
async fn the_record_shows_the_level_each_wiring_needs() {
    let running = Running::start();
    let mut client = running.client().await;
    let line = |door| running.sim.line(door, SimOutput::Lock).unwrap();
    let mut maglock = Lock::new(line("front"), LockWiring::FailSafe).unwrap();
    let mut strike = Lock::new(line("store"), LockWiring::FailSecure).unwrap();
    maglock.set(LockState::Unlocked).unwrap();
    strike.set(LockState::Unlocked).unwrap();

    let record = client.record(0).await.unwrap();
    let seen: Vec<(u64, &str, Level, &str)> = record
        .iter()
        .map(|c| (c.seq, c.door.as_str(), c.level, c.state.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (0, "front", Level::Energized, "locked"),
            (1, "store", Level::DeEnergized, "locked"),
            (2, "front", Level::DeEnergized, "unlocked"),
            (3, "store", Level::Energized, "unlocked"),
        ]
    );
    assert!(record.iter().all(|c| c.output == SimOutput::Lock));
    assert!(record.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));

    // Dropping the outputs (a controller shutting down) locks both doors.
    drop(maglock);
    drop(strike);
    let tail = client.record(4).await.unwrap();
    let seen: Vec<(&str, Level, &str)> = tail
        .iter()
        .map(|c| (c.door.as_str(), c.level, c.state.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("front", Level::Energized, "locked"),
            ("store", Level::DeEnergized, "locked"),
        ]
    );
    let status = client.status().await.unwrap();
    let locks: Vec<_> = status
        .doors
        .iter()
        .map(|d| (d.door.as_str(), d.lock))
        .collect();
    assert_eq!(
        locks,
        vec![
            ("front", Some(LockState::Locked)),
            ("store", Some(LockState::Locked)),
        ]
    );
    running.stop().await;
}

#[tokio::test]
async fn the_raw_record_response_is_the_documented_json() {
    let running = Running::start();
    let _strike = Lock::new(
        running.sim.line("store", SimOutput::Lock).unwrap(),
        LockWiring::FailSecure,
    )
    .unwrap();
    let mut client = running.client().await;
    let response = client.send_line(r#"{"cmd":"record"}"#).await.unwrap();
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json["ok"], true);
    let entry = &json["record"][0];
    assert_eq!(entry["seq"], 0);
    assert_eq!(entry["door"], "store");
    assert_eq!(entry["output"], "lock");
    assert_eq!(entry["level"], "de_energized");
    assert_eq!(entry["state"], "locked");
    assert!(entry["at_ms"].is_u64());
    running.stop().await;
}

#[tokio::test]
async fn a_client_waits_for_an_actuation_without_polling() {
    use std::time::Duration;
    let running = Running::start();
    let mut client = running.client().await;
    let sim = running.sim.clone();
    let waiting =
        tokio::spawn(async move { client.wait_for_record(0, Duration::from_secs(30)).await });
    // The controller acts once the wait is (probably) in place; either order gives the
    // same answer.
    tokio::task::yield_now().await;
    let _maglock = Lock::new(
        sim.line("front", SimOutput::Lock).unwrap(),
        LockWiring::FailSafe,
    )
    .unwrap();
    let record = waiting.await.unwrap().unwrap();
    let seen: Vec<_> = record.iter().map(|c| (c.seq, c.level)).collect();
    assert_eq!(seen, vec![(0, Level::Energized)]);

    // Nothing more comes: an empty record after the wait.
    let mut client = running.client().await;
    let response = client
        .send_line(r#"{"cmd":"record","since":1,"wait_ms":20}"#)
        .await
        .unwrap();
    assert_eq!((response.ok, response.record), (true, Some(vec![])));
    running.stop().await;
}
