//! Input formats and `--format auto` sniffing.

use std::path::Path;
use std::str::FromStr;

/// A concrete input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    /// JSON lines, each carried as `FILE<TAB>LINE<TAB>RECORD`: the records of other files,
    /// relayed (by a Spark job through `vigie enrich -`) with where each came from, which
    /// the origin and every reject then name. Never sniffed.
    TaggedJsonl,
    Feed,
    Digest,
    Html,
    Text,
}

/// `--format`: a format, or `auto` to sniff each input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatChoice {
    #[default]
    Auto,
    Fixed(Format),
}

impl FromStr for FormatChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "auto" => FormatChoice::Auto,
            "jsonl" | "ndjson" | "json" => FormatChoice::Fixed(Format::Jsonl),
            "jsonl-tagged" => FormatChoice::Fixed(Format::TaggedJsonl),
            "feed" | "rss" | "atom" => FormatChoice::Fixed(Format::Feed),
            "digest" => FormatChoice::Fixed(Format::Digest),
            "html" => FormatChoice::Fixed(Format::Html),
            "text" | "txt" => FormatChoice::Fixed(Format::Text),
            other => return Err(format!("unknown format {other:?} (auto, jsonl, jsonl-tagged, feed, digest, html, text)")),
        })
    }
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::TaggedJsonl => "jsonl-tagged",
            Format::Feed => "feed",
            Format::Digest => "digest",
            Format::Html => "html",
            Format::Text => "text",
        }
    }
}

/// Decides the format of an input from its name (when it has a telling extension) and
/// its first bytes.
pub fn sniff(name: Option<&Path>, head: &[u8]) -> Format {
    let ext = name.and_then(|p| p.extension()).and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("jsonl" | "ndjson" | "json") => return Format::Jsonl,
        Some("rss" | "atom" | "rdf") => return Format::Feed,
        Some("html" | "htm" | "xhtml") => return Format::Html,
        _ => {}
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let lower = t[..floor_char_boundary(t, 1024)].to_ascii_lowercase();
    if t.starts_with('{') || (t.starts_with('[') && matches!(t[1..].trim_start().chars().next(), None | Some('{' | ']'))) {
        return Format::Jsonl;
    }
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Format::Html;
    }
    if lower.starts_with('<') && (lower.contains("<rss") || lower.contains("<feed") || lower.contains("<rdf:rdf")) {
        return Format::Feed;
    }
    if lower.starts_with("<?xml") {
        return if lower.contains("<html") { Format::Html } else { Format::Feed };
    }
    if ext.as_deref() == Some("xml") {
        return Format::Feed;
    }
    if text.lines().any(is_digest_separator) {
        return Format::Digest;
    }
    Format::Text
}

/// The largest index `<= i` that is a char boundary of `s` (slicing a `&str` in the
/// middle of `é` or `’` panics).
pub(crate) fn floor_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    (0..=i).rev().find(|&j| s.is_char_boundary(j)).unwrap_or(0)
}

/// How the bytes of an input encode its text, as told by a byte order mark or, without
/// one, by the zero bytes that ASCII markup (`<?xml`, `{"`) leaves in UTF-16 and UTF-32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (with or without BOM), or a single-byte legacy charset.
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Utf32Le => "utf-32le",
            TextEncoding::Utf32Be => "utf-32be",
        }
    }
}

/// Detects UTF-16 and UTF-32 from the first bytes (BOM first, then the zero-byte pattern
/// of an ASCII first character).
pub fn detect_encoding(head: &[u8]) -> TextEncoding {
    match head {
        [0xff, 0xfe, 0, 0, ..] => return TextEncoding::Utf32Le,
        [0, 0, 0xfe, 0xff, ..] => return TextEncoding::Utf32Be,
        [0xff, 0xfe, ..] => return TextEncoding::Utf16Le,
        [0xfe, 0xff, ..] => return TextEncoding::Utf16Be,
        [0xef, 0xbb, 0xbf, ..] => return TextEncoding::Utf8,
        _ => {}
    }
    // without BOM: two ASCII characters, each padded with zeros
    match head {
        [a, 0, 0, 0, b, 0, 0, 0, ..] if a.is_ascii() && *a != 0 && b.is_ascii() => TextEncoding::Utf32Le,
        [0, 0, 0, a, 0, 0, 0, b, ..] if a.is_ascii() && *a != 0 && b.is_ascii() => TextEncoding::Utf32Be,
        [a, 0, b, 0, ..] if a.is_ascii() && *a != 0 && *b != 0 && b.is_ascii() => TextEncoding::Utf16Le,
        [0, a, 0, b, ..] if a.is_ascii() && *a != 0 && *b != 0 && b.is_ascii() => TextEncoding::Utf16Be,
        _ => TextEncoding::Utf8,
    }
}

/// Why an input's bytes are not text in the encoding they announce (the reason its
/// input is rejected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A code unit sequence that is no character, at this byte of the input.
    #[error("invalid {} at byte {at}", encoding.name())]
    Invalid { encoding: TextEncoding, at: usize },
    /// An input whose length is not a whole number of code units.
    #[error("invalid {}: {len} bytes is not a multiple of {}", encoding.name(), unit)]
    Length { encoding: TextEncoding, len: usize, unit: usize },
}

/// Decodes UTF-16/UTF-32 input to UTF-8 text (BOM dropped), or says why it cannot.
pub fn decode_wide(bytes: &[u8], enc: TextEncoding) -> Result<String, DecodeError> {
    let bad = |at: usize| DecodeError::Invalid { encoding: enc, at };
    match enc {
        TextEncoding::Utf8 => String::from_utf8(bytes.to_vec()).map_err(|e| bad(e.utf8_error().valid_up_to())),
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            let le = enc == TextEncoding::Utf16Le;
            let bom: &[u8] = if le { b"\xff\xfe" } else { b"\xfe\xff" };
            let body = bytes.strip_prefix(bom).unwrap_or(bytes);
            if !body.len().is_multiple_of(2) {
                return Err(DecodeError::Length { encoding: enc, len: bytes.len(), unit: 2 });
            }
            let units = body.chunks_exact(2).map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
            let mut out = String::with_capacity(body.len() / 2);
            for (i, r) in char::decode_utf16(units).enumerate() {
                match r {
                    Ok(c) => out.push(c),
                    Err(_) => return Err(bad(bytes.len() - body.len() + 2 * i)),
                }
            }
            Ok(out)
        }
        TextEncoding::Utf32Le | TextEncoding::Utf32Be => {
            let le = enc == TextEncoding::Utf32Le;
            let bom: &[u8] = if le { b"\xff\xfe\0\0" } else { b"\0\0\xfe\xff" };
            let body = bytes.strip_prefix(bom).unwrap_or(bytes);
            if !body.len().is_multiple_of(4) {
                return Err(DecodeError::Length { encoding: enc, len: bytes.len(), unit: 4 });
            }
            let mut out = String::with_capacity(body.len() / 4);
            for (i, c) in body.chunks_exact(4).enumerate() {
                let v = if le { u32::from_le_bytes([c[0], c[1], c[2], c[3]]) } else { u32::from_be_bytes([c[0], c[1], c[2], c[3]]) };
                match char::from_u32(v) {
                    Some(ch) => out.push(ch),
                    None => return Err(bad(bytes.len() - body.len() + 4 * i)),
                }
            }
            Ok(out)
        }
    }
}

/// Why the first bytes of a (non UTF-16/32) input are not text: a known binary
/// signature, a NUL byte, or mostly control characters.
pub fn binary_reason(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[&[u8]] = &[
        b"%PDF-",
        b"PK\x03\x04",
        b"\x1f\x8b",
        b"\x89PNG",
        b"GIF87a",
        b"GIF89a",
        b"\xff\xd8\xff",
        b"BZh",
        b"\xfd7zXZ",
        b"7z\xbc\xaf",
        b"\x7fELF",
        b"\x28\xb5\x2f\xfd",
        b"SQLite format 3",
    ];
    if MAGIC.iter().any(|m| head.starts_with(m)) {
        return Some("binary file, not a supported format");
    }
    let head = &head[..head.len().min(8192)];
    if head.is_empty() {
        return None;
    }
    if memchr::memchr(0, head).is_some() {
        return Some("binary file, not a supported format");
    }
    let control = head.iter().filter(|&&b| (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)) || b == 0x7f).count();
    // high bytes that are not UTF-8 are legacy charsets (windows-1252 pages): text
    if control * 10 > head.len() {
        return Some("binary file, not a supported format");
    }
    None
}

/// A digest item separator: a line holding only a bullet, with any whitespace around it
/// (spaces, tabs, no-break and thin spaces) and the invisible characters that exports
/// leave there (zero-width spaces and joiners, word joiners, byte order marks).
pub(crate) fn is_digest_separator(line: &str) -> bool {
    line.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')) == "•"
}

/// Whether any line of a whole input is a digest separator: an input sniffed as plain
/// text from its first bytes may be a digest whose first item is longer than them.
pub(crate) fn has_digest_separator(bytes: &[u8]) -> bool {
    // the bullet is U+2022 (e2 80 a2 in UTF-8): lines without it are never decoded
    const BULLET: &[u8] = "•".as_bytes();
    bytes.split(|&b| b == b'\n').any(|l| memchr::memmem::find(l, BULLET).is_some() && is_digest_separator(&String::from_utf8_lossy(l)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_when_the_name_says_nothing() {
        assert_eq!(sniff(None, b"{\"title\":1}\n"), Format::Jsonl);
        assert_eq!(sniff(None, b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\">"), Format::Feed);
        assert_eq!(sniff(None, b"\xef\xbb\xbf<feed xmlns=\"http://www.w3.org/2005/Atom\">"), Format::Feed);
        assert_eq!(sniff(None, b"<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(sniff(None, b"Titre\ncorps\n  \xe2\x80\xa2  \nTitre 2\n"), Format::Digest);
        assert_eq!(sniff(None, b"Les abonn\xe2\x80\xa2es\ncorps"), Format::Text);
        assert_eq!(sniff(Some(Path::new("a.JSONL")), b""), Format::Jsonl);
        assert_eq!(sniff(None, b" [\n  {\"title\": 1}"), Format::Jsonl);
        assert_eq!(sniff(None, b"[Exclusif] Nvidia"), Format::Text);
    }

    #[test]
    fn sniffing_never_cuts_a_multibyte_char() {
        // every offset of é (2 bytes) and ’ (3 bytes) across byte 1024 of the trimmed head
        for pad in 1015..1030 {
            for ch in ["é", "’", "😀"] {
                let mut s = format!("<{}", "a".repeat(pad));
                while s.len() < 1100 {
                    s.push_str(ch);
                }
                let _ = sniff(None, s.as_bytes());
                let _ = sniff(None, format!("  \u{feff}{s}").as_bytes());
            }
        }
        let s = format!("<rss>{}", "é".repeat(2000));
        assert_eq!(sniff(None, s.as_bytes()), Format::Feed);
    }

    #[test]
    fn binary_heads_are_told_apart_from_text() {
        assert!(binary_reason(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").is_some());
        assert!(binary_reason(b"%PDF-1.7\n").is_some());
        assert!(binary_reason(b"title\0body").is_some());
        let noise: Vec<u8> = (0..4000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 | 1).collect();
        assert!(binary_reason(&noise).is_some());
        assert_eq!(binary_reason("Titre\ncorps é ’\n".as_bytes()), None);
        assert_eq!(binary_reason(b"<p>caf\xe9 cr\xe8me</p>"), None, "windows-1252 is text");
        assert_eq!(binary_reason(b""), None);
    }

    #[test]
    fn wide_encodings_are_detected_and_decoded() {
        let text = "<?xml version=\"1.0\"?><rss>é ’ 😀</rss>";
        let le16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le32: Vec<u8> = text.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        let be32: Vec<u8> = text.chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        for (bytes, enc) in
            [(le16, TextEncoding::Utf16Le), (be16, TextEncoding::Utf16Be), (le32, TextEncoding::Utf32Le), (be32, TextEncoding::Utf32Be)]
        {
            assert_eq!(detect_encoding(&bytes), enc, "no BOM");
            assert_eq!(decode_wide(&bytes, enc).unwrap(), text);
            let bom: Vec<u8> = match enc {
                TextEncoding::Utf16Le => vec![0xff, 0xfe],
                TextEncoding::Utf16Be => vec![0xfe, 0xff],
                TextEncoding::Utf32Le => vec![0xff, 0xfe, 0, 0],
                _ => vec![0, 0, 0xfe, 0xff],
            };
            let with_bom = [bom, bytes.clone()].concat();
            assert_eq!(detect_encoding(&with_bom), enc, "BOM");
            assert_eq!(decode_wide(&with_bom, enc).unwrap(), text);
            assert!(decode_wide(&bytes[..bytes.len() - 1], enc).unwrap_err().to_string().starts_with("invalid utf-"));
        }
        // a lone surrogate, a code point above U+10FFFF
        assert_eq!(
            decode_wide(&[0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00], TextEncoding::Utf16Le),
            Err(DecodeError::Invalid { encoding: TextEncoding::Utf16Le, at: 2 })
        );
        assert_eq!(
            decode_wide(&[0xff, 0xfe, 0x41], TextEncoding::Utf16Le).unwrap_err().to_string(),
            "invalid utf-16le: 3 bytes is not a multiple of 2"
        );
        assert!(decode_wide(&[0, 0, 0x11, 0], TextEncoding::Utf32Le).is_err());
        assert_eq!(detect_encoding(b"{\"title\":1}"), TextEncoding::Utf8);
        assert_eq!(detect_encoding(b""), TextEncoding::Utf8);
    }
}
