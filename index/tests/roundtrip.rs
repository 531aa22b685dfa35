//! The index on disk, end to end within the crate: the writer's batched commits, the
//! reader (documents, signatures, vectors, sequence ranges), search with filters, and the
//! polars frames built from the fast fields.

use chrono::{TimeZone, Utc};
use std::collections::BTreeMap;
use vigie_index::{Extras, Filters, SearchRequest, VigieIndex};
use vigie_schemas::{DocId, Document, Entity, EntityType, Lang, Origin};

fn doc(id: &str, lang: &str, title: &str, body: &str, day: u32) -> Document {
    Document {
        id: DocId(id.into()),
        title: title.into(),
        body: body.into(),
        url: Some(format!("https://example.org/{id}")),
        source: Some(if lang == "fr" { "Le Monde" } else { "Reuters" }.into()),
        published: Some(Utc.with_ymd_and_hms(2025, 1, day, 9, 0, 0).unwrap()),
        published_raw: None,
        author: None,
        lang: Lang(lang.into()),
        lang_confidence: 0.99,
        lang_hint: None,
        dup_of: None,
        story_id: Some(format!("s-{id}")),
        topic_id: None,
        entities: vec![Entity {
            id: "company:nvidia".into(),
            kind: EntityType::Company,
            name: "Nvidia".into(),
            surface: vec!["Nvidia".into()],
            mentions: 2,
            in_title: true,
            wikidata: None,
        }],
        ingested_at: Utc::now(),
        origin: Origin { file: "t.jsonl".into(), line: Some(1) },
    }
}

#[test]
fn written_documents_read_back_search_and_frame() {
    let dir = tempfile::tempdir().unwrap();
    let index = VigieIndex::open_or_create(dir.path()).unwrap();
    let mut w = index.writer().unwrap();
    w.set_commit_every(2);
    let docs = [
        doc("fr1", "fr", "Nvidia livre ses puces Blackwell", "Les centres de données du projet Stargate reçoivent les puces.", 20),
        doc("en1", "en", "Nvidia ships Blackwell chips", "Stargate data centers receive the chips.", 21),
        doc("en2", "en", "OpenAI raises money", "The company raised funds for data centers.", 22),
    ];
    let mut commits = 0;
    for (i, d) in docs.iter().enumerate() {
        let emb: Vec<f32> = (0..8).map(|k| if k == i { 1.0 } else { 0.0 }).collect();
        let terms = vec![format!("term{i}")];
        if w.add(d, &Extras { signature: &[i as u8; 8], embedding: Some(&emb), title_terms: &terms }).unwrap() {
            commits += 1;
        }
    }
    assert_eq!(commits, 1, "one automatic commit after two documents");
    assert_eq!(w.pending(), 1);
    w.finish().unwrap();
    index.reload().unwrap();
    assert_eq!(index.num_docs(), 3);

    // the stored document comes back whole
    let back = index.get("fr1").unwrap().expect("stored");
    assert_eq!((back.title.as_str(), back.entities.len(), back.story_id.as_deref()), (docs[0].title.as_str(), 1, Some("s-fr1")));
    assert!(index.get("nope").unwrap().is_none());

    // pipeline state: signatures, vectors in ingest order, documents by sequence number
    assert_eq!(index.signatures().unwrap().len(), 3);
    let vecs = index.vectors().unwrap();
    assert_eq!(vecs.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), ["fr1", "en1", "en2"]);
    assert!(vecs.iter().all(|v| v.embedding.as_ref().is_some_and(|e| e.len() == 8)));
    assert_eq!(vecs[2].title_terms, ["term2"]);
    let between = index.documents_between(1, 3).unwrap();
    assert_eq!(between.iter().map(|d| d.doc.id.as_str()).collect::<Vec<_>>(), ["en1", "en2"]);

    // search: stemmed words in either language, filters, phrases
    let hits = |q: &str, f: Filters| index.search(&SearchRequest { filters: f, ..SearchRequest::new(q) }).unwrap();
    assert_eq!(hits("blackwell", Filters::default()).total, 2);
    assert_eq!(hits("blackwell", Filters { lang: Some("fr".into()), ..Default::default() }).hits[0].id, "fr1");
    assert_eq!(hits("\"data centers\"", Filters::default()).total, 2);
    let since = Utc.with_ymd_and_hms(2025, 1, 21, 0, 0, 0).unwrap();
    assert_eq!(hits("*", Filters { since: Some(since), ..Default::default() }).total, 2);
    assert_eq!(hits("*", Filters { stories: Some(vec!["s-en2".into(), "s-fr1".into()]), ..Default::default() }).total, 2);
    assert_eq!(hits("*", Filters { stories: Some(Vec::new()), ..Default::default() }).total, 0);
    assert_eq!(hits("*", Filters { entity: Some("company:nvidia".into()), ..Default::default() }).total, 3);
    assert!(index.search(&SearchRequest::new("title:(")).is_err());

    // frames from the fast fields
    let topics = BTreeMap::from([("s-en1".to_string(), "t1".to_string())]);
    let df = index.documents_frame(&Filters::default(), &topics).unwrap();
    assert_eq!(df.height(), 3);
    let names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
    assert!(names.contains(&"topic_id".to_string()) && names.contains(&"lang".to_string()), "{names:?}");
    assert_eq!(index.mentions_frame(&Filters::default()).unwrap().height(), 3);
}

/// A reader opened once (the server's) sees the commits of another writer after a
/// refresh, and does not reload when nothing was committed.
#[test]
fn a_long_lived_reader_refreshes_on_commits_only() {
    let dir = tempfile::tempdir().unwrap();
    let writing = VigieIndex::open_or_create(dir.path()).unwrap();
    let mut w = writing.writer().unwrap();
    let extras = Extras { signature: &[0; 8], embedding: None, title_terms: &[] };
    w.add(&doc("a", "en", "Nvidia ships chips", "Chips ship.", 20), &extras).unwrap();
    w.commit().unwrap();
    let reading = VigieIndex::open(dir.path()).unwrap();
    assert_eq!(reading.num_docs(), 1);
    assert!(!reading.refresh().unwrap(), "no commit since it opened");
    w.add(&doc("b", "en", "OpenAI raises money", "Money was raised.", 21), &extras).unwrap();
    assert!(!reading.refresh().unwrap(), "nothing committed yet");
    assert_eq!(reading.num_docs(), 1);
    w.commit().unwrap();
    assert!(reading.refresh().unwrap());
    assert_eq!(reading.num_docs(), 2);
    assert!(!reading.refresh().unwrap());
    w.finish().unwrap();
}
