//! Small hand-built indexes for the analytics' unit tests.

use crate::{Extras, VigieIndex};
use chrono::{DateTime, Utc};
use vigie_schemas::{DocId, Document, Lang, Origin};

/// One document of a test index.
pub struct Doc {
    pub id: &'static str,
    pub lang: &'static str,
    pub source: Option<&'static str>,
    /// RFC 3339
    pub published: &'static str,
    pub story: Option<&'static str>,
    pub dup_of: Option<&'static str>,
    pub title: &'static str,
    /// folded title terms, as the pipeline would give them
    pub terms: &'static [&'static str],
}

impl Doc {
    pub fn new(id: &'static str, published: &'static str) -> Doc {
        Doc { id, lang: "en", source: None, published, story: None, dup_of: None, title: "", terms: &[] }
    }
}

/// An index of `docs` in a temporary directory (kept alive with it).
pub fn index(docs: &[Doc]) -> (tempfile::TempDir, VigieIndex) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = VigieIndex::open_or_create(dir.path()).expect("index");
    let mut w = index.writer().expect("writer");
    for d in docs {
        let doc = Document {
            id: DocId(d.id.into()),
            title: d.title.into(),
            body: String::new(),
            url: None,
            source: d.source.map(Into::into),
            published: Some(DateTime::parse_from_rfc3339(d.published).expect("a date").with_timezone(&Utc)),
            published_raw: None,
            author: None,
            lang: Lang(d.lang.into()),
            lang_confidence: 1.0,
            lang_hint: None,
            dup_of: d.dup_of.map(|x| DocId(x.into())),
            story_id: d.story.map(Into::into),
            topic_id: None,
            entities: Vec::new(),
            ingested_at: Utc::now(),
            origin: Origin { file: "t".into(), line: None },
        };
        let terms: Vec<String> = d.terms.iter().map(|t| t.to_string()).collect();
        w.add(&doc, &Extras { signature: &[], embedding: None, title_terms: &terms }).expect("add");
    }
    w.finish().expect("commit");
    index.reload().expect("reload");
    (dir, index)
}
