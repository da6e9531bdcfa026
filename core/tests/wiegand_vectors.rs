//! Every frame in the independent Wiegand vectors decodes to exactly the listed result.

use gatehouse_core::card::{CardFormat, CardId, WiegandError, decode_wiegand};
use serde_json::Value;

#[test]
fn every_independent_vector_decodes_as_listed() {
    let text = include_str!("../../testdata/wiegand-vectors.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 40, "the vector file lost its vectors");
    for v in vectors {
        let bits = usize::try_from(v["bits"].as_u64().unwrap()).unwrap();
        let data = hex::decode(v["bytes_hex_left_aligned"].as_str().unwrap()).unwrap();
        let format = CardFormat::from_name(v["format"].as_str().unwrap()).unwrap();
        let got = decode_wiegand(bits, &data);
        if v["valid"].as_bool().unwrap() {
            let want = CardId::wiegand(
                format,
                u32::try_from(v["facility_or_company"].as_u64().unwrap()).unwrap(),
                u32::try_from(v["card_number"].as_u64().unwrap()).unwrap(),
            )
            .unwrap();
            assert_eq!(got, Ok(want), "{v}");
        } else {
            assert!(
                matches!(got, Err(WiegandError::BadParity { format: f, .. }) if f == format),
                "{v} decoded as {got:?}"
            );
        }
    }
}
