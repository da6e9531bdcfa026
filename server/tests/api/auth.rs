//! Signing in and out, lockout, CSRF, one-time passwords (API tokens: `api_tokens.rs`).

use super::harness::{Auth, NOW, Reply, TestServer};
use axum::http::{StatusCode, header};
use gatehouse_server::auth::tokens;
use gatehouse_server::store::Role;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";
const MINUTE: i64 = 60 * 1000;

async fn try_login(server: &TestServer, username: &str, password: &str) -> Reply {
    server
        .post(
            &Auth::None,
            "/api/v1/auth/login",
            json!({"username": username, "password": password}),
        )
        .await
}

/// The session cookie's value, from `Auth::Session`'s `gh_session=…`.
fn cookie_value(auth: &Auth) -> String {
    let Auth::Session { cookie, .. } = auth else {
        panic!("a session")
    };
    cookie.strip_prefix("gh_session=").unwrap().to_owned()
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_answers_a_csrf_token() {
    let server = TestServer::new().await;
    let name = server.user_with_password(Role::Host, PASSWORD, false).await;
    let reply = try_login(&server, &name, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let set_cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
    let attributes: Vec<&str> = set_cookie.split("; ").collect();
    assert!(attributes[0].starts_with("gh_session=") && attributes[0].len() > 40);
    assert_eq!(
        &attributes[1..],
        ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"],
        "no Secure: this test server runs without TLS"
    );
    assert_eq!(reply.json["user"]["username"], name.as_str());
    assert_eq!(reply.json["user"]["role"], "host");
    assert!(reply.json["user"].get("password_hash").is_none());
    let csrf = reply.json["csrf_token"].as_str().unwrap();
    assert!(csrf.len() >= 43);

    // The store keeps the cookie's hash, not the cookie.
    let cookie = attributes[0].strip_prefix("gh_session=").unwrap();
    let (user, stored_csrf) = server
        .state
        .store
        .session_user(&tokens::hash(cookie), NOW)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.username, name);
    assert_eq!(stored_csrf, csrf);

    let session = Auth::Session {
        cookie: attributes[0].to_owned(),
        csrf: csrf.to_owned(),
    };
    let me = server.get(&session, "/api/v1/auth/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["user"]["username"], name.as_str());
    assert_eq!(
        me.json["csrf_token"], csrf,
        "a reloaded console finds its token"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_answer_alike() {
    let server = TestServer::new().await;
    let name = server
        .user_with_password(Role::Admin, PASSWORD, false)
        .await;
    let wrong_password = try_login(&server, &name, "not the password at all").await;
    let unknown_user = try_login(&server, "nobody-here", PASSWORD).await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.json, unknown_user.json);
    assert_eq!(
        wrong_password.json,
        json!({"error": "unauthenticated", "message": "wrong username or password"})
    );
    assert!(!wrong_password.headers.contains_key(header::SET_COOKIE));
}

#[tokio::test]
async fn a_login_without_a_password_names_the_field() {
    let server = TestServer::new().await;
    let reply = server
        .post(
            &Auth::None,
            "/api/v1/auth/login",
            json!({"username": "ada"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json["error"], "invalid");
    assert_eq!(reply.json["field"], "password");
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let server = TestServer::new().await;
    let name = server
        .user_with_password(Role::Security, PASSWORD, false)
        .await;
    for attempt in 1..=4 {
        let reply = try_login(&server, &name, "a wrong password").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let fifth = try_login(&server, &name, "a wrong password").await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(fifth.json["error"], "too_many_attempts");
    assert_eq!(fifth.headers[header::RETRY_AFTER], "900");

    let right = try_login(&server, &name, PASSWORD).await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password does not get in while locked"
    );
    assert_eq!(right.headers[header::RETRY_AFTER], "900");

    server.advance(15 * MINUTE - 1000);
    let almost = try_login(&server, &name, PASSWORD).await;
    assert_eq!(almost.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(almost.headers[header::RETRY_AFTER], "1");

    server.advance(1000);
    server.login(&name, PASSWORD).await;
}

#[tokio::test]
async fn a_success_resets_the_count_and_unknown_users_never_lock() {
    let server = TestServer::new().await;
    let name = server
        .user_with_password(Role::Auditor, PASSWORD, false)
        .await;
    for _ in 0..4 {
        try_login(&server, &name, "a wrong password").await;
    }
    server.login(&name, PASSWORD).await;
    for attempt in 1..=4 {
        let reply = try_login(&server, &name, "a wrong password").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    server.login(&name, PASSWORD).await;

    for _ in 0..6 {
        let reply = try_login(&server, "nobody-here", PASSWORD).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_session_post_needs_its_csrf_token() {
    let server = TestServer::new().await;
    let name = server.user_with_password(Role::Host, PASSWORD, false).await;
    let session = server.login(&name, PASSWORD).await;
    let Auth::Session { cookie, .. } = &session else {
        unreachable!()
    };
    for sent in ["", "not-the-token"] {
        let forged = Auth::Session {
            cookie: cookie.clone(),
            csrf: sent.to_owned(),
        };
        let reply = server
            .post(&forged, "/api/v1/auth/tokens", json!({"name": "x"}))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "csrf {sent:?}");
        assert_eq!(reply.json["error"], "csrf");
    }
    let forged = Auth::Session {
        cookie: cookie.clone(),
        csrf: String::new(),
    };
    assert_eq!(
        server.get(&forged, "/api/v1/auth/tokens").await.status,
        StatusCode::OK,
        "reading needs no CSRF token"
    );
    let reply = server
        .post(&session, "/api/v1/auth/tokens", json!({"name": "x"}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_one_time_password_must_be_changed_before_anything_else() {
    let server = TestServer::new().await;
    let one_time = "OneTimePassword123456789";
    let name = server.user_with_password(Role::Admin, one_time, true).await;
    let login = try_login(&server, &name, one_time).await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.json["user"]["must_change_password"], true);
    let session = server.login(&name, one_time).await;

    let refused = server.get(&session, "/api/v1/auth/tokens").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json["error"], "password_change_required");
    let me = server.get(&session, "/api/v1/auth/me").await;
    assert_eq!(me.status, StatusCode::OK);

    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let short = server
        .post(&session, "/api/v1/auth/password", change(one_time, "short"))
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.json["field"], "new_password");
    let same = server
        .post(
            &session,
            "/api/v1/auth/password",
            change(one_time, one_time),
        )
        .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(same.json["field"], "new_password");
    let wrong = server
        .post(
            &session,
            "/api/v1/auth/password",
            change("not my password", PASSWORD),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json["field"], "current_password");

    let done = server
        .post(
            &session,
            "/api/v1/auth/password",
            change(one_time, PASSWORD),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    assert_eq!(done.json["must_change_password"], false);
    assert_eq!(
        server.get(&session, "/api/v1/auth/tokens").await.status,
        StatusCode::OK
    );
    assert_eq!(
        try_login(&server, &name, one_time).await.status,
        StatusCode::UNAUTHORIZED,
        "the one-time password is spent"
    );
    server.login(&name, PASSWORD).await;
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let server = TestServer::new().await;
    let name = server
        .user_with_password(Role::Receptionist, PASSWORD, false)
        .await;
    let here = server.login(&name, PASSWORD).await;
    let elsewhere = server.login(&name, PASSWORD).await;
    let reply = server
        .post(
            &here,
            "/api/v1/auth/password",
            json!({"current_password": PASSWORD, "new_password": "another long password"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(
        server.get(&here, "/api/v1/auth/me").await.status,
        StatusCode::OK
    );
    assert_eq!(
        server.get(&elsewhere, "/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn logout_ends_the_session_and_expires_the_cookie() {
    let server = TestServer::new().await;
    let name = server.user_with_password(Role::Host, PASSWORD, false).await;
    let session = server.login(&name, PASSWORD).await;
    let value = cookie_value(&session);
    let reply = server
        .post(&session, "/api/v1/auth/logout", json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let set_cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.starts_with("gh_session=;") && set_cookie.contains("Max-Age=0"));
    assert_eq!(
        server.get(&session, "/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        server
            .state
            .store
            .session_user(&tokens::hash(&value), NOW)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_session_ends_after_twelve_hours() {
    let server = TestServer::new().await;
    let name = server.user_with_password(Role::Host, PASSWORD, false).await;
    let session = server.login(&name, PASSWORD).await;
    server.advance(12 * 60 * MINUTE - 1);
    assert_eq!(
        server.get(&session, "/api/v1/auth/me").await.status,
        StatusCode::OK
    );
    server.advance(1);
    assert_eq!(
        server.get(&session, "/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}
