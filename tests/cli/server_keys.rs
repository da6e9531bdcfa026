//! `gatehouse keys rotate|list` on a server's data directory.

use super::support::gatehouse;

#[test]
fn rotation_adds_a_current_key_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let first = gatehouse(["keys", "list", "--data-dir", data]).ok();
    let lines: Vec<&str> = first.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "a data directory starts with one key: {lines:?}"
    );
    let old = lines[0]
        .strip_suffix("\tcurrent")
        .expect("the only key is current");

    let rotated = gatehouse(["keys", "rotate", "--data-dir", data]).ok();
    let new = rotated.line().to_string();
    assert_eq!(new.len(), 16);
    assert_ne!(new, old);

    let after = gatehouse(["keys", "list", "--data-dir", data]).ok();
    let mut lines: Vec<&str> = after.stdout.lines().collect();
    lines.sort();
    let mut expected = vec![format!("{new}\tcurrent"), old.to_string()];
    expected.sort();
    assert_eq!(lines, expected);
}

/// A key that signed a still-valid pass is not retired (its pass would stop opening
/// doors) unless forced; once retired it is gone from the keyring.
#[test]
fn retiring_a_key_waits_for_its_passes() {
    use gatehouse_core::credential::KeyId;
    use gatehouse_core::time::Timestamp;
    use gatehouse_server::store::{NewPerson, NewVisitor, NewVisitorPass, NewZone, Store};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let old = gatehouse(["keys", "list", "--data-dir", data]).ok().stdout;
    let old = old.trim().strip_suffix("\tcurrent").unwrap().to_string();
    gatehouse(["keys", "rotate", "--data-dir", data]).ok();

    // A visitor pass signed with the old key, valid for a day from now.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = Store::sqlite_url(&dir.path().join("gatehouse.db"));
        let store = Store::open(&url).await.unwrap();
        let site = store.sites().await.unwrap()[0].id;
        let now = gatehouse_server::state::system_clock()();
        let zone = store
            .create_zone(
                site,
                &NewZone {
                    name: "Lobby".into(),
                    parent: None,
                    rules: Default::default(),
                },
            )
            .await
            .unwrap();
        let host = store
            .create_person(
                site,
                &NewPerson {
                    display_name: "Hana".into(),
                    email: None,
                    manager: None,
                    lockdown_override: false,
                    pin_required: false,
                },
                now.0,
            )
            .await
            .unwrap();
        let visitor = store
            .create_visitor(
                site,
                &NewVisitor {
                    display_name: "Vera".into(),
                    company: None,
                    email: None,
                    host: host.id,
                },
                now,
            )
            .await
            .unwrap();
        let kid = KeyId(hex::decode(&old).unwrap().try_into().unwrap());
        store
            .issue_visitor_pass(
                site,
                visitor.id,
                &NewVisitorPass {
                    zones: vec![zone.id],
                    escort: false,
                    not_before: None,
                    expires: Timestamp(now.0 + 86_400_000),
                },
                kid,
                now,
            )
            .await
            .unwrap();
        store.close().await;
    });

    let refused = gatehouse(["keys", "retire", "--data-dir", data, &old]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("1 passes that are still valid"),
        "{}",
        refused.stderr
    );
    let listed = gatehouse(["keys", "list", "--data-dir", data]).ok().stdout;
    assert!(listed.contains(&old), "still trusted: {listed}");

    let forced = gatehouse(["keys", "retire", "--data-dir", data, &old, "--force"]).ok();
    assert_eq!(forced.line(), old);
    let listed = gatehouse(["keys", "list", "--data-dir", data]).ok().stdout;
    assert!(!listed.contains(&old), "{listed}");
    assert_eq!(listed.lines().count(), 1);

    let unknown = gatehouse(["keys", "retire", "--data-dir", data, "00112233aabbccdd"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no issuer key 00112233aabbccdd"),
        "{}",
        unknown.stderr
    );
}
