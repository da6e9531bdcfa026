//! Alarms and controller status on both databases.

use crate::conformance;
use crate::policy::{NOW, site};
use gatehouse_core::wire::{AlarmKind, AlarmSource, Severity};
use gatehouse_server::store::Store;

async fn alarms_open_once_and_clear(store: Store) {
    let site = site(&store).await;
    let controller = store.create_controller(site, "ctl").await.unwrap().id;
    let source = AlarmSource::Controller(controller);
    let raised = store
        .raise_alarm(
            site,
            AlarmKind::ControllerOffline,
            Severity::Warning,
            source,
            NOW,
        )
        .await
        .unwrap();
    assert!(raised.is_some());
    assert!(
        store
            .raise_alarm(
                site,
                AlarmKind::ControllerOffline,
                Severity::Warning,
                source,
                NOW
            )
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .clear_alarms(site, AlarmKind::ControllerOffline, source, NOW + 1)
            .await
            .unwrap(),
        1
    );
    let all = store.alarms(site, false, 10).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].cleared_at, Some(NOW + 1));
    store
        .save_controller_status(controller, &serde_json::json!({"backlog": 3}), NOW)
        .await
        .unwrap();
    store
        .save_controller_status(controller, &serde_json::json!({"backlog": 0}), NOW + 5)
        .await
        .unwrap();
    let status: String = sqlx::query_scalar("SELECT status FROM controller_status")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(status, r#"{"backlog":0}"#);
}
conformance!(alarms, alarms_open_once_and_clear);

/// What `/metrics` reads: controllers enrolled and online, alarms open by kind.
async fn controllers_and_open_alarms_are_counted(store: Store) {
    use gatehouse_server::store::DeviceKind;
    let site = site(&store).await;
    let enrolled = store.create_controller(site, "a").await.unwrap().id;
    store
        .set_device_key(
            site,
            DeviceKind::Controller,
            u64::from(enrolled.0),
            &[7; 32],
            NOW,
        )
        .await
        .unwrap();
    let pending = store.create_controller(site, "b").await.unwrap().id;
    assert_eq!(store.controller_counts(site, NOW).await.unwrap(), (1, 1));
    assert_eq!(
        store.controller_counts(site, NOW + 1).await.unwrap(),
        (1, 0)
    );

    let raise = |kind, source| store.raise_alarm(site, kind, Severity::Warning, source, NOW);
    raise(
        AlarmKind::ControllerOffline,
        AlarmSource::Controller(enrolled),
    )
    .await
    .unwrap();
    raise(
        AlarmKind::ControllerOffline,
        AlarmSource::Controller(pending),
    )
    .await
    .unwrap();
    raise(
        AlarmKind::DoorForced,
        AlarmSource::Door(gatehouse_core::ids::DoorId(1)),
    )
    .await
    .unwrap();
    store
        .clear_alarms(
            site,
            AlarmKind::ControllerOffline,
            AlarmSource::Controller(enrolled),
            NOW + 1,
        )
        .await
        .unwrap();
    let counts: Vec<(String, u64, u64)> = store
        .open_alarm_counts(site)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.kind, c.uncleared, c.unacknowledged))
        .collect();
    assert_eq!(
        counts,
        [
            ("controller_offline".to_string(), 1, 2),
            ("door_forced".to_string(), 1, 1)
        ]
    );
}
conformance!(counts, controllers_and_open_alarms_are_counted);
