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
