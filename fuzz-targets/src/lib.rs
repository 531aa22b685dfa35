//! vigie's parser fuzz targets, one plain function per target taking the raw input bytes.
//!
//! Each function feeds its input to one parser exactly as the `vigie` binary does and
//! asserts what must hold for any input: no panic, no abort, and a well-formed result
//! (every item names its input and a line inside it, a reject has a reason, a query is
//! either a clean usage error or a search result). A failed assertion is a panic, which
//! libFuzzer reports as a crash.
//!
//! The same functions run twice: under libFuzzer from the cargo-fuzz crate in `fuzz/`
//! (`make fuzz`), and over every file of `fuzz/seeds/TARGET/` and
//! `fuzz/regressions/TARGET/` from this crate's tests (`make test`).
//!
//! ```
//! vigie_fuzz_targets::jsonl(b"{\"title\":\"Nvidia livre ses H100\",\"body\":\"...\"}\n");
//! vigie_fuzz_targets::query(b"title:nvidia AND (h100 OR \"data center\")");
//! ```

use std::path::Path;
use std::sync::OnceLock;
use vigie_index::{Extras, SearchRequest, SortBy, VigieIndex};
use vigie_pipeline::ingest::{html_to_text, parse_bytes, sniff, Format, RawItem};
use vigie_pipeline::normalize::Normalizer;
use vigie_schemas::{DocId, Document, Lang, Origin};

/// One fuzz target: its name (the folder under `fuzz/seeds/` and `fuzz/regressions/`)
/// and its function.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, in the order `make fuzz` runs them.
pub const TARGETS: &[Target] = &[
    Target { name: "jsonl", run: jsonl },
    Target { name: "feed", run: feed },
    Target { name: "digest", run: digest },
    Target { name: "html", run: html },
    Target { name: "sniff", run: sniff_and_parse },
    Target { name: "dates", run: dates },
    Target { name: "query", run: query },
];

/// The input name the targets parse under (as a file on the command line would be).
pub const INPUT_NAME: &str = "fuzz/input";

/// How parse_bytes words a parser's panic that it caught.
const CAUGHT_PANIC: &str = "internal error while reading";

/// Checks what every format's items share: each names the input it came from, a line
/// inside it when it names one, and a reject always says why.
fn check_items(name: &str, bytes: &[u8], format: Format, items: &[RawItem]) {
    let lines = memchr_count(bytes) + 1;
    let mut last = 0u64;
    for (i, item) in items.iter().enumerate() {
        // a relayed record (`jsonl-tagged`) names the file its tag gives; anything else,
        // and a tagged line's reject, names the input
        if format != Format::TaggedJsonl || item.origin.file == name {
            assert_eq!(item.origin.file, name, "{format:?} item {i}: origin names another input");
        } else {
            assert!(
                !item.origin.file.is_empty() && !item.origin.file.chars().any(char::is_control),
                "{format:?} item {i}: a bad relayed name"
            );
        }
        if let Some(l) = item.origin.line {
            assert!(l >= 1, "{format:?} item {i}: line 0");
            // feeds number well-formed items by their position in the feed, which a
            // one-line feed can exceed; the line formats name a real line
            if matches!(format, Format::Jsonl | Format::Digest) {
                assert!(l <= lines, "{format:?} item {i}: line {l} past the input's {lines} lines");
                assert!(l >= last, "{format:?} item {i}: line {l} before the previous item's {last}");
                last = l;
            }
        }
        if let Err(reason) = &item.article {
            assert!(!reason.trim().is_empty(), "{format:?} item {i}: reject without a reason");
            // parse_bytes turns a parser's panic into this reject so that a batch goes on;
            // it is still a bug (the input is lost whole), and libFuzzer, whose panic hook
            // aborts first, reports it as a crash: the tests must agree
            assert!(!reason.starts_with(CAUGHT_PANIC), "{format:?} item {i}: the parser panicked: {reason}");
        }
    }
    match format {
        Format::Jsonl | Format::TaggedJsonl | Format::Digest => {
            // a reject of the whole input (binary, undecodable) names no line; a record does
            for (i, item) in items.iter().enumerate() {
                assert!(item.origin.line.is_some() || item.article.is_err(), "{format:?} item {i}: a record without its line");
            }
        }
        Format::Html | Format::Text => {
            assert_eq!(items.len(), 1, "{format:?}: one page or text gives exactly one item");
            if let Ok(a) = &items[0].article {
                assert!(a.body.is_some(), "{format:?}: an article page without a body");
            }
        }
        Format::Feed => {}
    }
}

fn memchr_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Parses as the binary does, then cleans each article as the next stage does (which
/// turns HTML bodies to text): a parsed record must never crash the stage after it.
fn parse_checked(bytes: &[u8], format: Format) -> Vec<RawItem> {
    static NORMALIZER: OnceLock<Normalizer> = OnceLock::new();
    let items = parse_bytes(INPUT_NAME, bytes, format);
    check_items(INPUT_NAME, bytes, format, &items);
    let normalizer = NORMALIZER.get_or_init(Normalizer::default);
    for (i, item) in items.iter().enumerate() {
        let Ok(article) = &item.article else { continue };
        match normalizer.normalize(article, item.origin.clone()) {
            Ok(n) => {
                assert_eq!(n.origin, item.origin, "{format:?} item {i}: normalizing changed the origin");
                assert!(!n.body.is_empty(), "{format:?} item {i}: kept with an empty body");
                assert!(!n.id.0.is_empty(), "{format:?} item {i}: kept with an empty id");
                assert!(!n.title.contains('\n'), "{format:?} item {i}: a title on several lines");
            }
            Err(reason) => assert!(!reason.to_string().trim().is_empty(), "{format:?} item {i}: rejected without a reason"),
        }
    }
    items
}

/// A JSON lines file (`--format jsonl`, or a `.jsonl` file), and the same bytes as
/// relayed records (`--format jsonl-tagged`).
pub fn jsonl(bytes: &[u8]) {
    parse_checked(bytes, Format::Jsonl);
    parse_checked(bytes, Format::TaggedJsonl);
}

/// An RSS 2.0 / RSS 1.0 (RDF) / Atom feed, file or fetched.
pub fn feed(bytes: &[u8]) {
    parse_checked(bytes, Format::Feed);
}

/// A feed reader's text digest (items separated by `•` lines).
pub fn digest(bytes: &[u8]) {
    parse_checked(bytes, Format::Digest);
}

/// An HTML article page, and the same bytes as a feed description fragment.
pub fn html(bytes: &[u8]) {
    parse_checked(bytes, Format::Html);
    let fragment = String::from_utf8_lossy(bytes);
    let text = html_to_text(&fragment);
    if fragment.contains('<') || fragment.contains('&') {
        assert!(!text.contains("\n\n\n"), "html_to_text: more than one blank line between blocks");
        for line in text.lines() {
            assert_eq!(line, line.trim(), "html_to_text: a line with surrounding whitespace");
        }
    } else {
        assert_eq!(text, fragment, "html_to_text: plain text must pass unchanged");
    }
}

/// `--format auto`: the format sniffed from the first bytes (stdin has no name), then
/// that format's parser, as `vigie ingest -` does.
pub fn sniff_and_parse(bytes: &[u8]) {
    // a telling extension wins whatever the content
    for (ext, want) in
        [("jsonl", Format::Jsonl), ("ndjson", Format::Jsonl), ("rss", Format::Feed), ("atom", Format::Feed), ("html", Format::Html)]
    {
        let name = format!("in.{ext}");
        assert_eq!(sniff(Some(Path::new(&name)), bytes), want, "sniff ignored the extension .{ext}");
    }
    // names that say nothing decisive: the content decides
    for name in ["in.txt", "in.json", "in.xml", "in"] {
        sniff(Some(Path::new(name)), bytes);
    }
    let format = sniff(None, bytes);
    parse_checked(bytes, format);
}

/// The date parser used for every `published` field.
pub fn dates(bytes: &[u8]) {
    let s = String::from_utf8_lossy(bytes);
    let Some(d) = vigie_pipeline::normalize::parse_date(&s) else { return };
    assert_eq!(vigie_pipeline::normalize::parse_date(&s), Some(d), "parse_date is not deterministic");
    use chrono::Datelike;
    if (1..=9999).contains(&d.year()) {
        // what vigie prints (RFC 3339) reads back as the same instant
        let printed = d.to_rfc3339();
        assert_eq!(vigie_pipeline::normalize::parse_date(&printed), Some(d), "{s:?} -> {printed} does not read back");
    }
}

/// A small real index, built once per process, for the query target.
fn index() -> &'static VigieIndex {
    static INDEX: OnceLock<(tempfile::TempDir, VigieIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir for the fuzz index");
            let index = VigieIndex::open_or_create(dir.path()).expect("create the fuzz index");
            let mut w = index.writer().expect("index writer");
            let docs = [
                (
                    "a",
                    "fr",
                    "Nvidia livre ses H100 à Mistral",
                    "La start-up parisienne reçoit les puces pour l’entraînement de ses modèles.",
                    "Le Monde",
                    2025,
                    1,
                    29,
                ),
                (
                    "b",
                    "en",
                    "Nvidia ships H100 chips to OpenAI",
                    "Data centers in Texas buy the new GPUs; Stargate expands.",
                    "Reuters",
                    2024,
                    12,
                    3,
                ),
                ("c", "xx", "Wetter morgen", "Regen und Wind im Norden.", "DWD", 1999, 6, 30),
            ];
            for (id, lang, title, body, source, y, m, d) in docs {
                let doc = Document {
                    id: DocId(id.into()),
                    title: title.into(),
                    body: body.into(),
                    url: Some(format!("https://example.org/{id}")),
                    source: Some(source.into()),
                    published: chrono::NaiveDate::from_ymd_opt(y, m, d).map(|d| d.and_hms_opt(10, 0, 0).expect("time").and_utc()),
                    published_raw: None,
                    author: None,
                    lang: Lang(lang.into()),
                    lang_confidence: 1.0,
                    lang_hint: None,
                    dup_of: None,
                    story_id: None,
                    topic_id: None,
                    entities: Vec::new(),
                    ingested_at: chrono::Utc::now(),
                    origin: Origin { file: "fuzz".into(), line: None },
                };
                w.add(&doc, &Extras::default()).expect("add a fuzz document");
            }
            w.commit().expect("commit the fuzz index");
            w.finish().expect("close the fuzz writer");
            index.reload().expect("reload the fuzz index");
            (dir, index)
        })
        .1
}

/// A search query, as `vigie search QUERY` runs it on an index: it gives hits, or a
/// clean "invalid query" error, the same answer every way the query is run.
pub fn query(bytes: &[u8]) {
    let q = String::from_utf8_lossy(bytes);
    let index = index();
    let req = SearchRequest::new(&q);
    let valid = index.validate_query(&q);
    match index.search(&req) {
        Ok(res) => {
            assert!(valid.is_ok(), "validate_query refused {q:?} that search ran: {:?}", valid.err());
            assert!(res.hits.len() <= req.limit, "more hits than the limit");
            assert!(res.total >= res.hits.len(), "total {} below the {} hits returned", res.total, res.hits.len());
            assert!(res.total <= 3, "total {} in an index of 3 documents", res.total);
            let n = index.count(&q, &req.filters).expect("count of a query that search ran");
            assert_eq!(n, res.total, "count and search disagree on {q:?}");
            let by_date = SearchRequest { sort: SortBy::Date, ..req.clone() };
            let dated = index.search(&by_date).expect("the same query sorted by date");
            assert_eq!(dated.total, res.total, "sorting by date changed the total of {q:?}");
        }
        Err(e) => {
            assert!(matches!(e, vigie_index::Error::Query(_)), "{q:?}: not a query error: {e}");
            assert!(valid.is_err(), "validate_query accepted {q:?} that search refused: {e}");
            assert!(!e.to_string().trim().is_empty(), "an empty query error");
        }
    }
}
