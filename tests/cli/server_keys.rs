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
