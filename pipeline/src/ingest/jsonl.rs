//! JSON lines (`article.v1`), streamed line by line, and `.json` exports: a JSON array
//! of records, or pretty-printed objects spread over many lines, read whole (bounded by
//! [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES)) and split into records by a scanner that
//! follows strings and brackets, so each error names its record's starting line.

use super::lines::for_each_record;
use super::{origin, Emit, RawItem, MAX_RECORD_BYTES};
use std::io::BufRead;
use vigie_schemas::Article;

/// Reads one article per line; blank lines are skipped, every bad line is an error
/// item naming its line.
pub(crate) fn parse<R: BufRead>(file: &str, r: R, emit: &mut Emit<'_>) -> std::io::Result<()> {
    for_each_record(r, MAX_RECORD_BYTES, &mut |n, rec| {
        let o = origin(file, Some(n));
        emit(match rec {
            Err((reason, raw)) => RawItem::err(o, reason, raw),
            Ok(s) => line_record(o, s),
        })
    })
}

/// One JSON lines record read at `o`: its article, or why it is none (the line kept).
fn line_record(o: vigie_schemas::Origin, s: &str) -> RawItem {
    match serde_json::from_str::<Article>(s) {
        Ok(a) => RawItem::ok(o, a),
        Err(e) => RawItem::err(o, format!("invalid json: {e}"), Some(s.to_string())),
    }
}

/// Longest file name a tagged line may carry.
const MAX_TAG_NAME: usize = 4096;

/// Reads `FILE<TAB>LINE<TAB>RECORD` lines (see [`Format::TaggedJsonl`](super::Format)):
/// each record is parsed as a JSON lines record of `FILE` at line `LINE`, and its
/// article or its error names that place. A line without a usable tag is an error
/// naming its own line of `stream`.
pub(crate) fn parse_tagged<R: BufRead>(stream: &str, r: R, emit: &mut Emit<'_>) -> std::io::Result<()> {
    for_each_record(r, MAX_RECORD_BYTES, &mut |n, rec| {
        let here = origin(stream, Some(n));
        emit(match rec {
            Err((reason, raw)) => RawItem::err(here, reason, raw),
            Ok(s) => match split_tag(s) {
                None => RawItem::err(
                    here,
                    "tagged line without FILE<TAB>LINE<TAB> before its record (--format jsonl-tagged)",
                    Some(s.chars().take(100_000).collect()),
                ),
                Some((file, line, rec)) => line_record(origin(file, Some(line)), rec),
            },
        })
    })
}

/// `(FILE, LINE, RECORD)` of a tagged line: a file name without control characters and
/// a line number from 1.
fn split_tag(s: &str) -> Option<(&str, u64, &str)> {
    let (file, rest) = s.split_once('\t')?;
    let (line, rec) = rest.split_once('\t')?;
    let line: u64 = line.parse().ok().filter(|&l| l >= 1)?;
    let name_ok = !file.is_empty() && file.len() <= MAX_TAG_NAME && !file.chars().any(char::is_control);
    name_ok.then_some((file, line, rec))
}

/// True when the input starts like a whole JSON document rather than one object per
/// line: a `[`, or a first line that is only `{` (how pretty printers open an object).
/// A torn JSON line (`{"title": "x", "body":`) stays a line, rejected alone.
pub(crate) fn is_whole_document(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let head = &head[start..];
    match head.first() {
        Some(b'[') => true,
        Some(b'{') => head[1..].iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r')).is_some_and(|&b| b == b'\n'),
        _ => false,
    }
}

/// Reads a whole JSON document: an array of records or a sequence of objects. Every
/// record becomes an article or an error naming the line where it starts.
pub(crate) fn parse_document(file: &str, bytes: &[u8], emit: &mut Emit<'_>) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            let line = memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64 + 1;
            return emit(RawItem::err(origin(file, Some(line)), format!("invalid utf-8 at byte {at}"), None));
        }
    };
    let mut lines = super::LineCounter::new(text);
    let (spans, trailing) = split_values(text);
    for (start, end) in spans {
        let o = origin(file, Some(lines.line_at(start)));
        let raw = &text[start..end];
        let item = match serde_json::from_str::<Article>(raw) {
            Ok(a) => RawItem::ok(o, a),
            Err(e) => RawItem::err(o, format!("invalid json: {e}"), Some(raw.chars().take(100_000).collect())),
        };
        if !emit(item) {
            return false;
        }
    }
    if let Some((at, reason)) = trailing {
        let o = origin(file, Some(lines.line_at(at)));
        return emit(RawItem::err(o, reason, Some(text[at..].chars().take(2000).collect())));
    }
    true
}

/// The byte spans of a document's top-level values, and where splitting stopped (offset
/// and reason), if it did.
type Split = (Vec<(usize, usize)>, Option<(usize, String)>);

/// Splits a JSON array (or a run of concatenated values) into the byte spans of its
/// top-level values, without recursion. The second value is the offset and reason of
/// what could not be split (an unclosed record, a stray character).
fn split_values(text: &str) -> Split {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    i = skip_ws(i);
    let in_array = b.get(i) == Some(&b'[');
    if in_array {
        i += 1;
    }
    loop {
        i = skip_ws(i);
        while i < b.len() && b[i] == b',' {
            i = skip_ws(i + 1);
        }
        if i >= b.len() {
            return (spans, in_array.then(|| (b.len(), "truncated json array: no closing ]".to_string())));
        }
        if in_array && b[i] == b']' {
            let rest = skip_ws(i + 1);
            if rest < b.len() {
                return (spans, Some((rest, "unexpected text after the json array".to_string())));
            }
            return (spans, None);
        }
        let start = i;
        match b[i] {
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut in_str = false;
                let mut esc = false;
                let mut end = None;
                while i < b.len() {
                    let c = b[i];
                    if in_str {
                        if esc {
                            esc = false;
                        } else if c == b'\\' {
                            esc = true;
                        } else if c == b'"' {
                            in_str = false;
                        }
                    } else {
                        match c {
                            b'"' => in_str = true,
                            b'{' | b'[' => depth += 1,
                            b'}' | b']' => {
                                depth -= 1;
                                if depth == 0 {
                                    end = Some(i + 1);
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    i += 1;
                }
                match end {
                    Some(e) => {
                        spans.push((start, e));
                        i = e;
                    }
                    None => return (spans, Some((start, "truncated json record: not closed".to_string()))),
                }
            }
            _ => {
                // a scalar or garbage: up to the next separator, reported by serde
                while i < b.len() && !matches!(b[i], b',' | b']' | b'\n') {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                spans.push((start, i));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_lines_carry_their_file_and_line_and_bad_tags_name_the_stream_line() {
        let input = "a.jsonl\t3\t{\"title\":\"T\",\"body\":\"B\"}\n\
                     \n\
                     dir/b.jsonl\t17\t{\"title\":\n\
                     no tag {\"title\":\"x\"}\n\
                     c.jsonl\t0\t{}\n\
                     c.jsonl\tx\t{}\n\
                     \t4\t{}\n";
        let mut items = Vec::new();
        parse_tagged("-", input.as_bytes(), &mut |i| {
            items.push(i);
            true
        })
        .unwrap();
        let at: Vec<String> = items.iter().map(|i| format!("{}:{}", i.origin.file, i.origin.line.unwrap())).collect();
        assert_eq!(at, ["a.jsonl:3", "dir/b.jsonl:17", "-:4", "-:5", "-:6", "-:7"]);
        assert_eq!(items[0].article.as_ref().unwrap().title.as_deref(), Some("T"));
        assert!(items[1].article.as_ref().unwrap_err().starts_with("invalid json"), "{:?}", items[1].article);
        assert_eq!(items[1].raw.as_deref(), Some("{\"title\":"));
        for i in &items[2..] {
            assert!(i.article.as_ref().unwrap_err().contains("FILE<TAB>LINE<TAB>"), "{:?}", i.article);
        }
    }

    fn lines(s: &str) -> Vec<RawItem> {
        let mut out = Vec::new();
        parse("a.jsonl", s.as_bytes(), &mut |i| {
            out.push(i);
            true
        })
        .unwrap();
        out
    }

    fn doc(s: &str) -> Vec<RawItem> {
        let mut out = Vec::new();
        parse_document("a.json", s.as_bytes(), &mut |i| {
            out.push(i);
            true
        });
        out
    }

    #[test]
    fn json_lines_keep_per_line_errors() {
        let got = lines("{\"title\":\"a\",\"body\":\"b\"}\n\n{broken\n{\"title\":\"c\",\"id\":12345}\n");
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].origin.line, Some(3));
        assert!(got[1].article.as_ref().unwrap_err().starts_with("invalid json"));
        assert_eq!(got[2].article.as_ref().unwrap().id.as_deref(), Some("12345"));
        assert!(!is_whole_document(b"{\"title\":\"a\"}\n{\"title\":\"b\"}\n"));
        assert!(!is_whole_document(b"{broken\n"), "a broken json line stays a line");
        assert!(!is_whole_document(b"{\"title\": \"cut off\", \"body\": \n{\"title\":\"b\"}\n"), "a torn line stays a line");
        assert!(!is_whole_document(b"{\"title\": {\n"));
        assert!(is_whole_document(b"{ \r\n  \"title\": 1\n}"));
    }

    #[test]
    fn json_arrays_and_pretty_objects_are_read_whole_with_record_lines() {
        let arr = "\u{feff} [\n  {\"title\": \"un\", \"body\": \"a ] } [ \\\" b\"},\n  {\"title\": 5},\n\n  {\n    \"title\": \"trois\",\n    \"text\": \"c\"\n  }\n]\n";
        assert!(is_whole_document(arr.as_bytes()));
        let got = doc(arr);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].article.as_ref().unwrap().body.as_deref(), Some("a ] } [ \" b"));
        assert_eq!(got[1].origin.line, Some(3));
        assert!(got[1].article.is_err());
        assert_eq!(got[2].origin.line, Some(5));
        assert_eq!(got[2].article.as_ref().unwrap().title.as_deref(), Some("trois"));

        let pretty =
            "{\n  \"title\": \"a\",\n  \"body\": \"b\"\n}\n{\n  \"title\": \"c\",\n  \"body\": \"d\"\n}\n{\n  \"title\": \"coupé\"";
        assert!(is_whole_document(pretty.as_bytes()));
        let got = doc(pretty);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[1].origin.line, Some(5));
        assert_eq!(got[1].article.as_ref().unwrap().title.as_deref(), Some("c"));
        assert_eq!(got[2].origin.line, Some(9));
        assert!(got[2].article.as_ref().unwrap_err().contains("truncated"));

        assert_eq!(doc("[]").len(), 0);
        assert!(doc("[{\"title\":\"a\"}").last().unwrap().article.as_ref().unwrap_err().contains("no closing"));
        // deep nesting is split without recursion and rejected by serde's own limit
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        let got = doc(&deep);
        assert_eq!(got.len(), 1);
        assert!(got[0].article.is_err());
    }
}
