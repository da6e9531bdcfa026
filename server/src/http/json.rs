//! [`ApiJson`]: a JSON request body whose every rejection is an [`ApiError`]. A body that
//! is not JSON (wrong content type, bad syntax, cut short) is 400; JSON that does not fit
//! the request type (a missing, unknown or wrong-typed field) is 422 naming the field.

use super::error::ApiError;
use super::json_path::{Path, Step, fields_of, offset, path_at};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::error::Category;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::BadRequest(
                "the body must be JSON, sent with Content-Type: application/json".into(),
            ));
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        parse(&body).map(ApiJson)
    }
}

/// Whether the content type is `application/json` or `application/…+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence
        .strip_prefix("application/")
        .is_some_and(|sub| sub == "json" || sub.ends_with("+json"))
}

/// Reads `body` as a `T`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // JSON is UTF-8; checked first, as serde_json does not check the strings it skips.
    let text = std::str::from_utf8(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not UTF-8: {e}")))?;
    let not_json =
        |e: serde_json::Error| ApiError::BadRequest(cut(format!("the body is not JSON: {e}")));
    serde_json::from_str(text).map_err(|e| match e.classify() {
        // A type error can come before a syntax error further on: JSON first.
        Category::Data => match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => invalid::<T>(&e, body),
            Err(syntax) => not_json(syntax),
        },
        Category::Syntax | Category::Eof | Category::Io => not_json(e),
    })
}

/// The 422 for JSON that does not fit `T`, naming the top-level field at fault (`body`
/// when there is none, or when it is not one of `T`'s fields).
fn invalid<T: DeserializeOwned>(e: &serde_json::Error, body: &[u8]) -> ApiError {
    let full = e.to_string();
    // The position is reported in the path, not as a line and column.
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    let missing = quoted_after(&message, "missing field `");
    let path = path_at(body, offset(body, e.line(), e.column()), missing.is_some());
    let fields = fields_of::<T>();
    let known = |name: &str| fields.iter().copied().find(|f| *f == name);
    let field = match path.first() {
        Some(Step::Key(k)) => known(k),
        Some(Step::Index(_)) => None,
        None => missing
            .or_else(|| quoted_after(&message, "duplicate field `"))
            .and_then(known),
    };
    let message = if path.len() > 1 {
        format!("{message} (at {})", Path(&path))
    } else {
        message
    };
    ApiError::Invalid {
        field: field.unwrap_or("body"),
        message: cut(message),
    }
}

/// serde's messages quote the input: a long value is cut, not echoed whole.
fn cut(mut message: String) -> String {
    const MAX: usize = 300;
    if message.len() > MAX {
        let mut end = MAX;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}

/// The text between `prefix` and the next backquote, if `message` starts with `prefix`.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message
        .strip_prefix(prefix)
        .and_then(|rest| rest.split('`').next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_core::card::CardId;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields only deserialized")]
    struct Door {
        name: String,
        zone: u32,
        #[serde(default)]
        windows: Vec<Window>,
        #[serde(default)]
        card: Option<CardId>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields only deserialized")]
    struct Window {
        days: u8,
        start: u16,
    }

    fn field_of(body: &str) -> (&'static str, String) {
        match parse::<Door>(body.as_bytes()) {
            Err(ApiError::Invalid { field, message }) => (field, message),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_named() {
        let (field, message) = field_of(r#"{"name": "Main"}"#);
        assert_eq!(field, "zone");
        assert_eq!(message, "missing field `zone`");
    }

    #[test]
    fn a_wrong_typed_field_is_named() {
        assert_eq!(field_of(r#"{"name": 5, "zone": 1}"#).0, "name");
        assert_eq!(field_of(r#"{"name": "M", "zone": -1}"#).0, "zone");
        assert_eq!(field_of(r#"{"name": "M", "zone": {"a": 1}}"#).0, "zone");
        assert_eq!(
            field_of("{\n  \"name\": \"M\",\n  \"zone\": \"x\"\n}").0,
            "zone"
        );
    }

    #[test]
    fn an_unknown_field_is_in_the_message() {
        let (field, message) = field_of(r#"{"name": "M", "zone": 1, "colour": "red"}"#);
        assert_eq!(field, "body");
        assert!(message.starts_with("unknown field `colour`"), "{message}");
    }

    #[test]
    fn nested_errors_name_the_top_field_and_the_path() {
        let (field, message) = field_of(
            r#"{"name": "M", "zone": 1, "windows": [{"days": 1, "start": 1}, {"days": 1}]}"#,
        );
        assert_eq!(field, "windows");
        assert_eq!(message, "missing field `start` (at windows[1])");
        let (field, message) =
            field_of(r#"{"name": "M", "zone": 1, "windows": [{"days": 300, "start": 1}]}"#);
        assert_eq!(field, "windows");
        assert!(message.ends_with("(at windows[0].days)"), "{message}");
    }

    #[test]
    fn a_card_out_of_range_is_the_card_wherever_it_stands() {
        let card = r#"{"type": "wiegand", "format": "H10301", "facility": 300, "card_number": 1}"#;
        let last = format!(r#"{{"name": "M", "zone": 1, "card": {card}}}"#);
        assert_eq!(field_of(&last).0, "card");
        let first = format!(r#"{{"card": {card}, "name": "M", "zone": 1}}"#);
        assert_eq!(field_of(&first).0, "card");
        let unknown = r#"{"name": "M", "zone": 1, "card": {"type": "barcode"}}"#;
        assert_eq!(field_of(unknown).0, "card");
    }

    #[test]
    fn long_values_are_not_echoed_whole() {
        let name = "é".repeat(10_000);
        let (field, message) = field_of(&format!(r#"{{"name": "M", "zone": "{name}"}}"#));
        assert_eq!(field, "zone");
        assert!(message.len() <= 300 + '…'.len_utf8(), "{}", message.len());
        assert!(message.ends_with('…'));
    }

    #[test]
    fn json_that_is_not_an_object_is_the_body() {
        assert_eq!(field_of("[]").0, "body");
        assert_eq!(field_of("\"door\"").0, "body");
        assert_eq!(field_of("null").0, "body");
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        for body in [
            "",
            "{",
            "{\"name\": }",
            "{} x",
            "\u{feff}{}",
            "{\"name\": \"\\ud800\"}",
        ] {
            assert!(
                matches!(parse::<Door>(body.as_bytes()), Err(ApiError::BadRequest(_))),
                "{body:?}"
            );
        }
        // Bytes that are not UTF-8, even in a string serde_json would skip.
        for body in [&b"{\xff}"[..], &b"{\"colour\": \"\xff\"}"[..]] {
            assert!(matches!(parse::<Door>(body), Err(ApiError::BadRequest(_))));
        }
    }

    #[test]
    fn only_json_content_types_are_read() {
        let mut headers = HeaderMap::new();
        assert!(!is_json(&headers));
        for (value, json) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("Application/JSON", true),
            ("application/merge-patch+json", true),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("application/jsonx", false),
        ] {
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            assert_eq!(is_json(&headers), json, "{value}");
        }
    }
}
