//! RSS 2.0, RSS 1.0/RDF and Atom through feed-rs. When a feed's XML is broken, each
//! `<item>`/`<entry>` is parsed on its own so that the good items are kept and only the
//! broken ones are rejected, each with its line.

use super::html::html_to_text;
use super::{origin, Emit, RawItem};
use regex::Regex;
use std::sync::OnceLock;
use vigie_schemas::{Article, OneOrMany};

fn parser() -> feed_rs::parser::Parser {
    // An empty id marks "the feed gave none": we then derive ids from the link ourselves.
    feed_rs::parser::Builder::new().sanitize_content(false).id_generator(|_, _, _| String::new()).build()
}

pub(crate) fn parse(file: &str, bytes: &[u8], emit: &mut Emit<'_>) {
    let prepared = without_declaration(bytes);
    let padded = std::str::from_utf8(&prepared).ok().map(pad_contacts);
    let bytes = match &padded {
        Some(text) => text.as_bytes(),
        None => &prepared[..],
    };
    match parser().parse(bytes) {
        Ok(feed) => {
            let source = feed.title.as_ref().map(|t| html_to_text(&t.content));
            // feed-rs drops the dates it cannot read: find their raw text, item by item,
            // so that the normalizer reads them (time-zone names...) or keeps them raw
            let raw_dates: Vec<Option<String>> = if feed.entries.iter().any(|e| e.published.is_none() && e.updated.is_none()) {
                let text = String::from_utf8_lossy(bytes);
                let dates: Vec<Option<String>> = item_re().find_iter(&text).map(|m| raw_date(m.as_str())).collect();
                if dates.len() == feed.entries.len() {
                    dates
                } else {
                    Vec::new()
                }
            } else {
                Vec::new()
            };
            for (i, e) in feed.entries.into_iter().enumerate() {
                let o = origin(file, Some(i as u64 + 1));
                let mut a = entry_to_article(e, source.as_deref());
                if a.published.is_none() {
                    a.published = raw_dates.get(i).cloned().flatten();
                }
                if !emit(RawItem::ok(o, a)) {
                    return;
                }
            }
        }
        Err(err) => salvage(file, bytes, &err.to_string(), emit),
    }
}

/// The feed with its XML declaration removed, in UTF-8: a legacy encoding the
/// declaration names is decoded here (encoding_rs), so that the XML parser never
/// switches encodings itself (quick-xml panics when a declaration it cannot read
/// cleanly, or one after stray bytes, asks it to). Wide encodings were decoded before
/// this point; a UTF-8 feed keeps its bytes, valid or not, as the parser judges them.
fn without_declaration(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    if !b[start..].starts_with(b"<?xml") {
        return defuse_declarations(Cow::Borrowed(b));
    }
    let Some(end) = b[start..].iter().position(|&c| c == b'>').map(|i| start + i + 1) else {
        return Cow::Borrowed(&b[b.len()..]);
    };
    let decl = String::from_utf8_lossy(&b[start..end]).to_ascii_lowercase();
    let label = decl.find("encoding").map(|i| {
        decl[i + 8..]
            .trim_start_matches([' ', '=', '"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
            .collect::<String>()
    });
    let enc = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .filter(|e| *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE)
        .unwrap_or(encoding_rs::UTF_8);
    let body = &b[end..];
    let body = if enc == encoding_rs::UTF_8 {
        Cow::Borrowed(body)
    } else {
        Cow::Owned(enc.decode_without_bom_handling(body).0.into_owned().into_bytes())
    };
    defuse_declarations(body)
}

/// feed-rs slices a contact (`<author>`, `<managingEditor>`, `<webMaster>`,
/// `<dc:creator>`) one byte before or after the e-mail address it finds, which panics
/// when a non-ASCII character touches the address ("Émilie<a@b.fr>"): such an address
/// gets a space on that side (names are trimmed afterwards).
fn pad_contacts(text: &str) -> std::borrow::Cow<'_, str> {
    static CONTACT: OnceLock<Regex> = OnceLock::new();
    static EMAIL: OnceLock<Regex> = OnceLock::new();
    let contact = CONTACT.get_or_init(|| {
        Regex::new(r"(?s)<((?:[A-Za-z0-9_-]+:)?(?:author|managingEditor|webMaster|creator))(?:\s[^>]*)?>(.*?)</").expect("static regex")
    });
    let email = EMAIL.get_or_init(|| {
        Regex::new(r"(?:(?:<|&lt;)\[\()?(?:mailto:)?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?:(?:>|&gt;)\]\))?")
            .expect("static regex")
    });
    if !text.contains('@') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    for c in contact.captures_iter(text) {
        let inner = c.get(2).expect("group 2");
        if !inner.as_str().contains('@') {
            continue;
        }
        out.push_str(&text[copied..inner.start()]);
        let inner = inner.as_str();
        let mut done = 0;
        for m in email.find_iter(inner) {
            out.push_str(&inner[done..m.start()]);
            if touches_non_ascii(&inner[..m.start()], true) {
                out.push(' ');
            }
            out.push_str(m.as_str());
            if touches_non_ascii(&inner[m.end()..], false) {
                out.push(' ');
            }
            done = m.end();
        }
        out.push_str(&inner[done..]);
        copied = c.get(2).expect("group 2").end();
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Whether the character at the end of `side` (`before`) or at its start, once XML
/// entities are decoded, is not ASCII.
fn touches_non_ascii(side: &str, before: bool) -> bool {
    let entity_is_ascii = |name: &str| match name {
        "lt" | "gt" | "amp" | "quot" | "apos" => true,
        n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16).is_ok_and(|v| v < 128),
        n if n.starts_with('#') => n[1..].parse::<u32>().is_ok_and(|v| v < 128),
        _ => false,
    };
    if before {
        match side.chars().next_back() {
            None => false,
            Some(';') => match side.rfind('&') {
                Some(amp) if side.len() - amp <= 12 => !entity_is_ascii(&side[amp + 1..side.len() - 1]),
                _ => false,
            },
            Some(c) => !c.is_ascii(),
        }
    } else {
        match side.chars().next() {
            None => false,
            Some('&') => match side.find(';') {
                Some(semi) if semi <= 12 => !entity_is_ascii(&side[1..semi]),
                _ => false,
            },
            Some(c) => !c.is_ascii(),
        }
    }
}

/// A second `<?xml ...?>` inside the document would make the XML parser switch
/// encodings mid-stream (and panic): it becomes an ordinary processing instruction.
fn defuse_declarations(body: std::borrow::Cow<'_, [u8]>) -> std::borrow::Cow<'_, [u8]> {
    let is_decl = |w: &[u8]| w.len() >= 5 && w[..2] == *b"<?" && w[2..5].eq_ignore_ascii_case(b"xml");
    if !memchr::memmem::find_iter(&body, b"<?").any(|i| is_decl(&body[i..body.len().min(i + 5)])) {
        return body;
    }
    let mut out = Vec::with_capacity(body.len() + 16);
    let mut i = 0;
    while i < body.len() {
        if is_decl(&body[i..body.len().min(i + 5)]) {
            out.extend_from_slice(b"<?_");
            i += 2;
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    std::borrow::Cow::Owned(out)
}

fn entry_to_article(e: feed_rs::model::Entry, source: Option<&str>) -> Article {
    let body_html = e
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .filter(|b| !b.trim().is_empty())
        .or_else(|| e.summary.as_ref().map(|s| s.content.clone()))
        .unwrap_or_default();
    let url =
        e.links.iter().find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate")).or_else(|| e.links.first()).map(|l| l.href.clone());
    let authors: Vec<String> = e.authors.iter().filter_map(|p| p.name.clone()).filter(|n| !n.trim().is_empty()).collect();
    Article {
        // feed ids are often URLs or tag: URIs; the link is the stabler identity
        id: if url.is_none() && !e.id.is_empty() { Some(e.id.clone()) } else { None },
        title: e.title.as_ref().map(|t| html_to_text(&t.content)),
        body: Some(html_to_text(&body_html)),
        url,
        source: e.source.clone().or_else(|| source.map(str::to_string)),
        published: e.published.or(e.updated).map(|d| d.to_rfc3339()),
        lang: e.language.clone(),
        author: (!authors.is_empty()).then_some(OneOrMany::Many(authors)),
    }
}

fn item_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?s)<(item|entry)[\s>].*?</(item|entry)\s*>").expect("static regex"))
}

/// The text of an item's first date element, as written.
fn raw_date(item: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?s)<((?:[a-z]+:)?(?:pubDate|date|published|updated|issued|created|modified))(?:\s[^>]*)?>\s*(?:<!\[CDATA\[)?([^<\]]{1,200}?)(?:\]\]>)?\s*</")
            .expect("static regex")
    });
    re.captures(item).map(|c| c[2].trim().to_string()).filter(|d| !d.is_empty())
}

/// The longest feed header repeated around each salvaged item.
const MAX_SALVAGE_HEADER: usize = 64 * 1024;

/// Parses each item of a broken feed alone, inside the feed's own header (so that
/// namespace prefixes such as `content:` and `dc:` stay declared).
fn salvage(file: &str, bytes: &[u8], error: &str, emit: &mut Emit<'_>) {
    let lossy = String::from_utf8_lossy(bytes);
    let text = pad_contacts(&lossy);
    let first = text.find("<item").into_iter().chain(text.find("<entry")).min();
    let Some(first) = first else {
        emit(RawItem::err(origin(file, Some(1)), format!("broken feed: {error}"), Some(text.chars().take(2000).collect())));
        return;
    };
    let header = &text[..first];
    let lower = header.to_ascii_lowercase();
    let closer = if lower.contains("<rdf:rdf") {
        "</rdf:RDF>"
    } else if lower.contains("<feed") {
        "</feed>"
    } else {
        "</channel></rss>"
    };
    let source = parser().parse(format!("{header}{closer}").as_bytes()).ok().and_then(|f| f.title.map(|t| html_to_text(&t.content)));
    // each item is parsed inside the header: a huge header (megabytes before the first
    // item) would be copied for every item, so it is replaced by a bare root element
    let header = if header.len() <= MAX_SALVAGE_HEADER {
        header
    } else if closer == "</rdf:RDF>" {
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"
    } else if closer == "</feed>" {
        "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
    } else {
        "<rss version=\"2.0\"><channel>"
    };
    let mut end_of_last = first;
    let mut n = 0u64;
    let mut lines = super::LineCounter::new(&text);
    for m in item_re().find_iter(&text[first..]) {
        n += 1;
        let start = first + m.start();
        end_of_last = first + m.end();
        let o = origin(file, Some(lines.line_at(start)));
        let wrapped = format!("{header}{}{closer}", m.as_str());
        let item = match parser().parse(wrapped.as_bytes()) {
            Ok(feed) if feed.entries.len() == 1 => {
                let e = feed.entries.into_iter().next().expect("one entry");
                let mut a = entry_to_article(e, source.as_deref());
                if a.published.is_none() {
                    a.published = raw_date(m.as_str());
                }
                RawItem::ok(o, a)
            }
            Ok(_) => RawItem::err(o, format!("broken feed item {n}: no entry could be read"), Some(m.as_str().to_string())),
            Err(e) => RawItem::err(o, format!("broken feed item {n}: {e}"), Some(m.as_str().to_string())),
        };
        if !emit(item) {
            return;
        }
    }
    // an item opened but never closed: a truncated file
    let rest = &text[end_of_last..];
    if let Some(p) = rest.find("<item").or_else(|| rest.find("<entry")) {
        let at = end_of_last + p;
        emit(RawItem::err(
            origin(file, Some(lines.line_at(at))),
            format!("broken feed: truncated item ({error})"),
            Some(text[at..].chars().take(2000).collect()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_items(bytes: &[u8]) -> Vec<RawItem> {
        let mut out = Vec::new();
        parse("f.rss", bytes, &mut |i| {
            out.push(i);
            true
        });
        out
    }

    #[test]
    fn contacts_with_non_ascii_next_to_the_address_are_read() {
        // feed-rs sliced one byte before/after the address (found by the feed fuzz target)
        for author in [
            "Émilie&lt;emilie@exemple.fr&gt;",
            "emilie@exemple.fr·",
            "é&lt;[(emilie@exemple.fr&gt;])é",
            "Zoé mailto:zoe@exemple.fr (Zoé)",
            "<![CDATA[Émilie<emilie@exemple.fr>]]>",
        ] {
            let xml = format!(
                "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>T</title><managingEditor>{author}</managingEditor><item><title>Un</title><author>{author}</author><dc:creator>{author}</dc:creator><description>Texte.</description></item></channel></rss>"
            );
            let got = raw_items(xml.as_bytes());
            assert_eq!(got.len(), 1, "{author}");
            assert!(got[0].article.is_ok(), "{author}: {:?}", got[0].article);
        }
        // an address that touches no other character is left as it is (feed-rs keeps
        // the parenthesis of this form)
        let got = raw_items(b"<rss version=\"2.0\"><channel><title>T</title><item><title>Un</title><author>jdoe@example.com (John Doe)</author><description>x</description></item></channel></rss>");
        assert_eq!(got[0].article.as_ref().unwrap().author.as_ref().map(|a| a.joined()), Some("(John Doe)".into()));
    }

    #[test]
    fn a_legacy_encoding_is_decoded_here_and_odd_declarations_never_panic() {
        let latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><title>Latin</title><item><title>Caf\xe9 cr\xe8me</title><description>\xe0 la carte</description></item></channel></rss>";
        let got = raw_items(latin);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].article.as_ref().unwrap().title.as_deref(), Some("Café crème"));
        // stray bytes inside the declaration, found by the feed fuzz target: quick-xml
        // panicked switching encodings
        let mut stray = latin.to_vec();
        stray.splice(12..12, *b"\xff\xff\xff\xff\x83");
        assert!(raw_items(&stray).iter().all(|i| i.article.as_ref().err().is_none_or(|e| !e.contains("internal"))));
        // a declaration that never closes, and one followed by garbage
        for bad in [
            &b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?(\n<rss"[..],
            b"<?xml encoding='utf-16'?><rss><channel><item><title>x</title></item></channel></rss>",
            b"<?xml",
        ] {
            let got = raw_items(bad);
            assert!(got.iter().all(|i| i.article.as_ref().err().is_none_or(|e| !e.contains("internal"))), "{got:?}");
        }
    }

    fn items(xml: &str) -> Vec<RawItem> {
        raw_items(xml.as_bytes())
    }

    #[test]
    fn rss_items_become_articles_with_text_bodies() {
        let got = items(
            r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Tech &amp; Co</title>
            <item><title>Nvidia &amp; AMD</title><link>https://ex.com/a?utm_source=x</link><pubDate>Wed, 29 Jan 2025 10:00:00 +0100</pubDate>
            <description>&lt;p&gt;Le H100 &lt;b&gt;arrive&lt;/b&gt;&lt;/p&gt;</description></item></channel></rss>"#,
        );
        let a = got[0].article.as_ref().unwrap();
        assert_eq!(a.title.as_deref(), Some("Nvidia & AMD"));
        assert_eq!(a.body.as_deref(), Some("Le H100 arrive"));
        assert_eq!(a.source.as_deref(), Some("Tech & Co"));
        assert_eq!(a.published.as_deref(), Some("2025-01-29T09:00:00+00:00"));
    }

    #[test]
    fn deeply_nested_markup_in_a_description_is_text() {
        let desc = format!("{}Texte profond", "&lt;b&gt;".repeat(12_000));
        let got = items(&format!(
            "<rss version=\"2.0\"><channel><title>T</title><item><title>a</title><description>{desc}</description></item></channel></rss>"
        ));
        assert_eq!(got[0].article.as_ref().unwrap().body.as_deref(), Some("Texte profond"));
    }

    #[test]
    fn dates_feed_rs_cannot_read_reach_the_normalizer_as_written() {
        let got = items(
            "<rss version=\"2.0\"><channel><title>T</title>\n<item><title>a</title><description>x</description><pubDate>Wed, 29 Jan 2025 10:15:00 CET</pubDate></item>\n<item><title>b</title><description>y</description><pubDate>la semaine dernière</pubDate></item>\n<item><title>c</title><description>z</description></item></channel></rss>",
        );
        let dates: Vec<_> = got.iter().map(|i| i.article.as_ref().unwrap().published.clone()).collect();
        let first = dates[0].as_deref().unwrap();
        assert!(first == "Wed, 29 Jan 2025 10:15:00 CET" || first == "2025-01-29T09:15:00+00:00", "{first}");
        assert_eq!(dates[1].as_deref(), Some("la semaine dernière"));
        assert_eq!(dates[2], None);
    }

    #[test]
    fn broken_feed_keeps_good_items_and_rejects_the_bad_one_with_its_line() {
        let xml = "<rss version=\"2.0\"><channel><title>T</title>\n<item><title>Bon</title><description>un</description></item>\n<item><title>Mauvais <b></title><description>x</description></item>\n<item><title>Bon 2</title><description>deux</description></item>\n<item><title>Coupé";
        let got = items(xml);
        let ok: Vec<_> = got.iter().filter_map(|i| i.article.as_ref().ok()).collect();
        let bad: Vec<_> = got.iter().filter(|i| i.article.is_err()).collect();
        assert_eq!(ok.len(), 2, "{got:?}");
        assert_eq!(ok[1].title.as_deref(), Some("Bon 2"));
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].origin.line, Some(3));
        assert_eq!(bad[1].origin.line, Some(5));
    }
}
