//! Finding which field of a JSON body a deserialization error is about.
//!
//! serde_json reports the byte position where it stopped, not the path it was in. Replaying
//! the text up to that position recovers the path: the value being read, or — when the
//! position is right after a closing brace — the object just read. serde_json checks a
//! nested value's type as soon as it has read the value, but an error raised by a type's
//! own `Deserialize` (a card id out of range) or a missing field surfaces only once the
//! enclosing object has been closed, so the two cases read the path differently.

use serde::de::{self, Visitor};
use std::cell::Cell;
use std::fmt;

/// One step into a JSON document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A member of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// A path rendered for people: `windows[0].time`.
pub struct Path<'a>(pub &'a [Step]);

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The byte offset of serde_json's (1-based line, byte column) position in `text`; the end
/// of the text when there is no position (line 0).
pub fn offset(text: &[u8], line: usize, column: usize) -> usize {
    if line == 0 {
        return text.len();
    }
    let line_start = if line == 1 {
        0
    } else {
        text.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    line_start.saturating_add(column).min(text.len())
}

/// An object or array the replay is inside.
struct Frame {
    object: bool,
    /// The member or element being read, or just read.
    step: Option<Step>,
    /// Elements before the current one (arrays).
    count: usize,
    /// The next string is a key (objects).
    expect_key: bool,
}

/// The path at byte `end` of `text`. With `container`, a path ending at a closing brace is
/// that object's (a missing field); otherwise it is the object's last member's.
pub fn path_at(text: &[u8], end: usize, container: bool) -> Vec<Step> {
    let end = end.min(text.len());
    let mut stack: Vec<Frame> = Vec::new();
    // Set when the last token closed an object or array: its last member, if any.
    let mut closed: Option<Option<Step>> = None;
    let mut i = 0;
    while i < end {
        let b = text[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'{' | b'[' => {
                begin_value(&mut stack);
                stack.push(Frame {
                    object: b == b'{',
                    step: None,
                    count: 0,
                    expect_key: b == b'{',
                });
                i += 1;
            }
            b'}' | b']' => {
                closed = Some(stack.pop().and_then(|f| f.step));
                i += 1;
                continue;
            }
            b':' => {
                if let Some(f) = stack.last_mut() {
                    f.expect_key = false;
                }
                i += 1;
            }
            b',' => {
                if let Some(f) = stack.last_mut() {
                    f.step = None;
                    if f.object {
                        f.expect_key = true;
                    } else {
                        f.count += 1;
                    }
                }
                i += 1;
            }
            b'"' => {
                let (text, next) = read_string(text, i + 1, end);
                match stack.last_mut() {
                    Some(f) if f.object && f.expect_key => f.step = Some(Step::Key(text)),
                    _ => begin_value(&mut stack),
                }
                i = next;
            }
            _ => {
                begin_value(&mut stack);
                while i < end && !b" \t\n\r,:]}[{\"".contains(&text[i]) {
                    i += 1;
                }
            }
        }
        closed = None;
    }
    let mut path: Vec<Step> = Vec::new();
    for frame in &stack {
        match &frame.step {
            Some(step) => path.push(step.clone()),
            None => break,
        }
    }
    if let Some(Some(last)) = closed {
        if !container && path.len() == stack.len() {
            path.push(last);
        }
    }
    path
}

/// Marks the start of a value in the innermost array.
fn begin_value(stack: &mut [Frame]) {
    if let Some(f) = stack.last_mut() {
        if !f.object {
            f.step = Some(Step::Index(f.count));
        }
    }
}

/// The string starting at `start` (after its opening quote), escapes kept as written, and
/// the index after its closing quote.
fn read_string(text: &[u8], start: usize, end: usize) -> (String, usize) {
    let mut i = start;
    while i < end && text[i] != b'"' {
        i += if text[i] == b'\\' { 2 } else { 1 };
    }
    let content = &text[start..i.min(end)];
    (
        String::from_utf8_lossy(content).into_owned(),
        (i + 1).min(end),
    )
}

/// The field names of a struct `T`, as its derived `Deserialize` declares them: the
/// `'static` names an [`ApiError::Invalid`](super::error::ApiError::Invalid) can carry.
/// Empty for anything that is not a struct.
pub fn fields_of<T: de::DeserializeOwned>() -> &'static [&'static str] {
    let probe = FieldsProbe(Cell::new(&[]));
    let _ = T::deserialize(&probe);
    probe.0.get()
}

/// A deserializer that only records the field list a struct asks it for.
struct FieldsProbe(Cell<&'static [&'static str]>);

impl<'de> de::Deserializer<'de> for &FieldsProbe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.set(fields);
        Err(de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn path(text: &str, end: usize, container: bool) -> String {
        Path(&path_at(text.as_bytes(), end, container)).to_string()
    }

    #[test]
    fn a_value_being_read_is_its_member() {
        let text = r#"{"name": 5}"#;
        assert_eq!(path(text, text.find('}').unwrap(), false), "name");
        let text = r#"{"windows": [{"days": 1}, {"time": {"start": "x"}}]}"#;
        let at = text.find("\"x\"").unwrap() + 3;
        assert_eq!(path(text, at, false), "windows[1].time.start");
    }

    #[test]
    fn after_a_closing_brace_it_is_the_last_member_or_the_object() {
        let text = r#"{"person": 1, "card": {"type": "wiegand"}}"#;
        assert_eq!(path(text, text.len(), false), "card");
        assert_eq!(path(text, text.len(), true), "");
        let text = r#"{"windows": [{"time": {}}]}"#;
        let at = text.find("{}").unwrap() + 2;
        assert_eq!(path(text, at, true), "windows[0].time");
    }

    #[test]
    fn a_key_just_read_is_the_path() {
        let text = r#"{"name": "a", "bogus": 1}"#;
        let at = text.find("bogus").unwrap() + 6;
        assert_eq!(path(text, at, false), "bogus");
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let text = r#"{"a\"b": [1, "x\\", true]}"#;
        let at = text.find("true").unwrap() + 4;
        assert_eq!(path(text, at, false), r#"a\"b[2]"#);
    }

    #[test]
    fn offsets_count_bytes_per_line() {
        let text = b"{\n  \"a\": 1\n}";
        assert_eq!(offset(text, 1, 1), 1);
        assert_eq!(offset(text, 2, 3), 5);
        assert_eq!(offset(text, 3, 1), text.len());
        assert_eq!(offset(text, 0, 0), text.len());
        assert_eq!(offset(text, 9, 9), text.len());
    }

    #[derive(Deserialize)]
    #[allow(dead_code, reason = "fields only deserialized")]
    struct Two {
        name: String,
        #[serde(rename = "zone_id")]
        zone: u32,
    }

    #[test]
    fn a_structs_fields_are_its_serde_names() {
        assert_eq!(fields_of::<Two>(), &["name", "zone_id"]);
        assert!(fields_of::<u32>().is_empty());
        assert!(fields_of::<Vec<Two>>().is_empty());
    }
}
