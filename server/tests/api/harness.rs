//! A server in a test: the real router over a fresh SQLite store, a fixed clock, and
//! clients signed in with each role.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::credential::IssuerKey;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::signed_request::{
    DEVICE_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signing_message,
};
use gatehouse_server::auth::{password, tokens};
use gatehouse_server::config::Config;
use gatehouse_server::startup::prepare;
use gatehouse_server::state::AppState;
use gatehouse_server::store::DeviceKind;
use gatehouse_server::store::{NewUser, Role};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tower::ServiceExt;

/// Wednesday 25 November 2026, 10:00 in Berlin.
pub const NOW: i64 = 1_795_597_200_000;

pub struct TestServer {
    pub state: AppState,
    pub router: Router,
    /// The time the server sees (Unix ms), [`NOW`] until a test moves it with
    /// [`TestServer::advance`]. Device requests are signed at this time too.
    pub clock: Arc<AtomicI64>,
    _dir: tempfile::TempDir,
}

/// How a test request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    /// No credentials.
    None,
    /// A session cookie and its CSRF token.
    Session { cookie: String, csrf: String },
    /// An API token.
    Token(String),
    /// A device signing its requests (`controller:<id>` or `kiosk:<id>`).
    Device { name: String, key: Arc<IssuerKey> },
}

/// A response, read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
    /// The raw body (bundles are binary).
    pub body: Vec<u8>,
    /// The nonce a device signed the request with.
    pub nonce: Option<String>,
}

impl TestServer {
    /// A fresh server (TLS off: the router is exercised directly).
    pub async fn new() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        config.tls.mode = gatehouse_server::config::TlsMode::Off;
        let clock = Arc::new(AtomicI64::new(NOW));
        let seen = clock.clone();
        let prepared = prepare(
            &config,
            Arc::new(move || Timestamp(seen.load(Ordering::SeqCst))),
        )
        .await
        .unwrap();
        let state = prepared.state;
        TestServer {
            router: gatehouse_server::http::router(state.clone()),
            state,
            clock,
            _dir: dir,
        }
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    /// A new user with `role` and `password` (made directly in the store); returns the
    /// username.
    pub async fn user_with_password(
        &self,
        role: Role,
        password: &str,
        must_change: bool,
    ) -> String {
        let username = format!("{}-{}", role.name(), rand::random::<u32>());
        self.state
            .store
            .create_user(
                self.state.site,
                &NewUser {
                    username: username.clone(),
                    password_hash: password::hash(password).unwrap(),
                    role,
                    person: None,
                    must_change_password: must_change,
                },
                NOW,
            )
            .await
            .unwrap();
        username
    }

    /// Signs in through `POST /auth/login`; panics unless it succeeds.
    pub async fn login(&self, username: &str, password: &str) -> Auth {
        let reply = self
            .post(
                &Auth::None,
                "/api/v1/auth/login",
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "login failed: {}", reply.json);
        let set_cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let csrf = reply.json["csrf_token"].as_str().unwrap().to_owned();
        Auth::Session { cookie, csrf }
    }

    /// Sends a request and reads the JSON answer (`null` for an empty body).
    pub async fn send(
        &self,
        auth: &Auth,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let content_type = (!bytes.is_empty()).then_some("application/json");
        self.send_bytes(auth, method, path, content_type, bytes)
            .await
    }

    /// Sends a request with a body of any type (none without `content_type`) and reads the
    /// answer as [`TestServer::send`] does.
    pub async fn send_bytes(
        &self,
        auth: &Auth,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        bytes: Vec<u8>,
    ) -> Reply {
        let method_name = method.clone();
        let mut req = Request::builder().method(method).uri(path);
        match auth {
            Auth::None | Auth::Device { .. } => {}
            Auth::Session { cookie, csrf } => {
                req = req
                    .header(header::COOKIE, cookie.as_str())
                    .header("x-csrf-token", csrf.as_str());
            }
            Auth::Token(t) => req = req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        }
        if let Some(content_type) = content_type {
            req = req.header(header::CONTENT_TYPE, content_type);
        }
        let mut sent_nonce = None;
        if let Auth::Device { name, key } = auth {
            let nonce = format!("{:032x}", rand::random::<u128>());
            sent_nonce = Some(nonce.clone());
            let now = self.clock.load(Ordering::SeqCst);
            let message = signing_message(method_name.as_str(), path, now, &nonce, &bytes);
            req = req
                .header(DEVICE_HEADER, name.as_str())
                .header(TIMESTAMP_HEADER, now.to_string())
                .header(NONCE_HEADER, nonce)
                .header(SIGNATURE_HEADER, URL_SAFE_NO_PAD.encode(key.sign(&message)));
        }
        let req = req.body(Body::from(bytes)).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .unwrap();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            headers,
            json,
            body: bytes.to_vec(),
            nonce: sent_nonce,
        }
    }

    pub async fn get(&self, auth: &Auth, path: &str) -> Reply {
        self.send(auth, Method::GET, path, None).await
    }

    pub async fn post(&self, auth: &Auth, path: &str, body: Value) -> Reply {
        self.send(auth, Method::POST, path, Some(body)).await
    }

    /// An API token for a new user with `role` (made directly in the store).
    pub async fn token_for(&self, role: Role) -> Auth {
        self.token_for_person(role, None).await
    }

    /// An API token for a new user with `role` who is `person`.
    pub async fn token_for_person(
        &self,
        role: Role,
        person: Option<gatehouse_core::ids::PersonId>,
    ) -> Auth {
        let store = &self.state.store;
        let username = format!("{}-{}", role.name(), rand::random::<u32>());
        let user = store
            .create_user(
                self.state.site,
                &NewUser {
                    username,
                    password_hash: password::hash("a long enough password").unwrap(),
                    role,
                    person,
                    must_change_password: false,
                },
                NOW,
            )
            .await
            .unwrap();
        let token = format!("{}{}", tokens::API_TOKEN_PREFIX, tokens::random_secret());
        store
            .create_api_token(user.id, "test", &tokens::hash(&token), NOW)
            .await
            .unwrap();
        Auth::Token(token)
    }

    /// A new enrolled device of `kind` that signs its requests.
    pub async fn device(&self, kind: DeviceKind) -> Auth {
        let store = &self.state.store;
        let name = format!("{}-{}", kind.name(), rand::random::<u32>());
        let id = match kind {
            DeviceKind::Controller => u64::from(
                store
                    .create_controller(self.state.site, &name)
                    .await
                    .unwrap()
                    .id
                    .0,
            ),
            DeviceKind::Kiosk => store.create_kiosk(self.state.site, &name).await.unwrap(),
        };
        let key = IssuerKey::from_seed(&rand::random::<[u8; 32]>());
        store
            .set_device_key(self.state.site, kind, id, &key.public().to_bytes(), NOW)
            .await
            .unwrap();
        Auth::Device {
            name: format!("{}:{id}", kind.name()),
            key: Arc::new(key),
        }
    }
}
