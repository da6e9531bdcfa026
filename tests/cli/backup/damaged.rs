//! A damaged, cut or foreign file is refused naming what is wrong, and nothing is written;
//! a data directory in use is replaced only when asked to.

use super::super::support::{gatehouse, http, start_server, utf8};
use super::support::bootstrap;
use std::path::Path;

#[test]
fn a_damaged_backup_is_refused_naming_the_member_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    bootstrap(&live);
    let backup = tmp.path().join("b.tar");
    gatehouse(["backup", "--data-dir", utf8(&live), "--out", utf8(&backup)]).ok();
    let bytes = std::fs::read(&backup).unwrap();
    let target = tmp.path().join("restored");
    let restore = |file: &Path| gatehouse(["restore", "--data-dir", utf8(&target), utf8(file)]);

    // One byte flipped inside the database.
    let db_at = bytes
        .windows(16)
        .position(|w| w == b"SQLite format 3\0")
        .unwrap();
    let mut flipped = bytes.clone();
    flipped[db_at + 2000] ^= 0x20;
    let flipped_file = tmp.path().join("flipped.tar");
    std::fs::write(&flipped_file, &flipped).unwrap();
    let run = restore(&flipped_file);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        format!(
            "{} is damaged, truncated or was altered (gatehouse.db does not match its SHA-256 in the manifest); nothing was restored\n",
            utf8(&flipped_file)
        )
    );
    assert!(!target.exists(), "nothing written");

    // Cut in the middle of the database.
    let cut_file = tmp.path().join("cut.tar");
    std::fs::write(&cut_file, &bytes[..db_at + 4096]).unwrap();
    let run = restore(&cut_file);
    assert_eq!(run.code, 1);
    let prefix = format!(
        "{} is damaged, truncated or was altered (gatehouse.db has 4096 bytes, the manifest says ",
        utf8(&cut_file)
    );
    assert!(run.stderr.starts_with(&prefix), "{}", run.stderr);
    assert!(
        run.stderr.ends_with("); nothing was restored\n"),
        "{}",
        run.stderr
    );
    assert!(!target.exists(), "nothing written");

    // Not a backup at all.
    let text = tmp.path().join("notes.txt");
    std::fs::write(&text, "not a backup\n").unwrap();
    let run = restore(&text);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with(&format!("{} is not a Gatehouse backup: ", utf8(&text))),
        "{}",
        run.stderr
    );
    assert!(!target.exists(), "nothing written");

    // A directory in use is not overwritten unless asked to.
    let busy = gatehouse(["restore", "--data-dir", utf8(&live), utf8(&backup)]);
    assert_eq!(busy.code, 2);
    assert_eq!(
        busy.stderr,
        format!(
            "{} is not empty; restore into an empty directory, or give --force to replace the files the backup holds\n",
            utf8(&live)
        )
    );
    gatehouse([
        "restore",
        "--force",
        "--data-dir",
        utf8(&live),
        utf8(&backup),
    ])
    .ok();
    let server = start_server(&live);
    let (status, body) = http(&server.host, "GET", "/api/v1/health", None);
    assert_eq!(status, 200, "{body}");
}
