//! Bad input to the resource routes: never a 500, always the API's JSON error, 400 for a
//! body that is not JSON and 422 naming the field for JSON that does not fit.

use super::harness::{Auth, TestServer};
use super::resources::{policy_version, refused};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use gatehouse_server::store::Role;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Sends `body` as it is, with `content_type` if any.
async fn raw(
    server: &TestServer,
    auth: &Auth,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> (StatusCode, Value) {
    let Auth::Token(token) = auth else {
        panic!("raw requests use tokens")
    };
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let res = server
        .router
        .clone()
        .oneshot(req.body(Body::from(body.to_vec())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
    (status, json)
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_bad_request() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let json_type = Some("application/json");
    let cases: &[(Option<&str>, &[u8])] = &[
        (json_type, b"{\"name\": \"HQ\""),
        (json_type, b"{name: 'HQ'}"),
        (json_type, b""),
        (json_type, b"{\"name\": \"HQ\"} trailing"),
        (json_type, b"{\"name\": \"\xff\"}"),
        (Some("text/plain"), b"{\"name\": \"HQ\"}"),
        (Some("application/x-www-form-urlencoded"), b"name=HQ"),
        (None, b"{\"name\": \"HQ\"}"),
    ];
    for (content_type, body) in cases {
        for path in ["/api/v1/zones", "/api/v1/badges", "/api/v1/people"] {
            let (status, json) = raw(&server, &admin, path, *content_type, body).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{path} {content_type:?} {body:?}: {json}"
            );
            assert_eq!(json["error"], "bad_request");
        }
    }
    let (_, json) = raw(&server, &admin, "/api/v1/zones", Some("text/plain"), b"{}").await;
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{json}"
    );
    // A charset parameter is fine.
    let (status, json) = raw(
        &server,
        &admin,
        "/api/v1/zones",
        Some("application/json; charset=utf-8"),
        br#"{"name": "HQ"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
}

#[tokio::test]
async fn json_that_does_not_fit_names_the_field() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let version = policy_version(&server).await;
    let cases = [
        ("/api/v1/zones", json!({}), "name"),
        ("/api/v1/zones", json!({"name": 7}), "name"),
        (
            "/api/v1/zones",
            json!({"name": "A", "parent": "HQ"}),
            "parent",
        ),
        (
            "/api/v1/zones",
            json!({"name": "A", "parent": -1}),
            "parent",
        ),
        (
            "/api/v1/zones",
            json!({"name": "A", "rules": {"two_person": "yes"}}),
            "rules",
        ),
        (
            "/api/v1/doors",
            json!({"name": "A", "zone": 1, "first_card_unlock": "no"}),
            "first_card_unlock",
        ),
        ("/api/v1/controllers", json!({"name": null}), "name"),
        (
            "/api/v1/schedules",
            json!({"name": "S", "windows": [{"days": 300, "time": {"start": 0, "end": 60}}]}),
            "windows",
        ),
        (
            "/api/v1/schedules",
            json!({"name": "S", "windows": [{"days": 1}]}),
            "windows",
        ),
        (
            "/api/v1/holiday-calendars",
            json!({"name": "H", "dates": ["25.12.2026"]}),
            "dates",
        ),
        (
            "/api/v1/groups",
            json!({"name": "G", "grants": [{"zone": 1}]}),
            "grants",
        ),
        (
            "/api/v1/people",
            json!({"display_name": "P", "manager": "boss"}),
            "manager",
        ),
        (
            "/api/v1/badges",
            json!({"person": "1", "card": {"type": "uid", "uid": "04A1B2C3"}}),
            "person",
        ),
        (
            "/api/v1/badges",
            json!({"person": 1, "card": {"type": "uid", "uid": "XYZ"}}),
            "card",
        ),
        ("/api/v1/badges", json!({"person": 1}), "card"),
        ("/api/v1/zones", json!([{"name": "HQ"}]), "body"),
        ("/api/v1/zones", json!("HQ"), "body"),
        (
            "/api/v1/zones",
            json!({"name": "A", "colour": "red"}),
            "body",
        ),
    ];
    for (path, body, field) in cases {
        let reply = server.post(&admin, path, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {body}: {}",
            reply.json
        );
        assert_eq!(reply.json["error"], "invalid", "{path} {body}");
        assert_eq!(reply.json["field"], field, "{path} {body}: {}", reply.json);
    }
    let unknown = server
        .post(
            &admin,
            "/api/v1/zones",
            json!({"name": "A", "colour": "red"}),
        )
        .await;
    assert!(
        unknown.json["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`"),
        "{}",
        unknown.json
    );
    let nested = server
        .post(
            &admin,
            "/api/v1/schedules",
            json!({"name": "S", "windows": [{"days": 1, "time": {"start": 0, "end": 60}}, {"days": 1}]}),
        )
        .await;
    assert!(
        nested.json["message"]
            .as_str()
            .unwrap()
            .ends_with("(at windows[1])"),
        "{}",
        nested.json
    );
    assert_eq!(policy_version(&server).await, version);
}

#[tokio::test]
async fn a_bad_card_is_the_card_wherever_it_stands() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let person = server
        .post(&admin, "/api/v1/people", json!({"display_name": "Dee"}))
        .await
        .json["id"]
        .clone();
    let card = r#"{"type": "wiegand", "format": "H10301", "facility": 300, "card_number": 1}"#;
    for body in [
        format!(r#"{{"person": {person}, "card": {card}}}"#),
        format!(r#"{{"card": {card}, "person": {person}}}"#),
        format!("{{\n  \"person\": {person},\n  \"card\": {card}\n}}\n"),
    ] {
        let (status, json) = raw(
            &server,
            &admin,
            "/api/v1/badges",
            Some("application/json"),
            body.as_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {json}");
        assert_eq!(json["field"], "card", "{body}: {json}");
    }
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    for path in [
        "/api/v1/zones/4242",
        "/api/v1/people/4242",
        "/api/v1/people/4242/badges",
    ] {
        let reply = server.get(&admin, path).await;
        refused(&reply, StatusCode::NOT_FOUND, "not_found", None);
    }
    for path in [
        "/api/v1/zones/hq",
        "/api/v1/zones/-1",
        "/api/v1/zones/99999999999",
        "/api/v1/people/ada",
    ] {
        let reply = server.get(&admin, path).await;
        refused(&reply, StatusCode::BAD_REQUEST, "bad_request", None);
    }
    let reply = server
        .post(&admin, "/api/v1/badges/x/revoke", json!({}))
        .await;
    refused(&reply, StatusCode::BAD_REQUEST, "bad_request", None);
}

#[tokio::test]
async fn the_openapi_document_describes_the_resources() {
    let server = TestServer::new().await;
    let doc = server.get(&Auth::None, "/api/v1/openapi.json").await.json;
    let zones = &doc["paths"]["/api/v1/zones"]["post"];
    assert_eq!(zones["tags"], json!(["zones"]));
    assert!(zones["requestBody"]["content"]["application/json"].is_object());
    for status in ["201", "400", "401", "403", "409", "422", "500"] {
        assert!(
            zones["responses"][status].is_object(),
            "POST /zones {status}"
        );
    }
    let people = &doc["paths"]["/api/v1/people"]["get"]["parameters"];
    let names: Vec<_> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, [json!("q"), json!("after"), json!("limit")]);
    let pin = &doc["paths"]["/api/v1/people/{id}/pin"]["put"];
    assert!(pin["responses"]["404"].is_object());
    assert!(
        doc["paths"]["/api/v1/groups/{id}/members/{person_id}"]["delete"]["responses"]["204"]
            .is_object()
    );
}
