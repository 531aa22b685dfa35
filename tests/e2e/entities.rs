//! Entities through the real encoder and the committed NER head.

use crate::common::{samples, Vigie};
use serde_json::Value;

fn entity<'a>(doc: &'a Value, id: &str) -> Option<&'a Value> {
    doc["entities"].as_array().unwrap().iter().find(|e| e["id"] == id)
}

#[test]
fn articles_get_typed_linked_entities_in_both_languages() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    let fr = v.json(&["show", "sample-stargate-fr", "--json"]);
    let en = v.json(&["show", "sample-stargate-en", "--json"]);
    // "la Maison Blanche" and "the White House" are one organization
    let wh_fr = entity(&fr, "organization:white-house").unwrap_or_else(|| panic!("{fr:#}"));
    let wh_en = entity(&en, "organization:white-house").unwrap_or_else(|| panic!("{en:#}"));
    assert_eq!(wh_fr["type"], "organization");
    assert_eq!(wh_fr["surface"][0], "Maison Blanche");
    assert_eq!(wh_en["surface"][0], "White House");
    let trump = entity(&fr, "person:donald-trump").unwrap();
    assert_eq!(trump["in_title"], true);
    assert_eq!(trump["name"], "Donald Trump");
    // the knowledge base's Wikidata items go along; unknown names have none
    assert_eq!(trump["wikidata"], "Q22686");
    assert_eq!(entity(&en, "company:openai").unwrap()["wikidata"], "Q21708200");
    assert!(fr["entities"].as_array().unwrap().iter().all(|e| e["wikidata"].as_str().is_none_or(|q| q.starts_with('Q'))));
    for id in ["company:openai", "company:softbank", "company:oracle", "person:sam-altman", "person:masayoshi-son"] {
        assert!(entity(&fr, id).is_some() && entity(&en, id).is_some(), "{id} missing");
    }
    // possessives fold: "SoftBank's Masayoshi Son"
    assert!(entity(&en, "company:softbank").unwrap()["surface"].as_array().unwrap().iter().all(|s| !s.as_str().unwrap().ends_with("'s")));
    // GPUs from the catalogue, with canonical ids
    let nv = v.json_lines(&["search", "blackwell ramps", "--json"]);
    let doc = v.json(&["show", nv[0]["id"].as_str().unwrap(), "--json"]);
    for id in [
        "gpu:nvidia-gb200",
        "gpu:nvidia-b300",
        "gpu:nvidia-h100",
        "gpu:nvidia-h200",
        "gpu:nvidia-h20",
        "person:jensen-huang",
        "company:nvidia",
    ] {
        assert!(entity(&doc, id).is_some(), "{id} missing from {doc:#}");
    }
    assert_eq!(entity(&doc, "gpu:nvidia-gb200").unwrap()["type"], "gpu");
}

#[test]
fn entity_counts_and_search_by_entity_count_a_story_once() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    // Sam Altman: the FR and EN Stargate articles and the OpenAI-Microsoft item; the
    // syndicated copy of the EN article is a duplicate and does not count
    let people = v.json_lines(&["entities", "--type", "person", "--top", "50", "--json"]);
    let altman = people.iter().find(|e| e["id"] == "person:sam-altman").unwrap_or_else(|| panic!("{people:#?}"));
    assert_eq!(altman["documents"], 3, "{altman}");
    assert_eq!(altman["name"], "Sam Altman");
    assert_eq!(altman["wikidata"], "Q7407093");
    assert!(people.iter().all(|e| e["type"] == "person"));
    let gpus = v.json_lines(&["entities", "--type", "gpu", "--json"]);
    assert!(gpus.iter().any(|e| e["id"] == "gpu:nvidia-h100"), "{gpus:#?}");
    let hits = v.json_lines(&["search", "*", "--entity", "person:sam-altman", "--json", "--limit", "50"]);
    assert_eq!(hits.len(), 4, "search returns the duplicate too (it is marked dup_of)");
    let since = v.json_lines(&["entities", "--type", "person", "--since", "2025-06-01", "--json", "--top", "50"]);
    assert!(since.iter().all(|e| e["id"] != "person:masayoshi-son"), "the Stargate articles are from January");
    let bad = v.run(&["entities", "--type", "planet"]);
    assert_eq!(bad.status.code(), Some(1));
}

/// `--precision`: `auto` resolves on this CPU (the log names it), fp32 gives the same
/// entities on the samples, and an unknown precision is a usage error.
#[test]
fn precision_is_chosen_per_cpu_and_keeps_the_entities() {
    let info = Vigie::new().json(&["model", "info", "--json"]);
    let auto = info["auto_precision"].as_str().unwrap().to_string();
    assert!(auto == "bf16" || auto == "fp32", "{info}");
    assert_eq!(auto == "bf16", info["native_bf16"] == true, "{info}");
    let ids = |precision: &str, policy: Option<&str>| {
        let v = Vigie::new();
        let mut cmd = v.cmd();
        if let Some(policy) = policy {
            cmd.env("OMP_WAIT_POLICY", policy);
        }
        let out = cmd
            .env("VIGIE_LOG", "info")
            .args(["ingest", samples().to_str().unwrap(), "--precision", precision, "--no-alerts"])
            .output()
            .expect("vigie runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // the log without its colours
        let mut log = String::new();
        let mut chars = String::from_utf8_lossy(&out.stderr).to_string().chars().collect::<Vec<_>>().into_iter();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                chars.by_ref().find(|&x| x == 'm');
            } else {
                log.push(c);
            }
        }
        let doc = v.json(&["show", "sample-stargate-en", "--json"]);
        let mut ids: Vec<String> = doc["entities"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
        ids.sort();
        (ids, log)
    };
    let (with_auto, log) = ids("auto", None);
    assert!(log.contains("model stage") && log.contains(&format!("precision={auto}")), "{log}");
    // the encoder's OpenMP threads spin briefly between parallel regions, then sleep,
    // unless asked otherwise
    assert!(log.contains(&format!("gomp_spincount=\"{}\"", vigie_engine::process::SPIN_ROUNDS)), "{log}");
    let (with_fp32, log) = ids("fp32", Some("ACTIVE"));
    assert!(log.contains("omp_wait_policy=\"ACTIVE\""), "{log}");
    assert_eq!(with_auto, with_fp32);
    let bad = Vigie::new().run(&["ingest", samples().to_str().unwrap(), "--precision", "fp8"]);
    assert_eq!(bad.status.code(), Some(1), "{}", String::from_utf8_lossy(&bad.stderr));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("fp8"));
}
