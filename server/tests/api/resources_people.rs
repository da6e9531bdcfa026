//! People and badges through the API: creating people, finding them, PINs, enrolling
//! cards and a badge's life (suspended, reactivated, lost, revoked).

use super::harness::{Auth, TestServer};
use super::resources::{created, policy_version, raised, refused};
use axum::http::{Method, StatusCode};
use gatehouse_server::store::Role;
use serde_json::{Value, json};

fn card(facility: u32, number: u32) -> Value {
    json!({"type": "wiegand", "format": "H10301", "facility": facility, "card_number": number})
}

async fn person(server: &TestServer, auth: &Auth, name: &str) -> Value {
    let reply = server
        .post(auth, "/api/v1/people", json!({"display_name": name}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    reply.json
}

#[tokio::test]
async fn a_badge_from_enrollment_to_revocation() {
    let server = TestServer::new().await;
    let security = server.token_for(Role::Security).await;
    let mut version = policy_version(&server).await;

    let ada = created(
        &server,
        &mut version,
        server
            .post(
                &security,
                "/api/v1/people",
                json!({"display_name": "Ada Lovelace", "email": "ada@example.com", "pin_required": true}),
            )
            .await,
    )
    .await;
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["pin_required"], true);
    assert_eq!(ada["has_pin"], false);

    let badge = created(
        &server,
        &mut version,
        server
            .post(
                &security,
                "/api/v1/badges",
                json!({"person": ada["id"], "card": card(12, 1001), "expires": 1_900_000_000_000_i64}),
            )
            .await,
    )
    .await;
    assert_eq!(badge["person"], ada["id"]);
    assert_eq!(badge["status"], "active");
    assert_eq!(badge["expires"], 1_900_000_000_000_i64);
    assert_eq!(badge["not_before"], Value::Null);

    let again = server
        .post(
            &security,
            "/api/v1/badges",
            json!({"person": ada["id"], "card": card(12, 1001)}),
        )
        .await;
    refused(&again, StatusCode::CONFLICT, "conflict", Some("card"));
    assert_eq!(policy_version(&server).await, version);

    let path = |action: &str| format!("/api/v1/badges/{}/{action}", badge["id"]);
    let suspended = server.post(&security, &path("suspend"), json!({})).await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.json);
    assert_eq!(suspended.json["status"], "suspended");
    raised(&server, &mut version).await;
    let active = server.post(&security, &path("reactivate"), json!({})).await;
    assert_eq!(active.json["status"], "active");
    raised(&server, &mut version).await;
    let lost = server
        .post(&security, &path("report-lost"), json!({}))
        .await;
    assert_eq!(lost.json["status"], "lost");
    raised(&server, &mut version).await;
    for action in ["reactivate", "suspend", "revoke"] {
        let after_lost = server.post(&security, &path(action), json!({})).await;
        refused(
            &after_lost,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            Some("status"),
        );
    }
    assert_eq!(policy_version(&server).await, version);

    let second = server
        .post(
            &security,
            "/api/v1/badges",
            json!({"person": ada["id"], "card": {"type": "uid", "uid": "04A1B2C3"}}),
        )
        .await
        .json;
    raised(&server, &mut version).await;
    let revoked = server
        .post(
            &security,
            &format!("/api/v1/badges/{}/revoke", second["id"]),
            json!({}),
        )
        .await;
    assert_eq!(revoked.json["status"], "revoked");
    raised(&server, &mut version).await;
    let undo = server
        .post(
            &security,
            &format!("/api/v1/badges/{}/reactivate", second["id"]),
            json!({}),
        )
        .await;
    refused(
        &undo,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("status"),
    );

    let badges = server
        .get(&security, &format!("/api/v1/people/{}/badges", ada["id"]))
        .await;
    assert_eq!(badges.status, StatusCode::OK);
    let statuses: Vec<_> = badges
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("lost"), json!("revoked")]);
    assert_eq!(
        badges.json[1]["credential"],
        json!({"card": {"type": "uid", "uid": "04A1B2C3"}})
    );
    let detail = server
        .get(&security, &format!("/api/v1/people/{}", ada["id"]))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.json["display_name"], "Ada Lovelace");
    assert_eq!(detail.json["groups"], json!([]));
    assert_eq!(detail.json["badges"], badges.json);
}

#[tokio::test]
async fn badge_errors_name_the_field() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let bob = person(&server, &admin, "Bob").await;
    let version = policy_version(&server).await;

    // H10301 has an 8-bit facility code. (The card first or last in the body:
    // resources_input.rs.)
    let too_wide = server
        .post(
            &admin,
            "/api/v1/badges",
            json!({"person": bob["id"], "card": card(300, 1)}),
        )
        .await;
    refused(
        &too_wide,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("card"),
    );
    assert!(
        too_wide.json["message"]
            .as_str()
            .unwrap()
            .contains("facility"),
        "{}",
        too_wide.json
    );
    let unknown_format = server
        .post(
            &admin,
            "/api/v1/badges",
            json!({"person": bob["id"], "card": {"type": "wiegand", "format": "H99999", "facility": 1, "card_number": 1}}),
        )
        .await;
    refused(
        &unknown_format,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("card"),
    );
    let text_card = server
        .post(
            &admin,
            "/api/v1/badges",
            json!({"person": bob["id"], "card": "H10301:12:1001"}),
        )
        .await;
    refused(
        &text_card,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("card"),
    );
    let nobody = server
        .post(
            &admin,
            "/api/v1/badges",
            json!({"person": 4242, "card": card(12, 7)}),
        )
        .await;
    refused(
        &nobody,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("person"),
    );
    let backwards = server
        .post(
            &admin,
            "/api/v1/badges",
            json!({"person": bob["id"], "card": card(12, 7), "not_before": 2000, "expires": 1000}),
        )
        .await;
    refused(
        &backwards,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("expires"),
    );
    for action in ["suspend", "reactivate", "report-lost", "revoke"] {
        let unknown = server
            .post(&admin, &format!("/api/v1/badges/4242/{action}"), json!({}))
            .await;
        refused(&unknown, StatusCode::NOT_FOUND, "not_found", None);
    }
    let no_person = server.get(&admin, "/api/v1/people/4242/badges").await;
    refused(&no_person, StatusCode::NOT_FOUND, "not_found", None);
    assert_eq!(policy_version(&server).await, version);
}

#[tokio::test]
async fn pins_are_digits_and_can_be_cleared() {
    let server = TestServer::new().await;
    let security = server.token_for(Role::Security).await;
    let cy = person(&server, &security, "Cy").await;
    let pin = format!("/api/v1/people/{}/pin", cy["id"]);
    let mut version = policy_version(&server).await;

    let set = server
        .send(&security, Method::PUT, &pin, Some(json!({"pin": "2468"})))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.json);
    assert_eq!(set.json["has_pin"], true);
    assert!(!set.json.to_string().contains("2468"));
    raised(&server, &mut version).await;

    for bad in [
        json!({"pin": "123"}),
        json!({"pin": "12a4"}),
        json!({"pin": "1234567890123"}),
        json!({"pin": 2468}),
    ] {
        let reply = server
            .send(&security, Method::PUT, &pin, Some(bad.clone()))
            .await;
        refused(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            Some("pin"),
        );
        assert!(!reply.json.to_string().contains("12a4"), "{}", reply.json);
    }
    // An empty body clears nothing: `pin` must be given, as null to clear.
    let empty = server
        .send(&security, Method::PUT, &pin, Some(json!({})))
        .await;
    refused(
        &empty,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("pin"),
    );
    assert_eq!(policy_version(&server).await, version);

    let cleared = server
        .send(&security, Method::PUT, &pin, Some(json!({"pin": null})))
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.json["has_pin"], false);
    raised(&server, &mut version).await;

    let nobody = server
        .send(
            &security,
            Method::PUT,
            "/api/v1/people/4242/pin",
            Some(json!({"pin": "2468"})),
        )
        .await;
    refused(&nobody, StatusCode::NOT_FOUND, "not_found", None);
    let auditor = server.token_for(Role::Auditor).await;
    let by_auditor = server
        .send(&auditor, Method::PUT, &pin, Some(json!({"pin": "1357"})))
        .await;
    refused(&by_auditor, StatusCode::FORBIDDEN, "forbidden", None);
    assert_eq!(policy_version(&server).await, version);
}

#[tokio::test]
async fn people_are_found_by_name_a_page_at_a_time() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let mut ids = Vec::new();
    for name in [
        "Ann Smith",
        "Ben Smithers",
        "Cat Jones",
        "Dan SMITH",
        "Eve 100%",
    ] {
        ids.push(person(&server, &admin, name).await["id"].clone());
    }
    let names = |reply: &Value| -> Vec<String> {
        reply["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["display_name"].as_str().unwrap().to_string())
            .collect()
    };

    let all = server.get(&admin, "/api/v1/people").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.json);
    assert_eq!(names(&all.json).len(), 5);
    assert_eq!(all.json["next"], Value::Null);

    let smiths = server.get(&admin, "/api/v1/people?q=smith&limit=2").await;
    assert_eq!(names(&smiths.json), ["Ann Smith", "Ben Smithers"]);
    assert_eq!(smiths.json["next"], ids[1]);
    let rest = server
        .get(
            &admin,
            &format!("/api/v1/people?q=smith&limit=2&after={}", ids[1]),
        )
        .await;
    assert_eq!(names(&rest.json), ["Dan SMITH"]);
    assert_eq!(rest.json["next"], Value::Null);

    // LIKE wildcards in the query are literal.
    let percent = server.get(&admin, "/api/v1/people?q=%25").await;
    assert_eq!(names(&percent.json), ["Eve 100%"]);
    let underscore = server.get(&admin, "/api/v1/people?q=_").await;
    assert!(names(&underscore.json).is_empty());

    let page = server
        .get(&admin, &format!("/api/v1/people?limit=4&after={}", ids[0]))
        .await;
    assert_eq!(names(&page.json).len(), 4);
    assert_eq!(page.json["next"], Value::Null);

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("after=-1", "after"),
        ("after=x", "after"),
    ] {
        let reply = server.get(&admin, &format!("/api/v1/people?{query}")).await;
        refused(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            Some(field),
        );
    }
    let receptionist = server.token_for(Role::Receptionist).await;
    let denied = server.get(&receptionist, "/api/v1/people").await;
    refused(&denied, StatusCode::FORBIDDEN, "forbidden", None);
    let unknown = server.get(&admin, "/api/v1/people/4242").await;
    refused(&unknown, StatusCode::NOT_FOUND, "not_found", None);
}
