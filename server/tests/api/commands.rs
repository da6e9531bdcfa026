//! Commands: a lockdown reaches the controller as a command and stays in its bundle until
//! released; a momentary unlock goes only to the door's controller; acknowledgements are
//! recorded; a command long-poll wakes when a command is issued.

use super::harness::Auth;
use super::sync::{decide_at, fetch_policy, site};
use axum::http::StatusCode;
use gatehouse_core::decide::Credential;
use gatehouse_core::reason::Reason;
use gatehouse_server::store::{DeviceKind, Role};
use serde_json::json;
use std::time::{Duration, Instant};

fn controller_id(auth: &Auth) -> u64 {
    let Auth::Device { name, .. } = auth else {
        unreachable!()
    };
    name.strip_prefix("controller:").unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_lockdown_is_commanded_acknowledged_and_kept_in_the_bundle() {
    let site = site().await;
    let guard = site.server.token_for(Role::Security).await;
    let before = fetch_policy(&site).await;
    assert_eq!(
        decide_at(&before, &site, Credential::Card(site.card)),
        Reason::Granted
    );

    let sent = site
        .server
        .post(
            &guard,
            "/api/v1/commands",
            json!({"lockdown": {"scope": "site"}}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.json);
    let command = sent.json["id"].as_u64().unwrap();
    assert_eq!(
        sent.json["deliveries"][0]["controller"],
        controller_id(&site.controller)
    );

    let pending = site
        .server
        .get(&site.controller, "/api/v1/sync/commands")
        .await;
    assert_eq!(pending.status, StatusCode::OK, "{}", pending.json);
    assert!(pending.headers.contains_key("x-gh-server-time-signature"));
    assert_eq!(pending.json["commands"][0]["id"], command);
    assert_eq!(
        pending.json["commands"][0]["command"],
        json!({"lockdown": {"scope": "site"}})
    );

    let locked = fetch_policy(&site).await;
    assert!(locked.version() > before.version());
    assert_eq!(
        decide_at(&locked, &site, Credential::Card(site.card)),
        Reason::Lockdown
    );
    let in_force = site.server.get(&guard, "/api/v1/lockdowns").await;
    assert_eq!(in_force.json[0]["zone"], serde_json::Value::Null);

    let again = site
        .server
        .post(
            &guard,
            "/api/v1/commands",
            json!({"lockdown": {"scope": "site"}}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["field"], "scope");

    let acked = site
        .server
        .post(
            &site.controller,
            "/api/v1/sync/commands/ack",
            json!({"v": 1, "id": command, "outcome": "applied"}),
        )
        .await;
    assert_eq!(acked.status, StatusCode::NO_CONTENT, "{}", acked.json);
    let record = site
        .server
        .get(&guard, &format!("/api/v1/commands/{command}"))
        .await;
    assert_eq!(record.json["deliveries"][0]["outcome"], "applied");
    let none = site
        .server
        .get(&site.controller, "/api/v1/sync/commands")
        .await;
    assert_eq!(none.json["commands"], json!([]), "acknowledged: not resent");

    let released = site
        .server
        .post(
            &guard,
            "/api/v1/commands",
            json!({"release": {"scope": "site"}}),
        )
        .await;
    assert_eq!(released.status, StatusCode::CREATED);
    let open = fetch_policy(&site).await;
    assert_eq!(
        decide_at(&open, &site, Credential::Card(site.card)),
        Reason::Granted
    );
    let nothing = site
        .server
        .post(
            &guard,
            "/api/v1/commands",
            json!({"release": {"scope": "site"}}),
        )
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nothing.json["field"], "scope");
}

#[tokio::test]
async fn a_momentary_unlock_goes_to_the_doors_controller_only() {
    let site = site().await;
    let other = site.server.device(DeviceKind::Controller).await;
    let admin = site.server.token_for(Role::Admin).await;
    let sent = site
        .server
        .post(
            &admin,
            "/api/v1/commands",
            json!({"momentary_unlock": {"door": site.door.0, "seconds": 5}}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.json);
    let command = sent.json["id"].as_u64().unwrap();
    let mine = site
        .server
        .get(&site.controller, "/api/v1/sync/commands")
        .await;
    assert_eq!(mine.json["commands"][0]["id"], command);
    let theirs = site.server.get(&other, "/api/v1/sync/commands").await;
    assert_eq!(theirs.json["commands"], json!([]));
    let stranger = site
        .server
        .post(
            &other,
            "/api/v1/sync/commands/ack",
            json!({"v": 1, "id": command, "outcome": "applied"}),
        )
        .await;
    assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stranger.json["field"], "id");

    // Older than a minute, a command is no longer offered.
    site.server.advance(61_000);
    let stale = site
        .server
        .get(&site.controller, "/api/v1/sync/commands")
        .await;
    assert_eq!(stale.json["commands"], json!([]));

    for (body, field) in [
        (
            json!({"momentary_unlock": {"door": site.door.0, "seconds": 0}}),
            "seconds",
        ),
        (
            json!({"momentary_unlock": {"door": 99_999, "seconds": 5}}),
            "door",
        ),
        (json!({"lockdown": {"scope": {"zone": 99_999}}}), "scope"),
    ] {
        let reply = site.server.post(&admin, "/api/v1/commands", body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json["field"], field, "{}", reply.json);
    }
    let nonsense = site
        .server
        .post(&admin, "/api/v1/commands", json!({"explode": {}}))
        .await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_command_long_poll_wakes_when_a_command_is_issued() {
    let site = site().await;
    let store = site.server.state.store.clone();
    let (s, door) = (site.server.state.site, site.door);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        store
            .issue_command(
                s,
                gatehouse_core::wire::Command::MomentaryUnlock { door, seconds: 3 },
                None,
                gatehouse_core::time::Timestamp(super::harness::NOW),
            )
            .await
            .unwrap();
    });
    let started = Instant::now();
    let reply = site
        .server
        .get(&site.controller, "/api/v1/sync/commands?wait=20")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json["commands"][0]["command"]["momentary_unlock"]["seconds"],
        3
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "woke after {:?}",
        started.elapsed()
    );
}
