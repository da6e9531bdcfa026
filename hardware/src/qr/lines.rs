//! Serial scanners send each scan as a line: the text, then CR, LF or CR LF (a setting on
//! the scanner). Pure: bytes in, lines out, whatever way the bytes are split into reads.

/// Why a line is no text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// Longer than the maximum (the rest was dropped, never buffered).
    #[error("scan longer than {0} bytes")]
    TooLong(usize),
    /// Not UTF-8 (a scanner set to another code page, or line noise).
    #[error("scan is not UTF-8 text")]
    NotUtf8,
}

/// Splits a byte stream into lines of at most `max_len` bytes.
#[derive(Debug)]
pub struct LineSplitter {
    max_len: usize,
    line: Vec<u8>,
    too_long: bool,
}

impl LineSplitter {
    /// A splitter for lines of at most `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        LineSplitter {
            max_len,
            line: Vec::new(),
            too_long: false,
        }
    }

    /// The lines `bytes` complete. Empty lines (the LF of a CR LF) are skipped.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<String, LineError>> {
        let mut lines = Vec::new();
        for &b in bytes {
            match b {
                b'\r' | b'\n' => lines.extend(self.flush()),
                _ if self.line.len() < self.max_len => self.line.push(b),
                _ => self.too_long = true,
            }
        }
        lines
    }

    /// Ends the line in progress, if any (a scanner set to send no terminator is silent
    /// after its scan: the caller flushes after a pause).
    pub fn flush(&mut self) -> Option<Result<String, LineError>> {
        if self.too_long {
            self.line.clear();
            self.too_long = false;
            return Some(Err(LineError::TooLong(self.max_len)));
        }
        if self.line.is_empty() {
            return None;
        }
        let line = std::mem::take(&mut self.line);
        Some(String::from_utf8(line).map_err(|_| LineError::NotUtf8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case = (&'static [&'static [u8]], Vec<Result<String, LineError>>);

    fn split(chunks: &[&[u8]]) -> Vec<Result<String, LineError>> {
        let mut splitter = LineSplitter::new(8);
        let mut out: Vec<_> = chunks.iter().flat_map(|c| splitter.push(c)).collect();
        out.extend(splitter.flush());
        out
    }

    fn ok(s: &str) -> Result<String, LineError> {
        Ok(s.to_string())
    }

    #[test]
    fn byte_streams_to_lines() {
        let cases: Vec<Case> = vec![
            (&[b"GH1:AB\r"], vec![ok("GH1:AB")]),
            (&[b"GH1:AB\n"], vec![ok("GH1:AB")]),
            (&[b"GH1:AB\r\n"], vec![ok("GH1:AB")]),
            (&[b"GH", b"1:A", b"B\r", b"\n"], vec![ok("GH1:AB")]),
            (&[b"a\rb\nc\r\n"], vec![ok("a"), ok("b"), ok("c")]),
            (&[b"\r\n\r\n"], vec![]),
            (&[b""], vec![]),
            (&[b"no end"], vec![ok("no end")]),
            (&[b"12345678\r"], vec![ok("12345678")]),
            (
                &[b"123456789\rok\r"],
                vec![Err(LineError::TooLong(8)), ok("ok")],
            ),
            (
                &[b"1234", b"56789", b"0123456789\n"],
                vec![Err(LineError::TooLong(8))],
            ),
            (&[b"\xff\xfe\r"], vec![Err(LineError::NotUtf8)]),
            (&[b"a b $%\r"], vec![ok("a b $%")]),
        ];
        for (chunks, want) in cases {
            assert_eq!(split(chunks), want, "{chunks:?}");
        }
    }
}
