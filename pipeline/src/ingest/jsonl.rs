//! JSON lines (`article.v1`), streamed line by line.

use super::lines::{read_line_bounded, Line};
use super::{origin, Emit, RawItem, MAX_RECORD_BYTES};
use std::io::BufRead;
use vigie_schemas::Article;

/// Reads one article per line; blank lines are skipped, every bad line is an error
/// item naming its line.
pub(crate) fn parse<R: BufRead>(file: &str, mut r: R, emit: &mut Emit<'_>) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut n = 0u64;
    while let Some(line) = read_line_bounded(&mut r, &mut buf, MAX_RECORD_BYTES)? {
        n += 1;
        let o = origin(file, Some(n));
        let item = match line {
            Line::TooLong(len) => RawItem::err(
                o,
                format!("record too large ({len} bytes, limit {} MiB)", MAX_RECORD_BYTES >> 20),
                None,
            ),
            Line::Ok => {
                let bytes = if n == 1 { buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&buf) } else { &buf[..] };
                if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                match std::str::from_utf8(bytes) {
                    Err(e) => RawItem::err(
                        o,
                        format!("invalid utf-8 at byte {}", e.valid_up_to()),
                        Some(String::from_utf8_lossy(bytes).into_owned()),
                    ),
                    Ok(s) => match serde_json::from_str::<Article>(s) {
                        Ok(a) => RawItem::ok(o, a),
                        Err(e) => RawItem::err(o, format!("invalid json: {e}"), Some(s.to_string())),
                    },
                }
            }
        };
        if !emit(item) {
            break;
        }
    }
    Ok(())
}
