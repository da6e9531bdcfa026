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
