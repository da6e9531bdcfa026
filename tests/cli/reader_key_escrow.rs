//! The reader-key escrow from the controller's commands, against a real server: a keyed
//! reader's key is sealed and uploaded with `reader escrow`, and a replacement controller
//! enrolled under the same id brings it back with `reader restore-keys`.

use super::backup::controller::open;
use super::door_runtime::{Enrolled, config, enroll};
use super::support::enrollment_codes;
use gatehouse_hardware::osdp::Key;
use gatehouse_hardware::reader::ReaderId;
use gatehouse_hardware::reader_keys::KeyStore;
use std::path::Path;
use std::process::Command;

const KEY: &str = "5a1e3c7f09b2d48e6f0a1b2c3d4e5f60";

/// `gatehouse door reader <args> --config <config>`: exit code, stdout, stderr.
fn reader(args: &[&str], config: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["door", "reader"])
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    )
}

#[test]
fn a_replacement_controller_gets_back_the_reader_keys_its_predecessor_escrowed() {
    let (site, server) = Enrolled::start();
    let Enrolled {
        tmp,
        data,
        url,
        runtime,
        config: old_config,
        ..
    } = &site;

    // Nothing keyed yet: nothing to escrow.
    let (code, _, stderr) = reader(&["escrow"], old_config);
    assert_eq!(code, 1);
    assert!(
        stderr.ends_with("no reader is keyed: there is nothing to escrow"),
        "{stderr}"
    );

    let old_store = tmp.path().join("state/reader-keys.json");
    let mut store = KeyStore::open(&old_store).unwrap();
    let key = Key::from_hex(KEY).unwrap();
    store
        .insert(ReaderId::new("main-in"), key, 1_764_115_200_000)
        .unwrap();
    let (code, stdout, stderr) = reader(&["escrow"], old_config);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        format!("the keys of 1 reader(s) are escrowed with {url}")
    );

    // The SD card dies. A new controller is enrolled under the same id, with a new code.
    let replacement = tmp.path().join("replacement");
    std::fs::create_dir_all(&replacement).unwrap();
    let (code, door) = runtime.block_on(async {
        let (store, site) = open(data).await;
        let door = store.doors(site).await.unwrap()[0].id;
        let controller = store.controllers(site).await.unwrap()[0].id;
        let (code, _) = enrollment_codes(&store, site, controller, data).await;
        store.close().await;
        (code, door)
    });
    let new_config = config(&replacement, door.0);
    enroll(&new_config, url, &code);

    let (code, stdout, stderr) = reader(&["restore-keys"], &new_config);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        format!("restored the keys of 1 reader(s) from {url}: main-in")
    );
    let restored = KeyStore::open(&replacement.join("state/reader-keys.json")).unwrap();
    let key = restored
        .get(&ReaderId::new("main-in"))
        .expect("the key came back");
    assert_eq!(hex::encode(key.bytes()), KEY);

    // A store that holds keys is never overwritten.
    let (code, _, stderr) = reader(&["restore-keys"], &new_config);
    assert_eq!(code, 1);
    assert!(stderr.contains("holds reader keys already"), "{stderr}");
    drop(server);
}
