//! `gatehouse card decode` against testdata/wiegand-vectors.json, made independently of
//! the decoder from the proxmark3 layouts.

use std::fs;
use std::path::Path;

use serde_json::{Value, json};

use crate::support::gatehouse;

fn vectors() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/wiegand-vectors.json");
    let file: Value = serde_json::from_str(&fs::read_to_string(path).expect("vectors")).unwrap();
    file["vectors"].as_array().expect("vectors").clone()
}

fn decode(bits: &str, hex: &str) -> crate::support::Run {
    gatehouse(["card", "decode", "--bits", bits, hex])
}

/// Panics unless decoding was refused with a reason starting with `reason`.
fn assert_invalid(bits: &str, hex: &str, reason: &str) {
    let run = decode(bits, hex);
    assert_eq!(run.code, 1, "--bits {bits} {hex}: {run:?}");
    assert!(
        run.stderr.starts_with(&format!("invalid: {reason}")),
        "--bits {bits} {hex}: {run:?}"
    );
}

#[test]
fn the_documented_example() {
    let run = decode("26", "f3f73480").ok();
    assert_eq!(
        run.json(),
        json!({"format": "H10301", "facility": 231, "card_number": 61033})
    );
}

#[test]
fn every_valid_vector_decodes_to_its_facility_and_card_number() {
    let mut formats = Vec::new();
    for vector in vectors().iter().filter(|v| v["valid"] == true) {
        let (bits, hex) = (
            vector["bits"].to_string(),
            vector["bytes_hex_left_aligned"].as_str().unwrap(),
        );
        let expected = json!({
            "format": vector["format"],
            "facility": vector["facility_or_company"],
            "card_number": vector["card_number"],
        });
        assert_eq!(
            decode(&bits, hex).ok().json(),
            expected,
            "--bits {bits} {hex}"
        );
        formats.push(vector["format"].as_str().unwrap().to_owned());
    }
    formats.dedup();
    assert_eq!(formats, ["H10301", "H10306", "C1000-35", "H10304"]);
}

#[test]
fn every_flipped_bit_is_bad_parity() {
    let flipped: Vec<Value> = vectors()
        .into_iter()
        .filter(|v| v["valid"] == false)
        .collect();
    assert!(!flipped.is_empty());
    for vector in flipped {
        let bits = vector["bits"].to_string();
        assert_invalid(
            &bits,
            vector["bytes_hex_left_aligned"].as_str().unwrap(),
            "bad_parity",
        );
    }
}

#[test]
fn a_length_no_format_has_is_unknown_length() {
    assert_invalid("27", "f3f73480", "unknown_length");
    assert_invalid("40", "f3f73480aa", "unknown_length");
}

#[test]
fn fewer_hex_digits_than_bits_is_truncated() {
    // 24 bits given for a 26-bit frame.
    assert_invalid("26", "f3f734", "truncated");
}

#[test]
fn a_frame_that_is_not_hex_is_not_hex() {
    assert_invalid("26", "f3f7348g", "not_hex");
    assert_invalid("26", "zz", "not_hex");
}
