//! Search, show and stats on the samples.

use crate::common::{samples, Vigie};

#[test]
fn search_filters_snippets_and_analyzers() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    // French stemming and accent folding: "donnees" finds "données"
    let fr = v.json_lines(&["search", "donnees", "--json", "--limit", "50"]);
    assert!(!fr.is_empty());
    assert!(fr.iter().all(|h| h["lang"] == "fr"));
    // English stemming: "ships" finds "shipping"
    let en = v.json_lines(&["search", "shipping", "--lang", "en", "--json"]);
    assert!(en.iter().any(|h| h["title"].as_str().unwrap().contains("HBM4")), "{en:?}");
    // filters
    let march = v.json_lines(&["search", "*", "--since", "2025-03-01", "--until", "2025-04-01", "--json", "--limit", "50"]);
    assert_eq!(march.len(), 4);
    for h in &march {
        let p = h["published"].as_str().unwrap();
        assert!(p.starts_with("2025-03"), "{p}");
    }
    let src = v.json_lines(&["search", "*", "--source", "example news", "--json"]);
    assert_eq!(src.len(), 2, "source filter is case-insensitive");
    // snippet highlights and contract fields
    let h = &v.json_lines(&["search", "stargate", "--lang", "fr", "--json"])[0];
    for k in ["id", "title", "url", "source", "published", "lang", "score", "snippet", "story_id", "topic_id", "dup_of"] {
        assert!(h.get(k).is_some(), "hit lacks {k}: {h}");
    }
    assert!(h["snippet"].as_str().unwrap().contains("<b>Stargate</b>"), "{h}");
    // title: alias and phrase
    let t = v.json_lines(&["search", "title:ironwood", "--json"]);
    assert_eq!(t.len(), 1);
    let p = v.json_lines(&["search", "\"centres de données\"", "--json"]);
    assert!(!p.is_empty());
    // --no-dups leaves the syndicated copy out
    let all = v.json_lines(&["search", "stargate", "--json", "--limit", "50"]).len();
    let orig = v.json_lines(&["search", "stargate", "--no-dups", "--json", "--limit", "50"]).len();
    assert_eq!(all, orig + 1);
}

#[test]
fn stats_and_human_tables() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    let s = v.json(&["stats", "--json"]);
    assert_eq!(s["documents"], 18);
    assert_eq!(s["by_lang"]["fr"], 11);
    assert_eq!(s["sources"]["Exemple Actu"], 4);
    assert_eq!(s["first"], "2024-09-03T00:00:00Z");
    assert_eq!(s["last"], "2025-10-28T13:05:00Z");
    let human = v.ok(&["stats"]);
    assert!(human.contains("documents   18 (1 duplicates)"), "{human}");
    let table = v.ok(&["search", "nvidia", "--limit", "3"]);
    assert!(table.starts_with("score"), "{table}");
    assert!(table.contains("of 9 matching documents") || table.contains("matching documents"), "{table}");
}
