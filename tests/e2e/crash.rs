//! kill -9 during ingest leaves a data directory that opens; running the same ingest
//! again stores each article exactly once.

use crate::common::{shared_data, Vigie};
use std::io::Write;
use std::time::Duration;

/// Real articles: Reuters-21578 when the shared data is there, else the bundled JSON
/// lines samples repeated under distinct ids.
fn corpus(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("articles.jsonl");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    if let Some(reuters) = shared_data("corpus/reuters21578/reut2-000.sgm") {
        let text = String::from_utf8_lossy(&std::fs::read(&reuters).unwrap()).into_owned();
        let text2 = String::from_utf8_lossy(&std::fs::read(reuters.with_file_name("reut2-001.sgm")).unwrap()).into_owned();
        let mut n = 0;
        for story in text.split("<REUTERS").chain(text2.split("<REUTERS")).skip(1) {
            let get = |t: &str| story.split(&format!("<{t}>")).nth(1).and_then(|s| s.split(&format!("</{t}>")).next()).map(str::to_string);
            if let (Some(title), Some(body)) = (get("TITLE"), get("BODY")) {
                n += 1;
                let a = serde_json::json!({"id": format!("r{n}"), "title": title, "body": body, "published": get("DATE")});
                writeln!(w, "{a}").unwrap();
            }
        }
    } else {
        let lines = std::fs::read_to_string(crate::common::samples().join("news-fr-en.jsonl")).unwrap();
        for i in 0..3000 {
            for (j, l) in lines.lines().enumerate() {
                let mut a: serde_json::Value = serde_json::from_str(l).unwrap();
                a["id"] = format!("s{i}-{j}").into();
                writeln!(w, "{a}").unwrap();
            }
        }
    }
    path
}

#[test]
fn kill_9_at_any_moment_then_rerun_stores_each_article_once() {
    let v = Vigie::new();
    let input = corpus(v.dir.path());
    let input_s = input.to_str().unwrap();
    // the expected result: one clean run elsewhere
    let clean = Vigie::new();
    // storage is what is tested here: the model stage writes no state, so it is left out
    // to keep the run short (the other tests ingest through it)
    let expected = clean.json(&["ingest", "--json", "--quiet", "--no-entities", input_s]);
    let expected_docs = clean.json(&["stats", "--json"])["documents"].clone();
    assert!(expected_docs.as_u64().unwrap() > 1000, "{expected}");

    let mut killed_with_progress = 0;
    for delay_ms in [150u64, 400, 700, 1100, 1600] {
        let mut child = v.cmd().args(["ingest", "--quiet", "--no-entities", "--commit-every", "300", input_s]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed_with_progress += 1;
        }
        child.wait().unwrap();
        // the directory opens after every kill, and never holds an article twice
        if v.data().join("index/meta.json").exists() {
            let s = v.json(&["stats", "--json"]);
            assert!(s["documents"].as_u64().unwrap() <= expected_docs.as_u64().unwrap(), "{s}");
        }
    }
    assert!(killed_with_progress > 0, "the ingest finished before any kill: make the corpus larger");
    let last = v.json(&["ingest", "--json", "--quiet", "--no-entities", input_s]);
    let stats = v.json(&["stats", "--json"]);
    assert_eq!(stats["documents"], expected_docs, "after kills and a re-run: {last}");
    assert_eq!(stats["duplicates"], clean.json(&["stats", "--json"])["duplicates"]);
    // a last re-run adds nothing
    let again = v.json(&["ingest", "--json", "--quiet", "--no-entities", input_s]);
    assert_eq!(again["indexed"], 0, "{again}");
    for id in ["r1", "r500", "s0-0"] {
        let hits = v.json_lines(&["search", &format!("id:{id}"), "--json"]);
        assert!(hits.len() <= 1, "{id} stored {} times", hits.len());
    }
}
