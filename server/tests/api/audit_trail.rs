//! Admin actions land in the `admin` hash chain: who, what, the outcome and the hash of the
//! request body — attempts that were refused too.

use super::harness::{Auth, TestServer};
use axum::http::StatusCode;
use gatehouse_server::audit::verify;
use gatehouse_server::store::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn admin_chain(server: &TestServer) -> Vec<Value> {
    let entries = server
        .state
        .store
        .audit_entries("admin", 0, 1000)
        .await
        .unwrap();
    let head = verify("admin", &entries, None).unwrap().unwrap();
    assert_eq!(head.seq, entries.len() as u64);
    entries
        .iter()
        .map(|e| serde_json::from_slice(&e.payload).unwrap())
        .collect()
}

#[tokio::test]
async fn changes_and_refusals_are_chained() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let auditor = server.token_for(Role::Auditor).await;
    let body = json!({"name": "HQ"});
    assert_eq!(
        server
            .post(&admin, "/api/v1/zones", body.clone())
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        server
            .post(&auditor, "/api/v1/zones", json!({"name": "Sneaky"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Reads are not actions.
    assert_eq!(
        server.get(&admin, "/api/v1/zones").await.status,
        StatusCode::OK
    );
    server
        .post(
            &Auth::None,
            "/api/v1/auth/login",
            json!({"username": "admin", "password": "wrong password here"}),
        )
        .await;

    let chain = admin_chain(&server).await;
    assert_eq!(chain.len(), 3, "{chain:#?}");
    let created = &chain[0];
    assert_eq!(created["actor"]["role"], "admin");
    assert!(created["actor"]["user"].is_u64());
    assert_eq!(created["method"], "POST");
    assert_eq!(created["route"], "/api/v1/zones");
    assert_eq!(created["status"], 201);
    let sha: String = Sha256::digest(body.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(created["body_sha256"], sha);

    assert_eq!(chain[1]["actor"]["role"], "auditor");
    assert_eq!(chain[1]["status"], 403);

    let login = &chain[2];
    assert_eq!(login["actor"], Value::Null);
    assert_eq!(login["route"], "/api/v1/auth/login");
    assert_eq!(login["status"], 401);
    assert_eq!(login["body_sha256"], Value::Null, "no hash of a password");
    assert!(!login.to_string().contains("wrong password"));
}

/// A badge suspension is chained with the badge before and after; the documents are
/// readable through the audit API, proven by the hashes in the chain, kept free of
/// credentials, and purgeable without breaking the chain.
#[tokio::test]
async fn a_change_keeps_its_before_and_after_beside_the_chain() {
    let site = super::sync::site().await;
    let server = &site.server;
    let security = server.token_for(Role::Security).await;
    let auditor = server.token_for(Role::Auditor).await;
    let suspended = server
        .post(
            &security,
            &format!("/api/v1/badges/{}/suspend", site.badge.id.0),
            json!({}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK);
    let qr = server
        .post(
            &security,
            "/api/v1/badges/qr",
            json!({"person": site.badge.person.0, "expires": super::harness::NOW + 3_600_000}),
        )
        .await;
    assert_eq!(qr.status, StatusCode::CREATED);

    let heads = server.get(&auditor, "/api/v1/audit").await;
    assert_eq!(heads.status, StatusCode::OK);
    assert_eq!(heads.json[0]["stream"], "admin");
    assert_eq!(heads.json[0]["seq"], 2);
    let page = server.get(&auditor, "/api/v1/audit/admin?limit=10").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.json);
    let suspension = &page.json[0];
    assert_eq!(suspension["before"]["status"], "active");
    assert_eq!(suspension["after"]["status"], "suspended");
    let sha = |v: &Value| -> String {
        Sha256::digest(v.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(
        suspension["payload"]["before_sha256"],
        sha(&suspension["before"])
    );
    assert_eq!(
        suspension["payload"]["after_sha256"],
        sha(&suspension["after"])
    );
    // A created thing has no before; its QR text is never kept.
    let issued = &page.json[1];
    assert_eq!(issued["before"], Value::Null);
    assert_eq!(issued["after"]["qr"], "[redacted]");
    assert_eq!(issued["after"]["badge"]["status"], "active");

    let purged = server
        .state
        .store
        .purge_audit_details(super::harness::NOW + 1, super::harness::NOW + 2)
        .await
        .unwrap();
    assert_eq!(purged, 2);
    let page = server.get(&auditor, "/api/v1/audit/admin").await;
    assert_eq!(page.json[0]["after"], Value::Null);
    assert!(page.json[0]["payload"]["after_sha256"].is_string());
    admin_chain(server).await; // still verifies

    let security_reads = server.get(&security, "/api/v1/audit/admin").await;
    assert_eq!(security_reads.status, StatusCode::FORBIDDEN);
    let nowhere = server.get(&auditor, "/api/v1/audit/controller:999").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let too_many = server.get(&auditor, "/api/v1/audit/admin?limit=5000").await;
    assert_eq!(too_many.json["field"], "limit");
}

#[tokio::test]
async fn a_kiosk_action_is_chained_with_the_kiosk_as_actor() {
    let site = super::sync::site().await;
    let server = &site.server;
    let kiosk = server
        .device(gatehouse_server::store::DeviceKind::Kiosk)
        .await;
    let Auth::Device { name, .. } = &kiosk else {
        unreachable!()
    };
    let kiosk_id: u64 = name.strip_prefix("kiosk:").unwrap().parse().unwrap();
    let created = server
        .post(
            &kiosk,
            "/api/v1/visitors",
            json!({"display_name": "Walk In", "host": site.badge.person.0}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    // A controller's sync traffic is not an admin action.
    server
        .post(&site.controller, "/api/v1/sync/heartbeat", json!({}))
        .await;
    let chain = admin_chain(server).await;
    assert_eq!(chain.len(), 1, "{chain:#?}");
    assert_eq!(chain[0]["actor"], json!({"kiosk": kiosk_id}));
    assert_eq!(chain[0]["route"], "/api/v1/visitors");
    assert_eq!(chain[0]["status"], 201);
}
