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
