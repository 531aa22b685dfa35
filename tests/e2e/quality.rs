//! Quality floors measured on the shared dev data (skipped when it is absent).

use crate::common::{shared_data, Vigie};

#[test]
fn language_id_reaches_the_sentence_targets() {
    let Some(gold) = shared_data("langid") else { return };
    let v = Vigie::new();
    let r = v.json(&["eval", "lang", "--gold", gold.to_str().unwrap(), "--json"]);
    for row in r["rows"].as_array().unwrap() {
        if row["kind"] == "sentences" && (row["lang"] == "fr" || row["lang"] == "en") {
            let acc = row["accuracy"].as_f64().unwrap();
            assert!(acc >= 0.995, "{row}");
        }
        if row["kind"] == "word-pairs" && row["lang"] == "en" {
            assert!(row["accuracy"].as_f64().unwrap() >= 0.9, "{row}");
        }
    }
}

#[test]
fn near_duplicates_are_found_on_copies_of_real_articles() {
    let Some(corpus) = shared_data("corpus/reuters21578") else { return };
    let v = Vigie::new();
    let r = v.json(&["eval", "dedup", "--corpus", corpus.to_str().unwrap(), "--originals", "3000", "--json"]);
    assert!(r["recall"].as_f64().unwrap() >= 0.95, "{r}");
    assert!(r["precision"].as_f64().unwrap() >= 0.99, "{r}");
}

#[test]
fn ner_head_reaches_the_dev_targets_in_french_and_english() {
    let Some(ner) = shared_data("ner") else { return };
    let v = Vigie::new();
    for (file, floor) in [("wikineural_fr_val.conllu#dev", 0.88), ("wikineural_en_val.conllu#dev", 0.88)] {
        let gold = format!("{}/{file}", ner.display());
        let r = v.json(&["eval", "ner", "--gold", &gold, "--json"]);
        let f1 = r["f1_per_org_loc"].as_f64().unwrap();
        assert!(f1 >= floor, "{file}: F1(PER,ORG,LOC) {f1} < {floor}: {r}");
        for k in ["sentences", "precision", "recall", "f1", "by_type"] {
            assert!(r.get(k).is_some(), "{k} missing");
        }
        assert!(r["by_type"]["PER"]["f1"].as_f64().unwrap() > 0.9);
    }
}

#[test]
fn cluster_eval_scores_translation_pairs_keeps_its_data_directory_and_dumps_each_article() {
    let Some(wmt) = shared_data("crosslingual/wmt14_fren_dev.jsonl") else { return };
    let v = Vigie::new();
    // the first 20 French/English pairs of the dev set: 20 gold stories of 2 articles
    let lines: Vec<String> = std::fs::read_to_string(wmt).unwrap().lines().take(40).map(String::from).collect();
    let gold = crate::common::write(v.data().parent().unwrap(), "gold.jsonl", (lines.join("\n") + "\n").as_bytes());
    let dump = v.data().parent().unwrap().join("dump.jsonl");
    let kept = v.data().parent().unwrap().join("kept");
    let (g, d, k) = (gold.to_str().unwrap(), dump.to_str().unwrap(), kept.to_str().unwrap());
    let r = v.json(&["eval", "clusters", "--gold", g, "--into", k, "--dump", d, "--json"]);
    assert_eq!((r["labels"].as_str(), r["articles"].as_u64(), r["gold_clusters"].as_u64()), (Some("story"), Some(40), Some(20)), "{r}");
    assert!(r["stories_bcubed"]["f1"].as_f64().unwrap() >= 0.95, "{r}");
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&dump).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().all(|x| x["emb"].as_array().is_some_and(|e| e.len() == 384) && x["story"].is_string()), "{}", rows[0]);
    // the data directory given with --into is a real one: the articles are searchable
    let out =
        std::process::Command::new(crate::common::bin()).args(["--data", k, "search", "*", "--json", "--limit", "100"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 40);
}
