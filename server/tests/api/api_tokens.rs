//! API tokens: shown once, used as `Bearer`, listed without the secret, revoked by their
//! owner only.

use super::harness::{Auth, NOW, TestServer};
use axum::http::{Method, StatusCode};
use gatehouse_server::store::Role;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn an_api_token_is_shown_once_used_and_revoked() {
    let server = TestServer::new().await;
    let name = server
        .user_with_password(Role::Security, PASSWORD, false)
        .await;
    let session = server.login(&name, PASSWORD).await;
    let made = server
        .post(
            &session,
            "/api/v1/auth/tokens",
            json!({"name": "  nightly export "}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    assert_eq!(made.json["name"], "nightly export");
    let token = made.json["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("ght_") && token.len() == 4 + 43);
    let id = made.json["id"].as_u64().unwrap();

    let bearer = Auth::Token(token);
    let me = server.get(&bearer, "/api/v1/auth/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["user"]["username"], name.as_str());
    assert_eq!(me.json["csrf_token"], Value::Null);

    let listed = server.get(&session, "/api/v1/auth/tokens").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(
        listed.json,
        json!([{"id": id, "name": "nightly export", "created_at": NOW,
                "last_used_at": NOW}]),
        "listed without the token itself"
    );

    // Another user cannot see or revoke it.
    let other = server.token_for(Role::Admin).await;
    let others = server.get(&other, "/api/v1/auth/tokens").await;
    assert_eq!(others.json.as_array().unwrap().len(), 1);
    let path = format!("/api/v1/auth/tokens/{id}");
    let theft = server.send(&other, Method::DELETE, &path, None).await;
    assert_eq!(theft.status, StatusCode::NOT_FOUND);
    assert_eq!(
        server.get(&bearer, "/api/v1/auth/me").await.status,
        StatusCode::OK
    );

    let revoked = server.send(&session, Method::DELETE, &path, None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        server.get(&bearer, "/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.get(&session, "/api/v1/auth/tokens").await.json,
        json!([])
    );
    let again = server.send(&session, Method::DELETE, &path, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let bad_id = server
        .send(&session, Method::DELETE, "/api/v1/auth/tokens/abc", None)
        .await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_id.json["error"], "bad_request");
}

#[tokio::test]
async fn a_token_needs_a_name() {
    let server = TestServer::new().await;
    let auth = server.token_for(Role::Host).await;
    for name in ["", "   ", &"x".repeat(101)] {
        let reply = server
            .post(&auth, "/api/v1/auth/tokens", json!({"name": name}))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json["field"], "name");
    }
}
