//! Topics through the real encoder on small focused corpora: the samples (18 AI-industry
//! articles on chips, data centres and AI labs) and 24 tech-news articles on four
//! subjects split into several topics instead of one, and their labels lead with the
//! topic's entities and distinctive words, not with words every news article says.

use crate::common::{models, repo, samples, Vigie};
use serde_json::Value;

/// The encoder is there; else the test skips, or fails under CI.
fn encoder() -> bool {
    let p = models().join("e5-small/model.safetensors");
    if p.exists() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none_or(|v| v.is_empty()), "{} is absent and CI is set: run `make models`", p.display());
    eprintln!("skipped: {} is absent (run `make models`)", p.display());
    false
}

/// Words common in all news that led labels before the background was used.
const GENERIC: [&str; 10] = ["said", "chief", "executive", "announced", "company", "annoncé", "selon", "dollars", "milliards", "centres"];

fn check_labels(topics: &[Value]) {
    for t in topics {
        let label = t["label"].as_str().unwrap();
        // "Names: en words / fr words": the first keyword of each language is no generic word
        let words = label.split_once(": ").map_or(label, |(_, w)| w);
        for part in words.split(" / ") {
            let first = part.split(", ").next().unwrap().to_lowercase();
            assert!(!GENERIC.contains(&first.as_str()), "{first:?} leads {label:?}");
        }
    }
}

#[test]
fn eighteen_samples_on_three_subjects_make_several_topics_with_entity_labels() {
    if !encoder() {
        return;
    }
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    let topics = v.json_lines(&["topics", "--json"]);
    let sizes: Vec<u64> = topics.iter().map(|t| t["size"].as_u64().unwrap()).collect();
    let total: u64 = v.json_lines(&["search", "*", "--json", "--limit", "100"]).len() as u64;
    assert!(topics.len() >= 3, "{topics:#?}");
    // no topic swallows the corpus
    assert!(sizes.iter().all(|&s| 2 * s <= total), "sizes {sizes:?} of {total}");
    // labels name entities of the samples and lead with no generic word
    let labels: Vec<&str> = topics.iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert!(labels.iter().filter(|l| l.contains(": ")).count() >= 2, "{labels:?}");
    let all = labels.join(" | ");
    assert!(["Nvidia", "OpenAI", "Stargate", "SoftBank", "Google"].iter().any(|n| all.contains(n)), "{all}");
    check_labels(&topics);
}

#[test]
fn four_tech_subjects_become_four_topics() {
    if !encoder() {
        return;
    }
    let v = Vigie::new();
    let gold = repo().join("tests/e2e/fixtures/topics-tech.jsonl");
    let kept = v.data().parent().unwrap().join("kept");
    let r = v.json(&["eval", "clusters", "--gold", gold.to_str().unwrap(), "--into", kept.to_str().unwrap(), "--json"]);
    assert_eq!((r["articles"].as_u64(), r["gold_clusters"].as_u64()), (Some(24), Some(4)), "{r}");
    assert!(r["topics"].as_u64().unwrap() >= 3, "{r}");
    assert!(r["topics_nmi"].as_f64().unwrap() >= 0.8, "{r}");
    let out = std::process::Command::new(crate::common::bin())
        .args(["--data", kept.to_str().unwrap(), "topics", "--json"])
        .env("VIGIE_MODELS", models())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let topics: Vec<Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    check_labels(&topics);
}
