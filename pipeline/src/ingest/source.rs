//! Where inputs come from (paths, directories, stdin, fetched bytes) and the dispatch
//! to each format's parser.

use super::format::{sniff, Format, FormatChoice};
use super::{digest, feed, html, jsonl, origin, text, Emit, RawItem, MAX_FILE_BYTES};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One input named on the command line (directories are walked by [`read_input`]).
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Stdin,
    /// Bytes fetched elsewhere (an HTTP feed), with the name used in messages.
    Bytes { name: String, bytes: Vec<u8> },
    /// The new complete lines of a growing JSON lines file, read from its line
    /// `first_line` on (reject lines count from there).
    Lines { name: String, bytes: Vec<u8>, first_line: u64 },
}

/// Reads every article of `input`, walking directories recursively (sorted, hidden
/// files skipped). Unreadable files become error items; the walk goes on.
pub fn read_input(input: &Input, choice: FormatChoice, emit: &mut Emit<'_>) -> bool {
    match input {
        Input::Stdin => {
            let stdin = std::io::stdin();
            read_stream("-", None, stdin.lock(), choice, emit)
        }
        Input::Bytes { name, bytes } => {
            let format = match choice {
                FormatChoice::Fixed(f) => f,
                FormatChoice::Auto => sniff(Some(Path::new(name)), bytes),
            };
            parse_whole(name, bytes, format, emit)
        }
        Input::Path(p) => read_path(p, choice, emit),
        Input::Lines { name, bytes, first_line } => {
            let shift = first_line.saturating_sub(1);
            let mut shifted = |mut item: RawItem| {
                item.origin.line = item.origin.line.map(|l| l + shift);
                emit(item)
            };
            parse_whole(name, bytes, Format::Jsonl, &mut shifted)
        }
    }
}

fn read_path(path: &Path, choice: FormatChoice, emit: &mut Emit<'_>) -> bool {
    let name = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return emit(RawItem::err(origin(&name, None), format!("cannot read: {}", io_reason(&e)), None)),
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => return emit(RawItem::err(origin(&name, None), format!("cannot read directory: {}", io_reason(&e)), None)),
        };
        entries.sort();
        for p in entries {
            let hidden = p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if !hidden && !read_path(&p, choice, emit) {
                return false;
            }
        }
        return true;
    }
    match File::open(path) {
        Ok(f) => read_stream(&name, Some(path), BufReader::with_capacity(256 * 1024, f), choice, emit),
        Err(e) => emit(RawItem::err(origin(&name, None), format!("cannot read: {}", io_reason(&e)), None)),
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
    }
}

/// Streams line formats; reads whole-document formats up to [`MAX_FILE_BYTES`].
fn read_stream<R: BufRead>(name: &str, path: Option<&Path>, mut r: R, choice: FormatChoice, emit: &mut Emit<'_>) -> bool {
    let format = match choice {
        FormatChoice::Fixed(f) => f,
        FormatChoice::Auto => match r.fill_buf() {
            Ok(head) => {
                // fill_buf may return few bytes on a pipe; it is enough to see the first byte
                sniff(path, head)
            }
            Err(e) => return emit(RawItem::err(origin(name, None), format!("cannot read: {}", io_reason(&e)), None)),
        },
    };
    let mut keep_going = true;
    let mut guarded = |item: RawItem| {
        keep_going = emit(item);
        keep_going
    };
    let res = match format {
        Format::Jsonl => jsonl::parse(name, r, &mut guarded),
        Format::Digest => digest::parse(name, r, &mut guarded),
        Format::Feed | Format::Html | Format::Text => {
            let mut bytes = Vec::new();
            match r.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes) {
                Ok(_) if bytes.len() > MAX_FILE_BYTES => {
                    return guarded(RawItem::err(
                        origin(name, None),
                        format!("file too large for format {} (limit {} MiB)", format.as_str(), MAX_FILE_BYTES >> 20),
                        None,
                    ))
                }
                Ok(_) => return parse_whole(name, &bytes, format, &mut guarded),
                Err(e) => Err(e),
            }
        }
    };
    if let Err(e) = res {
        guarded(RawItem::err(origin(name, None), format!("read error: {}", io_reason(&e)), None));
    }
    keep_going
}

/// Parses a whole in-memory input (also used for fetched URLs and in tests).
pub fn parse_bytes(name: &str, bytes: &[u8], format: Format) -> Vec<RawItem> {
    let mut out = Vec::new();
    parse_whole(name, bytes, format, &mut |i| {
        out.push(i);
        true
    });
    out
}

fn parse_whole(name: &str, bytes: &[u8], format: Format, emit: &mut Emit<'_>) -> bool {
    let mut keep_going = true;
    let mut guarded = |item: RawItem| {
        keep_going = emit(item);
        keep_going
    };
    match format {
        Format::Jsonl => jsonl::parse(name, bytes, &mut guarded).expect("reading memory cannot fail"),
        Format::Digest => digest::parse(name, bytes, &mut guarded).expect("reading memory cannot fail"),
        Format::Feed => feed::parse(name, bytes, &mut guarded),
        Format::Html | Format::Text => match decode_text(bytes, format == Format::Html) {
            Ok(s) if format == Format::Html => {
                guarded(html::parse_page(name, &s));
            }
            Ok(s) => {
                guarded(text::parse(name, &s));
            }
            Err((line, reason)) => {
                guarded(RawItem::err(origin(name, Some(line)), reason, None));
            }
        },
    }
    keep_going
}

/// UTF-8, or the legacy charset an HTML page declares (French sites still serve
/// windows-1252); anything else is rejected rather than garbled.
fn decode_text(bytes: &[u8], html: bool) -> Result<String, (u64, String)> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            if html {
                let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
                if let Some(i) = head.find("charset=") {
                    let label: String = head[i + 8..]
                        .trim_start_matches(['"', '\''])
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) {
                        if enc != encoding_rs::UTF_8 {
                            return Ok(enc.decode(bytes).0.into_owned());
                        }
                    }
                }
            }
            let line = memchr::memchr_iter(b'\n', &bytes[..e.valid_up_to()]).count() as u64 + 1;
            Err((line, format!("invalid utf-8 at byte {}", e.valid_up_to())))
        }
    }
}
