//! `gatehouse keys rotate` run beside a live server: the server picks the new key up from
//! disk when the policy version moves, without a restart.

use super::harness::TestServer;
use gatehouse_server::data_dir::DataDir;
use gatehouse_server::keyring::Keyring;
use std::time::Duration;

#[tokio::test]
async fn a_rotation_on_disk_is_followed_without_a_restart() {
    let server = TestServer::new().await;
    let before = server.state.keyring.read().unwrap().current().id();
    let version = server
        .state
        .store
        .policy_version(server.state.site)
        .await
        .unwrap();

    // What the command does: a new key file and marker, then a new policy version.
    let mut on_disk = Keyring::open(&DataDir::new(server.data_dir())).unwrap();
    let rotated = on_disk.rotate().unwrap();
    server
        .state
        .store
        .touch_policy(server.state.site)
        .await
        .unwrap();

    let mut current = before;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        current = server.state.keyring.read().unwrap().current().id();
        if current != before {
            break;
        }
    }
    assert_eq!(current, rotated);
    assert_eq!(server.state.keyring.read().unwrap().list().len(), 2);
    // The server raised the version again, so controllers get the new trusted keys.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let now = server
        .state
        .store
        .policy_version(server.state.site)
        .await
        .unwrap();
    assert_eq!(now.version, version.version + 2);
}
