//! A feed reader's text export: items separated by a line holding only `•`; the first
//! non-empty line of an item is its title. A line that is only a URL becomes the url,
//! and a leading `Source: ...`/`Date: ...` style header line is read as metadata.

use super::format::is_digest_separator;
use super::lines::{read_line_bounded, Line};
use super::{origin, Emit, RawItem, MAX_RECORD_BYTES};
use std::io::BufRead;
use vigie_schemas::Article;

pub(crate) fn parse<R: BufRead>(file: &str, mut r: R, emit: &mut Emit<'_>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut n = 0u64;
    let mut item = Item::default();
    while let Some(line) = read_line_bounded(&mut r, &mut buf, MAX_RECORD_BYTES)? {
        n += 1;
        let text = match line {
            Line::TooLong(len) => {
                item.error.get_or_insert(format!("line {n} too large ({len} bytes)"));
                continue;
            }
            Line::Ok => match std::str::from_utf8(&buf) {
                Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
                Err(e) => {
                    item.error.get_or_insert(format!("invalid utf-8 on line {n} at byte {}", e.valid_up_to()));
                    String::from_utf8_lossy(&buf).into_owned()
                }
            },
        };
        if is_digest_separator(&text) {
            if let Some(it) = std::mem::take(&mut item).finish(file) {
                if !emit(it) {
                    return Ok(());
                }
            }
            continue;
        }
        if item.start.is_none() && !text.trim().is_empty() {
            item.start = Some(n);
        }
        item.lines.push(text);
    }
    if let Some(it) = item.finish(file) {
        emit(it);
    }
    Ok(())
}

#[derive(Default)]
struct Item {
    start: Option<u64>,
    lines: Vec<String>,
    error: Option<String>,
}

impl Item {
    fn finish(self, file: &str) -> Option<RawItem> {
        let start = self.start?;
        let o = origin(file, Some(start));
        if let Some(e) = self.error {
            return Some(RawItem::err(o, e, Some(self.lines.join("\n"))));
        }
        let mut a = Article::default();
        let mut body = Vec::new();
        for line in self.lines {
            let t = line.trim();
            if a.title.is_none() {
                if !t.is_empty() {
                    a.title = Some(t.to_string());
                }
                continue;
            }
            if a.url.is_none() && (t.starts_with("http://") || t.starts_with("https://")) && !t.contains(' ') {
                a.url = Some(t.to_string());
                continue;
            }
            if body.iter().all(|l: &String| l.trim().is_empty()) {
                if let Some((k, v)) = header(t) {
                    match k {
                        "source" if a.source.is_none() => a.source = Some(v.to_string()),
                        "date" if a.published.is_none() => a.published = Some(v.to_string()),
                        "author" if a.author.is_none() => a.author = Some(vigie_schemas::OneOrMany::One(v.to_string())),
                        _ => body.push(line),
                    }
                    continue;
                }
            }
            body.push(line);
        }
        a.body = Some(body.join("\n"));
        Some(RawItem::ok(o, a))
    }
}

/// `Source: Le Monde`, `Date : 29 janvier 2025`, `Auteur: ...` header lines.
fn header(line: &str) -> Option<(&'static str, &str)> {
    let (k, v) = line.split_once(':')?;
    let key = match k.trim().to_lowercase().as_str() {
        "source" | "site" | "feed" | "flux" => "source",
        "date" | "published" | "publié le" | "publié" => "date",
        "author" | "auteur" | "by" | "par" => "author",
        _ => return None,
    };
    let v = v.trim();
    (!v.is_empty()).then_some((key, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(s: &str) -> Vec<RawItem> {
        let mut out = Vec::new();
        parse("d.txt", s.as_bytes(), &mut |i| {
            out.push(i);
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn splits_on_bullet_lines_only() {
        let got = items("Titre un\nSource: Le Monde\nhttps://ex.fr/a\nLes abonné•e•s lisent.\n  •  \n\nTitre deux\ncorps deux\n•\n");
        assert_eq!(got.len(), 2);
        let a = got[0].article.as_ref().unwrap();
        assert_eq!(a.title.as_deref(), Some("Titre un"));
        assert_eq!(a.source.as_deref(), Some("Le Monde"));
        assert_eq!(a.url.as_deref(), Some("https://ex.fr/a"));
        assert_eq!(a.body.as_deref(), Some("Les abonné•e•s lisent."));
        assert_eq!(got[1].origin.line, Some(7));
    }
}
