//! The reader-key escrow (docs/hardware-reader-keys.md): a controller uploads its reader key
//! store encrypted to the recipient its enrollment answer names; a replacement enrolled
//! under the same id, with a new key, gets exactly that store back; the old key is refused;
//! the upload and the release are in the `admin` chain without a key in them; junk is
//! refused with a status and a message that say what is wrong.

use super::harness::{Auth, TestServer};
use axum::http::{Method, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::credential::IssuerKey;
use gatehouse_server::audit::verify;
use gatehouse_server::store::{DeviceKind, Role};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::str::FromStr;
use std::sync::Arc;

const PATH: &str = "/api/v1/sync/reader-keys";
const LOBBY_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const DOCK_KEY: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

/// A reader key store as the controller's `export()` writes it.
fn store_with(readers: &[(&str, &str, i64)]) -> Vec<u8> {
    let readers: serde_json::Map<String, Value> = readers
        .iter()
        .map(|(id, key, at)| (id.to_string(), json!({"scbk": key, "installed_at_ms": at})))
        .collect();
    serde_json::to_vec(&json!({"v": 1, "readers": readers})).unwrap()
}

fn seal(recipient: &str, plaintext: &[u8]) -> Vec<u8> {
    let recipient = age::x25519::Recipient::from_str(recipient).unwrap();
    age::encrypt(&recipient, plaintext).unwrap()
}

async fn put(server: &TestServer, auth: &Auth, body: Vec<u8>) -> super::harness::Reply {
    server
        .send_bytes(
            auth,
            Method::PUT,
            PATH,
            Some("application/octet-stream"),
            body,
        )
        .await
}

/// Issues a one-time code for `controller` as `admin` and enrolls a new key with it;
/// returns the device and the enrollment answer.
async fn enroll(server: &TestServer, admin: &Auth, controller: u32) -> (Auth, Value) {
    let issued = server
        .post(
            admin,
            &format!("/api/v1/controllers/{controller}/enrollment-code"),
            json!({}),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.json);
    let key = IssuerKey::from_seed(&rand::random::<[u8; 32]>());
    let enrolled = server
        .post(
            &Auth::None,
            "/api/v1/enroll",
            json!({
                "code": issued.json["code"],
                "public_key": URL_SAFE_NO_PAD.encode(key.public().to_bytes()),
            }),
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.json);
    let device = Auth::Device {
        name: format!("controller:{controller}"),
        key: Arc::new(key),
    };
    (device, enrolled.json)
}

/// The `admin` chain, verified, as JSON payloads.
async fn admin_chain(server: &TestServer) -> Vec<Value> {
    let entries = server
        .state
        .store
        .audit_entries("admin", 0, 1000)
        .await
        .unwrap();
    verify("admin", &entries, None).unwrap();
    entries
        .iter()
        .map(|e| serde_json::from_slice(&e.payload).unwrap())
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn a_replacement_controller_takes_over_the_escrowed_reader_keys() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let controller = server
        .state
        .store
        .create_controller(server.state.site, "ctl-lobby")
        .await
        .unwrap()
        .id;

    // The first controller enrolls and learns the escrow recipient over the pinned channel.
    let (old, answer) = enroll(&server, &admin, controller.0).await;
    let recipient = answer["reader_key_escrow_recipient"].as_str().unwrap();
    assert!(recipient.starts_with("age1"), "{answer}");
    assert_eq!(recipient, server.state.escrow.recipient());

    // It keys one reader and escrows its store, then a second one and escrows again: the
    // server keeps the latest copy, as uploaded.
    let first = store_with(&[("lobby-in", LOBBY_KEY, 1_795_000_000_000)]);
    let reply = put(&server, &old, seal(recipient, &first)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.json);
    let latest = store_with(&[
        ("lobby-in", LOBBY_KEY, 1_795_000_000_000),
        ("dock", DOCK_KEY, 1_795_500_000_000),
    ]);
    let sealed = seal(recipient, &latest);
    let reply = put(&server, &old, sealed.clone()).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.json);
    assert!(reply.headers.contains_key("x-gh-server-time-signature"));
    let kept = server
        .state
        .store
        .reader_key_escrow(controller)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.ciphertext, sealed, "only the ciphertext is kept");

    // Its SD card dies. The admin asks a new code for the same controller id; the new
    // device enrolls with a key of its own and the same recipient.
    let (new, answer) = enroll(&server, &admin, controller.0).await;
    assert_eq!(answer["device"], format!("controller:{controller}"));
    assert_eq!(answer["reader_key_escrow_recipient"], recipient);

    // The old key no longer works, for the escrow or anything else.
    let refused = server.get(&old, PATH).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.json,
        json!({"error": "unauthenticated", "message": "the request signature does not verify"})
    );
    let refused = put(&server, &old, seal(recipient, &first)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    // The replacement gets exactly the store that was uploaded last.
    let released = server.get(&new, PATH).await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.json);
    assert_eq!(released.body, latest);
    assert_eq!(released.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(released.headers[header::CACHE_CONTROL], "no-store");
    assert!(released.headers.contains_key("x-gh-server-time-signature"));

    // The admin chain holds both codes, both uploads and the release, and no key.
    let chain = admin_chain(&server).await;
    let codes: Vec<&Value> = chain
        .iter()
        .filter(|e| e["route"] == "/api/v1/controllers/{id}/enrollment-code")
        .collect();
    assert_eq!(codes.len(), 2, "{chain:#?}");
    assert!(
        codes
            .iter()
            .all(|e| e["actor"]["role"] == "admin" && e["status"] == 201)
    );
    let of = |action: &str| -> Vec<Value> {
        chain
            .iter()
            .filter(|e| e["action"] == action)
            .map(|e| {
                let mut e = e.clone();
                e.as_object_mut().unwrap().remove("at");
                e
            })
            .collect()
    };
    let uploads = of("reader_keys_escrowed");
    assert_eq!(uploads.len(), 2, "{chain:#?}");
    assert_eq!(
        uploads[1],
        json!({
            "actor": {"controller": controller.0},
            "action": "reader_keys_escrowed",
            "readers": ["dock", "lobby-in"],
            "bytes": sealed.len(),
            "ciphertext_sha256": sha256_hex(&sealed),
        })
    );
    assert_eq!(
        of("reader_keys_released"),
        [json!({
            "actor": {"controller": controller.0},
            "action": "reader_keys_released",
            "readers": ["dock", "lobby-in"],
            "uploaded_at": kept.uploaded_at,
            "ciphertext_sha256": sha256_hex(&sealed),
        })]
    );
    let all = serde_json::to_string(&chain).unwrap();
    for key in [LOBBY_KEY, DOCK_KEY] {
        assert!(!all.contains(key), "a key in the admin chain");
    }
}

#[tokio::test]
async fn a_controller_gets_only_its_own_copy_and_404_without_one() {
    let server = TestServer::new().await;
    let a = server.device(DeviceKind::Controller).await;
    let b = server.device(DeviceKind::Controller).await;
    let recipient = server.state.escrow.recipient();
    let store = store_with(&[("lobby-in", LOBBY_KEY, 1)]);
    assert_eq!(
        put(&server, &a, seal(&recipient, &store)).await.status,
        StatusCode::NO_CONTENT
    );
    let Auth::Device { name, .. } = &b else {
        unreachable!()
    };
    let none = server.get(&b, PATH).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(
        none.json,
        json!({
            "error": "not_found",
            "message": format!("{name} has no escrowed reader keys (none was uploaded with PUT /api/v1/sync/reader-keys)"),
        })
    );
    let mine = server.get(&a, PATH).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.body, store);
}

#[tokio::test]
async fn bad_uploads_are_refused_saying_what_is_wrong_and_nothing_is_kept() {
    let server = TestServer::new().await;
    let controller = server.device(DeviceKind::Controller).await;
    let recipient = server.state.escrow.recipient();
    let good = store_with(&[("lobby-in", LOBBY_KEY, 1)]);
    let other = age::x25519::Identity::generate().to_public().to_string();
    let mut truncated = seal(&recipient, &good);
    truncated.truncate(truncated.len() - 1);

    let bad_request = |message: &str| {
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "bad_request", "message": message}),
        )
    };
    let cases: Vec<(&str, Vec<u8>, (StatusCode, Value))> = vec![
        (
            "plaintext, not age",
            good.clone(),
            bad_request(
                "the body is not an age-encrypted file (it must start with \"age-encryption.org/v1\")",
            ),
        ),
        (
            "empty",
            Vec::new(),
            bad_request(
                "the body is not an age-encrypted file (it must start with \"age-encryption.org/v1\")",
            ),
        ),
        (
            "armored",
            b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"
                .to_vec(),
            bad_request(
                "the body is an ASCII-armored age file; send the binary form (age without --armor)",
            ),
        ),
        (
            "to another recipient",
            seal(&other, &good),
            bad_request(
                "the age file is not encrypted to this server's escrow recipient (reader_key_escrow_recipient of the enrollment answer)",
            ),
        ),
        (
            "not JSON inside",
            seal(&recipient, b"lobby-in=0f1e2d3c"),
            bad_request(
                "the decrypted copy is not a reader key store: expected value at line 1 column 1",
            ),
        ),
        (
            "another version",
            seal(&recipient, br#"{"v":2,"readers":{}}"#),
            bad_request(
                "the decrypted copy is reader key store version 2; this server knows version 1",
            ),
        ),
        (
            "a short key",
            seal(
                &recipient,
                br#"{"v":1,"readers":{"dock":{"scbk":"0011","installed_at_ms":1}}}"#,
            ),
            bad_request("the decrypted copy's key of reader \"dock\" is not 32 hex digits"),
        ),
        (
            "an unknown field",
            seal(&recipient, br#"{"v":1,"readers":{},"master":"x"}"#),
            bad_request(
                "the decrypted copy is not a reader key store: unknown field `master`, expected `v` or `readers` at line 1 column 28",
            ),
        ),
        (
            "too large",
            vec![b'a'; 64 * 1024 + 1],
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"error": "too_large", "message": "the escrow copy is 65537 bytes; at most 65536 are taken"}),
            ),
        ),
    ];
    for (what, body, expected) in cases {
        let reply = put(&server, &controller, body).await;
        assert_eq!((reply.status, reply.json), expected, "{what}");
    }

    // Damaged: the message is age's own, after what it means.
    let reply = put(&server, &controller, truncated).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.json);
    assert!(
        reply.json["message"]
            .as_str()
            .unwrap()
            .starts_with("the age file is damaged, truncated or was altered: "),
        "{}",
        reply.json
    );

    // A good copy under another content type.
    let reply = server
        .send_bytes(
            &controller,
            Method::PUT,
            PATH,
            Some("application/json"),
            seal(&recipient, &good),
        )
        .await;
    assert_eq!(
        (reply.status, reply.json),
        bad_request(
            "Content-Type must be application/octet-stream (the age-encrypted reader key store)"
        )
    );

    // Nothing of it was kept or recorded.
    assert_eq!(
        server.get(&controller, PATH).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        admin_chain(&server)
            .await
            .iter()
            .all(|e| e.get("action").is_none()),
        "no escrow entry"
    );
}

#[tokio::test]
async fn only_controllers_reach_the_escrow() {
    let server = TestServer::new().await;
    let controller = server.device(DeviceKind::Controller).await;
    let recipient = server.state.escrow.recipient();
    let sealed = seal(&recipient, &store_with(&[("lobby-in", LOBBY_KEY, 1)]));
    assert_eq!(
        put(&server, &controller, sealed.clone()).await.status,
        StatusCode::NO_CONTENT
    );
    let unauthenticated = json!({"error": "unauthenticated", "message": "authentication required"});
    let forbidden = json!({"error": "forbidden", "message": "your role may not do this"});
    let admin = server.token_for(Role::Admin).await;
    let kiosk = server.device(DeviceKind::Kiosk).await;
    for (who, auth, status, json) in [
        (
            "no one",
            &Auth::None,
            StatusCode::UNAUTHORIZED,
            &unauthenticated,
        ),
        ("an admin", &admin, StatusCode::FORBIDDEN, &forbidden),
        ("a kiosk", &kiosk, StatusCode::FORBIDDEN, &forbidden),
    ] {
        let reply = put(&server, auth, sealed.clone()).await;
        assert_eq!((reply.status, &reply.json), (status, json), "PUT as {who}");
        let reply = server.get(auth, PATH).await;
        assert_eq!((reply.status, &reply.json), (status, json), "GET as {who}");
    }
    // A request signed by a stranger's key in the controller's name.
    let Auth::Device { name, .. } = &controller else {
        unreachable!()
    };
    let impostor = Auth::Device {
        name: name.clone(),
        key: Arc::new(IssuerKey::from_seed(&[3; 32])),
    };
    let reply = server.get(&impostor, PATH).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.json["message"],
        "the request signature does not verify"
    );
}

#[tokio::test]
async fn a_bad_escrow_key_stops_the_server_naming_the_file_and_the_problem() {
    use gatehouse_server::config::{Config, TlsMode};
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.tls.mode = TlsMode::Off;
    let clock = || -> gatehouse_server::state::Clock {
        Arc::new(|| gatehouse_core::time::Timestamp(super::harness::NOW))
    };
    let prepared = gatehouse_server::startup::prepare(&config, clock())
        .await
        .unwrap();
    let recipient = prepared.state.escrow.recipient();
    let path = dir.path().join("keys/escrow.key");
    let original = std::fs::read(&path).unwrap();

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = gatehouse_server::startup::prepare(&config, clock())
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "reader-key escrow key: {} has mode 0644: the reader-key escrow key must not be readable by group or others (chmod 600 it, and consider the escrowed reader keys exposed)",
            path.display()
        )
    );

    std::fs::write(&path, "# public key: age1…\nnot a key\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let err = gatehouse_server::startup::prepare(&config, clock())
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "reader-key escrow key: {}: is not an age X25519 identity (AGE-SECRET-KEY-1…) (restore keys/escrow.key from a backup)",
            path.display()
        )
    );

    // Put back, the same key serves again: it is never silently replaced.
    std::fs::write(&path, &original).unwrap();
    let prepared = gatehouse_server::startup::prepare(&config, clock())
        .await
        .unwrap();
    assert_eq!(prepared.state.escrow.recipient(), recipient);
}

#[tokio::test]
async fn a_copy_the_escrow_key_no_longer_opens_is_not_released() {
    let server = TestServer::new().await;
    let controller = server.device(DeviceKind::Controller).await;
    let Auth::Device { name, .. } = &controller else {
        unreachable!()
    };
    let id = gatehouse_core::ids::ControllerId(
        name.strip_prefix("controller:").unwrap().parse().unwrap(),
    );
    // As if keys/escrow.key had been replaced after the upload: the copy in the database is
    // to another identity.
    let other = age::x25519::Identity::generate().to_public().to_string();
    let sealed = seal(&other, &store_with(&[("lobby-in", LOBBY_KEY, 1)]));
    server
        .state
        .store
        .save_reader_key_escrow(id, &sealed, super::harness::NOW, "admin", b"{}".to_vec())
        .await
        .unwrap();
    let reply = server.get(&controller, PATH).await;
    assert_eq!(
        (reply.status, reply.json),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": "internal", "message": "internal error"})
        )
    );
    assert!(
        admin_chain(&server)
            .await
            .iter()
            .all(|e| e.get("action").is_none()),
        "nothing released, nothing recorded as released"
    );
}
