//! Bad input gets an error line naming what is wrong; the connection stays usable.

use crate::harness::Running;
use gatehouse_hardware::sim::control::ControlError;

#[tokio::test]
async fn errors_name_the_problem_and_the_connection_survives() {
    let running = Running::start();
    let mut client = running.client().await;
    let cases: &[(&str, &str)] = &[
        (
            r#"{"cmd":"card""#,
            "bad request: EOF while parsing an object",
        ),
        ("not json", "bad request: expected ident"),
        (r#"{"cmd":"dance"}"#, "bad request: unknown variant `dance`"),
        (
            r#"{"cmd":"card","card":"H10301:1:2"}"#,
            "bad request: missing field `reader`",
        ),
        (
            r#"{"cmd":"card","reader":"back-in","card":"H10301:1:2"}"#,
            r#"unknown reader "back-in" (known: front-in)"#,
        ),
        (
            r#"{"cmd":"card","reader":"front-in","card":"X99:1:2"}"#,
            r#"card "X99:1:2": unknown card format "X99""#,
        ),
        (
            r#"{"cmd":"open_door","door":"garage"}"#,
            r#"unknown door "garage" (known: front, store)"#,
        ),
        (
            r#"{"cmd":"pin","reader":"front-in","pin":"12ab"}"#,
            "pin: a PIN is 4 to 12 digits",
        ),
        ("", "empty request"),
        ("\u{0}\u{1}\u{ff}", "bad request: "),
    ];
    for (line, start) in cases {
        let response = client.send_line(line).await.unwrap();
        assert!(!response.ok, "{line}");
        let error = response.error.unwrap_or_default();
        assert!(error.starts_with(start), "{line}: {error}");
        // Still usable: a good request right after.
        client.status().await.unwrap();
    }
    running.stop().await;
}

#[tokio::test]
async fn an_overlong_line_is_refused_and_skipped() {
    let running = Running::start();
    let mut client = running.client().await;
    let long = format!(
        r#"{{"cmd":"qr","reader":"front-in","text":"{}"}}"#,
        "A".repeat(70_000)
    );
    let response = client.send_line(&long).await.unwrap();
    assert_eq!(
        response.error.as_deref(),
        Some("request longer than 65536 bytes: send one JSON object per line")
    );
    client.status().await.unwrap();
    running.stop().await;
}

#[tokio::test]
async fn the_client_reports_a_refusal_with_its_reason() {
    let running = Running::start();
    let mut client = running.client().await;
    match client.press_rex("garage").await {
        Err(ControlError::Refused(reason)) => {
            assert_eq!(reason, r#"unknown door "garage" (known: front, store)"#);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    running.stop().await;
}

#[tokio::test]
async fn stopping_the_server_closes_open_connections() {
    let running = Running::start();
    let mut client = running.client().await;
    client.status().await.unwrap();
    running.stop().await;
    assert!(matches!(
        client.status().await,
        Err(ControlError::Closed | ControlError::Io(_))
    ));
}
