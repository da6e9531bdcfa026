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
