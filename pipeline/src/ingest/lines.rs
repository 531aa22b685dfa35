//! A line reader with a length bound: a 1 GB line is skipped, not buffered.

use std::io::{self, BufRead};

/// One line, or the length of a line too long to keep.
pub(crate) enum Line {
    Ok,
    TooLong(usize),
}

/// Reads the next line (without its `\n`/`\r\n`) into `buf`, keeping at most `max`
/// bytes; returns `None` at end of input.
pub(crate) fn read_line_bounded<R: BufRead>(r: &mut R, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<Line>> {
    buf.clear();
    let mut total = 0usize;
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if total + take <= max {
            buf.extend_from_slice(&chunk[..take]);
        } else if total < max {
            buf.extend_from_slice(&chunk[..max - total]);
        }
        total += take;
        r.consume(if done { take + 1 } else { take });
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if total > max {
        buf.clear();
        return Ok(Some(Line::TooLong(total)));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(Line::Ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_skipped_and_reading_goes_on() {
        let data = format!("short\r\n{}\nnext", "x".repeat(100));
        let mut r = io::BufReader::with_capacity(16, data.as_bytes());
        let mut buf = Vec::new();
        assert!(matches!(read_line_bounded(&mut r, &mut buf, 50).unwrap(), Some(Line::Ok)));
        assert_eq!(buf, b"short");
        assert!(matches!(read_line_bounded(&mut r, &mut buf, 50).unwrap(), Some(Line::TooLong(100))));
        assert!(matches!(read_line_bounded(&mut r, &mut buf, 50).unwrap(), Some(Line::Ok)));
        assert_eq!(buf, b"next");
        assert!(read_line_bounded(&mut r, &mut buf, 50).unwrap().is_none());
    }
}
