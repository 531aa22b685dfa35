//! The main text of an article page. Readability's idea, made to keep what belongs to
//! the article and drop what surrounds it:
//!
//! 1. pruning: elements that are never text (scripts, forms, navigation, asides,
//!    footers, AMP ads and sidebars), hidden ones, and containers whose class, id or role
//!    says boilerplate (share bars, related links, comments, newsletter and cookie boxes,
//!    ads, breadcrumbs, author boxes) unless they hold the page's heading or main
//!    content;
//! 2. paragraphs (text between block boundaries, `<br><br>` included, so that legacy
//!    pages of `<font>` and line breaks have paragraphs too) score the containers above
//!    them; the best container, promoted to the ancestor several good containers share
//!    (a live blog's posts, a story split by ads), joined by sibling containers that
//!    score well (an article cut in two `<div>`s);
//! 3. rendering that container with headings, lists, tables and quotes, dropping the
//!    blocks that are mostly links (related stories, "read also" boxes, menus) and what
//!    follows a boilerplate section title ("Comments", "Sur le même sujet", ...);
//! 4. the page's JSON-LD `articleBody` when it is clearly the fuller text (paywalled
//!    pages, pages rendered by JavaScript), then the description, then the densest
//!    block: a page that has an article never gives nothing.

use super::html::html_to_text;
use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use regex::Regex;
use scraper::node::Element;
use scraper::{Html, Node};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Elements whose whole subtree is never article text.
const DROP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "embed",
    "canvas",
    "button",
    "select",
    "textarea",
    "input",
    "option",
    "label",
    "dialog",
    "menu",
    "nav",
    "aside",
    "footer",
    "figcaption",
    "head",
    "title",
    "amp-ad",
    "amp-embed",
    "amp-sidebar",
    "amp-consent",
    "amp-social-share",
    "amp-analytics",
    "amp-sticky-ad",
    "amp-user-notification",
    "amp-geo",
];
/// Dropped like [`DROP_TAGS`] unless they hold the article (ASP.NET pages wrap the
/// whole page in one `<form>`).
const DROP_UNLESS_MAIN: &[&str] = &["form"];

/// Inline elements: their text belongs to the block around them.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "img", "ins", "kbd", "mark", "nobr",
    "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "br", "picture", "source",
];
/// Blocks that are a paragraph themselves: they score the container above them.
const PARAGRAPH_TAGS: &[&str] = &["p", "pre", "blockquote", "li", "dd", "dt", "h2", "h3", "h4", "h5", "h6", "th", "address", "caption"];
/// Blocks whose text starts on a new line when rendered (the plain HTML-to-text reader's list).
use super::html::BLOCK_TAGS as BREAK_TAGS;

/// Parts of class and id names that mark boilerplate containers (a part contains one).
const BOILERPLATE_STEMS: &[&str] = &[
    "comment",
    "related",
    "newsletter",
    "cookie",
    "consent",
    "gdpr",
    "breadcrumb",
    "sidebar",
    "social",
    "sharing",
    "sharedaddy",
    "subscribe",
    "subscription",
    "abonnement",
    "paywall",
    "outbrain",
    "taboola",
    "advert",
    "sponsor",
    "widget",
    "popular",
    "mostread",
    "recommend",
    "footer",
    "masthead",
    "navbar",
    "navigation",
    "banner",
    "popup",
    "modal",
    "overlay",
    "signup",
    "signin",
    "login",
    "pagination",
    "pager",
    "toolbar",
    "disqus",
    "livefyre",
    "partage",
    "readmore",
    "readalso",
    "skiplink",
    "screenreader",
    "promo",
    "teaser",
    "byline",
    "author",
];
/// Whole parts of class and id names that mark boilerplate.
const BOILERPLATE_PARTS: &[&str] = &[
    "ad", "ads", "adv", "pub", "dfp", "nav", "menu", "share", "tags", "tag", "bio", "cta", "rail", "links", "respond", "reply", "replies",
    "meta", "crumbs", "aside", "shop", "donate", "header",
];
/// Parts of class and id names that mark the article's container.
const CONTENT_STEMS: &[&str] = &["article", "content", "body", "story", "entry", "main", "column", "text", "post"];

/// Section titles after which the rest of a container is not the article: comments,
/// related and popular stories, newsletters (French and English, whole title only).
fn section_title_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?ix)^\s*(\d+\s+)?(
              comments?|commentaires?|réactions?|reactions?|responses?|discussion|replies|
              leave\ a\ (reply|comment)|laisser\ un\ commentaire|laissez\ un\ commentaire|vos\ commentaires|
              reader\ comments|join\ the\ (conversation|discussion)|les\ contributions|
              related(\ (stories|articles|posts|coverage|content|reading|news))?|more\ (on\ this\ story|stories|from\ .{1,40}|on\ this\ topic)|
              read\ (more|next|also)|you\ (may|might)\ also\ like|recommended(\ for\ you)?|
              (most\ (read|popular|viewed|shared))|trending(\ now)?|top\ stories|popular(\ now)?|
              sur\ le\ même\ sujet|à\ lire\ aussi|a\ lire\ aussi|lire\ aussi|à\ voir\ aussi|à\ découvrir|
              dans\ la\ même\ rubrique|nos\ articles\ sur\ le\ sujet|vous\ aimerez\ aussi|plus\ d'articles\ de\ .{1,40}|
              (les\ )?(articles\ )?(les\ )?plus\ (lus|partagés|populaires)|populaires|tendances|
              newsletter|partager|share\ this|sponsored(\ content)?|contenus?\ sponsorisés?
            )\s*(\(\d+\))?\s*[:.]?\s*$",
        )
        .expect("static regex")
    })
}

/// Paragraphs that announce another article ("Lire aussi : ...").
fn read_also_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)^\s*(lire aussi|à lire aussi|a lire aussi|lisez aussi|voir aussi|à voir aussi|à découvrir|sur le même sujet|read more|read also|also read|related|see also|more on this)\s*[:»>\-–|]",
        )
        .expect("static regex")
    })
}

#[cfg(test)]
thread_local! {
    /// Nodes the extractor's walks visited on this thread, counted in tests only: its
    /// work, which tests bound by the size of the page (a count, not a clock, so that a
    /// busy machine never fails them). Every walk over the tree goes through
    /// [`counted`] or [`visit`].
    pub(super) static VISITS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// One node visited (counted in tests only).
#[inline]
fn visit() {
    #[cfg(test)]
    VISITS.with(|v| v.set(v.get() + 1));
}

/// A walk whose steps are counted (in tests only).
#[inline]
fn counted<I: Iterator>(walk: I) -> impl Iterator<Item = I::Item> {
    walk.inspect(|_| visit())
}

fn el<'a>(n: NodeRef<'a, Node>) -> Option<&'a Element> {
    match n.value() {
        Node::Element(e) => Some(e),
        _ => None,
    }
}

fn name_of(n: NodeRef<'_, Node>) -> &str {
    el(n).map_or("", |e| e.name())
}

fn is_inline(name: &str) -> bool {
    INLINE_TAGS.contains(&name)
}

/// The class, id, role and test-id words of an element, split into class names and
/// then into lowercase parts (on `-`, `_`, `:` and camelCase).
fn marker_names(e: &Element) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        for name in s.split_whitespace() {
            let mut parts: Vec<String> = Vec::new();
            let mut cur = String::new();
            let mut prev_lower = false;
            for c in name.chars() {
                if !c.is_alphanumeric() {
                    if !cur.is_empty() {
                        parts.push(std::mem::take(&mut cur));
                    }
                    prev_lower = false;
                    continue;
                }
                if c.is_uppercase() && prev_lower && !cur.is_empty() {
                    parts.push(std::mem::take(&mut cur));
                }
                prev_lower = c.is_lowercase() || c.is_ascii_digit();
                cur.extend(c.to_lowercase());
            }
            if !cur.is_empty() {
                parts.push(cur);
            }
            if !parts.is_empty() {
                out.push(parts);
            }
        }
    };
    for a in ["class", "id", "data-testid", "data-component", "data-module"] {
        if let Some(v) = e.attr(a) {
            push(v);
        }
    }
    out
}

/// What a class or id name says of its element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Polarity {
    Neutral,
    Boilerplate,
    Content,
}

fn part_polarity(p: &str) -> Polarity {
    if BOILERPLATE_PARTS.contains(&p) || BOILERPLATE_STEMS.iter().any(|s| p.contains(s)) {
        // "commentary" is an article genre, "shareholders" a word of business news
        if p.starts_with("commentary") || p.starts_with("shareholder") {
            return Polarity::Neutral;
        }
        return Polarity::Boilerplate;
    }
    if CONTENT_STEMS.iter().any(|s| p.contains(s)) {
        return Polarity::Content;
    }
    Polarity::Neutral
}

/// One class name's polarity: its last part that says something ("entry-footer" is
/// boilerplate, "comment-content" content, "comments-area" boilerplate), or its parts
/// read as one word ("most-read", "lire-aussi").
fn name_polarity(parts: &[String]) -> Polarity {
    let joined: String = parts.concat();
    if parts.len() > 1 && matches!(part_polarity(&joined), Polarity::Boilerplate) && !CONTENT_STEMS.iter().any(|s| joined.contains(s)) {
        return Polarity::Boilerplate;
    }
    parts.iter().rev().map(|p| part_polarity(p)).find(|p| *p != Polarity::Neutral).unwrap_or(Polarity::Neutral)
}

/// The element's polarity: content when any of its names says content (readability's
/// "maybe a candidate" rule), else boilerplate when any says boilerplate.
fn polarity(e: &Element) -> Polarity {
    let mut bp = false;
    for parts in marker_names(e) {
        match name_polarity(&parts) {
            Polarity::Content => return Polarity::Content,
            Polarity::Boilerplate => bp = true,
            Polarity::Neutral => {}
        }
    }
    if e.attr("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articleBody")) {
        return Polarity::Content;
    }
    if let Some(r) = e.attr("role") {
        if matches!(r, "navigation" | "banner" | "contentinfo" | "complementary" | "search" | "dialog" | "alertdialog" | "menu" | "toolbar")
        {
            return Polarity::Boilerplate;
        }
    }
    if bp {
        Polarity::Boilerplate
    } else {
        Polarity::Neutral
    }
}

/// Names that say content and nothing else ("post-body entry-content", not
/// "comment-content"): the element holds the article, and so do its ancestors however
/// they are named (a blog platform's post inside a "widget").
fn pure_content(e: &Element) -> bool {
    let names = marker_names(e);
    names.iter().any(|n| name_polarity(n) == Polarity::Content)
        && !names.iter().any(|n| n.iter().any(|p| part_polarity(p) == Polarity::Boilerplate) || name_polarity(n) == Polarity::Boilerplate)
}

fn is_hidden(e: &Element) -> bool {
    if e.attr("hidden").is_some() || e.attr("aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return true;
    }
    e.attr("style").is_some_and(|s| {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// Characters of text as rendered (whitespace runs count one).
fn text_len(t: &str) -> usize {
    let mut n = 0;
    for w in t.split_whitespace() {
        n += w.chars().count() + 1;
    }
    n
}

/// The strings of JSON-LD `articleBody` fields on the page (live blogs' updates
/// joined), the longest first.
pub(super) fn jsonld_bodies(doc: &Html) -> Vec<String> {
    static LD: OnceLock<scraper::Selector> = OnceLock::new();
    let sel = LD.get_or_init(|| scraper::Selector::parse("script").expect("static selector"));
    let mut out = Vec::new();
    for s in doc.select(sel) {
        if !s.value().attr("type").is_some_and(|t| t.to_ascii_lowercase().contains("ld+json")) {
            continue;
        }
        let raw: String = s.text().collect();
        let raw = raw.trim().trim_start_matches("<!--").trim_end_matches("-->").trim();
        let raw = raw.trim_start_matches("<![CDATA[").trim_end_matches("]]>");
        let Ok(v) = serde_json::from_str::<serde_json::Value>(raw) else { continue };
        // an explicit stack: JSON-LD graphs nest, and a hostile page may nest deeply
        let mut stack = vec![&v];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Array(a) => stack.extend(a.iter().rev()),
                serde_json::Value::Object(o) => {
                    if let Some(serde_json::Value::String(b)) = o.get("articleBody") {
                        out.push(b.clone());
                    }
                    // a live blog's updates, one after the other
                    if let Some(serde_json::Value::Array(u)) = o.get("liveBlogUpdate") {
                        let joined: Vec<&str> = u.iter().filter_map(|x| x.get("articleBody").and_then(|b| b.as_str())).collect();
                        if !joined.is_empty() {
                            out.push(joined.join("\n\n"));
                        }
                    }
                    stack.extend(o.iter().filter(|(k, _)| !matches!(k.as_str(), "articleBody" | "liveBlogUpdate")).map(|(_, v)| v));
                }
                _ => {}
            }
        }
    }
    let mut out: Vec<String> = out
        .into_iter()
        .map(|b| if markup_re().is_match(&b) { html_to_text(&b) } else { paragraphs(&html_escape::decode_html_entities(&b)) })
        .filter(|b| !b.trim().is_empty())
        .collect();
    out.sort_by_key(|b| std::cmp::Reverse(b.len()));
    out
}

/// Markup in a JSON-LD body (most are plain text, where `<ABC.L>` is a ticker, not a tag).
fn markup_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)</?(p|br|div|span|a|strong|em|b|i|h[1-6]|ul|ol|li|blockquote|figure|img)(\s[^>]*)?/?>").expect("static regex")
    })
}

/// Plain text with its lines as paragraphs, whitespace tidied.
fn paragraphs(s: &str) -> String {
    s.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// Removes what is never article text; `keep` are the elements that hold the article
/// (never removed however they are named).
fn prune(doc: &mut Html, by_name: bool) {
    let root = doc.tree.root();
    // subtrees holding the page heading or a main element are never removed by name
    let mut holds_main: HashSet<NodeId> = HashSet::new();
    for n in counted(root.descendants()) {
        let Some(e) = el(n) else { continue };
        let marks = matches!(e.name(), "h1" | "main")
            || e.attr("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articleBody"))
            || pure_content(e);
        if marks {
            for a in counted(n.ancestors()) {
                if !holds_main.insert(a.id()) {
                    break;
                }
            }
            holds_main.insert(n.id());
        }
    }
    let mut drop: Vec<NodeId> = Vec::new();
    let mut skipping: Option<NodeId> = None;
    for edge in counted(root.traverse()) {
        match edge {
            Edge::Open(n) => {
                if skipping.is_some() {
                    continue;
                }
                let Some(e) = el(n) else { continue };
                let name = e.name();
                if matches!(name, "html" | "body") {
                    continue;
                }
                let guarded = holds_main.contains(&n.id());
                let gone = DROP_TAGS.contains(&name)
                    || (!guarded && DROP_UNLESS_MAIN.contains(&name))
                    || is_hidden(e)
                    || (by_name && !guarded && !matches!(name, "article" | "main" | "a") && polarity(e) == Polarity::Boilerplate);
                if gone {
                    drop.push(n.id());
                    skipping = Some(n.id());
                }
            }
            Edge::Close(n) => {
                if skipping == Some(n.id()) {
                    skipping = None;
                }
            }
        }
    }
    for id in drop {
        if let Some(mut n) = doc.tree.get_mut(id) {
            n.detach();
        }
    }
}

/// Text sizes of each element's subtree: all text, and the text inside links.
struct Sizes {
    text: HashMap<NodeId, usize>,
    link: HashMap<NodeId, usize>,
}

impl Sizes {
    fn of(root: NodeRef<'_, Node>) -> Self {
        let (mut text, mut link) = (HashMap::new(), HashMap::new());
        // (element, its text, its link text) open on the way down
        let mut stack: Vec<(NodeId, usize, usize)> = Vec::new();
        let mut in_link = 0usize;
        for edge in counted(root.traverse()) {
            match edge {
                Edge::Open(n) => match n.value() {
                    Node::Element(e) => {
                        if e.name() == "a" {
                            in_link += 1;
                        }
                        stack.push((n.id(), 0, 0));
                    }
                    Node::Text(t) => {
                        let l = text_len(t);
                        if let Some(top) = stack.last_mut() {
                            top.1 += l;
                            if in_link > 0 {
                                top.2 += l;
                            }
                        }
                    }
                    _ => {}
                },
                Edge::Close(n) => {
                    if let Node::Element(e) = n.value() {
                        if e.name() == "a" {
                            in_link = in_link.saturating_sub(1);
                        }
                        if let Some((id, t, l)) = stack.pop() {
                            text.insert(id, t);
                            link.insert(id, l);
                            if let Some(top) = stack.last_mut() {
                                top.1 += t;
                                top.2 += l;
                            }
                        }
                    }
                }
            }
        }
        Sizes { text, link }
    }

    fn text(&self, id: NodeId) -> usize {
        self.text.get(&id).copied().unwrap_or(0)
    }

    fn link_density(&self, id: NodeId) -> f64 {
        let t = self.text(id);
        if t == 0 {
            0.0
        } else {
            self.link.get(&id).copied().unwrap_or(0) as f64 / t as f64
        }
    }
}

/// A paragraph: text between two block boundaries (or two line breaks) of one block.
struct Run {
    owner: NodeId,
    len: usize,
    link: usize,
    commas: usize,
}

/// The paragraphs under `root`, and per block whether it holds one paragraph only and
/// no child block with text (a `<div>` used as a paragraph).
fn runs(root: NodeRef<'_, Node>) -> (Vec<Run>, HashMap<NodeId, (usize, bool)>) {
    struct Open {
        id: NodeId,
        cur: Run,
        brs: usize,
    }
    let mut out = Vec::new();
    // per block: (paragraphs, has a child block with text)
    let mut info: HashMap<NodeId, (usize, bool)> = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut in_link = 0usize;
    let flush = |o: &mut Open, out: &mut Vec<Run>, info: &mut HashMap<NodeId, (usize, bool)>| {
        if o.cur.len > 0 {
            info.entry(o.id).or_insert((0, false)).0 += 1;
            out.push(std::mem::replace(&mut o.cur, Run { owner: o.id, len: 0, link: 0, commas: 0 }));
        }
        o.brs = 0;
    };
    for edge in counted(root.traverse()) {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Element(e) => {
                    let name = e.name();
                    if name == "a" {
                        in_link += 1;
                    }
                    if name == "br" {
                        if let Some(top) = stack.last_mut() {
                            top.brs += 1;
                            if top.brs >= 2 {
                                flush(top, &mut out, &mut info);
                            }
                        }
                    } else if !is_inline(name) {
                        if let Some(top) = stack.last_mut() {
                            flush(top, &mut out, &mut info);
                        }
                        stack.push(Open { id: n.id(), cur: Run { owner: n.id(), len: 0, link: 0, commas: 0 }, brs: 0 });
                    }
                }
                Node::Text(t) => {
                    let l = text_len(t);
                    if l == 0 {
                        continue;
                    }
                    if let Some(top) = stack.last_mut() {
                        top.brs = 0;
                        top.cur.len += l;
                        top.cur.commas += t.matches([',', '，', '、']).count();
                        if in_link > 0 {
                            top.cur.link += l;
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(n) => {
                if let Node::Element(e) = n.value() {
                    let name = e.name();
                    if name == "a" {
                        in_link = in_link.saturating_sub(1);
                    }
                    if !is_inline(name) && stack.last().is_some_and(|o| o.id == n.id()) {
                        let mut o = stack.pop().expect("just looked");
                        flush(&mut o, &mut out, &mut info);
                        let had_text = info.get(&o.id).is_some_and(|i| i.0 > 0 || i.1);
                        if let (Some(parent), true) = (stack.last_mut(), had_text) {
                            info.entry(parent.id).or_insert((0, false)).1 = true;
                            parent.brs = 0;
                        }
                    }
                }
            }
        }
    }
    (out, info)
}

/// readability's starting score of a candidate: by tag, and by what its names say. A
/// content name counts in full from 500 characters of text on: a one-line box named
/// "card-body" is no article.
fn base_score(e: &Element, text: usize) -> f64 {
    let tag = match e.name() {
        "div" | "article" | "section" | "main" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    let class = match polarity(e) {
        Polarity::Content => 25.0 * (text as f64 / 500.0).min(1.0),
        Polarity::Boilerplate => -25.0,
        Polarity::Neutral => 0.0,
    };
    let article =
        if e.name() == "article" || e.attr("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articleBody")) { 10.0 } else { 0.0 };
    tag + class + article
}

/// The shortest paragraph that scores its containers.
const MIN_RUN: usize = 25;

/// The containers that hold the article, in document order.
fn choose_roots(doc: &Html, body: NodeRef<'_, Node>, sizes: &Sizes) -> Vec<NodeId> {
    let (runs, info) = runs(body);
    let mut min = MIN_RUN;
    if !runs.iter().any(|r| r.len >= MIN_RUN) {
        // a page of short lines only: every line scores
        min = 1;
    }
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    let mut order: Vec<NodeId> = Vec::new();
    for r in runs.iter().filter(|r| r.len >= min && (r.link as f64) <= 0.5 * r.len as f64) {
        let Some(owner) = doc.tree.get(r.owner) else { continue };
        let s = 1.0 + r.commas as f64 + (r.len / 100).min(3) as f64;
        let (n_runs, block_child) = info.get(&r.owner).copied().unwrap_or((0, false));
        let starts_above = PARAGRAPH_TAGS.contains(&name_of(owner)) || (n_runs == 1 && !block_child);
        let first = if starts_above { owner.parent() } else { Some(owner) };
        let mut level = 0usize;
        let mut cur = first;
        while let Some(a) = cur {
            visit();
            let Some(e) = el(a) else { break };
            if level >= 5 {
                break;
            }
            let entry = scores.entry(a.id()).or_insert_with(|| {
                order.push(a.id());
                base_score(e, sizes.text(a.id()))
            });
            *entry += match level {
                0 => s,
                1 => s / 2.0,
                l => s / (l as f64 * 3.0),
            };
            if e.name() == "body" {
                break;
            }
            level += 1;
            cur = a.parent();
        }
    }
    let final_score = |id: NodeId| scores.get(&id).map(|s| s * (1.0 - sizes.link_density(id)));
    // the best candidate; ties go to the first in the page
    let mut best: Option<(f64, NodeId)> = None;
    for &id in counted(order.iter()) {
        let s = final_score(id).unwrap_or(0.0);
        if best.is_none_or(|(b, _)| s > b) {
            best = Some((s, id));
        }
    }
    let Some((top_score, mut top)) = best else { return Vec::new() };
    // several containers nearly as good share an ancestor: take it (a live blog's posts)
    let alternatives: Vec<NodeId> =
        order.iter().copied().filter(|&id| id != top && final_score(id).unwrap_or(0.0) >= 0.75 * top_score && top_score > 0.0).collect();
    if alternatives.len() >= 3 {
        let mut within: HashMap<NodeId, usize> = HashMap::new();
        for &a in &alternatives {
            if let Some(n) = doc.tree.get(a) {
                for anc in counted(n.ancestors()) {
                    *within.entry(anc.id()).or_default() += 1;
                }
            }
        }
        if let Some(t) = doc.tree.get(top) {
            for anc in counted(t.ancestors()) {
                if name_of(anc) == "body" || el(anc).is_none() {
                    break;
                }
                if within.get(&anc.id()).copied().unwrap_or(0) >= 3 {
                    top = anc.id();
                    break;
                }
            }
        }
    }
    // climb while the parent scores better (readability's last step up)
    if let Some(t) = doc.tree.get(top) {
        let mut last = final_score(top).unwrap_or(0.0);
        let threshold = last / 3.0;
        let mut p = t.parent();
        while let Some(parent) = p {
            visit();
            if el(parent).is_none() || name_of(parent) == "body" {
                break;
            }
            if let Some(ps) = final_score(parent.id()) {
                if ps < threshold {
                    break;
                }
                if ps > last {
                    top = parent.id();
                    break;
                }
                last = ps;
            }
            p = parent.parent();
        }
    }
    // an only child stands for its parent
    while let Some(t) = doc.tree.get(top) {
        let Some(parent) = t.parent() else { break };
        if el(parent).is_none() || name_of(parent) == "body" || name_of(parent) == "html" {
            break;
        }
        if counted(parent.children()).filter(|c| el(*c).is_some()).count() == 1 {
            top = parent.id();
        } else {
            break;
        }
    }
    // siblings that score well, or that read as paragraphs of the article
    let top_final = final_score(top).unwrap_or(top_score);
    let threshold = (top_final * 0.2).max(10.0);
    let Some(t) = doc.tree.get(top) else { return vec![top] };
    let Some(parent) = t.parent() else { return vec![top] };
    let top_class = el(t).and_then(|e| e.attr("class")).unwrap_or("");
    let mut out = Vec::new();
    for s in counted(parent.children()) {
        let Some(e) = el(s) else { continue };
        if s.id() == top {
            out.push(top);
            continue;
        }
        let mut bonus = 0.0;
        if !top_class.is_empty() && e.attr("class") == Some(top_class) {
            bonus = top_final * 0.2;
        }
        let append = if let Some(sc) = final_score(s.id()) {
            sc + bonus >= threshold
        } else if e.name() == "p" {
            let len = sizes.text(s.id());
            let ld = sizes.link_density(s.id());
            (len > 80 && ld < 0.25) || (len > 0 && len <= 80 && ld == 0.0 && has_sentence_end(s))
        } else {
            false
        };
        if append {
            out.push(s.id());
        }
    }
    out
}

fn has_sentence_end(n: NodeRef<'_, Node>) -> bool {
    let t: String = counted(n.descendants()).filter_map(|d| if let Node::Text(t) = d.value() { Some(&**t) } else { None }).collect();
    let t = t.trim_end();
    t.ends_with('.') || t.ends_with('!') || t.ends_with('?') || t.ends_with('…')
}

/// The text of a small subtree (section titles, headings).
fn small_text(n: NodeRef<'_, Node>) -> String {
    let t: String = counted(n.descendants()).filter_map(|d| if let Node::Text(t) = d.value() { Some(&**t) } else { None }).collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The blocks a renderer of `roots` leaves out, beyond pruning: a boilerplate section
/// title and everything after it in its container, once the article has begun.
fn cut_sections(doc: &Html, roots: &[NodeId], sizes: &Sizes) -> HashSet<NodeId> {
    let mut cut = HashSet::new();
    let total: usize = roots.iter().map(|&r| sizes.text(r)).sum();
    let mut before = 0usize;
    for &r in roots {
        let Some(root) = doc.tree.get(r) else { continue };
        let mut skipping: Option<NodeId> = None;
        for edge in counted(root.traverse()) {
            match edge {
                Edge::Open(n) => {
                    if skipping.is_some() {
                        continue;
                    }
                    match n.value() {
                        Node::Text(t) => before += text_len(t),
                        Node::Element(e) => {
                            if cut.contains(&n.id()) {
                                skipping = Some(n.id());
                                continue;
                            }
                            let len = sizes.text(n.id());
                            let titled = matches!(
                                e.name(),
                                "h2" | "h3"
                                    | "h4"
                                    | "h5"
                                    | "h6"
                                    | "p"
                                    | "div"
                                    | "td"
                                    | "th"
                                    | "span"
                                    | "strong"
                                    | "b"
                                    | "header"
                                    | "caption"
                                    | "dt"
                            );
                            if !titled || len == 0 || len > 60 || n.id() == r || before * 4 < total {
                                continue;
                            }
                            if !section_title_re().is_match(&small_text(n)) {
                                continue;
                            }
                            // up to the block that holds the title alone, then it and what follows
                            let mut b = n;
                            while let Some(p) = b.parent() {
                                visit();
                                if p.id() == r || el(p).is_none() || sizes.text(p.id()) != len {
                                    break;
                                }
                                b = p;
                            }
                            let mut s = Some(b);
                            while let Some(x) = s {
                                visit();
                                cut.insert(x.id());
                                s = x.next_sibling();
                            }
                            skipping = Some(n.id());
                        }
                        _ => {}
                    }
                }
                Edge::Close(n) => {
                    if skipping == Some(n.id()) {
                        skipping = None;
                    }
                }
            }
        }
    }
    cut
}

/// Whether a block is left out as mostly links: menus, related stories, share bars,
/// "read also" boxes.
fn link_block(n: NodeRef<'_, Node>, e: &Element, sizes: &Sizes) -> bool {
    if is_inline(e.name()) {
        return false;
    }
    let len = sizes.text(n.id());
    if len == 0 {
        return false;
    }
    let ld = sizes.link_density(n.id());
    if ld > 0.5 {
        return true;
    }
    ld > 0.25 && len < 300 && read_also_re().is_match(&small_text_bounded(n, 300))
}

fn small_text_bounded(n: NodeRef<'_, Node>, max: usize) -> String {
    let mut out = String::new();
    for d in counted(n.descendants()) {
        if let Node::Text(t) = d.value() {
            out.push_str(t);
            if out.len() > max {
                break;
            }
        }
    }
    out
}

/// The text of `roots`, blocks on their own lines.
fn render(doc: &Html, roots: &[NodeId], sizes: &Sizes, title: Option<&str>) -> String {
    let cut = cut_sections(doc, roots, sizes);
    let title = title.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
    let mut out = String::new();
    for &r in roots {
        let Some(root) = doc.tree.get(r) else { continue };
        let mut skipping: Option<NodeId> = None;
        for edge in counted(root.traverse()) {
            match edge {
                Edge::Open(n) => {
                    if skipping.is_some() {
                        continue;
                    }
                    match n.value() {
                        Node::Text(t) => out.push_str(t),
                        Node::Element(e) => {
                            let name = e.name();
                            let skip = cut.contains(&n.id())
                                || (n.id() != r && link_block(n, e, sizes))
                                || (name == "h1" && title.as_deref().is_some_and(|t| small_text(n) == t || t.contains(&small_text(n))));
                            if skip {
                                skipping = Some(n.id());
                            } else if name == "br" {
                                out.push('\n');
                            } else if BREAK_TAGS.contains(&name) {
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
                    if BREAK_TAGS.contains(&name_of(n)) {
                        out.push_str("\n\n");
                    }
                }
            }
        }
        out.push_str("\n\n");
    }
    super::html::tidy(&out)
}

/// The standfirst when the page shows it above the article's container (in the
/// article's header, say): the block before the first root whose text starts like the
/// page's description, which sites fill with it.
fn standfirst(body: NodeRef<'_, Node>, roots: &[NodeId], description: &str, sizes: &Sizes) -> Option<String> {
    let first = *roots.first()?;
    let desc = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let head: String = desc.chars().take(60).collect();
    if head.chars().count() < 40 {
        return None;
    }
    let dl = text_len(&desc);
    let mut found: Option<String> = None;
    for n in counted(body.descendants()) {
        if n.id() == first {
            break;
        }
        let Some(e) = el(n) else { continue };
        let len = sizes.text(n.id());
        if is_inline(e.name()) || len < dl / 2 || len > 2 * dl + 50 || sizes.link_density(n.id()) > 0.25 {
            continue;
        }
        let t = small_text(n);
        if t.starts_with(&head) {
            // the innermost block that holds it
            found = Some(t);
        }
    }
    found
}

/// Words of four letters or more, lowercase: enough to tell two texts apart.
fn words(t: &str) -> HashSet<String> {
    t.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 4).map(str::to_lowercase).collect()
}

/// The main text of a parsed page (`title` is left out when it opens the text);
/// `source` is the page the tree was parsed from (parsed again when the first try
/// found too little), `description` the last resort.
pub(super) fn main_text(mut doc: Html, source: &str, title: Option<&str>, description: Option<&str>) -> String {
    let ld = jsonld_bodies(&doc).into_iter().next();
    let mut text = dom_text(&mut doc, true, title, description);
    if text_len(&text) < RETRY_BELOW {
        // readability's retry: the names misled the pruning (a post inside a "widget"),
        // so the page is read again without it, and kept when clearly fuller
        let mut again = Html::parse_document(source);
        let other = dom_text(&mut again, false, title, description);
        if text_len(&other) > 2 * text_len(&text) + 100 {
            text = other;
        }
    }
    if let Some(ld) = ld {
        let (dl, ll) = (text_len(&text), text_len(&ld));
        let shared = {
            let (dw, lw) = (words(&text), words(&ld));
            if dw.is_empty() {
                0.0
            } else {
                dw.intersection(&lw).count() as f64 / dw.len() as f64
            }
        };
        // the declared body is clearly fuller, or the page showed something else
        if dl == 0 || ll as f64 >= 1.3 * dl as f64 || (shared < 0.5 && ll >= 200) {
            text = ld;
        }
    }
    if text.is_empty() {
        text = description.map(str::to_string).unwrap_or_default();
    }
    text
}

/// Below this many characters the page is read again without pruning by names.
const RETRY_BELOW: usize = 500;

/// The text of the best containers of a page, or of its whole body (pruned) when none
/// scores.
fn dom_text(doc: &mut Html, by_name: bool, title: Option<&str>, description: Option<&str>) -> String {
    prune(doc, by_name);
    let body = {
        static BODY: OnceLock<scraper::Selector> = OnceLock::new();
        let sel = BODY.get_or_init(|| scraper::Selector::parse("body").expect("static selector"));
        doc.select(sel).next().map(|b| b.id())
    };
    let body_node = body.and_then(|b| doc.tree.get(b)).unwrap_or_else(|| doc.tree.root());
    let sizes = Sizes::of(body_node);
    let roots = choose_roots(doc, body_node, &sizes);
    let mut text = if roots.is_empty() { String::new() } else { render(doc, &roots, &sizes, title) };
    if let Some(lead) = description.and_then(|d| standfirst(body_node, &roots, d, &sizes)) {
        if !text.contains(&lead) {
            text = format!("{lead}\n\n{text}");
        }
    }
    if text.is_empty() {
        render(doc, &[body_node.id()], &sizes, title)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(class: &str) -> Polarity {
        let page = format!("<div class=\"{class}\">x</div>");
        let doc = Html::parse_fragment(&page);
        let d = doc.select(&scraper::Selector::parse("div").unwrap()).next().unwrap();
        polarity(d.value())
    }

    #[test]
    fn class_names_say_boilerplate_or_content_by_their_last_telling_part() {
        for bp in [
            "sharedaddy sd-sharing-enabled",
            "jp-relatedposts",
            "comments-area",
            "entry-footer",
            "most-read",
            "read-also",
            "ad-slot",
            "pub",
            "newsletterBox",
            "author-box",
        ] {
            assert_eq!(names(bp), Polarity::Boilerplate, "{bp}");
        }
        for c in ["entry-content", "story-body", "article-body paywall", "comment-content", "site-content"] {
            assert_eq!(names(c), Polarity::Content, "{c}");
        }
        for n in ["css-1x2y3z", "gh-canvas", "shareholders-table", "commentary", "layout"] {
            assert_eq!(names(n), Polarity::Neutral, "{n}");
        }
    }

    fn text_of(page: &str) -> String {
        let doc = Html::parse_document(page);
        let title = Some("Le titre de la page");
        main_text(doc, page, title, None)
    }

    const P1: &str =
        "La start-up parisienne a annoncé lundi une levée de fonds de 600 millions d'euros, menée par des investisseurs américains.";
    const P2: &str = "Son fondateur, ancien chercheur, s'est félicité d'un tour de table qui valorise l'entreprise à six milliards, selon un communiqué.";
    const P3: &str = "Les fonds serviront à recruter des ingénieurs à Paris et à Londres, et à acheter de la puissance de calcul pour entraîner les modèles.";

    #[test]
    fn headings_lists_tables_and_quotes_of_the_article_are_kept_and_its_surroundings_dropped() {
        let page = format!(
            r##"<html><body><nav><a href="/">Accueil</a></nav><div class="breadcrumb"><a href="/">Accueil</a> › Tech</div>
            <main><article><h1>Le titre de la page</h1><div class="share-tools"><a href="#">Partager sur X</a></div>
            <div class="article-body"><p>{P1}</p><h2>Un tour de table record</h2><p>{P2}</p>
            <ul><li>Premier point de la liste, assez long pour compter.</li><li>Second point de la liste, lui aussi complet.</li></ul>
            <table><tr><th>Année</th><th>Montant</th></tr><tr><td>2024</td><td>600 millions d'euros levés</td></tr></table>
            <blockquote><p>« Nous allons recruter très vite », a-t-il déclaré.</p></blockquote>
            <div class="read-more"><span>Lire aussi :</span> <a href="/x">Un autre article sur le même sujet que celui-ci</a></div>
            <p>{P3}</p></div></article>
            <section><h2>3 commentaires</h2><div><p>Un lecteur trouve que cette levée de fonds est une excellente nouvelle pour la France.</p></div></section>
            <div><h3>Sur le même sujet</h3><ul><li><a href="/a">Premier article lié au sujet du jour</a></li><li><a href="/b">Second article lié</a></li></ul></div>
            </main><div id="cookie-banner"><p>Nous utilisons des cookies pour mesurer l'audience.</p></div>
            <footer><a href="/mentions">Mentions légales</a></footer></body></html>"##
        );
        let t = text_of(&page);
        for kept in
            [P1, P2, P3, "Un tour de table record", "Premier point de la liste", "600 millions d'euros levés", "Nous allons recruter"]
        {
            assert!(t.contains(kept), "{kept:?} missing from {t:?}");
        }
        for dropped in [
            "Accueil",
            "Partager",
            "Lire aussi",
            "Un autre article",
            "Un lecteur",
            "Premier article lié",
            "cookies",
            "Mentions",
            "Le titre de la page",
        ] {
            assert!(!t.contains(dropped), "{dropped:?} kept in {t:?}");
        }
    }

    #[test]
    fn an_article_cut_in_two_containers_and_a_live_blog_are_read_whole() {
        let split = format!(
            r##"<html><body><div id="contenu"><h1>Le titre de la page</h1><div class="txt part-1"><div class="p">{P1}</div><div class="p">{P2}</div></div>
            <div class="pub"><a href="https://ads.example.net">Une offre exceptionnelle</a></div>
            <div class="txt part-2"><div class="p">{P3}</div><div class="p">{P1} Encore.</div></div></div></body></html>"##
        );
        let t = text_of(&split);
        assert!(t.contains(P2) && t.contains(P3) && !t.contains("offre"), "{t}");
        let posts: String = [P1, P2, P3, P1]
            .iter()
            .enumerate()
            .map(|(i, p)| format!(r##"<div class="live-post"><time>1{i}:00</time><div class="post-body"><p>{p}</p></div></div>"##))
            .collect();
        let live = format!("<html><body><nav><a>Une</a></nav><div class=\"feed\">{posts}</div></body></html>");
        let t = text_of(&live);
        assert!([P1, P2, P3].iter().all(|p| t.contains(p)), "{t}");
    }

    #[test]
    fn legacy_pages_of_line_breaks_have_paragraphs() {
        let page = format!(
            r##"<html><body><table><tr><td class="x"><a href="/a">Accueil</a><br><a href="/b">Sport</a><br><a href="/c">Politique</a></td>
            <td><font size="2">{P1}<br><br>{P2}<br><br>{P3}</font></td></tr></table></body></html>"##
        );
        let t = text_of(&page);
        assert_eq!(t, format!("{P1}\n\n{P2}\n\n{P3}"));
    }

    #[test]
    fn a_page_with_an_article_never_gives_nothing() {
        // rendered by JavaScript: the JSON-LD body is the text
        let body = format!("{P1}\n{P2}\n{P3}");
        let ld = serde_json::json!({"@context": "https://schema.org", "@type": "NewsArticle", "articleBody": body});
        let page = format!(
            r##"<html><head><script type="application/ld+json">{ld}</script></head><body><nav><a>Menu</a></nav><div id="app"></div></body></html>"##
        );
        assert_eq!(text_of(&page), format!("{P1}\n\n{P2}\n\n{P3}"));
        // behind a paywall: the declared body is the fuller text
        let page = format!(
            r##"<html><head><script type="application/ld+json">{ld}</script></head><body><article><p>{P1}</p><div class="paywall">Réservé aux abonnés.</div></article></body></html>"##
        );
        assert!(text_of(&page).contains(P3));
        // nothing but the description
        let doc = Html::parse_document("<html><body><div id=app></div></body></html>");
        assert_eq!(main_text(doc, "", None, Some("Le résumé de l'article.")), "Le résumé de l'article.");
    }

    #[test]
    fn a_post_inside_a_widget_and_a_standfirst_above_the_text_are_found() {
        let page = format!(
            r##"<html><body><div class="widget Blog"><h3 class="post-title">Le titre de la page</h3>
            <div class="post-body entry-content">{P1}<br><br>{P2}<br><br>{P3}</div></div>
            <div class="sidebar"><div class="widget Profile"><p>Un blogueur qui écrit depuis longtemps.</p></div></div></body></html>"##
        );
        let t = text_of(&page);
        assert!(t.contains(P1) && t.contains(P3) && !t.contains("blogueur"), "{t}");
        let lead = "Le chapô de l'article, qui résume en une phrase ce que le lecteur va apprendre plus bas.";
        let page = format!(
            r##"<html><body><header class="article__header"><h1>Le titre de la page</h1><p class="article__desc">{lead}</p></header>
            <section class="article__content"><p>{P1}</p><p>{P2}</p><p>{P3}</p></section></body></html>"##
        );
        let doc = Html::parse_document(&page);
        let t = main_text(doc, &page, Some("Le titre de la page"), Some(lead));
        assert!(t.starts_with(lead) && t.contains(P3), "{t}");
    }

    #[test]
    fn section_titles_are_whole_titles_only() {
        for t in [
            "Commentaires",
            "3 comments",
            "Sur le même sujet",
            "Related stories",
            "Most read",
            "Les plus lus",
            "Comments (12)",
            "À lire aussi :",
        ] {
            assert!(section_title_re().is_match(t), "{t}");
        }
        for t in ["Réactions politiques à Paris", "Comments from the minister", "La discussion a tourné court"] {
            assert!(!section_title_re().is_match(t), "{t}");
        }
    }
}
