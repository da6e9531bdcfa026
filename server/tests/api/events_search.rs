//! The events search endpoint: filters validated and named.

use super::harness::TestServer;
use axum::http::StatusCode;
use gatehouse_server::store::Role;
use serde_json::json;

#[tokio::test]
async fn bad_filters_are_named_and_an_empty_search_answers_an_empty_page() {
    let server = TestServer::new().await;
    let guard = server.token_for(Role::Security).await;
    let page = server
        .get(&guard, "/api/v1/events?person=101&outcome=denied")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.json, json!({"items": [], "next": null}));
    for (query, field) in [
        ("reason=sorry", "reason"),
        ("outcome=maybe", "outcome"),
        ("limit=0", "limit"),
        ("after=not-a-cursor", "after"),
        ("from=10&to=5", "to"),
    ] {
        let reply = server.get(&guard, &format!("/api/v1/events?{query}")).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {:?}",
            reply.json
        );
        assert_eq!(reply.json["field"], field, "{query}");
    }
    let typo = server.get(&guard, "/api/v1/events?persn=1").await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(typo.json["field"], "query");
    assert!(
        typo.json["message"].as_str().unwrap().contains("persn"),
        "{:?}",
        typo.json
    );
}
