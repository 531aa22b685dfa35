//! Input formats and `--format auto` sniffing.

use std::path::Path;
use std::str::FromStr;

/// A concrete input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
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
            "feed" | "rss" | "atom" => FormatChoice::Fixed(Format::Feed),
            "digest" => FormatChoice::Fixed(Format::Digest),
            "html" => FormatChoice::Fixed(Format::Html),
            "text" | "txt" => FormatChoice::Fixed(Format::Text),
            other => return Err(format!("unknown format {other:?} (auto, jsonl, feed, digest, html, text)")),
        })
    }
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
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
    let ext = name
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("jsonl" | "ndjson") => return Format::Jsonl,
        Some("rss" | "atom" | "rdf") => return Format::Feed,
        Some("html" | "htm" | "xhtml") => return Format::Html,
        _ => {}
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let lower = t[..t.len().min(1024)].to_ascii_lowercase();
    if t.starts_with('{') {
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

/// A digest item separator: a line holding only a bullet, spaces around it allowed.
pub(crate) fn is_digest_separator(line: &str) -> bool {
    line.trim() == "•"
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
    }
}
