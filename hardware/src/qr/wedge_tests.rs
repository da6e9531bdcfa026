use super::*;

const MS: Duration = Duration::from_millis(1);
const SHIFT: u16 = KEY_LEFTSHIFT;
const ENTER: u16 = KEY_ENTER;
const A: u16 = 30;
const G: u16 = 34;
const H: u16 = 35;
const ONE: u16 = 2;
const SEMI: u16 = 39;

fn decoder() -> WedgeDecoder {
    WedgeDecoder::new(16, 100 * MS)
}

/// `(code, value)` key events 5 ms apart, each followed by a SYN_REPORT as the kernel
/// sends them; returns what the decoder produced.
fn decode(keys: &[(u16, i32)]) -> Vec<Result<String, WedgeError>> {
    let mut decoder = decoder();
    let mut out = Vec::new();
    for (&(code, value), i) in keys.iter().zip(0u32..) {
        let time = 5 * MS * i;
        let key = InputEvent {
            time,
            kind: EV_KEY,
            code,
            value,
        };
        let syn = InputEvent {
            time,
            kind: 0,
            code: 0,
            value: 0,
        };
        out.extend(decoder.feed(&key));
        assert_eq!(decoder.feed(&syn), None);
    }
    out
}

/// A press and a release of each key.
fn tap(codes: &[u16]) -> Vec<(u16, i32)> {
    codes.iter().flat_map(|&c| [(c, 1), (c, 0)]).collect()
}

fn cat(parts: &[Vec<(u16, i32)>]) -> Vec<(u16, i32)> {
    parts.concat()
}

/// A case: its name, the `(code, value)` events, what the decoder produces.
type Case = (
    &'static str,
    Vec<(u16, i32)>,
    Vec<Result<String, WedgeError>>,
);

#[test]
fn key_events_to_texts() {
    let shifted = |codes: &[u16]| cat(&[vec![(SHIFT, 1)], tap(codes), vec![(SHIFT, 0)]]);
    let cases: Vec<Case> = vec![
        (
            "lower case",
            tap(&[G, H, ONE, ENTER]),
            vec![Ok("gh1".into())],
        ),
        (
            "shift held over several keys",
            cat(&[
                shifted(&[G, H]),
                tap(&[ONE]),
                shifted(&[SEMI]),
                tap(&[ENTER]),
            ]),
            vec![Ok("GH1:".into())],
        ),
        (
            "right shift",
            cat(&[vec![(54, 1)], tap(&[A]), vec![(54, 0)], tap(&[A, ENTER])]),
            vec![Ok("Aa".into())],
        ),
        (
            "shift held through repeat events",
            cat(&[
                vec![(SHIFT, 1), (SHIFT, 2), (SHIFT, 2)],
                tap(&[A]),
                vec![(SHIFT, 0)],
                tap(&[ENTER]),
            ]),
            vec![Ok("A".into())],
        ),
        (
            "auto-repeat types nothing more",
            cat(&[vec![(A, 1), (A, 2), (A, 2), (A, 0)], tap(&[ENTER])]),
            vec![Ok("a".into())],
        ),
        (
            "press without release still types",
            vec![(A, 1), (G, 1), (ENTER, 1)],
            vec![Ok("ag".into())],
        ),
        ("keypad enter", tap(&[A, 96]), vec![Ok("a".into())]),
        ("lone enter", tap(&[ENTER, ENTER]), vec![]),
        (
            "two scans",
            tap(&[A, ENTER, G, ENTER]),
            vec![Ok("a".into()), Ok("g".into())],
        ),
        (
            "modifiers and caps lock are ignored",
            tap(&[29, A, 56, 58, G, ENTER]),
            vec![Ok("ag".into())],
        ),
        (
            "a tab makes the scan unreadable, the next scan is fine",
            tap(&[A, 15, G, ENTER, H, ENTER]),
            vec![Err(WedgeError::UnmappedKey(15)), Ok("h".into())],
        ),
        (
            "too long",
            tap(&[[A; 17].as_slice(), &[ENTER, G, ENTER]].concat()),
            vec![Err(WedgeError::TooLong(16)), Ok("g".into())],
        ),
        (
            "exactly the maximum",
            tap(&[[A; 16].as_slice(), &[ENTER]].concat()),
            vec![Ok("a".repeat(16))],
        ),
        ("no enter yet", tap(&[A, G]), vec![]),
        (
            "unknown event values are not presses",
            vec![(A, 7), (A, -1), (ENTER, 1)],
            vec![],
        ),
    ];
    for (name, keys, want) in cases {
        assert_eq!(decode(&keys), want, "{name}");
    }
}

#[test]
fn a_pause_longer_than_the_gap_splits_what_was_typed() {
    let mut decoder = decoder();
    let key = |ms: u32, code: u16| InputEvent {
        time: MS * ms,
        kind: EV_KEY,
        code,
        value: 1,
    };
    assert_eq!(decoder.feed(&key(0, A)), None);
    assert_eq!(decoder.feed(&key(100, A)), None);
    // 101 ms after the last key: the first two never got their Enter.
    assert_eq!(decoder.feed(&key(201, G)), Some(Err(WedgeError::NoEnter)));
    assert_eq!(decoder.feed(&key(210, ENTER)), Some(Ok("g".into())));
    // A stale scan ended by a late Enter: reported once, the Enter ends nothing more.
    assert_eq!(decoder.feed(&key(300, H)), None);
    assert_eq!(
        decoder.feed(&key(500, ENTER)),
        Some(Err(WedgeError::NoEnter))
    );
    assert_eq!(decoder.feed(&key(505, ENTER)), None);
}
