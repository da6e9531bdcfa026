//! Reading request lines with a length limit, so a client that never sends a newline
//! cannot make the simulator allocate without bound.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// The longest request line accepted.
pub(crate) const MAX_LINE: usize = 64 * 1024;

/// What one read produced.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Read {
    /// A line, without its newline (the last one may have none).
    Line(Vec<u8>),
    /// A line longer than the limit, skipped up to its newline.
    TooLong,
    /// The peer closed the connection.
    Eof,
}

pub(crate) async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> std::io::Result<Read> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(match (too_long, line.is_empty()) {
                (true, _) => Read::TooLong,
                (false, true) => Read::Eof,
                (false, false) => Read::Line(line),
            });
        }
        let (chunk, used, end) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        if !too_long && line.len() + chunk.len() <= max {
            line.extend_from_slice(chunk);
        } else {
            too_long = true;
            line = Vec::new();
        }
        reader.consume(used);
        if end {
            return Ok(if too_long {
                Read::TooLong
            } else {
                Read::Line(line)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn all(input: &[u8], max: usize) -> Vec<Read> {
        let mut reader = tokio::io::BufReader::with_capacity(4, input);
        let mut out = Vec::new();
        loop {
            let read = read_line(&mut reader, max).await.unwrap();
            let eof = read == Read::Eof;
            out.push(read);
            if eof {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn splits_lines_and_skips_long_ones() {
        let reads = all(b"ab\n0123456789\ncd", 5).await;
        assert_eq!(
            reads,
            vec![
                Read::Line(b"ab".to_vec()),
                Read::TooLong,
                Read::Line(b"cd".to_vec()),
                Read::Eof,
            ]
        );
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_limit_passes() {
        let reads = all(b"12345\n\n", 5).await;
        assert_eq!(
            reads,
            vec![Read::Line(b"12345".to_vec()), Read::Line(vec![]), Read::Eof]
        );
    }
}
