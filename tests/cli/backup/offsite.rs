//! The off-site copy and retention, configured in the file and overridden from the
//! environment.

use super::super::support::{gatehouse, utf8};
use super::support::{bootstrap, files_under, gatehouse_env, mode_of};
use std::path::PathBuf;

#[test]
fn backups_are_copied_off_site_and_retention_keeps_the_newest() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    bootstrap(&live);
    let offsite = tmp.path().join("offsite");
    std::fs::create_dir(&offsite).unwrap();
    // Files retention must never touch: not named as Gatehouse names its backups.
    for other in ["notes.txt", "gatehouse-backup-manual.tar"] {
        std::fs::write(offsite.join(other), "keep me").unwrap();
    }
    let config = tmp.path().join("gatehouse.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n[backup]\noffsite_dir = {:?}\nkeep = 2\n",
            utf8(&live),
            utf8(&offsite)
        ),
    )
    .unwrap();

    let mut made = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let run = gatehouse(["backup", "--config", utf8(&config)]).ok();
        made.push(PathBuf::from(run.line()));
        last = Some(run);
    }
    let name = |p: &PathBuf| p.file_name().unwrap().to_str().unwrap().to_owned();
    for path in &made {
        assert_eq!(path.parent().unwrap(), live.join("backups"));
        assert!(name(path).starts_with("gatehouse-backup-") && name(path).ends_with("Z.tar"));
    }
    assert_eq!(
        files_under(&live.join("backups")),
        [name(&made[1]), name(&made[2])]
    );
    let mut expected = vec![
        name(&made[1]),
        name(&made[2]),
        "gatehouse-backup-manual.tar".to_owned(),
        "notes.txt".to_owned(),
    ];
    expected.sort();
    assert_eq!(files_under(&offsite), expected);
    for kept in &made[1..] {
        let copy = offsite.join(name(kept));
        assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(kept).unwrap());
        assert_eq!(mode_of(&copy), 0o600);
    }
    let stderr = last.unwrap().stderr;
    for line in [
        format!("off-site copy: {}", utf8(&offsite.join(name(&made[2])))),
        format!("deleted old backup: {}", utf8(&made[0])),
        format!(
            "deleted old backup: {}",
            utf8(&offsite.join(name(&made[0])))
        ),
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line:?} in {stderr}");
    }

    // The environment overrides the file, as for every setting.
    let run = gatehouse_env(
        &["backup", "--config", utf8(&config)],
        &[("GATEHOUSE_BACKUP__KEEP", "1")],
    )
    .ok();
    let newest = name(&PathBuf::from(run.line()));
    let mut expected = vec![
        newest.clone(),
        "gatehouse-backup-manual.tar".to_owned(),
        "notes.txt".to_owned(),
    ];
    expected.sort();
    assert_eq!(files_under(&offsite), expected);
    assert_eq!(
        files_under(&live.join("backups")),
        std::slice::from_ref(&newest)
    );

    // The off-site copy is a backup like any other.
    let restored = tmp.path().join("restored");
    gatehouse([
        "restore",
        "--data-dir",
        utf8(&restored),
        utf8(&offsite.join(&newest)),
    ])
    .ok();
    assert!(restored.join("gatehouse.db").is_file());
}
