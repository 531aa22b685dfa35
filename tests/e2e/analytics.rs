//! Analyst tables on the samples, through the real model: timelines, the entities
//! table, trends and co-occurrence.

use crate::common::{samples, Vigie};
use serde_json::Value;

#[test]
fn timelines_entity_tables_trends_and_cooccurrence() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    let ents = v.json_lines(&["entities", "--top", "50", "--json"]);
    let nvidia = ents.iter().find(|e| e["id"] == "company:nvidia").expect("nvidia in the samples");
    for f in ["documents", "stories", "mentions"] {
        assert!(nvidia[f].as_u64().unwrap() >= 1, "{nvidia}");
    }
    assert!(nvidia["mentions"].as_u64() >= nvidia["documents"].as_u64());
    assert!(nvidia["stories"].as_u64() <= nvidia["documents"].as_u64());
    assert!(nvidia["first_seen"].as_str().unwrap() <= nvidia["last_seen"].as_str().unwrap());

    // a monthly timeline: contiguous months, zeros included, copies counted once
    let rows = v.json_lines(&["timeline", "company:nvidia", "company:openai", "--by", "month", "--json"]);
    let months: Vec<&str> = rows.iter().filter(|r| r["series"] == "company:nvidia").map(|r| r["period"].as_str().unwrap()).collect();
    assert!(months.len() >= 2);
    for w in months.windows(2) {
        let (a, b) = (&w[0][..7], &w[1][..7]);
        let (ya, ma): (i32, u32) = (a[..4].parse().unwrap(), a[5..].parse().unwrap());
        let next = if ma == 12 { format!("{}-01", ya + 1) } else { format!("{ya}-{:02}", ma + 1) };
        assert_eq!(b, next, "months skip: {months:?}");
        assert!(w[0].ends_with("-01"));
    }
    let total = |series: &str| -> u64 { rows.iter().filter(|r| r["series"] == series).map(|r| r["documents"].as_u64().unwrap()).sum() };
    // the entity table counts the same documents, unless some have no publication date
    assert!(total("company:nvidia") <= nvidia["documents"].as_u64().unwrap());
    assert!(total("company:nvidia") >= 1 && total("company:openai") >= 1);
    assert!(rows.iter().any(|r| r["documents"] == 0), "empty months are listed");
    // a query series and weekly buckets start on Mondays
    let weeks = v.json_lines(&["timeline", "stargate", "--by", "week", "--tz", "Europe/Paris", "--json"]);
    assert!(weeks.iter().map(|r| r["documents"].as_u64().unwrap()).sum::<u64>() >= 2);
    let first: &str = weeks[0]["period"].as_str().unwrap();
    let d = chrono::NaiveDate::parse_from_str(first, "%Y-%m-%d").unwrap();
    assert_eq!(chrono::Datelike::weekday(&d), chrono::Weekday::Mon);
    let bad = v.run(&["timeline", "x", "--tz", "Mars/Olympus"]);
    assert_eq!(bad.status.code(), Some(1));

    // trends over the whole sample period
    let trends = v.json_lines(&["trends", "--window", "60d", "--baseline", "365d", "--min-count", "1", "--json"]);
    assert!(!trends.is_empty());
    for t in &trends {
        for f in ["window_count", "baseline_count", "baseline_rate", "ratio", "score", "new", "first_seen"] {
            assert!(!t[f].is_null(), "{f} missing in {t}");
        }
    }
    // entities first, by score; then topics, by score
    for kind in [true, false] {
        let scores: Vec<f64> = trends.iter().filter(|t| (t["type"] == "topic") != kind).map(|t| t["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }
    assert!(trends.iter().any(|t| t["type"] == "topic"), "topics are ranked too");

    // Sam Altman shares OpenAI's stories
    let co = v.json_lines(&["cooccur", "company:openai", "--json"]);
    let altman: &Value = co.iter().find(|r| r["id"] == "person:sam-altman").expect("altman co-occurs with openai");
    assert!(altman["stories"].as_u64().unwrap() >= 2 && altman["lift"].as_f64().unwrap() > 1.0, "{altman}");
}

/// Monitoring tables on hand-written articles (no model stage: no stories, exact
/// counts): shares of attention, top sources, top terms, the summary against the
/// previous period, and saved searches.
#[test]
fn shares_sources_terms_summaries_and_saved_searches() {
    let v = Vigie::new();
    let line = |id: &str, lang: &str, source: &str, day: &str, title: &str, body: &str| {
        serde_json::json!({"id": id, "lang": lang, "source": source, "published": format!("2025-01-{day}T09:00:00Z"),
            "title": title, "body": body})
        .to_string()
    };
    let ships = "Nvidia said on Monday that its H200 accelerators are shipping to the largest cloud providers this quarter.";
    let lines = [
        line("a", "en", "Reuters", "20", "Nvidia ships H200 chips to cloud providers", ships),
        line("b", "en", "Wire", "20", "Nvidia ships H200 chips to cloud providers", ships),
        line(
            "c",
            "fr",
            "Le Monde",
            "21",
            "Nvidia livre ses puces H200",
            "Nvidia a annoncé lundi que ses accélérateurs sont livrés aux fournisseurs de cloud.",
        ),
        line(
            "d",
            "en",
            "Reuters",
            "22",
            "Airbus delivers A350 jets",
            "Airbus delivered three A350 jets to Air France on Wednesday, the airline said.",
        ),
        line(
            "e",
            "en",
            "Reuters",
            "28",
            "Nvidia chips power Stargate",
            "Thousands of Nvidia chips will train the next models in the Stargate data centers in Texas.",
        ),
        line(
            "f",
            "fr",
            "Les Echos",
            "29",
            "Airbus livre des avions",
            "Airbus a livré mercredi trois avions long-courriers à la compagnie, après des retards.",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let p = crate::common::write(tmp.path(), "news.jsonl", lines.join("\n").as_bytes());
    v.ok(&["ingest", "--quiet", "--no-entities", "--no-alerts", p.to_str().unwrap()]);

    // share of attention: the copy counts once, each week against all its originals
    let rows = v.json_lines(&["timeline", "nvidia", "--by", "week", "--normalize", "--json"]);
    let shares: Vec<(&str, u64, f64)> = rows
        .iter()
        .map(|r| (r["period"].as_str().unwrap(), r["documents"].as_u64().unwrap(), r["document_share"].as_f64().unwrap()))
        .collect();
    assert_eq!(shares, [("2025-01-20", 2, 2.0 / 3.0), ("2025-01-27", 1, 0.5)]);
    assert!(rows.iter().all(|r| r["share"].is_number()), "{rows:?}");
    assert!(v.ok(&["timeline", "nvidia", "--normalize"]).lines().next().unwrap().contains("share"));
    assert!(v.json_lines(&["timeline", "nvidia", "--json"])[0].get("share").is_none());

    // top sources
    let all = v.json_lines(&["sources", "--json"]);
    let names: Vec<&str> = all.iter().map(|r| r["source"].as_str().unwrap()).collect();
    assert_eq!(names, ["Reuters", "Le Monde", "Les Echos", "Wire"]);
    assert_eq!((all[0]["documents"].as_u64(), all[0]["share"].as_f64()), (Some(3), Some(0.5)));
    assert_eq!(all[3]["copies"], 1);
    let nvidia = v.json_lines(&["sources", "nvidia", "--top", "1", "--json"]);
    assert_eq!(nvidia.len(), 1);
    assert_eq!(
        (nvidia[0]["source"].as_str(), nvidia[0]["documents"].as_u64(), nvidia[0]["share"].as_f64()),
        (Some("Reuters"), Some(2), Some(0.5))
    );
    assert!(v.ok(&["sources", "--lang", "fr"]).contains("Les Echos"));

    // top terms: English against English, French against French
    let terms = v.json_lines(&["terms", "nvidia", "--min-docs", "1", "--json"]);
    let top: Vec<(&str, &str, u64, u64)> = terms[..2]
        .iter()
        .map(|r| {
            (
                r["term"].as_str().unwrap(),
                r["lang"].as_str().unwrap(),
                r["documents"].as_u64().unwrap(),
                r["corpus_documents"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(top, [("chip", "en", 2, 2), ("nvidia", "en", 2, 2)]);
    // 14 English term-documents in two classes: A = 7, 2 ln(1 + 7/2)
    assert!((terms[0]["score"].as_f64().unwrap() - 2.0 * 4.5f64.ln()).abs() < 1e-9, "{}", terms[0]);
    assert!(terms.iter().any(|r| r["term"] == "nvidia" && r["lang"] == "fr"));
    assert!(!terms.iter().any(|r| r["term"] == "airbus"));
    assert!(v.ok(&["terms", "airbus", "--min-docs", "1"]).contains("avion"));

    // the summary against the previous week
    let s = v.json(&["summary", "--since", "2025-01-27", "--until", "2025-02-03", "--json"]);
    assert_eq!(s["documents"], serde_json::json!({"value": 2, "previous": 4, "change": -0.5}));
    assert_eq!(s["copy_rate"], serde_json::json!({"value": 0.0, "previous": 0.25, "change": -1.0}));
    assert_eq!(s["previous"]["since"], "2025-01-20T00:00:00Z");
    let human = v.ok(&["summary", "nvidia", "--since", "2025-01-27", "--until", "2025-02-03"]);
    assert!(human.contains("documents") && human.contains("-66.7%"), "{human}");
    assert_eq!(v.run(&["summary", "--since", "soon"]).status.code(), Some(1));

    // saved searches
    v.ok(&["searches", "add", "chips", "nvidia OR amd", "--lang", "en", "--since", "30d"]);
    v.ok(&["searches", "add", "air", "airbus"]);
    let saved = v.json_lines(&["searches", "list", "--json"]);
    assert_eq!(saved[1], serde_json::json!({"name": "chips", "query": "nvidia OR amd", "lang": "en", "since": "30d"}));
    assert_eq!(v.run(&["searches", "add", "chips", "x"]).status.code(), Some(1), "a name is taken once");
    assert_eq!(v.run(&["searches", "add", "bad", "title:("]).status.code(), Some(1));
    assert!(v.ok(&["searches", "list"]).contains("lang=en since=30d"));
    // an alert starts from a saved search: its query and language, the dates left out
    v.ok(&["alerts", "add", "chips-alert", "--from-search", "chips", "--notify", "stdout"]);
    let rules = v.json_lines(&["alerts", "list", "--json"]);
    assert_eq!(
        (rules[0]["name"].as_str(), rules[0]["query"].as_str(), rules[0]["lang"].as_str()),
        (Some("chips-alert"), Some("nvidia OR amd"), Some("en"))
    );
    assert_eq!(v.run(&["alerts", "add", "x", "--from-search", "nope"]).status.code(), Some(1));
    assert_eq!(v.run(&["alerts", "add", "x"]).status.code(), Some(1), "a query or a saved search");
    v.ok(&["searches", "rm", "chips"]);
    let o = v.run(&["searches", "rm", "chips"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&o.stderr).trim(), "error: no saved search named \"chips\"");
    assert_eq!(v.json_lines(&["searches", "list", "--json"]).len(), 1);
}
