//! `gatehouse audit checkpoint|verify` on a real server's data: a clean chain verifies; a
//! row deleted from the end is caught by the checkpoint, even when the checkpoints in the
//! database are deleted too (the copy outside the database remains).

use super::support::{gatehouse, http, start_server};
use sqlx::Connection;

async fn sql(db: &std::path::Path, statement: &str) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query(statement).execute(&mut conn).await.unwrap();
}

#[test]
fn verify_catches_a_cut_tail_through_the_checkpoint_copy() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    {
        let server = start_server(dir.path());
        for _ in 0..3 {
            let body = r#"{"username":"admin","password":"certainly not right"}"#;
            assert_eq!(
                http(&server.host, "POST", "/api/v1/auth/login", Some(body)).0,
                401
            );
        }
    }
    let made = gatehouse(["audit", "checkpoint", "--data-dir", data]).ok();
    assert_eq!(
        made.stdout.lines().count(),
        1,
        "one stream, one checkpoint: {}",
        made.stdout
    );

    let clean = gatehouse(["audit", "verify", "--data-dir", data]).ok();
    assert!(
        clean.stdout.contains("ok admin: 3 entries, 1 checkpoints"),
        "{}",
        clean.stdout
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = dir.path().join("gatehouse.db");
    runtime.block_on(async {
        sql(
            &db,
            "DELETE FROM audit_log WHERE stream = 'admin' AND seq = 3",
        )
        .await;
        sql(&db, "DELETE FROM audit_checkpoints").await;
    });
    let cut = gatehouse(["audit", "verify", "--data-dir", data]);
    assert_eq!(cut.code, 1, "{}", cut.stdout);
    assert!(cut.stdout.contains("BROKEN admin"), "{}", cut.stdout);
    assert!(
        cut.stderr.contains("1 of 1 chains are broken"),
        "{}",
        cut.stderr
    );
}
