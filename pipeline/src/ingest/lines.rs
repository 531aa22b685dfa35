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

/// Why one line of a line-per-record input is no record: the reason, and the raw text
/// to keep in the rejects file when there is some.
pub(crate) type BadLine = (String, Option<String>);

/// Reads one record per line, each at most `max` bytes: `each` gets the line's number
/// (from 1) and its text (a leading BOM removed), or why it is unusable (too large,
/// not UTF-8); blank lines are skipped. Stops when `each` returns `false`.
pub(crate) fn for_each_record<R: BufRead>(
    mut r: R,
    max: usize,
    each: &mut dyn FnMut(u64, Result<&str, BadLine>) -> bool,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut n = 0u64;
    while let Some(line) = read_line_bounded(&mut r, &mut buf, max)? {
        n += 1;
        let rec = match line {
            Line::TooLong(len) => Err((format!("record too large ({len} bytes, limit {} MiB)", max >> 20), None)),
            Line::Ok => {
                let bytes = if n == 1 { buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&buf) } else { &buf[..] };
                if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                std::str::from_utf8(bytes)
                    .map_err(|e| (format!("invalid utf-8 at byte {}", e.valid_up_to()), Some(String::from_utf8_lossy(bytes).into_owned())))
            }
        };
        if !each(n, rec) {
            break;
        }
    }
    Ok(())
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
