//! Health, the OpenAPI document, unknown routes.

use super::harness::{Auth, TestServer};
use axum::http::StatusCode;

#[tokio::test]
async fn health_answers_without_credentials() {
    let server = TestServer::new().await;
    let reply = server.get(&Auth::None, "/api/v1/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json["status"], "ok");
    assert!(reply.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn the_openapi_document_lists_the_routes() {
    let server = TestServer::new().await;
    let reply = server.get(&Auth::None, "/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json["openapi"], "3.1.0");
    assert!(reply.json["paths"]["/api/v1/health"]["get"].is_object());
}

#[tokio::test]
async fn unknown_routes_answer_json() {
    let server = TestServer::new().await;
    let reply = server.get(&Auth::None, "/api/v1/nothing-here").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json["error"], "not_found");
}
