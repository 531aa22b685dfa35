//! Search-cluster exports: the stored documents as OpenSearch / Elasticsearch `_bulk`
//! NDJSON or as Quickwit NDJSON, read a page at a time and written as they are read (an
//! index larger than memory exports too), with the index template and the index config
//! those lines are made for (`schemas/opensearch/`, `schemas/quickwit/`).
//!
//! Text goes to the field of its language (`title_fr`/`body_fr`, `title_en`/`body_en`,
//! `title_std`/`body_std` for every other language), so that the cluster analyzes it
//! with a French, English or standard analyzer, as vigie's own index does.

use crate::analytics::Selector;
use crate::{Error, Filters, Result, VigieIndex};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use tantivy::schema::Value;
use vigie_schemas::Document;

/// The OpenSearch / Elasticsearch composable index template (`PUT _index_template/vigie`).
pub const OPENSEARCH_TEMPLATE: &str = include_str!("../../schemas/opensearch/vigie-template.json");
/// The Quickwit index config (`quickwit index create --index-config`).
pub const QUICKWIT_CONFIG: &str = include_str!("../../schemas/quickwit/vigie-index.yaml");
/// The index name the template and the config are written for.
pub const DEFAULT_INDEX: &str = "vigie";
/// Stored documents read at a time.
pub const PAGE: usize = 256;
/// Every field a document line can have (a field without a value is left out).
pub const DOCUMENT_FIELDS: &[&str] = &[
    "id",
    "title",
    "title_fr",
    "body_fr",
    "title_en",
    "body_en",
    "title_std",
    "body_std",
    "url",
    "source",
    "author",
    "published",
    "timestamp",
    "ingested_at",
    "lang",
    "lang_confidence",
    "dup_of",
    "story_id",
    "topic_id",
    "entity_ids",
    "entities",
];

/// The template's index patterns, as the file writes them (replaced for another name).
const TEMPLATE_PATTERNS: &str = r#""index_patterns": ["vigie", "vigie-*"]"#;
/// The config's index id line, as the file writes it.
const CONFIG_INDEX_ID: &str = "\nindex_id: vigie\n";

/// What a search-cluster export writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterFormat {
    /// `_bulk` NDJSON: an `index` action naming the index and the document id, then the
    /// document, for every document
    OpenSearch { index: String },
    /// one document per line, for `quickwit index ingest`
    Quickwit,
}

/// One entity of a document line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterEntity<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: &'a str,
    pub mentions: u32,
    pub in_title: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<&'a str>,
}

/// A document as a search cluster indexes it: the analyst's fields of document.v1, the
/// text in the fields of its language, dates in RFC 3339 (UTC, seconds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterDocument<'a> {
    pub id: &'a str,
    /// the title in any language (display, sorting, a cross-language search)
    pub title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_fr: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_fr: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_en: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_en: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_std: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_std: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// the publication date, else the ingestion date: every document has one (Quickwit's
    /// timestamp field, a dashboard's time field)
    pub timestamp: String,
    pub ingested_at: String,
    pub lang: &'a str,
    pub lang_confidence: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dup_of: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<&'a str>,
    /// the entity ids alone, for terms aggregations without a nested query
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entity_ids: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<ClusterEntity<'a>>,
}

/// RFC 3339 in UTC to the second (`2025-01-29T08:30:00Z`), what both clusters parse.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl<'a> ClusterDocument<'a> {
    /// The line of `d`, with `topic` (topics live in the topic state, not in the stored
    /// document) or else the stored one.
    pub fn new(d: &'a Document, topic: Option<&'a str>) -> Self {
        let (title, body) = (Some(d.title.as_str()), Some(d.body.as_str()));
        let (fr, en) = (d.lang.0 == "fr", d.lang.0 == "en");
        let std = !fr && !en;
        ClusterDocument {
            id: d.id.as_str(),
            title: &d.title,
            title_fr: title.filter(|_| fr),
            body_fr: body.filter(|_| fr),
            title_en: title.filter(|_| en),
            body_en: body.filter(|_| en),
            title_std: title.filter(|_| std),
            body_std: body.filter(|_| std),
            url: d.url.as_deref(),
            source: d.source.as_deref(),
            author: d.author.as_deref(),
            published: d.published.map(rfc3339),
            timestamp: rfc3339(d.published.unwrap_or(d.ingested_at)),
            ingested_at: rfc3339(d.ingested_at),
            lang: d.lang.as_str(),
            lang_confidence: d.lang_confidence,
            dup_of: d.dup_of.as_ref().map(|x| x.as_str()),
            story_id: d.story_id.as_deref(),
            topic_id: topic.or(d.topic_id.as_deref()),
            entity_ids: d.entities.iter().map(|e| e.id.as_str()).collect(),
            entities: d
                .entities
                .iter()
                .map(|e| ClusterEntity {
                    id: e.id.as_str(),
                    kind: e.kind.as_str(),
                    name: &e.name,
                    mentions: e.mentions,
                    in_title: e.in_title,
                    wikidata: e.wikidata.as_deref(),
                })
                .collect(),
        }
    }
}

/// The `_bulk` action line of a document.
#[derive(Serialize)]
struct Action<'a> {
    index: ActionMeta<'a>,
}

#[derive(Serialize)]
struct ActionMeta<'a> {
    #[serde(rename = "_index")]
    index: &'a str,
    #[serde(rename = "_id")]
    id: &'a str,
}

/// Why `name` cannot name an OpenSearch / Elasticsearch index, `None` when it can
/// (lowercase, no `\ / * ? " < > | , #`, space or `:`, not starting with `-`, `_` or `+`,
/// not `.` or `..`, at most 255 bytes).
pub fn opensearch_index_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 255 {
        return Some(format!("index name {name:?}: 1 to 255 bytes"));
    }
    if name == "." || name == ".." || name.starts_with(['-', '_', '+']) {
        return Some(format!("index name {name:?}: may not be . or .. nor start with -, _ or +"));
    }
    if let Some(c) = name.chars().find(|c| c.is_uppercase() || r#"\/*?"<>|,# :"#.contains(*c)) {
        return Some(format!("index name {name:?}: {c:?} is not allowed (lowercase, no \\ / * ? \" < > | , # : or space)"));
    }
    None
}

/// Why `name` cannot be a Quickwit index id, `None` when it can (an ASCII letter, then 2
/// to 254 ASCII letters, digits, `-` or `_`).
pub fn quickwit_index_problem(name: &str) -> Option<String> {
    let ok = name.len() >= 3
        && name.len() <= 255
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (!ok).then(|| format!("index id {name:?}: a letter, then 2 to 254 letters, digits, - or _"))
}

/// The index template for an index named `index` (the file as it is for `vigie`, else its
/// patterns replaced by that one name).
pub fn opensearch_template(index: &str) -> std::result::Result<String, String> {
    if let Some(p) = opensearch_index_problem(index) {
        return Err(p);
    }
    if index == DEFAULT_INDEX {
        return Ok(OPENSEARCH_TEMPLATE.to_string());
    }
    let patterns = serde_json::to_string(&[index]).expect("a string list serializes");
    Ok(OPENSEARCH_TEMPLATE.replacen(TEMPLATE_PATTERNS, &format!(r#""index_patterns": {patterns}"#), 1))
}

/// The Quickwit index config for an index named `index`.
pub fn quickwit_config(index: &str) -> std::result::Result<String, String> {
    if let Some(p) = quickwit_index_problem(index) {
        return Err(p);
    }
    Ok(QUICKWIT_CONFIG.replacen(CONFIG_INDEX_ID, &format!("\nindex_id: {index}\n"), 1))
}

impl VigieIndex {
    /// Writes every stored document `filters` select to `out` in `format`, in segment order,
    /// reading [`PAGE`] stored documents at a time; `dest` names `out` in errors and
    /// `progress` gets the count written so far after each page. Returns the number of
    /// documents.
    pub fn write_cluster_documents(
        &self,
        filters: &Filters,
        topics: &BTreeMap<String, String>,
        format: &ClusterFormat,
        out: &mut dyn Write,
        dest: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64> {
        let io = |e: std::io::Error| Error::Io { path: dest.to_string(), source: e };
        let mut written = 0u64;
        let mut page: Vec<Document> = Vec::with_capacity(PAGE);
        let mut line: Vec<u8> = Vec::with_capacity(16 * 1024);
        self.scan(&Selector::Query("*".into()), filters, |seg, docs| {
            // a small block cache: the page's documents are neighbours in the store
            let store = seg.get_store_reader(8).map_err(|e| Error::Corrupt(e.to_string()))?;
            for ids in docs.chunks(PAGE) {
                page.clear();
                for d in ids {
                    let doc: tantivy::TantivyDocument = store.get(*d)?;
                    let json = doc
                        .get_first(self.fields.doc)
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| Error::Corrupt(format!("document {d} has no stored body")))?;
                    page.push(serde_json::from_str(json).map_err(|e| Error::Corrupt(e.to_string()))?);
                }
                for d in &page {
                    let topic = d.story_id.as_ref().and_then(|s| topics.get(s)).map(String::as_str);
                    let doc = ClusterDocument::new(d, topic);
                    line.clear();
                    if let ClusterFormat::OpenSearch { index } = format {
                        serde_json::to_writer(&mut line, &Action { index: ActionMeta { index, id: doc.id } })
                            .map_err(|e| Error::Corrupt(e.to_string()))?;
                        line.push(b'\n');
                    }
                    serde_json::to_writer(&mut line, &doc).map_err(|e| Error::Corrupt(e.to_string()))?;
                    line.push(b'\n');
                    out.write_all(&line).map_err(io)?;
                }
                written += ids.len() as u64;
                progress(written);
            }
            Ok(())
        })?;
        out.flush().map_err(io)?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Extras;
    use serde_json::Value as Json;
    use vigie_schemas::{DocId, Entity, EntityId, EntityType, Lang, Origin};

    fn doc(i: usize, lang: &str) -> Document {
        Document {
            id: DocId(format!("d{i}")),
            title: format!("Titre {i} électricité"),
            body: format!("Corps {i}"),
            url: Some(format!("https://example.org/{i}")),
            source: Some(if i.is_multiple_of(2) { "Le Monde" } else { "Reuters" }.into()),
            published: (!i.is_multiple_of(3)).then(|| DateTime::from_timestamp(1_738_000_000 + i as i64 * 3600, 0).unwrap()),
            published_raw: None,
            author: i.is_multiple_of(5).then(|| "Jane Doe".into()),
            lang: Lang(lang.into()),
            lang_confidence: 0.93,
            lang_hint: None,
            dup_of: (i % 7 == 6).then(|| DocId(format!("d{}", i - 1))),
            story_id: Some(format!("s{}", i / 4)),
            topic_id: None,
            entities: vec![Entity {
                id: EntityId("company:nvidia".into()),
                kind: EntityType::Company,
                name: "Nvidia".into(),
                surface: vec!["NVIDIA".into()],
                mentions: 2,
                in_title: i.is_multiple_of(2),
                wikidata: Some("Q182477".into()),
            }],
            ingested_at: DateTime::from_timestamp(1_750_000_000, 0).unwrap(),
            origin: Origin { file: "t".into(), line: Some(i as u64) },
        }
    }

    fn index(n: usize) -> (tempfile::TempDir, VigieIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = VigieIndex::open_or_create(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        for i in 0..n {
            let lang = ["fr", "en", "de", "und"][i % 4];
            w.add(&doc(i, lang), &Extras { signature: &[], embedding: None, title_terms: &[] }).unwrap();
        }
        w.finish().unwrap();
        index.reload().unwrap();
        (dir, index)
    }

    fn lines(index: &VigieIndex, filters: &Filters, format: &ClusterFormat) -> (Vec<Json>, u64, Vec<u64>) {
        let topics = BTreeMap::from([("s1".to_string(), "t9".to_string())]);
        let (mut out, mut seen) = (Vec::new(), Vec::new());
        let n = index.write_cluster_documents(filters, &topics, format, &mut out, "mem", &mut |k| seen.push(k)).unwrap();
        assert_eq!(out.last(), Some(&b'\n'), "the last line ends with a newline (_bulk requires it)");
        let text = String::from_utf8(out).unwrap();
        (text.lines().map(|l| serde_json::from_str(l).unwrap()).collect(), n, seen)
    }

    #[test]
    fn text_goes_to_the_fields_of_its_language() {
        let keys = |d: &Document| -> Vec<String> {
            let v = serde_json::to_value(ClusterDocument::new(d, None)).unwrap();
            v.as_object().unwrap().keys().filter(|k| k.starts_with("title_") || k.starts_with("body_")).cloned().collect()
        };
        assert_eq!(keys(&doc(1, "fr")), ["body_fr", "title_fr"]);
        assert_eq!(keys(&doc(1, "en")), ["body_en", "title_en"]);
        assert_eq!(keys(&doc(1, "de")), ["body_std", "title_std"]);
        assert_eq!(keys(&doc(1, "und")), ["body_std", "title_std"]);
        // an undated document keeps its ingestion date as the timestamp, and no published
        let v = serde_json::to_value(ClusterDocument::new(&doc(3, "fr"), Some("t1"))).unwrap();
        assert!(v.get("published").is_none());
        assert_eq!(v["timestamp"], "2025-06-15T15:06:40Z");
        assert_eq!(v["topic_id"], "t1");
        assert_eq!(
            v["entities"][0],
            serde_json::json!({"id": "company:nvidia", "type": "company", "name": "Nvidia", "mentions": 2, "in_title": false, "wikidata": "Q182477"})
        );
        // every field a full document has is listed
        let full = serde_json::to_value(ClusterDocument::new(&doc(5, "en"), Some("t1"))).unwrap();
        for k in full.as_object().unwrap().keys() {
            assert!(DOCUMENT_FIELDS.contains(&k.as_str()), "{k} is not in DOCUMENT_FIELDS");
        }
    }

    /// More documents than a page: all of them, once each, action lines pairing with the
    /// document below, topics from the map, filters applied.
    #[test]
    fn every_document_is_written_once_page_by_page() {
        let n = PAGE * 2 + 37;
        let (_dir, index) = index(n);
        let format = ClusterFormat::OpenSearch { index: "news".into() };
        let (v, written, progress) = lines(&index, &Filters::default(), &format);
        assert_eq!(written as usize, n);
        assert_eq!(v.len(), 2 * n);
        assert!(progress.len() >= 3 && progress.windows(2).all(|w| w[0] < w[1]) && *progress.last().unwrap() == n as u64, "{progress:?}");
        let mut ids = std::collections::BTreeSet::new();
        for pair in v.chunks(2) {
            assert_eq!(pair[0]["index"]["_index"], "news");
            assert_eq!(pair[0]["index"]["_id"], pair[1]["id"]);
            assert!(ids.insert(pair[1]["id"].as_str().unwrap().to_string()));
            if pair[1]["story_id"] == "s1" {
                assert_eq!(pair[1]["topic_id"], "t9");
            } else {
                assert!(pair[1].get("topic_id").is_none());
            }
        }
        assert_eq!(ids.len(), n);
        // Quickwit: one line per document
        let (q, written, _) = lines(&index, &Filters::default(), &ClusterFormat::Quickwit);
        assert_eq!((q.len(), written as usize), (n, n));
        assert!(q.iter().all(|d| d.get("index").is_none() && d["timestamp"].is_string()));
        // filters select as everywhere else
        let fr = Filters { lang: Some("fr".into()), ..Default::default() };
        let (q, written, _) = lines(&index, &fr, &ClusterFormat::Quickwit);
        assert_eq!(written as usize, n.div_ceil(4));
        assert!(q.iter().all(|d| d["lang"] == "fr" && d["title_fr"].is_string() && d.get("title_en").is_none()));
    }

    #[test]
    fn the_template_and_config_follow_the_index_name() {
        assert_eq!(opensearch_template("vigie").unwrap(), OPENSEARCH_TEMPLATE);
        let t: Json = serde_json::from_str(&opensearch_template("news-2025").unwrap()).unwrap();
        assert_eq!(t["index_patterns"], serde_json::json!(["news-2025"]));
        assert!(opensearch_template("News").unwrap_err().contains("'N'"));
        assert!(opensearch_template("_x").is_err() && opensearch_template("a b").is_err() && opensearch_template("").is_err());
        let c = quickwit_config("news_2025").unwrap();
        assert!(c.contains("\nindex_id: news_2025\n") && !c.contains("index_id: vigie"));
        assert!(quickwit_config("9news").is_err() && quickwit_config("ab").is_err() && quickwit_config("a.b.c").is_err());
        assert!(QUICKWIT_CONFIG.contains(CONFIG_INDEX_ID));
    }
}
