//! HTML to text: feed descriptions (fragments) and whole article pages (title + main
//! text, with navigation, asides, share bars and footers dropped).

use super::{origin, RawItem};
use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};
use std::sync::OnceLock;
use vigie_schemas::{Article, OneOrMany};

/// Elements whose whole subtree is never article text.
const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "aside", "footer", "form", "button", "select", "svg",
    "iframe", "object", "canvas", "figcaption", "menu", "dialog",
];
/// Block elements: text inside them starts on a new line.
const BLOCK_TAGS: &[&str] = &[
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
    "blockquote", "pre", "table", "tr", "td", "th", "dd", "dt", "dl", "figure", "address", "hr",
];
/// class/id words that mark boilerplate containers on article pages.
const BOILERPLATE_WORDS: &[&str] = &[
    "share", "social", "related", "comment", "newsletter", "promo", "advert", "cookie", "breadcrumb", "subscribe",
    "paywall", "sidebar", "menu", "footer", "navbar", "sharing", "outbrain", "taboola", "partage", "abonnement",
];

/// Converts an HTML fragment (a feed description) to text, one line per block.
pub fn html_to_text(fragment: &str) -> String {
    if !fragment.contains('<') && !fragment.contains('&') {
        return fragment.to_string();
    }
    let doc = Html::parse_fragment(fragment);
    let mut out = String::new();
    collect(*doc.root_element(), &mut out, false);
    tidy(&out)
}

fn collect(node: NodeRef<'_, Node>, out: &mut String, page: bool) {
    match node.value() {
        Node::Text(t) => out.push_str(t),
        Node::Element(e) => {
            let name = e.name();
            if SKIP_TAGS.contains(&name) || (page && is_boilerplate(e)) {
                return;
            }
            if name == "br" {
                out.push('\n');
                return;
            }
            let block = BLOCK_TAGS.contains(&name);
            if block {
                out.push_str("\n\n");
            }
            for c in node.children() {
                collect(c, out, page);
            }
            if block {
                out.push_str("\n\n");
            }
        }
        _ => {
            for c in node.children() {
                collect(c, out, page);
            }
        }
    }
}

fn is_boilerplate(e: &scraper::node::Element) -> bool {
    let mut words = String::new();
    if let Some(c) = e.attr("class") {
        words.push_str(c);
    }
    if let Some(i) = e.attr("id") {
        words.push(' ');
        words.push_str(i);
    }
    if let Some(r) = e.attr("role") {
        if matches!(r, "navigation" | "banner" | "contentinfo" | "complementary") {
            return true;
        }
    }
    if words.is_empty() {
        return false;
    }
    let w = words.to_ascii_lowercase();
    BOILERPLATE_WORDS.iter().any(|b| w.contains(b))
}

/// Trims lines and keeps at most one blank line between blocks.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        let t = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(&t);
    }
    out
}

fn sel(s: &'static str, cell: &'static OnceLock<Selector>) -> &'static Selector {
    cell.get_or_init(|| Selector::parse(s).expect("static selector"))
}

fn meta(doc: &Html, names: &[&str]) -> Option<String> {
    static META: OnceLock<Selector> = OnceLock::new();
    for m in doc.select(sel("meta", &META)) {
        let e = m.value();
        let key = e.attr("property").or_else(|| e.attr("name")).or_else(|| e.attr("itemprop"));
        if let (Some(k), Some(c)) = (key, e.attr("content")) {
            if names.iter().any(|n| n.eq_ignore_ascii_case(k)) && !c.trim().is_empty() {
                return Some(c.trim().to_string());
            }
        }
    }
    None
}

fn first_text(doc: &Html, selector: &'static str, cell: &'static OnceLock<Selector>) -> Option<String> {
    doc.select(sel(selector, cell))
        .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|t| !t.is_empty())
}

/// Reads one article page: title, main text and the metadata pages usually carry.
pub(crate) fn parse_page(file: &str, html: &str) -> RawItem {
    static H1: OnceLock<Selector> = OnceLock::new();
    static TITLE: OnceLock<Selector> = OnceLock::new();
    static CANON: OnceLock<Selector> = OnceLock::new();
    static TIME: OnceLock<Selector> = OnceLock::new();
    static HTML: OnceLock<Selector> = OnceLock::new();
    let doc = Html::parse_document(html);
    let title = meta(&doc, &["og:title", "twitter:title"])
        .or_else(|| first_text(&doc, "h1", &H1))
        .or_else(|| first_text(&doc, "title", &TITLE));
    let url = doc
        .select(sel("link[rel=canonical]", &CANON))
        .find_map(|e| e.value().attr("href").map(str::to_string))
        .or_else(|| meta(&doc, &["og:url"]));
    let published = meta(&doc, &["article:published_time", "datePublished", "date", "dc.date", "pubdate"])
        .or_else(|| doc.select(sel("time[datetime]", &TIME)).find_map(|e| e.value().attr("datetime").map(str::to_string)));
    let lang = doc
        .select(sel("html", &HTML))
        .find_map(|e| e.value().attr("lang").map(|l| l.split(['-', '_']).next().unwrap_or(l).to_lowercase()));
    let body = main_text(&doc);
    let a = Article {
        title,
        body: Some(body),
        url,
        source: meta(&doc, &["og:site_name", "application-name"]),
        published,
        lang,
        author: meta(&doc, &["author", "article:author"]).map(OneOrMany::One),
        ..Default::default()
    };
    RawItem::ok(origin(file, None), a)
}

/// The text of the element that holds the article: `<article>` (the one with most
/// paragraph text), else `<main>`, else the element whose direct `<p>` children hold
/// the most text.
fn main_text(doc: &Html) -> String {
    static ARTICLE: OnceLock<Selector> = OnceLock::new();
    static MAIN: OnceLock<Selector> = OnceLock::new();
    static P: OnceLock<Selector> = OnceLock::new();
    static BODY: OnceLock<Selector> = OnceLock::new();
    let p_text = |e: &ElementRef| -> usize { e.select(sel("p", &P)).map(|p| p.text().map(str::len).sum::<usize>()).sum() };
    let root = doc
        .select(sel("article", &ARTICLE))
        .max_by_key(p_text)
        .filter(|e| p_text(e) > 0)
        .or_else(|| doc.select(sel("main", &MAIN)).max_by_key(p_text).filter(|e| p_text(e) > 0))
        .or_else(|| {
            // the parent of the most paragraph text
            let mut best: Option<(usize, ElementRef)> = None;
            for p in doc.select(sel("p", &P)) {
                if let Some(parent) = p.parent().and_then(ElementRef::wrap) {
                    let direct: usize = parent
                        .children()
                        .filter_map(ElementRef::wrap)
                        .filter(|c| c.value().name() == "p")
                        .map(|c| c.text().map(str::len).sum::<usize>())
                        .sum();
                    if best.as_ref().is_none_or(|(n, _)| direct > *n) {
                        best = Some((direct, parent));
                    }
                }
            }
            best.map(|(_, e)| e)
        })
        .or_else(|| doc.select(sel("body", &BODY)).next());
    let Some(root) = root else { return String::new() };
    let mut out = String::new();
    for c in root.children() {
        collect(c, &mut out, true);
    }
    // the page title usually opens the article: keep it in the title, not the body
    let text = tidy(&out);
    let h1 = root.select(sel("h1", &MAIN_H1)).next().map(|h| h.text().collect::<String>().trim().to_string());
    static MAIN_H1: OnceLock<Selector> = OnceLock::new();
    match h1 {
        Some(h) if !h.is_empty() && text.starts_with(&h) => text[h.len()..].trim_start().to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_to_text_keeps_blocks_and_decodes_entities() {
        let t = html_to_text("<p>Nvidia&nbsp;&amp; AMD</p><p>Lire <b>l&#8217;article</b><br>suite</p><script>x()</script>");
        assert_eq!(t, "Nvidia & AMD\n\nLire l\u{2019}article\nsuite");
    }

    #[test]
    fn page_drops_navigation_and_share_bars() {
        let page = r#"<html lang="fr-FR"><head><title>T - Site</title>
            <meta property="og:title" content="Mistral lève des fonds">
            <meta property="article:published_time" content="2025-01-29T10:00:00+01:00"></head>
            <body><nav><a>Accueil</a><a>Tech</a></nav>
            <article><h1>Mistral lève des fonds</h1><div class="share-bar">Partager</div>
            <p>La start-up parisienne a annoncé une levée.</p><p>Arthur Mensch s'est félicité.</p></article>
            <footer>© Site 2025</footer></body></html>"#;
        let item = parse_page("p.html", page);
        let a = item.article.unwrap();
        assert_eq!(a.title.as_deref(), Some("Mistral lève des fonds"));
        assert_eq!(a.lang.as_deref(), Some("fr"));
        assert_eq!(a.body.as_deref(), Some("La start-up parisienne a annoncé une levée.\n\nArthur Mensch s'est félicité."));
        assert_eq!(a.published.as_deref(), Some("2025-01-29T10:00:00+01:00"));
    }
}
