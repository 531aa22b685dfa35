//! HTML to text: feed descriptions (fragments) and whole article pages (title + main
//! text, with navigation, asides, share bars and footers dropped).

use super::{origin, RawItem};
use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use scraper::{Html, Node, Selector};
use std::sync::OnceLock;
use vigie_schemas::{Article, OneOrMany};

/// Elements whose whole subtree is never article text.
const SKIP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "footer",
    "form",
    "button",
    "select",
    "svg",
    "iframe",
    "object",
    "canvas",
    "figcaption",
    "menu",
    "dialog",
];
/// Block elements: text inside them starts on a new line (also the main-text extractor's).
pub(super) const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "dd",
    "dt",
    "dl",
    "figure",
    "address",
    "hr",
    "center",
    "details",
    "summary",
    "caption",
];
/// class/id words that mark boilerplate containers on article pages.
const BOILERPLATE_WORDS: &[&str] = &[
    "share",
    "social",
    "related",
    "comment",
    "newsletter",
    "promo",
    "advert",
    "cookie",
    "breadcrumb",
    "subscribe",
    "paywall",
    "sidebar",
    "menu",
    "footer",
    "navbar",
    "sharing",
    "outbrain",
    "taboola",
    "partage",
    "abonnement",
];

/// The deepest element nesting handed to the HTML parser. Deeper opening tags (and
/// their closing tags) are dropped before parsing, their text kept: the parser checks
/// scopes by walking its stack of open elements, so 100,000 nested `<div>` would cost
/// it 10^10 steps. Real pages nest a few dozen levels.
pub const MAX_HTML_DEPTH: usize = 512;

/// Tags that do not deepen the tree: void elements, and those the parser closes by
/// itself when the next one opens (`<p>`, `<li>`, `<td>`...).
const FLAT_TAGS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "p", "li", "dt", "dd",
    "option", "tr", "td", "th", "keygen", "basefont", "frame", "command",
];
/// The HTML parser's formatting elements (re-opened at every block while open).
const FORMATTING_TAGS: &[&str] = &["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];
/// The most formatting elements left open at once; deeper ones are dropped like
/// deep elements, their text kept.
const MAX_FORMATTING_OPEN: usize = 16;
/// Elements whose content is text, not markup.
const RAW_TEXT_TAGS: &[&str] = &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"];

/// Open elements of one kind, and how many deeper ones were dropped (whose closing
/// tags are dropped too).
#[derive(Default)]
struct Nesting {
    open: usize,
    dropped: usize,
}

impl Nesting {
    /// Counts a tag; true when it is to be dropped.
    fn step(&mut self, closing: bool, max: usize) -> bool {
        if closing {
            if self.dropped > 0 {
                self.dropped -= 1;
                return true;
            }
            self.open = self.open.saturating_sub(1);
            false
        } else if self.open >= max {
            self.dropped += 1;
            true
        } else {
            self.open += 1;
            false
        }
    }
}

/// `html` with the opening tags nested deeper than [`MAX_HTML_DEPTH`] removed, with
/// their closing tags. One linear scan; borrowed unchanged when nothing is that deep.
fn cap_depth(html: &str) -> std::borrow::Cow<'_, str> {
    let b = html.as_bytes();
    if memchr::memchr_iter(b'<', b).count() <= MAX_HTML_DEPTH {
        return std::borrow::Cow::Borrowed(html);
    }
    let find_ci = |from: usize, needle: &[u8]| -> Option<usize> {
        let mut i = from;
        while let Some(off) = memchr::memchr(b'<', &b[i..]) {
            let at = i + off;
            if b.len() >= at + needle.len() && b[at..at + needle.len()].eq_ignore_ascii_case(needle) {
                return Some(at);
            }
            i = at + 1;
        }
        None
    };
    let mut out = String::new();
    let mut copied = 0;
    let (mut depth, mut nesting) = (Nesting::default(), Nesting::default());
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        if b[lt..].starts_with(b"<!--") {
            i = match memchr::memmem::find(&b[lt + 4..], b"-->") {
                Some(e) => lt + 4 + e + 3,
                None => b.len(),
            };
            continue;
        }
        let closing = b.get(lt + 1) == Some(&b'/');
        let name_start = lt + 1 + closing as usize;
        let mut name_end = name_start;
        while name_end < b.len() && (b[name_end].is_ascii_alphanumeric() || b[name_end] == b'-' || b[name_end] == b':') {
            name_end += 1;
        }
        if name_end == name_start || !b[name_start].is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        let Some(gt) = memchr::memchr(b'>', &b[name_end..]) else { break };
        let tag_end = name_end + gt + 1;
        let name = html[name_start..name_end].to_ascii_lowercase();
        let self_closing = b[tag_end - 2] == b'/';
        i = tag_end;
        if !closing && RAW_TEXT_TAGS.contains(&name.as_str()) {
            // its content is not markup: go to its closing tag
            // (when it never closes, the rest is scanned as markup: inside <svg> a
            // <title> holds markup, and the depth cap must still apply to it)
            i = find_ci(tag_end, format!("</{name}").as_bytes()).unwrap_or(tag_end);
            continue;
        }
        // the HTML algorithm re-opens open formatting elements in new blocks; only text
        // is kept here, so more than a few open at once are dropped
        let formatting = FORMATTING_TAGS.contains(&name.as_str());
        if !formatting && (FLAT_TAGS.contains(&name.as_str()) || (self_closing && !closing)) {
            continue;
        }
        let drop = if formatting { nesting.step(closing, MAX_FORMATTING_OPEN) } else { depth.step(closing, MAX_HTML_DEPTH) };
        if drop {
            out.push_str(&html[copied..lt]);
            copied = tag_end;
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Converts an HTML fragment (a feed description) to text, one line per block.
pub fn html_to_text(fragment: &str) -> String {
    if !fragment.contains('<') && !fragment.contains('&') {
        return fragment.to_string();
    }
    let doc = fragment_tree(fragment);
    let mut out = String::new();
    collect(*doc.root_element(), &mut out, false);
    tidy(&out)
}

/// The parsed tree of a fragment, its depth capped first.
fn fragment_tree(fragment: &str) -> Html {
    Html::parse_fragment(&cap_depth(fragment))
}

/// Appends the text under `node` to `out`. An explicit walk (ego_tree's `traverse`),
/// not recursion: a page nested 100,000 elements deep cannot overflow the stack.
fn collect(node: NodeRef<'_, Node>, out: &mut String, page: bool) {
    // the element whose subtree is being skipped (until its Close edge)
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => {
                if skipping.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(e) => {
                        let name = e.name();
                        if SKIP_TAGS.contains(&name) || (page && is_boilerplate(e)) {
                            skipping = Some(n.id());
                        } else if name == "br" {
                            out.push('\n');
                            skipping = Some(n.id());
                        } else if BLOCK_TAGS.contains(&name) {
                            out.push_str("\n\n");
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if let Some(id) = skipping {
                    if id == n.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(e) = n.value() {
                    if BLOCK_TAGS.contains(&e.name()) {
                        out.push_str("\n\n");
                    }
                }
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
pub(super) fn tidy(s: &str) -> String {
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
    let capped = cap_depth(html);
    let doc = Html::parse_document(&capped);
    let title =
        meta(&doc, &["og:title", "twitter:title"]).or_else(|| first_text(&doc, "h1", &H1)).or_else(|| first_text(&doc, "title", &TITLE));
    let url = doc
        .select(sel("link[rel=canonical]", &CANON))
        .find_map(|e| e.value().attr("href").map(str::to_string))
        .or_else(|| meta(&doc, &["og:url"]));
    let published = meta(&doc, &["article:published_time", "datePublished", "date", "dc.date", "pubdate"])
        .or_else(|| doc.select(sel("time[datetime]", &TIME)).find_map(|e| e.value().attr("datetime").map(str::to_string)));
    let lang =
        doc.select(sel("html", &HTML)).find_map(|e| e.value().attr("lang").map(|l| l.split(['-', '_']).next().unwrap_or(l).to_lowercase()));
    let description = meta(&doc, &["og:description", "description", "twitter:description"]);
    let source = meta(&doc, &["og:site_name", "application-name"]);
    let author = meta(&doc, &["author", "article:author"]);
    let body = super::extract::main_text(doc, &capped, title.as_deref(), description.as_deref());
    let a = Article { title, body: Some(body), url, source, published, lang, author: author.map(OneOrMany::One), ..Default::default() };
    RawItem::ok(origin(file, None), a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number of nodes of a parsed tree and its depth: the parser's work (it builds
    /// each node once and walks its stack of open elements, as deep as the tree, at
    /// each tag), counted rather than timed so that a busy machine never fails a test.
    fn shape(doc: &Html) -> (usize, usize) {
        let (mut nodes, mut depth, mut deepest) = (0, 0, 0);
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(_) => {
                    nodes += 1;
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                Edge::Close(_) => depth -= 1,
            }
        }
        (nodes, deepest)
    }

    #[test]
    fn open_formatting_elements_do_not_multiply_across_blocks() {
        // 512 distinct open <b> before 10,000 paragraphs: a parser that re-opened all
        // of them in each paragraph would build five million nodes
        let mut page = String::from("<html><body><article>");
        for k in 0..512 {
            page.push_str(&format!("<b id=\"b{k}\">"));
        }
        for k in 0..10_000 {
            page.push_str(&format!("<p>ligne {k}"));
        }
        assert!(html_to_text(&page).contains("ligne 9999"));
        let tags = page.matches('<').count();
        let (nodes, depth) = shape(&fragment_tree(&page));
        assert!(nodes <= 4 * tags, "{nodes} nodes for {tags} tags");
        // and a few formatting elements open at most (16 and the page's own): the stack
        // the parser walks at each of the 10,000 tags
        assert!(depth <= 32, "a tree {depth} deep");
        // an <svg><title> that never closes does not hide deep nesting from the cap
        // (100,000 nested <div> cost the parser 10^10 steps)
        let svg = format!("<svg><title>{}x", "<div>".repeat(100_000));
        let kept = cap_depth(&svg).matches("<div>").count();
        assert!(kept < MAX_HTML_DEPTH, "{kept} nested <div> left for the parser");
        let (nodes, depth) = shape(&fragment_tree(&svg));
        assert!(depth <= MAX_HTML_DEPTH + 8 && nodes <= MAX_HTML_DEPTH + 8, "a tree of {nodes} nodes {depth} deep");
        assert_eq!(html_to_text(&svg), "");
    }

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

    #[test]
    fn deep_nesting_needs_no_recursion() {
        let deep = format!("{}profond{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
        assert_eq!(html_to_text(&deep), "profond");
        let bold = format!("avant {}gras", "<b>".repeat(12_000));
        assert_eq!(html_to_text(&bold), "avant gras");
        let page = format!("<html><body>{}<p>Texte au fond.</p></body></html>", "<div>".repeat(50_000));
        let a = parse_page("deep.html", &page).article.unwrap();
        assert_eq!(a.body.as_deref(), Some("Texte au fond."));
    }

    #[test]
    fn depth_capping_keeps_text_and_shallow_pages_as_they_are() {
        let shallow = format!("<div>{}</div>", "<p>a</p><br><img src=x>".repeat(400));
        assert!(matches!(cap_depth(&shallow), std::borrow::Cow::Borrowed(_)));
        let deep = format!("<div>{}x{}</div><p>après</p><script>if (a<b) {{}}</script>", "<span>".repeat(1000), "</span>".repeat(1000));
        let capped = cap_depth(&deep);
        assert_eq!(capped.matches("<span>").count(), MAX_HTML_DEPTH - 1);
        assert_eq!(capped.matches("</span>").count(), MAX_HTML_DEPTH - 1);
        assert!(
            capped.ends_with("x</span></div><p>après</p><script>if (a<b) {}</script>")
                || capped.contains("</div><p>après</p><script>if (a<b) {}</script>")
        );
        assert_eq!(html_to_text(&deep), "x\n\naprès");
    }

    #[test]
    fn many_siblings_take_linear_time() {
        // 50,000 paragraphs (about 500 KB) under one parent, no <article>/<main>
        let mut page = String::from("<html><body><div class=\"txt\">");
        for i in 0..50_000 {
            page.push_str(&format!("<p>Ligne {i}</p>"));
        }
        page.push_str("</div></body></html>");
        let before = super::super::extract::VISITS.with(|v| v.get());
        let a = parse_page("big.html", &page).article.unwrap();
        let visits = super::super::extract::VISITS.with(|v| v.get()) - before;
        let body = a.body.unwrap();
        assert!(body.starts_with("Ligne 0\n\nLigne 1\n\n"), "{}", &body[..40]);
        assert!(body.ends_with("Ligne 49999"));
        // the extractor visits each node a few times (one per walk); quadratic sibling
        // scans (41 s here in a debug build) visited 2.5 * 10^9
        let (nodes, _) = shape(&Html::parse_document(&page));
        assert!(visits <= 30 * nodes as u64, "{visits} nodes visited in a tree of {nodes}");
    }

    #[test]
    fn the_parent_with_most_paragraph_text_is_kept() {
        let page = "<html><body><div><p>court</p></div><div id=\"x\"><p>un paragraphe plus long</p><p>et un autre</p></div><div><p>un paragraphe plus long</p><p>et un autre</p></div></body></html>";
        let a = parse_page("p.html", page).article.unwrap();
        assert_eq!(a.body.as_deref(), Some("un paragraphe plus long\n\net un autre"));
    }
}
