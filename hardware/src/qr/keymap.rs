//! Linux key codes to characters on a US keyboard layout: what a keyboard-wedge scanner
//! "types". Scanners are set to the US layout out of the box; a site that changes that
//! changes it on the scanner, not here.

/// The character key `code` types, with shift held or not; `None` for keys that type none
/// (Enter, modifiers, function keys).
pub fn char_for(code: u16, shift: bool) -> Option<char> {
    let (plain, shifted) = match code {
        // The top row: KEY_1 (2) … KEY_0 (11), KEY_MINUS, KEY_EQUAL.
        2..=13 => pair(b"1234567890-=", b"!@#$%^&*()_+", code - 2),
        16..=27 => pair(b"qwertyuiop[]", b"QWERTYUIOP{}", code - 16),
        30..=41 => pair(b"asdfghjkl;'`", b"ASDFGHJKL:\"~", code - 30),
        43..=53 => pair(b"\\zxcvbnm,./", b"|ZXCVBNM<>?", code - 43),
        57 => (' ', ' '),
        // The keypad (scanners in "numeric keypad" mode; NumLock assumed on).
        55 => ('*', '*'),
        74 => ('-', '-'),
        78 => ('+', '+'),
        83 => ('.', '.'),
        98 => ('/', '/'),
        71..=73 => digit(b"789", code - 71),
        75..=77 => digit(b"456", code - 75),
        79..=81 => digit(b"123", code - 79),
        82 => ('0', '0'),
        _ => return None,
    };
    Some(if shift { shifted } else { plain })
}

fn pair(plain: &[u8], shifted: &[u8], index: u16) -> (char, char) {
    let i = usize::from(index);
    (char::from(plain[i]), char::from(shifted[i]))
}

fn digit(digits: &[u8], index: u16) -> (char, char) {
    let c = char::from(digits[usize::from(index)]);
    (c, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_to_characters() {
        let cases = [
            (2, false, Some('1')),
            (11, false, Some('0')),
            (5, true, Some('$')),
            (6, true, Some('%')),
            (9, true, Some('*')),
            (13, true, Some('+')),
            (12, false, Some('-')),
            (16, false, Some('q')),
            (16, true, Some('Q')),
            (25, true, Some('P')),
            (30, true, Some('A')),
            (38, true, Some('L')),
            (39, true, Some(':')),
            (41, true, Some('~')),
            (43, false, Some('\\')),
            (44, true, Some('Z')),
            (50, true, Some('M')),
            (52, false, Some('.')),
            (53, false, Some('/')),
            (57, true, Some(' ')),
            (55, false, Some('*')),
            (79, false, Some('1')),
            (82, true, Some('0')),
            (28, false, None),
            (42, false, None),
            (14, false, None),
            (15, false, None),
            (0, false, None),
            (u16::MAX, true, None),
        ];
        for (code, shift, want) in cases {
            assert_eq!(char_for(code, shift), want, "{code} {shift}");
        }
    }

    #[test]
    fn every_base45_character_can_be_typed() {
        let alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        for c in alphabet.chars() {
            let typed = (0..=255u16)
                .flat_map(|code| [char_for(code, false), char_for(code, true)])
                .any(|t| t == Some(c));
            assert!(typed, "{c:?}");
        }
    }
}
