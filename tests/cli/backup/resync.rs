//! A backup restores into a working server whose controllers resync: the data is there,
//! the policy epoch moved, and a controller that held a newer bundle of the old epoch
//! accepts the restored server's bundle.

use super::super::support::{gatehouse, http, start_server, utf8};
use super::controller::{add_staff, open, people, people_names, populate};
use super::support::{bootstrap, files_under, mode_of};
use gatehouse_core::bundle::{BundleError, Policy, SignedBundle};
use gatehouse_server::data_dir::DataDir;
use gatehouse_server::keyring::Keyring;

#[test]
fn a_restored_server_has_the_data_a_new_epoch_and_its_controllers_resync() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    bootstrap(&live);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (controller, token, group, alice) = runtime.block_on(populate(&live));
    let trust = Keyring::open(&DataDir::new(&live)).unwrap().trust_store();
    let backup = tmp.path().join("nightly.tar");

    let (before_backup, before_backup_signed, held_live) = {
        let server = start_server(&live);
        // Something in the admin chain, and a checkpoint of it, for the restore to carry.
        let wrong = r#"{"username":"admin","password":"certainly not right"}"#;
        assert_eq!(
            http(&server.host, "POST", "/api/v1/auth/login", Some(wrong)).0,
            401
        );
        gatehouse(["audit", "checkpoint", "--data-dir", utf8(&live)]).ok();

        let reply = controller.sync(&server.host, None);
        assert_eq!(reply.status, 200);
        let first_signed = SignedBundle::from_bytes(&reply.body).unwrap();
        let first = Policy::load(&first_signed, &trust, None).unwrap();
        assert_eq!(people(&first), [alice]);

        // Backed up while the server serves.
        let made = gatehouse(["backup", "--data-dir", utf8(&live), "--out", utf8(&backup)]).ok();
        assert_eq!(made.line(), utf8(&backup));
        assert_eq!(mode_of(&backup), 0o600);
        assert!(
            made.stderr.starts_with(&format!(
                "backed up site 1 (\"Gatehouse\") at policy {}: 7 files, ",
                first.version()
            )),
            "{}",
            made.stderr
        );

        // The live server goes on after the backup; the controller follows it.
        let bob = runtime.block_on(async {
            let (store, site) = open(&live).await;
            let bob = add_staff(&store, site, group, "Bob", "H10301:12:1002").await;
            store.close().await;
            bob
        });
        let later = controller
            .update(&server.host, Some(&first), first.trust())
            .unwrap();
        assert_eq!(people(&later), [alice, bob]);
        assert_eq!(later.version().epoch, first.version().epoch);
        assert!(later.version().version > first.version().version);
        (first, first_signed, later)
    };

    // The live server is lost; the backup is restored on a new machine.
    let restored = tmp.path().join("restored");
    let run = gatehouse(["restore", "--data-dir", utf8(&restored), utf8(&backup)]).ok();
    let line = run.line().to_owned();
    let prefix = "restored site 1 (\"Gatehouse\") from the backup of ";
    let suffix_start = format!(
        " into {}: policy {} -> ",
        utf8(&restored),
        before_backup.version()
    );
    assert!(
        line.starts_with(prefix) && line.contains(&suffix_start),
        "{line}"
    );
    let new_version = line
        .split(" -> ")
        .nth(1)
        .and_then(|v| v.strip_suffix(" (new epoch)"))
        .unwrap()
        .to_owned();

    // Keys and certificate are byte for byte the live server's, private. (The epoch bump
    // may leave the database's WAL beside it: part of the database, not of the backup.)
    let restored_files: Vec<String> = files_under(&restored)
        .into_iter()
        .filter(|f| !f.ends_with("-wal") && !f.ends_with("-shm"))
        .collect();
    assert_eq!(
        restored_files,
        [
            "checkpoints/checkpoints.jsonl".to_owned(),
            "gatehouse.db".to_owned(),
            "keys/current".to_owned(),
            "keys/escrow.key".to_owned(),
            format!("keys/issuer-{}.key", trust.keys()[0].id()),
            "tls/cert.pem".to_owned(),
            "tls/key.pem".to_owned(),
        ]
    );
    for file in [
        "keys/current",
        "keys/escrow.key",
        "tls/cert.pem",
        "tls/key.pem",
    ] {
        assert_eq!(
            std::fs::read(restored.join(file)).unwrap(),
            std::fs::read(live.join(file)).unwrap(),
            "{file}"
        );
        assert_eq!(mode_of(&restored.join(file)), 0o600, "{file}");
    }

    let server = start_server(&restored);
    // (a) the data is there, as it was at the backup.
    assert_eq!(people_names(&server.host, &token), ["Alice"]);

    // (b) and (c): the controller still holds the live server's later bundle. It gets a
    // whole bundle of a new epoch, which its own policy load accepts over what it holds.
    let reply = controller.sync(&server.host, Some(held_live.version()));
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/vnd.gatehouse.bundle")
    );
    assert_eq!(
        reply.header("x-gh-bundle-version"),
        Some(new_version.as_str())
    );
    let signed = SignedBundle::from_bytes(&reply.body).unwrap();
    let resynced = Policy::load(&signed, held_live.trust(), Some(held_live.version())).unwrap();
    assert!(resynced.version().epoch > held_live.version().epoch);
    assert_eq!(resynced.version().version, 1);
    assert_eq!(resynced.version().to_string(), new_version);
    assert_eq!(people(&resynced), [alice]);
    // Without the new epoch, the restored state (the backup's version) would be refused as
    // a rollback by that same controller.
    assert_eq!(
        Policy::load(
            &before_backup_signed,
            held_live.trust(),
            Some(held_live.version())
        )
        .unwrap_err(),
        BundleError::Rollback {
            held: held_live.version(),
            offered: before_backup.version(),
        }
    );
    // An up-to-date controller is told so.
    assert_eq!(
        controller
            .sync(&server.host, Some(resynced.version()))
            .status,
        204
    );
    drop(server);

    // The audit chains verify, with the restore recorded in the admin chain.
    let verify = gatehouse(["audit", "verify", "--data-dir", utf8(&restored)]).ok();
    assert!(
        verify.stdout.contains("ok admin: 2 entries, 1 checkpoints"),
        "{}",
        verify.stdout
    );
}
