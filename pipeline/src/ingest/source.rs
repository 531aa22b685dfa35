//! Where inputs come from (paths, directories, stdin, fetched bytes) and the dispatch
//! to each format's parser.

use super::format::{binary_reason, decode_wide, detect_encoding, sniff, Format, FormatChoice, TextEncoding};
use super::{digest, feed, html, jsonl, origin, text, Emit, RawItem, MAX_FILE_BYTES};
use regex::Regex;
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One input named on the command line (directories are walked by [`read_input`]).
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Stdin,
    /// Bytes fetched elsewhere (an HTTP feed), with the name used in messages.
    Bytes {
        name: String,
        bytes: Vec<u8>,
    },
    /// The new complete lines of a growing JSON lines file, read from its line
    /// `first_line` on (reject lines count from there).
    Lines {
        name: String,
        bytes: Vec<u8>,
        first_line: u64,
    },
}

/// Reads every article of `input`, walking directories recursively (sorted, hidden
/// files skipped). Unreadable files become error items; the walk goes on.
pub fn read_input(input: &Input, choice: FormatChoice, emit: &mut Emit<'_>) -> bool {
    read_input_skipping(input, choice, &[], emit)
}

/// [`read_input`], never entering the directories in `skip` (compared canonicalized:
/// the `--data` directory when it lies inside an input directory). Directories are
/// entered once each (a symlink loop ends), and a directory that looks like a vigie
/// data directory (`index/meta.json` beside `state/` or `alerts/`) is skipped too.
///
/// Each input (each file of a walk, stdin, fetched bytes) is parsed under
/// `catch_unwind`: a panic in a parser becomes one error item for that input, the
/// items it emitted before stay emitted, and the walk goes on.
pub fn read_input_skipping(input: &Input, choice: FormatChoice, skip: &[PathBuf], emit: &mut Emit<'_>) -> bool {
    match input {
        Input::Stdin => guarded("-", emit, |emit| {
            let stdin = std::io::stdin();
            read_stream("-", None, stdin.lock(), choice, emit)
        }),
        Input::Bytes { name, bytes } => guarded(name, emit, |emit| parse_memory(name, Some(Path::new(name)), bytes, choice, emit)),
        Input::Path(p) => {
            let skip: Vec<PathBuf> = skip.iter().filter_map(|s| std::fs::canonicalize(s).ok()).collect();
            let mut walk = Walk { skip, visited: HashSet::new() };
            walk.read_path(p, choice, emit)
        }
        Input::Lines { name, bytes, first_line } => {
            let shift = first_line.saturating_sub(1);
            let mut shifted = |mut item: RawItem| {
                item.origin.line = item.origin.line.map(|l| l + shift);
                emit(item)
            };
            // new lines of a growing file: always one record per line
            guarded(name, &mut shifted, |emit| {
                let mut keep_going = true;
                let mut tracked = |item: RawItem| {
                    keep_going = emit(item);
                    keep_going
                };
                jsonl::parse(name, &bytes[..], &mut tracked).expect("reading memory cannot fail");
                keep_going
            })
        }
    }
}

/// Runs one input's parser; a panic becomes an error item naming the input.
fn guarded(name: &str, emit: &mut Emit<'_>, f: impl FnOnce(&mut Emit<'_>) -> bool) -> bool {
    match std::panic::catch_unwind(AssertUnwindSafe(|| f(&mut *emit))) {
        Ok(keep_going) => keep_going,
        Err(payload) => {
            let msg = crate::reject::panic_message(&*payload);
            emit(RawItem::err(origin(name, None), format!("internal error while reading this input: {msg}"), None))
        }
    }
}

/// The state of one directory walk.
struct Walk {
    /// Canonical directories never entered.
    skip: Vec<PathBuf>,
    /// (device, inode) of the directories entered so far.
    visited: HashSet<(u64, u64)>,
}

/// True when `dir` holds a vigie data directory's layout.
fn is_data_dir(dir: &Path) -> bool {
    dir.join("index").join("meta.json").is_file() && (dir.join("state").is_dir() || dir.join("alerts").is_dir())
}

#[cfg(unix)]
fn dir_key(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dir_key(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

impl Walk {
    /// Reads a file, or walks a directory depth-first in sorted order (an explicit
    /// stack: no recursion however deep the tree).
    fn read_path(&mut self, top: &Path, choice: FormatChoice, emit: &mut Emit<'_>) -> bool {
        // (path, found by walking a directory)
        let mut stack: Vec<(PathBuf, bool)> = vec![(top.to_path_buf(), false)];
        while let Some((path, walked)) = stack.pop() {
            let name = path.display().to_string();
            let meta = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => {
                    if !emit(RawItem::err(origin(&name, None), format!("cannot read: {}", io_reason(&e)), None)) {
                        return false;
                    }
                    continue;
                }
            };
            if meta.is_dir() {
                match self.enter(&path, &meta) {
                    Ok(Some(entries)) => stack.extend(entries.into_iter().rev().map(|p| (p, true))),
                    Ok(None) => {}
                    Err(e) => {
                        if !emit(RawItem::err(origin(&name, None), format!("cannot read directory: {}", io_reason(&e)), None)) {
                            return false;
                        }
                    }
                }
                continue;
            }
            if walked && !meta.is_file() {
                // a FIFO or a device met in a walk would block or never end; named on
                // the command line, it is read (process substitution, /dev/stdin)
                tracing::info!(file = %name, "not a regular file: skipped");
                continue;
            }
            let keep_going = match File::open(&path) {
                Ok(f) => {
                    guarded(&name, emit, |emit| read_stream(&name, Some(&path), BufReader::with_capacity(256 * 1024, f), choice, emit))
                }
                Err(e) => emit(RawItem::err(origin(&name, None), format!("cannot read: {}", io_reason(&e)), None)),
            };
            if !keep_going {
                return false;
            }
        }
        true
    }

    /// The visible entries of a directory, sorted; `None` when it is not to be entered
    /// (already entered: a symlink loop or a second link; the data directory; any vigie
    /// data directory).
    fn enter(&mut self, path: &Path, meta: &std::fs::Metadata) -> std::io::Result<Option<Vec<PathBuf>>> {
        let name = path.display();
        if let Some(key) = dir_key(meta) {
            if !self.visited.insert(key) {
                tracing::info!(dir = %name, "directory already read (a symlink loop or a second link): skipped");
                return Ok(None);
            }
        }
        if !self.skip.is_empty() {
            if let Ok(canon) = std::fs::canonicalize(path) {
                if self.skip.contains(&canon) {
                    tracing::info!(dir = %name, "the data directory is not read as input: skipped");
                    return Ok(None);
                }
            }
        }
        if is_data_dir(path) {
            tracing::info!(dir = %name, "a vigie data directory is not read as input: skipped");
            return Ok(None);
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        entries.retain(|p| !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')));
        Ok(Some(entries))
    }
}

/// The regular files under `tops` as an ingest walk would read them (sorted, hidden
/// entries skipped, symlink loops ended, `skip` and vigie data directories left out):
/// what `watch` polls.
pub fn list_files(tops: &[PathBuf], skip: &[PathBuf]) -> Vec<PathBuf> {
    let mut walk = Walk { skip: skip.iter().filter_map(|p| std::fs::canonicalize(p).ok()).collect(), visited: HashSet::new() };
    let mut out = Vec::new();
    for top in tops {
        let mut stack = vec![top.clone()];
        while let Some(path) = stack.pop() {
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            if meta.is_dir() {
                if let Ok(Some(entries)) = walk.enter(&path, &meta) {
                    stack.extend(entries.into_iter().rev());
                }
            } else if meta.is_file() {
                out.push(path);
            }
        }
    }
    out
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
    }
}

/// Reads a whole input up to [`MAX_FILE_BYTES`], or the error item to emit.
fn read_bounded<R: Read>(name: &str, r: R, what: &str) -> Result<Vec<u8>, Box<RawItem>> {
    let mut bytes = Vec::new();
    match r.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() > MAX_FILE_BYTES => {
            Err(Box::new(RawItem::err(origin(name, None), format!("file too large for {what} (limit {} MiB)", MAX_FILE_BYTES >> 20), None)))
        }
        Ok(_) => Ok(bytes),
        Err(e) => Err(Box::new(RawItem::err(origin(name, None), format!("read error: {}", io_reason(&e)), None))),
    }
}

/// Streams line formats; reads whole-document formats up to [`MAX_FILE_BYTES`].
fn read_stream<R: BufRead>(name: &str, path: Option<&Path>, mut r: R, choice: FormatChoice, emit: &mut Emit<'_>) -> bool {
    // fill_buf may return few bytes on a pipe; it is enough to see the BOM and first bytes
    let head = match r.fill_buf() {
        Ok(head) => head,
        Err(e) => return emit(RawItem::err(origin(name, None), format!("cannot read: {}", io_reason(&e)), None)),
    };
    let enc = detect_encoding(head);
    if enc != TextEncoding::Utf8 {
        // UTF-16/32: decoded whole, then parsed as UTF-8
        return match read_bounded(name, r, enc.name()) {
            Ok(bytes) => parse_memory(name, path, &bytes, choice, emit),
            Err(item) => emit(*item),
        };
    }
    if let Some(reason) = binary_reason(head).filter(|_| !is_jsonl_name(path)) {
        return emit(RawItem::err(origin(name, None), reason, None));
    }
    let format = match choice {
        FormatChoice::Fixed(f) => f,
        FormatChoice::Auto => sniff(path, head),
    };
    let mut keep_going = true;
    let mut guarded = |item: RawItem| {
        keep_going = emit(item);
        keep_going
    };
    let res = match format {
        Format::Jsonl => {
            // a `.json` export (an array, pretty-printed objects) is a whole document
            let mut start = [0u8; 4096];
            let n = peek(&mut r, &mut start);
            if !is_jsonl_name(path) && jsonl::is_whole_document(&start[..n]) {
                return match read_bounded(name, r, "a json document") {
                    Ok(bytes) => jsonl::parse_document(name, &bytes, &mut guarded),
                    Err(item) => guarded(*item),
                };
            }
            jsonl::parse(name, r, &mut guarded)
        }
        Format::TaggedJsonl => jsonl::parse_tagged(name, r, &mut guarded),
        Format::Digest => digest::parse(name, r, &mut guarded),
        Format::Feed | Format::Html | Format::Text => match read_bounded(name, r, &format!("format {}", format.as_str())) {
            Ok(bytes) => return parse_whole(name, &bytes, digest_after_all(choice, format, &bytes), &mut guarded),
            Err(item) => return guarded(*item),
        },
    };
    if let Err(e) = res {
        guarded(RawItem::err(origin(name, None), format!("read error: {}", io_reason(&e)), None));
    }
    keep_going
}

/// A `.jsonl`/`.ndjson` name: one record per line, never read as a whole document, and
/// NUL or control bytes in it make bad lines (each a reject), not a binary file.
fn is_jsonl_name(path: Option<&Path>) -> bool {
    path.and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// Copies the start of the buffered input into `out` without consuming it.
fn peek<R: BufRead>(r: &mut R, out: &mut [u8]) -> usize {
    match r.fill_buf() {
        Ok(b) => {
            let n = b.len().min(out.len());
            out[..n].copy_from_slice(&b[..n]);
            n
        }
        Err(_) => 0,
    }
}

/// Parses a whole in-memory input (also used for fetched URLs and in tests). A panic in
/// a parser becomes an error item.
pub fn parse_bytes(name: &str, bytes: &[u8], format: Format) -> Vec<RawItem> {
    let mut out = Vec::new();
    guarded(
        name,
        &mut |i| {
            out.push(i);
            true
        },
        |emit| parse_memory(name, None, bytes, FormatChoice::Fixed(format), emit),
    );
    out
}

/// A whole input in memory: UTF-16/32 decoded, binary rejected, format sniffed.
fn parse_memory(name: &str, path: Option<&Path>, bytes: &[u8], choice: FormatChoice, emit: &mut Emit<'_>) -> bool {
    let enc = detect_encoding(bytes);
    let decoded;
    let bytes = if enc == TextEncoding::Utf8 {
        if let Some(reason) = binary_reason(bytes).filter(|_| !is_jsonl_name(path)) {
            return emit(RawItem::err(origin(name, None), reason, None));
        }
        bytes
    } else {
        match decode_wide(bytes, enc) {
            Ok(text) => {
                decoded = declare_utf8(text);
                decoded.as_bytes()
            }
            Err(reason) => return emit(RawItem::err(origin(name, None), format!("cannot decode: {reason}"), None)),
        }
    };
    let format = match choice {
        FormatChoice::Fixed(f) => f,
        FormatChoice::Auto => sniff(path, bytes),
    };
    parse_whole(name, bytes, digest_after_all(choice, format, bytes), emit)
}

/// The format of a whole input sniffed as plain text from its first bytes: a digest when
/// a separator line comes later (a first item longer than the sniffed bytes).
fn digest_after_all(choice: FormatChoice, format: Format, bytes: &[u8]) -> Format {
    match (choice, format) {
        (FormatChoice::Auto, Format::Text) if super::format::has_digest_separator(bytes) => Format::Digest,
        _ => format,
    }
}

/// Once decoded, an XML declaration's `encoding="UTF-16"` would mislead the XML parser.
fn declare_utf8(text: String) -> String {
    static DECL: OnceLock<Regex> = OnceLock::new();
    let re = DECL.get_or_init(|| Regex::new(r#"^(\u{feff}?\s*<\?xml[^>]*?\bencoding\s*=\s*)["'][^"']*["']"#).expect("static regex"));
    match re.captures(&text) {
        Some(c) => {
            let end = c.get(0).expect("whole match").end();
            format!("{}\"UTF-8\"{}", &c[1], &text[end..])
        }
        None => text,
    }
}

fn parse_whole(name: &str, bytes: &[u8], format: Format, emit: &mut Emit<'_>) -> bool {
    let mut keep_going = true;
    let mut guarded = |item: RawItem| {
        keep_going = emit(item);
        keep_going
    };
    match format {
        Format::Jsonl if jsonl::is_whole_document(bytes) => {
            jsonl::parse_document(name, bytes, &mut guarded);
        }
        Format::Jsonl => jsonl::parse(name, bytes, &mut guarded).expect("reading memory cannot fail"),
        Format::TaggedJsonl => jsonl::parse_tagged(name, bytes, &mut guarded).expect("reading memory cannot fail"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_listings_end_on_loops_and_skip_fifos_and_data_directories() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.jsonl"), "{}\n").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/b.jsonl"), "{}\n").unwrap();
        std::os::unix::fs::symlink(".", d.join("loop1")).unwrap();
        std::os::unix::fs::symlink("..", d.join("sub/loop2")).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(d.join("pipe.jsonl")).status().unwrap().success());
        std::fs::create_dir_all(d.join("data/index")).unwrap();
        std::fs::write(d.join("data/index/meta.json"), "{}").unwrap();
        std::fs::create_dir_all(d.join("data/state")).unwrap();
        std::fs::write(d.join("data/rejects.jsonl"), "{}\n").unwrap();
        std::fs::create_dir(d.join("out")).unwrap();
        std::fs::write(d.join("out/rejects.jsonl"), "{}\n").unwrap();
        let files = list_files(&[d.to_path_buf()], &[d.join("out")]);
        assert_eq!(files, [d.join("a.jsonl"), d.join("sub/b.jsonl")]);
    }
    use std::fs;

    fn read_all(input: &Input, skip: &[PathBuf]) -> Vec<RawItem> {
        let mut out = Vec::new();
        read_input_skipping(input, FormatChoice::Auto, skip, &mut |i| {
            out.push(i);
            true
        });
        out
    }

    fn summary(items: &[RawItem]) -> Vec<String> {
        items
            .iter()
            .map(|i| {
                let file = Path::new(&i.origin.file).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
                match &i.article {
                    Ok(a) => format!("{file}: {}", a.title.as_deref().unwrap_or("")),
                    Err(e) => format!("{file}: ERR {e}"),
                }
            })
            .collect()
    }

    /// Issue 16: a feed reader's export saved as `.txt` is a digest whatever surrounds
    /// its bullets, and whatever the length of its first item.
    #[test]
    fn digests_are_sniffed_whatever_the_bullet_lines_hold_and_the_first_item_length() {
        let dir = tempfile::tempdir().unwrap();
        let items = [
            ("Nvidia livre ses H200", "Le fondeur a annoncé lundi des livraisons."),
            ("OpenAI lève 6 milliards", "La start-up a levé des fonds."),
        ];
        let long = "Un très long premier article. ".repeat(400);
        for (name, sep, first_body) in [
            ("nbsp.txt", "\u{a0}•\u{a0}", items[0].1),
            ("narrow.txt", "\u{202f}•\u{202f}", items[0].1),
            ("thin-tab.txt", "\u{2009}\t•\t", items[0].1),
            ("zero-width.txt", "\u{200b}•\u{feff}", items[0].1),
            ("crlf.txt", " • \r", items[0].1),
            ("long-first.txt", "\u{a0}•\u{a0}", long.as_str()),
        ] {
            let text = format!("{}\n{first_body}\n{sep}\n{}\n{}\n{sep}\n", items[0].0, items[1].0, items[1].1);
            fs::write(dir.path().join(name), text).unwrap();
            let got = summary(&read_all(&Input::Path(dir.path().join(name)), &[]));
            assert_eq!(got, [format!("{name}: {}", items[0].0), format!("{name}: {}", items[1].0)], "{name}");
        }
        // a bullet inside a line, or a lone bullet with text beside it, is not a separator
        fs::write(dir.path().join("text.txt"), "Les abonné•e•s\n• un point\ncorps").unwrap();
        assert_eq!(summary(&read_all(&Input::Path(dir.path().join("text.txt")), &[])), ["text.txt: Les abonné•e•s"]);
    }

    #[test]
    fn a_binary_file_among_good_ones_is_rejected_alone() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), "Titre A\ncorps").unwrap();
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend((0..5000u32).map(|i| (i * 7919 % 251) as u8));
        fs::write(dir.path().join("b.png"), &png).unwrap();
        fs::write(dir.path().join("c.dat"), b"abc\0\0\x01\x02\x03 def").unwrap();
        // a multibyte character across byte 1024 of the head, then a feed
        let mut feed = format!("<rss version=\"2.0\"><channel><title>{}</title>", "é".repeat(600));
        feed.push_str("<item><title>Item D</title><description>d</description></item></channel></rss>");
        fs::write(dir.path().join("d.xml"), feed).unwrap();
        let got = summary(&read_all(&Input::Path(dir.path().into()), &[]));
        assert_eq!(
            got,
            vec![
                "a.txt: Titre A",
                "b.png: ERR binary file, not a supported format",
                "c.dat: ERR binary file, not a supported format",
                "d.xml: Item D"
            ]
        );
    }

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v: Vec<u8> = if bom { vec![0xff, 0xfe] } else { vec![] };
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    fn utf16be(s: &str) -> Vec<u8> {
        let mut v = vec![0xfe, 0xff];
        v.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        v
    }

    fn utf32(s: &str, le: bool) -> Vec<u8> {
        let mut v: Vec<u8> = if le { vec![0xff, 0xfe, 0, 0] } else { vec![0, 0, 0xfe, 0xff] };
        v.extend(s.chars().flat_map(|c| if le { (c as u32).to_le_bytes() } else { (c as u32).to_be_bytes() }));
        v
    }

    #[test]
    fn utf16_and_utf32_inputs_are_decoded_for_every_format() {
        let feed = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<rss version=\"2.0\"><channel><title>Flux</title><item><title>L’été à Paris</title><description>&lt;p&gt;Café&lt;/p&gt;</description></item></channel></rss>";
        let html = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-16\"><title>Page été</title></head><body><p>Texte é ’</p></body></html>";
        let text = "Titre texte é\ncorps ’";
        let jsonl = "{\"title\":\"Ligne un é\",\"body\":\"b\"}\n{\"title\":\"Ligne deux ’\",\"body\":\"c\"}\n";
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<(&str, Vec<u8>)> = vec![
            ("f1.xml", utf16le(feed, true)),
            ("f2.xml", utf16le(feed, false)),
            ("f3.xml", utf16be(feed)),
            ("f4.xml", utf32(feed, true)),
            ("f5.xml", utf32(feed, false)),
            ("h.html", utf16le(html, true)),
            ("j.jsonl", utf16be(jsonl)),
            ("t.txt", utf32(text, true)),
            ("x.txt", [utf16le(text, true), vec![0x00, 0xd8]].concat()),
        ];
        for (name, bytes) in &files {
            fs::write(dir.path().join(name), bytes).unwrap();
        }
        let got = summary(&read_all(&Input::Path(dir.path().into()), &[]));
        assert_eq!(
            got,
            vec![
                "f1.xml: L’été à Paris",
                "f2.xml: L’été à Paris",
                "f3.xml: L’été à Paris",
                "f4.xml: L’été à Paris",
                "f5.xml: L’été à Paris",
                "h.html: Page été",
                "j.jsonl: Ligne un é",
                "j.jsonl: Ligne deux ’",
                "t.txt: Titre texte é",
                "x.txt: ERR cannot decode: invalid utf-16le at byte 44",
            ]
        );
        let items = parse_bytes("f.xml", &utf16le(feed, false), Format::Feed);
        assert_eq!(items[0].article.as_ref().unwrap().body.as_deref(), Some("Café"));
        let items = read_all(&Input::Bytes { name: "page".into(), bytes: utf16be(html) }, &[]);
        assert_eq!(items[0].article.as_ref().unwrap().body.as_deref(), Some("Texte é ’"));
    }

    #[test]
    fn arbitrary_bytes_as_a_feed_never_panic() {
        let mut x: u64 = 0x9e3779b97f4a7c15;
        let frags: &[&[u8]] = &[
            b"<",
            b"\0",
            b"?xml",
            b"\xff\xfe",
            b"<rss>",
            b"<item>",
            b"</",
            b"&#",
            b"\xe9",
            b"<![CDATA[",
            b"]]>",
            b"encoding=\"utf-16\"",
            b" ",
        ];
        for _ in 0..300 {
            let mut bytes = Vec::new();
            for _ in 0..(x % 30) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                bytes.extend_from_slice(frags[(x % frags.len() as u64) as usize]);
            }
            for f in [Format::Feed, Format::Html, Format::Text, Format::Jsonl, Format::TaggedJsonl, Format::Digest] {
                for item in parse_bytes("fuzz", &bytes, f) {
                    if let Err(e) = &item.article {
                        assert!(!e.contains("internal error"), "{bytes:?} as {f:?}: {e}");
                    }
                }
            }
        }
    }

    #[test]
    fn torn_json_lines_stay_lines_in_files_and_growing_files() {
        let data = "{\"title\": \"cut off\", \"body\": \n{\"title\":\"b\",\"body\":\"x\"}\n{\"title\":\"c\",\"body\":\"y\"}\n";
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.jsonl"), data).unwrap();
        fs::write(dir.path().join("b.json"), data).unwrap();
        let got = read_all(&Input::Path(dir.path().into()), &[]);
        let s = summary(&got);
        assert_eq!(s.len(), 6, "{s:?}");
        assert!(s[0].starts_with("a.jsonl: ERR invalid json") && s[3].starts_with("b.json: ERR invalid json"), "{s:?}");
        assert_eq!(&s[1..3], ["a.jsonl: b", "a.jsonl: c"]);
        let got = read_all(&Input::Lines { name: "g.jsonl".into(), bytes: data.as_bytes().to_vec(), first_line: 10 }, &[]);
        assert_eq!(got.iter().map(|i| i.origin.line.unwrap()).collect::<Vec<_>>(), vec![10, 11, 12]);
        assert!(got[0].article.is_err() && got[2].article.is_ok());
    }

    #[test]
    fn a_panic_while_reading_one_input_is_one_error_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.jsonl"), "{\"title\":\"a1\"}\n{\"title\":\"a2\"}\n{\"title\":\"a3\"}\n").unwrap();
        fs::write(dir.path().join("b.jsonl"), "{\"title\":\"b1\"}\n").unwrap();
        let mut out = Vec::new();
        let mut armed = true;
        read_input(&Input::Path(dir.path().into()), FormatChoice::Auto, &mut |i| {
            if armed && i.article.as_ref().is_ok_and(|a| a.title.as_deref() == Some("a2")) {
                armed = false;
                panic!("boom in the parser");
            }
            out.push(i);
            true
        });
        assert_eq!(
            summary(&out),
            vec!["a.jsonl: a1", "a.jsonl: ERR internal error while reading this input: boom in the parser", "b.jsonl: b1"]
        );
        assert_eq!(out[1].origin.line, None);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_end_and_data_directories_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a.txt"), "Titre A\ncorps").unwrap();
        fs::create_dir(root.join("sub")).unwrap();
        fs::write(root.join("sub/b.txt"), "Titre B\ncorps").unwrap();
        std::os::unix::fs::symlink(".", root.join("loop")).unwrap();
        std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
        // a vigie data directory inside the input
        fs::create_dir_all(root.join("vigie-data/index")).unwrap();
        fs::create_dir_all(root.join("vigie-data/state")).unwrap();
        fs::write(root.join("vigie-data/index/meta.json"), "{}").unwrap();
        fs::write(root.join("vigie-data/rejects.jsonl"), "{\"title\":\"rejet\"}\n").unwrap();
        // a directory named by the caller
        fs::create_dir(root.join("other")).unwrap();
        fs::write(root.join("other/c.txt"), "Titre C\ncorps").unwrap();
        let got = summary(&read_all(&Input::Path(root.into()), &[]));
        assert_eq!(got, vec!["a.txt: Titre A", "c.txt: Titre C", "b.txt: Titre B"]);
        let skip = vec![root.join("sub/../other")];
        let got = summary(&read_all(&Input::Path(root.into()), &skip));
        assert_eq!(got, vec!["a.txt: Titre A", "b.txt: Titre B"]);
    }
}
