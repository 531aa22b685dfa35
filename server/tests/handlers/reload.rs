//! The server sees what an ingest commits (in another thread here, another process in
//! the end-to-end test) without a restart: the index and the topic state.

use crate::common::{ingest, jsonl, Fixture};
use vigie_engine::Session;

/// Articles unlike each other (no copies), `n` of them.
fn fresh(n: usize) -> Vec<(String, String)> {
    const WORDS: &[&str] = &[
        "harbour",
        "turbine",
        "lithium",
        "orchard",
        "glacier",
        "satellite",
        "vineyard",
        "railway",
        "copper",
        "wheat",
        "reactor",
        "ferry",
        "cobalt",
        "forest",
        "bridge",
        "tunnel",
        "pipeline",
        "refinery",
        "festival",
        "museum",
        "stadium",
        "library",
    ];
    (0..n)
        .map(|i| {
            let pick = |k: usize| WORDS[(i * 7 + k * 5 + i / WORDS.len()) % WORDS.len()];
            let title = format!("Regional {} and {} report {i}", pick(1), pick(2));
            let body = format!(
                "The {} authority published figures on the {} and the {} on Tuesday, number {i}, saying that the {} and \
                 the {} projects near the {} would go ahead after a long review by the regional council.",
                pick(3),
                pick(4),
                pick(5),
                pick(6),
                pick(7),
                pick(8)
            );
            (title, body)
        })
        .collect()
}

/// Requests keep being answered while another thread ingests and commits in batches;
/// each sees a whole commit (never fewer documents than before), and after the last
/// commit they see every new document.
#[test]
fn requests_during_an_ingest_see_each_commit() {
    let f = Fixture::new();
    let api = f.app();
    assert_eq!(api.ok("/api/stats")["documents"], 8);
    let articles = fresh(60);
    let owned: Vec<(String, String, String, String, String, String)> = articles
        .iter()
        .enumerate()
        .map(|(i, (t, b))| (format!("new-{i}"), "en".into(), "Agency".into(), "2025-01-29T08:00:00Z".into(), t.clone(), b.clone()))
        .collect();
    let rows: Vec<(&str, &str, &str, &str, &str, &str)> =
        owned.iter().map(|(a, b, c, d, e, g)| (a.as_str(), b.as_str(), c.as_str(), d.as_str(), e.as_str(), g.as_str())).collect();
    let input = jsonl(f.tmp.path(), "new.jsonl", &rows);
    let data = f.data.clone();
    let writer = std::thread::spawn(move || {
        let mut session = Session::open(data).unwrap();
        let summary = ingest(&mut session, input, 10);
        session.close().unwrap();
        summary
    });
    let mut seen = vec![8u64];
    while !writer.is_finished() {
        let n = api.ok("/api/stats")["documents"].as_u64().unwrap();
        assert!(n >= *seen.last().unwrap() && n <= 68, "{n} after {seen:?}");
        if n != *seen.last().unwrap() {
            seen.push(n);
        }
        assert_eq!(api.get("/api/search?q=regional&limit=1").status, 200);
    }
    let summary = writer.join().unwrap();
    assert_eq!(summary.indexed, 60, "{summary:?}");
    assert_eq!(api.ok("/api/stats")["documents"], 68, "seen along the way: {seen:?}");
    assert_eq!(api.ok("/api/search?q=regional")["total"], 60);
    assert_eq!(api.ok("/api/documents/new-59")["id"], "new-59");
}

/// The topic state is read again when its file changes: gone, the topics go; back,
/// they come back.
#[test]
fn the_topic_state_is_read_again_when_its_file_changes() {
    let f = Fixture::new();
    let api = f.app();
    assert_eq!(api.ok("/api/topics").as_array().unwrap().len(), 2);
    assert_eq!(api.ok("/api/documents/fr-h200")["topic_id"], "t1");
    let path = f.data.topics_path();
    let saved = f.tmp.path().join("topics.json.saved");
    std::fs::rename(&path, &saved).unwrap();
    assert_eq!(api.ok("/api/topics"), serde_json::json!([]));
    assert_eq!(api.ok("/api/documents/fr-h200").get("topic_id"), None);
    assert_eq!(api.get("/api/search?q=*&topic=t1").status, 400, "no such topic any more");
    std::fs::rename(&saved, &path).unwrap();
    assert_eq!(api.ok("/api/search?q=nvidia&limit=1")["hits"][0]["topic_id"], "t1");
    assert_eq!(api.ok("/api/search?q=*&topic=t1")["total"], 5);
}
