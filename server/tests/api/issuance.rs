//! Issuance: a visitor pass and a staff QR badge signed by the server open the door in
//! the controller's bundle; check-out, revocation and a lost QR badge reach the bundle as
//! revoked serials.

use super::harness::{Auth, NOW};
use super::sync::{Site, decide_at, fetch_policy, site};
use axum::http::StatusCode;
use gatehouse_core::credential::{CredentialKind, verify};
use gatehouse_core::decide::Credential;
use gatehouse_core::reason::Reason;
use gatehouse_core::time::Timestamp;
use gatehouse_server::store::Role;
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000;

/// The zone of the site's door.
async fn door_zone(site: &Site) -> u64 {
    let doors = site
        .server
        .state
        .store
        .doors(site.server.state.site)
        .await
        .unwrap();
    let door = doors.iter().find(|d| d.id == site.door).unwrap();
    u64::from(door.zone.0)
}

async fn visitor(site: &Site, desk: &Auth) -> u64 {
    let reply = site
        .server
        .post(
            desk,
            "/api/v1/visitors",
            json!({"display_name": "Vera Visitor", "company": "Acme", "host": site.badge.person.0}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    assert_eq!(reply.json["host"], site.badge.person.0);
    assert_eq!(reply.json["purged"], false);
    reply.json["id"].as_u64().unwrap()
}

#[tokio::test]
async fn a_visitor_pass_opens_its_zone_until_check_out() {
    let site = site().await;
    let desk = site.server.token_for(Role::Receptionist).await;
    let id = visitor(&site, &desk).await;
    let zone = door_zone(&site).await;
    let issued = site
        .server
        .post(
            &desk,
            &format!("/api/v1/visitors/{id}/passes"),
            json!({"zones": [zone], "expires": NOW + 8 * HOUR + 500}),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.json);
    let text = issued.json["qr"].as_str().unwrap().to_string();
    let serial = issued.json["pass"]["serial"].as_u64().unwrap();
    // The window is cut to whole seconds, as the QR carries it.
    assert_eq!(issued.json["pass"]["expires"], NOW + 8 * HOUR);

    // The text is a pass any verifier with the site's keys accepts, with the claims asked.
    let trust = site.server.state.keyring.read().unwrap().trust_store();
    let pass = verify(&text, &trust, Timestamp(NOW)).unwrap();
    assert_eq!(pass.claims.kind, CredentialKind::Visitor);
    assert_eq!(pass.claims.serial.0, serial);
    assert_eq!(pass.claims.sub, format!("v{id}"));
    assert_eq!(pass.claims.host, Some(site.badge.person));
    assert_eq!(
        pass.claims
            .zones
            .iter()
            .map(|z| u64::from(z.0))
            .collect::<Vec<_>>(),
        vec![zone]
    );
    assert_eq!(pass.claims.exp * 1000, NOW + 8 * HOUR);

    // Shown again, it is the same text.
    let again = site
        .server
        .get(&desk, &format!("/api/v1/visitor-passes/{serial}"))
        .await;
    assert_eq!(again.json["qr"], text.as_str());

    let policy = fetch_policy(&site).await;
    assert_eq!(
        decide_at(&policy, &site, Credential::Qr(&text)),
        Reason::Granted
    );

    let out = site
        .server
        .post(
            &desk,
            &format!("/api/v1/visitor-passes/{serial}/check-out"),
            json!({}),
        )
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.json);
    assert_eq!(out.json["status"], "checked_out");
    let policy = fetch_policy(&site).await;
    assert!(
        policy
            .bundle()
            .revoked_serials
            .iter()
            .any(|s| s.0 == serial)
    );
    assert_eq!(
        decide_at(&policy, &site, Credential::Qr(&text)),
        Reason::Revoked
    );

    // Ended: no QR any more, and it cannot end twice.
    let shown = site
        .server
        .get(&desk, &format!("/api/v1/visitor-passes/{serial}"))
        .await;
    assert_eq!(shown.json["qr"], Value::Null);
    let twice = site
        .server
        .post(
            &desk,
            &format!("/api/v1/visitor-passes/{serial}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(twice.json["field"], "status");
}

#[tokio::test]
async fn bad_visitor_input_is_named() {
    let site = site().await;
    let desk = site.server.token_for(Role::Receptionist).await;
    let id = visitor(&site, &desk).await;
    let zone = door_zone(&site).await;
    let cases = [
        (
            "/api/v1/visitors".to_string(),
            json!({"display_name": "X", "host": 999_999}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "host",
        ),
        (
            "/api/v1/visitors".to_string(),
            json!({"display_name": "  ", "host": site.badge.person.0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "display_name",
        ),
        (
            "/api/v1/visitors".to_string(),
            json!({"display_name": "X", "email": "not-an-address", "host": site.badge.person.0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        (
            format!("/api/v1/visitors/{id}/passes"),
            json!({"zones": [], "expires": NOW + HOUR}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "zones",
        ),
        (
            format!("/api/v1/visitors/{id}/passes"),
            json!({"zones": [99_999], "expires": NOW + HOUR}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "zones",
        ),
        (
            format!("/api/v1/visitors/{id}/passes"),
            json!({"zones": [zone], "expires": NOW - HOUR}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "expires",
        ),
        (
            format!("/api/v1/visitors/{id}/passes"),
            json!({"zones": [zone], "not_before": NOW + HOUR, "expires": NOW + HOUR}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "expires",
        ),
        (
            format!("/api/v1/visitors/{id}/passes"),
            json!({"zones": [zone], "expires": "tomorrow"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "expires",
        ),
    ];
    for (path, body, status, field) in cases {
        let reply = site.server.post(&desk, &path, body.clone()).await;
        assert_eq!(reply.status, status, "{path} {body}: {}", reply.json);
        assert_eq!(reply.json["field"], field, "{path} {body}: {}", reply.json);
    }
    let missing = site
        .server
        .post(
            &desk,
            "/api/v1/visitors/999999/passes",
            json!({"zones": [zone], "expires": NOW + HOUR}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // Nothing was issued by any of the refusals.
    let passes = site
        .server
        .get(&desk, &format!("/api/v1/visitors/{id}/passes"))
        .await;
    assert_eq!(passes.json, json!([]));
}

#[tokio::test]
async fn a_staff_qr_badge_opens_like_a_card_until_reported_lost() {
    let site = site().await;
    let security = site.server.token_for(Role::Security).await;
    let issued = site
        .server
        .post(
            &security,
            "/api/v1/badges/qr",
            json!({"person": site.badge.person.0, "expires": NOW + 24 * HOUR}),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.json);
    let text = issued.json["qr"].as_str().unwrap().to_string();
    let badge = issued.json["badge"]["id"].as_u64().unwrap();
    let trust = site.server.state.keyring.read().unwrap().trust_store();
    let pass = verify(&text, &trust, Timestamp(NOW)).unwrap();
    assert_eq!(pass.claims.kind, CredentialKind::Staff);
    assert_eq!(pass.claims.sub, site.badge.person.0.to_string());
    assert_eq!(
        issued.json["badge"]["credential"]["qr"], pass.claims.serial.0,
        "{}",
        issued.json
    );

    let policy = fetch_policy(&site).await;
    assert_eq!(
        decide_at(&policy, &site, Credential::Qr(&text)),
        Reason::Granted
    );
    let shown = site
        .server
        .get(&security, &format!("/api/v1/badges/{badge}/qr"))
        .await;
    assert_eq!(shown.json["qr"], text.as_str());

    let lost = site
        .server
        .post(
            &security,
            &format!("/api/v1/badges/{badge}/report-lost"),
            json!({}),
        )
        .await;
    assert_eq!(lost.status, StatusCode::OK);
    let policy = fetch_policy(&site).await;
    assert!(
        policy
            .bundle()
            .revoked_serials
            .contains(&pass.claims.serial)
    );
    assert_eq!(
        decide_at(&policy, &site, Credential::Qr(&text)),
        Reason::Revoked
    );
    let card = site
        .server
        .get(&security, &format!("/api/v1/badges/{}/qr", site.badge.id.0))
        .await;
    assert_eq!(card.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(card.json["field"], "id");
}

#[tokio::test]
async fn visitor_data_is_purged_after_retention_and_the_chain_stays_intact() {
    let site = site().await;
    let desk = site.server.token_for(Role::Receptionist).await;
    let gone = visitor(&site, &desk).await;
    let staying = visitor(&site, &desk).await;
    let zone = door_zone(&site).await;
    let day = 24 * HOUR;
    let long = site
        .server
        .post(
            &desk,
            &format!("/api/v1/visitors/{staying}/passes"),
            json!({"zones": [zone], "expires": NOW + 29 * day}),
        )
        .await;
    assert_eq!(long.status, StatusCode::CREATED);

    site.server.advance(20 * day);
    let purged = gatehouse_server::retention::purge(&site.server.state, 10)
        .await
        .unwrap();
    assert_eq!(purged.visitors, 1, "the one with a pass still valid stays");
    assert_eq!(purged.audit_documents, 3, "two registrations and one pass");
    let record = site
        .server
        .get(&desk, &format!("/api/v1/visitors/{gone}"))
        .await;
    assert_eq!(record.json["purged"], true);
    assert_eq!(record.json["display_name"], "");
    assert_eq!(record.json["company"], Value::Null);
    let kept = site
        .server
        .get(&desk, &format!("/api/v1/visitors/{staying}"))
        .await;
    assert_eq!(kept.json["display_name"], "Vera Visitor");
    let refused = site
        .server
        .post(
            &desk,
            &format!("/api/v1/visitors/{gone}/passes"),
            json!({"zones": [zone], "expires": NOW + 21 * day}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json["field"], "visitor");

    let entries = site
        .server
        .state
        .store
        .audit_entries("admin", 0, 100)
        .await
        .unwrap();
    let head = gatehouse_server::audit::verify("admin", &entries, None)
        .unwrap()
        .unwrap();
    assert_eq!(head.seq, 4);
}

#[tokio::test]
async fn after_a_key_rotation_old_passes_still_open_and_new_ones_use_the_new_key() {
    let site = site().await;
    let desk = site.server.token_for(Role::Receptionist).await;
    let id = visitor(&site, &desk).await;
    let zone = door_zone(&site).await;
    let issue = || async {
        site.server
            .post(
                &desk,
                &format!("/api/v1/visitors/{id}/passes"),
                json!({"zones": [zone], "expires": NOW + HOUR}),
            )
            .await
    };
    let old = issue().await;
    let old_text = old.json["qr"].as_str().unwrap().to_string();
    let old_serial = old.json["pass"]["serial"].as_u64().unwrap();
    let new_kid = site.server.state.keyring.write().unwrap().rotate().unwrap();
    site.server
        .state
        .store
        .touch_policy(site.server.state.site)
        .await
        .unwrap();

    let new = issue().await;
    assert_eq!(new.json["pass"]["key_id"], new_kid.to_string());
    assert_ne!(old.json["pass"]["key_id"], new.json["pass"]["key_id"]);
    let policy = fetch_policy(&site).await;
    assert_eq!(policy.bundle().trusted_keys.len(), 2);
    for text in [&old_text, &new.json["qr"].as_str().unwrap().to_string()] {
        assert_eq!(
            decide_at(&policy, &site, Credential::Qr(text)),
            Reason::Granted
        );
    }
    // Shown again, the old pass is still signed with its own key.
    let again = site
        .server
        .get(&desk, &format!("/api/v1/visitor-passes/{old_serial}"))
        .await;
    assert_eq!(again.json["qr"], old_text.as_str());
}

#[tokio::test]
async fn a_host_sees_only_their_own_visitors() {
    let site = site().await;
    let desk = site.server.token_for(Role::Receptionist).await;
    let theirs = visitor(&site, &desk).await;
    let host = site
        .server
        .token_for_person(Role::Host, Some(site.badge.person))
        .await;
    let other_person = site
        .server
        .state
        .store
        .create_person(
            site.server.state.site,
            &gatehouse_server::store::NewPerson {
                display_name: "Oscar Other".into(),
                email: None,
                manager: None,
                lockdown_override: false,
                pin_required: false,
            },
            NOW,
        )
        .await
        .unwrap();
    let stranger = site
        .server
        .token_for_person(Role::Host, Some(other_person.id))
        .await;
    let zone = door_zone(&site).await;
    let pass = site
        .server
        .post(
            &host,
            &format!("/api/v1/visitors/{theirs}/passes"),
            json!({"zones": [zone], "expires": NOW + HOUR}),
        )
        .await;
    assert_eq!(pass.status, StatusCode::CREATED, "{}", pass.json);
    let serial = pass.json["pass"]["serial"].as_u64().unwrap();

    // Self-service limits: only zones the host may enter, at most a day.
    let annex = site
        .server
        .state
        .store
        .zones(site.server.state.site)
        .await
        .unwrap()
        .into_iter()
        .find(|z| z.name == "Annex")
        .unwrap()
        .id;
    for (body, field) in [
        (json!({"zones": [annex.0], "expires": NOW + HOUR}), "zones"),
        (
            json!({"zones": [zone], "expires": NOW + 25 * HOUR}),
            "expires",
        ),
    ] {
        let refused = site
            .server
            .post(&host, &format!("/api/v1/visitors/{theirs}/passes"), body)
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json["field"], field, "{}", refused.json);
    }
    // The front desk may do both, within 30 days.
    let desk_pass = site
        .server
        .post(
            &desk,
            &format!("/api/v1/visitors/{theirs}/passes"),
            json!({"zones": [annex.0], "expires": NOW + 25 * HOUR}),
        )
        .await;
    assert_eq!(desk_pass.status, StatusCode::CREATED, "{}", desk_pass.json);
    let too_long = site
        .server
        .post(
            &desk,
            &format!("/api/v1/visitors/{theirs}/passes"),
            json!({"zones": [zone], "expires": NOW + 31 * 24 * HOUR}),
        )
        .await;
    assert_eq!(too_long.json["field"], "expires");
    let not_theirs = site
        .server
        .post(
            &stranger,
            &format!("/api/v1/visitors/{theirs}/passes"),
            json!({"zones": [zone], "expires": NOW + HOUR}),
        )
        .await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);

    let mine = site.server.get(&host, "/api/v1/visitors").await;
    assert_eq!(mine.json.as_array().unwrap().len(), 1);
    let none = site.server.get(&stranger, "/api/v1/visitors").await;
    assert_eq!(none.json, json!([]));
    for path in [
        format!("/api/v1/visitors/{theirs}"),
        format!("/api/v1/visitors/{theirs}/passes"),
        format!("/api/v1/visitor-passes/{serial}"),
    ] {
        let reply = site.server.get(&stranger, &path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    let out = site
        .server
        .post(
            &stranger,
            &format!("/api/v1/visitor-passes/{serial}/check-out"),
            json!({}),
        )
        .await;
    assert_eq!(out.status, StatusCode::NOT_FOUND);
    let someone_elses = site
        .server
        .post(
            &stranger,
            "/api/v1/visitors",
            json!({"display_name": "X", "host": site.badge.person.0}),
        )
        .await;
    assert_eq!(someone_elses.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(someone_elses.json["field"], "host");
}
