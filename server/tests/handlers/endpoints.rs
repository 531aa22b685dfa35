//! Every endpoint over the shared fixture: status, shape and values.

use crate::common::shared;
use serde_json::Value;

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().expect("an object").keys().map(String::as_str).collect();
    k.sort();
    k
}

fn ids(rows: &Value) -> Vec<&str> {
    rows.as_array().expect("an array").iter().map(|r| r["id"].as_str().expect("an id")).collect()
}

#[test]
fn search_answers_one_page_of_hits_and_the_total() {
    let api = shared().app();
    let r = api.ok("/api/search?q=nvidia");
    assert_eq!(keys(&r), ["hits", "total"]);
    assert_eq!(r["total"], 5);
    let hit = &r["hits"][0];
    // the command line's hit, key for key
    assert_eq!(keys(hit), ["dup_of", "id", "lang", "published", "score", "snippet", "source", "story_id", "title", "topic_id", "url"]);
    assert!(hit["snippet"].as_str().unwrap().contains("<b>Nvidia</b>"), "{hit}");
    assert_eq!(hit["topic_id"], "t1", "topics are joined from the topic state");
    let page = api.ok("/api/search?q=nvidia&limit=2&offset=1");
    assert_eq!((page["total"].as_u64(), page["hits"].as_array().unwrap().len()), (Some(5), 2));
    assert_eq!(page["hits"][0]["id"], r["hits"][1]["id"]);
    let newest = api.ok("/api/search?q=nvidia&sort=date");
    assert_eq!(newest["hits"][0]["id"], "fr-stargate");
    assert_eq!(api.ok("/api/search?q=nvidia&no_dups=true")["total"], 4);
    assert_eq!(api.ok("/api/search?q=nvidia&lang=fr")["total"], 2);
    assert_eq!(api.ok("/api/search?q=*&since=2025-01-25&until=2025-01-28")["total"], 2);
    assert_eq!(api.ok("/api/search?q=*&source=Reuters")["total"], 4);
    assert_eq!(api.ok("/api/search?q=*&entity=gpu:nvidia-h200")["total"], 3);
    let aircraft = api.ok("/api/search?q=*&topic=t2&limit=10");
    assert_eq!(aircraft["total"], 3);
    assert!(aircraft["hits"].as_array().unwrap().iter().all(|h| h["topic_id"] == "t2"));
    // query syntax: a phrase, a field, OR, a URL-encoded space
    assert_eq!(api.ok("/api/search?q=%22Air%20France%22")["total"], 3);
    assert_eq!(api.ok("/api/search?q=title:stargate+OR+title:a350")["total"], 4);
}

#[test]
fn a_document_is_the_stored_document_with_its_topic() {
    let api = shared().app();
    let d = api.ok("/api/documents/fr-h200");
    assert_eq!((d["id"].as_str(), d["lang"].as_str(), d["source"].as_str()), (Some("fr-h200"), Some("fr"), Some("Le Monde")));
    assert_eq!(d["topic_id"], "t1");
    let e = &d["entities"][0];
    assert_eq!(keys(e), ["id", "in_title", "mentions", "name", "surface", "type"]);
    assert_eq!((e["id"].as_str(), e["type"].as_str(), e["mentions"].as_u64()), (Some("company:nvidia"), Some("company"), Some(2)));
    assert_eq!(api.ok("/api/documents/en-h200-copy")["dup_of"], "en-h200");
}

#[test]
fn stats_count_documents_copies_languages_and_sources() {
    let s = shared().app().ok("/api/stats");
    assert_eq!(keys(&s), ["by_lang", "documents", "duplicates", "first", "last", "sources"]);
    assert_eq!((s["documents"].as_u64(), s["duplicates"].as_u64()), (Some(8), Some(1)));
    assert_eq!(s["by_lang"], serde_json::json!({"en": 5, "fr": 3}));
    assert_eq!(s["sources"]["Reuters"], 4);
    assert_eq!((s["first"].as_str(), s["last"].as_str()), (Some("2025-01-20T09:00:00Z"), Some("2025-01-28T09:00:00Z")));
}

#[test]
fn entities_are_ranked_by_documents_with_filters() {
    let api = shared().app();
    let rows = api.ok("/api/entities");
    assert_eq!(ids(&rows), ["company:nvidia", "company:openai", "company:air-france", "company:airbus", "gpu:nvidia-h200"]);
    assert_eq!(keys(&rows[0]), ["documents", "first_seen", "id", "last_seen", "mentions", "name", "stories", "type", "wikidata"]);
    assert_eq!(rows[0]["wikidata"], "Q182477", "the knowledge base's item");
    assert!(rows.as_array().unwrap().iter().all(|r| r["id"] != "gpu:nvidia-h200" || r.get("wikidata").is_none()), "{rows:#}");
    assert_eq!((rows[0]["documents"].as_u64(), rows[0]["stories"].as_u64()), (Some(4), Some(3)), "the copy counts once");
    assert_eq!(ids(&api.ok("/api/entities?top=2")).len(), 2);
    assert_eq!(ids(&api.ok("/api/entities?type=gpu")), ["gpu:nvidia-h200"]);
    assert_eq!(api.ok("/api/entities?lang=fr&top=1")[0]["documents"], 2);
    assert_eq!(ids(&api.ok("/api/entities?topic=t2")), ["company:air-france", "company:airbus"]);
    assert_eq!(
        api.ok("/api/entities?since=2025-01-28"),
        serde_json::json!([{
            "id": "company:air-france", "name": "Air France", "type": "company", "documents": 1, "stories": 1, "mentions": 1,
            "first_seen": "2025-01-28T09:00:00Z", "last_seen": "2025-01-28T09:00:00Z"
        }, {
            "id": "company:airbus", "name": "Airbus", "type": "company", "documents": 1, "stories": 1, "mentions": 2,
            "first_seen": "2025-01-28T09:00:00Z", "last_seen": "2025-01-28T09:00:00Z", "wikidata": "Q2311"
        }])
    );
}

#[test]
fn a_timeline_has_one_row_per_bucket_and_series() {
    let api = shared().app();
    let rows = api.ok("/api/timeline?series=company:nvidia&series=airbus&by=week&tz=Europe/Paris");
    let rows: Vec<(String, String, u64, u64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(keys(r), ["documents", "period", "series", "stories"]);
            (
                r["period"].as_str().unwrap().into(),
                r["series"].as_str().unwrap().into(),
                r["documents"].as_u64().unwrap(),
                r["stories"].as_u64().unwrap(),
            )
        })
        .collect();
    let row = |p: &str, s: &str, d, st| (p.to_string(), s.to_string(), d, st);
    assert_eq!(
        rows,
        [
            row("2025-01-20", "company:nvidia", 2, 2),
            row("2025-01-20", "airbus", 2, 1),
            row("2025-01-27", "company:nvidia", 2, 1),
            row("2025-01-27", "airbus", 1, 1),
        ]
    );
    let days = api.ok("/api/timeline?series=company:nvidia&by=day");
    assert_eq!(days.as_array().unwrap().len(), 8, "empty days included: {days}");
    assert_eq!(api.ok("/api/timeline?series=company:nvidia&by=month")[0]["period"], "2025-01-01");
}

#[test]
fn trends_rank_entities_then_topics() {
    let api = shared().app();
    let t = api.ok("/api/trends");
    assert_eq!(keys(&t), ["entities", "topics"]);
    let first = &t["entities"][0];
    assert_eq!(
        keys(first),
        ["baseline_count", "baseline_rate", "first_seen", "id", "name", "new", "ratio", "score", "type", "window_count"]
    );
    assert_eq!(
        (first["id"].as_str(), first["window_count"].as_u64(), first["new"].as_bool()),
        (Some("company:air-france"), Some(3), Some(true))
    );
    assert_eq!(ids(&t["topics"]), ["t2", "t1"]);
    assert_eq!(t["topics"][0]["type"], "topic");
    let companies = api.ok("/api/trends?type=company&top=1&window=14d&baseline=14d&at=2025-01-29");
    assert_eq!(companies["entities"].as_array().unwrap().len(), 1);
    assert_eq!(companies["topics"], serde_json::json!([]), "an entity type leaves topics out");
    assert_eq!(api.ok("/api/trends?min_count=4")["entities"], serde_json::json!([]));
}

#[test]
fn cooccurring_entities_share_stories() {
    let api = shared().app();
    let rows = api.ok("/api/cooccur?entity=company:nvidia");
    assert_eq!(ids(&rows), ["company:openai", "gpu:nvidia-h200"]);
    assert_eq!(keys(&rows[0]), ["documents", "id", "lift", "name", "pmi", "stories", "type"]);
    assert_eq!(rows[0]["stories"], 3);
    assert_eq!(ids(&api.ok("/api/cooccur?entity=company:nvidia&min_stories=3")), ["company:openai"]);
    assert_eq!(api.ok("/api/cooccur?entity=company:nobody"), serde_json::json!([]));
}

#[test]
fn topics_are_listed_largest_first() {
    let api = shared().app();
    let rows = api.ok("/api/topics");
    assert_eq!(ids(&rows), ["t1", "t2"]);
    assert_eq!(keys(&rows[0]), ["first", "id", "keywords", "label", "languages", "last", "originals", "size", "stories", "top_entities"]);
    assert_eq!((rows[0]["size"].as_u64(), rows[0]["originals"].as_u64(), rows[0]["stories"].as_u64()), (Some(5), Some(4), Some(3)));
    assert!(rows[0]["label"].as_str().unwrap().starts_with("Nvidia, OpenAI"), "{}", rows[0]["label"]);
    assert_eq!(rows[1]["top_entities"][0], serde_json::json!({"id": "company:air-france", "name": "Air France", "documents": 3}));
    assert_eq!(ids(&api.ok("/api/topics?limit=1")), ["t1"]);
    assert_eq!(api.ok("/api/topics?lang=fr")[0]["size"], 2);
    assert_eq!(ids(&api.ok("/api/topics?since=2025-01-28")), ["t2"]);
}

#[test]
fn a_story_by_its_id_or_one_of_its_articles() {
    let api = shared().app();
    let s = api.ok("/api/stories/en-h200");
    assert_eq!(
        keys(&s),
        ["articles", "documents", "first", "id", "languages", "last", "originals", "sources", "top_entities", "topic_id", "topic_label"]
    );
    assert_eq!((s["documents"].as_u64(), s["originals"].as_u64(), s["topic_id"].as_str()), (Some(2), Some(1), Some("t1")));
    assert_eq!(ids(&s["articles"]), ["en-h200", "en-h200-copy"]);
    let by_id = api.ok(&format!("/api/stories/{}", s["id"].as_str().unwrap()));
    assert_eq!(by_id, s);
    let later = api.ok("/api/stories/en-h200?since=2025-01-20T10:00:00Z");
    assert_eq!(ids(&later["articles"]), ["en-h200-copy"]);
}

#[test]
fn exports_are_downloads_in_each_format() {
    let api = shared().app();
    let csv = api.get("/api/export/documents?format=csv");
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(csv.header("content-disposition"), "attachment; filename=\"vigie-documents.csv\"");
    let text = String::from_utf8(csv.body.clone()).unwrap();
    assert!(text.lines().next().unwrap().split(',').any(|c| c == "id"), "{text}");
    assert_eq!(text.lines().count(), 9, "a header and 8 documents");
    let ndjson = api.get("/api/export/entities?format=ndjson&lang=en");
    assert_eq!((ndjson.status.as_u16(), ndjson.header("content-type")), (200, "application/x-ndjson"));
    let rows: Vec<Value> =
        ndjson.body.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    assert_eq!(rows.len(), 5);
    let parquet = api.get("/api/export/mentions?format=parquet");
    assert_eq!(parquet.header("content-type"), "application/vnd.apache.parquet");
    assert!(parquet.body.starts_with(b"PAR1") && parquet.body.ends_with(b"PAR1"));
    let ipc = api.get("/api/export/topics?format=ipc");
    assert_eq!(ipc.header("content-disposition"), "attachment; filename=\"vigie-topics.arrow\"");
    assert!(ipc.body.starts_with(b"ARROW1"));
    let timeline = api.get("/api/export/timeline?format=csv&series=company:nvidia&series=company:airbus&by=day");
    assert_eq!(timeline.status, 200, "{}", String::from_utf8_lossy(&timeline.body));
    for what in ["stories", "trends"] {
        let a = api.get(&format!("/api/export/{what}?format=csv&topic=t1"));
        assert_eq!(a.status, 200, "{what}: {}", String::from_utf8_lossy(&a.body));
    }
    let stories = String::from_utf8(api.get("/api/export/stories?format=csv&topic=t1").body).unwrap();
    assert_eq!(stories.lines().count(), 4, "a header and the 3 stories of t1: {stories}");
}
