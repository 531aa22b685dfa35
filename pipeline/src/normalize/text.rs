//! Text cleanup shared by titles and bodies.

use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// HTML entities decoded, Unicode NFC, exotic spaces made plain, zero-width characters
/// dropped, lines trimmed, runs of spaces collapsed, at most one blank line between
/// paragraphs. Markup left in a JSON body is turned into text first.
pub fn clean_text(s: &str) -> String {
    // borrowed while nothing rewrote it (most text): no copy before the line loop
    let s: Cow<str> = if looks_like_html(s) {
        Cow::Owned(crate::ingest::html_to_text(s))
    } else if s.contains('&') {
        html_escape::decode_html_entities(s)
    } else {
        Cow::Borrowed(s)
    };
    let mut out = String::with_capacity(s.len());
    let mut blank_lines = 0usize;
    let s = match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s,
        _ => Cow::Owned(s.nfc().collect::<String>()),
    };
    // each line is written straight into `out` (no buffer per line): the break before
    // it once its first kept character shows it is not blank
    for line in s.lines() {
        let (mut started, mut space) = (false, false);
        for c in line.chars() {
            match c {
                '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => {}
                c if c.is_whitespace() => space = true,
                c if c.is_control() => space = true,
                c => {
                    if !started {
                        if !out.is_empty() {
                            out.push_str(if blank_lines > 0 { "\n\n" } else { "\n" });
                        }
                        blank_lines = 0;
                        started = true;
                    } else if space {
                        out.push(' ');
                    }
                    space = false;
                    out.push(c);
                }
            }
        }
        if !started {
            blank_lines += 1;
        }
    }
    out
}

fn looks_like_html(s: &str) -> bool {
    let lower_has = |tag: &str| s.contains(tag);
    s.contains('<')
        && (lower_has("<p>") || lower_has("<p ") || lower_has("</p>") || lower_has("<br") || lower_has("</a>") || lower_has("<div"))
}

/// The first `n` characters of `s` (a char boundary, never a panic).
pub fn first_chars(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line loop as it was written first (a buffer per line): the same text.
    fn clean_lines_reference(s: &str) -> String {
        let mut out = String::new();
        let mut blank_lines = 0usize;
        for line in s.lines() {
            let mut l = String::new();
            let mut space = false;
            for c in line.chars() {
                match c {
                    '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => {}
                    c if c.is_whitespace() || c.is_control() => space = true,
                    c => {
                        if space && !l.is_empty() {
                            l.push(' ');
                        }
                        space = false;
                        l.push(c);
                    }
                }
            }
            if l.is_empty() {
                blank_lines += 1;
                continue;
            }
            if !out.is_empty() {
                out.push_str(if blank_lines > 0 { "\n\n" } else { "\n" });
            }
            blank_lines = 0;
            out.push_str(&l);
        }
        out
    }

    #[test]
    fn lines_are_cleaned_as_before() {
        for s in [
            "",
            "\n\n",
            "  a  \n\n\n\n b\t c \n",
            "\u{200b}\n \u{feff} \nx\u{ad}y\r\n\r\n\u{2060}z  \u{7}w\n  ",
            "un\u{a0}\u{202f}deux\n\u{200b}\n\ntrois\n",
            " \u{200d}lead\ttab\x0bvt\x0cff\n\u{85}next",
        ] {
            assert_eq!(clean_text(s), clean_lines_reference(s), "{s:?}");
        }
    }

    #[test]
    fn cleans_entities_spaces_and_composes_accents() {
        let decomposed = "e\u{301}te\u{301}"; // été with combining accents
        assert_eq!(clean_text(decomposed), "été");
        assert_eq!(clean_text("Prix\u{202f}: 40\u{a0}000\u{a0}$ &amp; plus\u{200b}"), "Prix : 40 000 $ & plus");
        assert_eq!(clean_text("  a  \n\n\n\n b\t c \n"), "a\n\nb c");
        assert_eq!(clean_text("<p>Un</p><p>Deux &eacute;</p>"), "Un\n\nDeux é");
    }
}
