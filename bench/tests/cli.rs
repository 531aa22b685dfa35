//! The real `vigie-bench` binary on a small slice of the shared corpora (one Reuters
//! file, about 900 articles): the benchmarks that need no model, in seconds.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigie-bench"))
        .args(args)
        .env("VIGIE_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("vigie-bench runs")
}

fn json(o: &Output) -> Value {
    assert!(o.status.success(), "exit {:?}: {}", o.status, String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// `../shared/data` beside the checkout, when it is there (skipped, or failed under CI).
fn shared_data(what: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(what);
    if p.exists() {
        Some(p)
    } else {
        vigie_pipeline::testing::absent(&p, "the shared data sets live beside the checkout");
        None
    }
}

/// A Reuters directory that holds only `reut2-000.sgm`.
fn one_reuters_file(tmp: &Path) -> Option<PathBuf> {
    let sgm = shared_data("corpus/reuters21578/reut2-000.sgm")?;
    let dir = tmp.join("reuters");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(sgm, dir.join("reut2-000.sgm")).unwrap();
    Some(dir)
}

#[test]
fn ingest_runs_each_side_in_its_own_process_and_reports_both() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(reuters) = one_reuters_file(tmp.path()) else { return };
    let r = json(&bench(&["ingest", "--corpus", reuters.to_str().unwrap(), "--json"]));
    let articles = r["articles"].as_u64().unwrap();
    assert!(articles > 800, "{r}");
    assert_eq!(r["vigie_indexed"].as_u64(), Some(articles), "every article stored once: {r}");
    for side in ["vigie", "tantivy"] {
        assert!(r[format!("{side}_articles_per_s")].as_f64().unwrap() > 0.0, "{r}");
        assert!(r[format!("{side}_peak_rss_mb")].as_f64().unwrap() > 0.0, "each child reads its own VmHWM: {r}");
    }
}

#[test]
fn alerts_draw_the_same_rules_every_run_and_time_them() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(reuters) = one_reuters_file(tmp.path()) else { return };
    let args = ["alerts", "--reuters", reuters.to_str().unwrap(), "--rules", "40", "--batch", "100", "--runs", "2", "--json"];
    let (a, b) = (json(&bench(&args)), json(&bench(&args)));
    assert_eq!((a["rules"].as_u64(), a["batch"].as_u64(), a["runs"].as_u64()), (Some(40), Some(100), Some(2)), "{a}");
    assert!(a["matches_per_batch"].as_f64().unwrap() > 0.0, "rules drawn from the titles match some: {a}");
    assert_eq!(a["matches_per_batch"], b["matches_per_batch"], "seeded rules: same matches");
    assert!(a["total_p99_ms"].as_f64().unwrap() >= a["total_p50_ms"].as_f64().unwrap(), "{a}");
    let e2e = a["end_to_end"].as_array().unwrap();
    assert_eq!(e2e.len(), 2, "{a}");
    assert!(e2e.iter().all(|e| e["documents"].as_u64() == Some(100)), "{a}");
}

#[test]
fn a_missing_corpus_is_a_usage_error() {
    let o = bench(&["queries", "--reuters", "/nonexistent/reuters", "--huffpost", "/nonexistent/huffpost.jsonl"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("error: ") && err.contains("/nonexistent/reuters") && err.lines().count() == 1, "{err}");
    assert!(o.stdout.is_empty());
}

/// `pages` scores vigie's extraction of each page beside another extractor's output
/// (trafilatura's, as trafilatura-pages.py writes it) with the same snippet scorer.
#[test]
fn pages_scores_vigie_beside_the_yardstick_with_one_scorer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("pages")).unwrap();
    let p = "La start-up parisienne a annoncé lundi une levée de fonds de 600 millions d'euros menée par des fonds américains.";
    let q = "Les fonds serviront à recruter des ingénieurs à Paris et à Londres, et à acheter de la puissance de calcul.";
    let page = format!(
        "<html><body><nav><a href=\"/\">Accueil du site</a> <a href=\"/eco\">Rubrique économie</a></nav><article><h1>T</h1><p>{p}</p><p>{q}</p></article>\
         <footer><p>Mentions légales du site</p></footer></body></html>"
    );
    std::fs::write(dir.join("pages/001-x.html"), &page).unwrap();
    std::fs::write(dir.join("pages/002-y.html"), "<html><body><div id=\"app\"></div></body></html>").unwrap();
    let gold = [
        serde_json::json!({"file": "001-x.html", "template": "x", "split": "tune", "with": ["levée de fonds de 600 millions", "recruter des ingénieurs à Paris"], "without": ["Mentions légales du site", "Rubrique économie"]}),
        serde_json::json!({"file": "002-y.html", "template": "y", "split": "heldout", "with": ["un texte que la page ne montre pas"], "without": []}),
    ];
    std::fs::write(dir.join("gold.jsonl"), gold.iter().map(|g| g.to_string() + "\n").collect::<String>()).unwrap();
    // the yardstick kept the footer of page 1 and found nothing on page 2
    let other = [
        serde_json::json!({"file": "001-x.html", "variant": "default", "text": format!("{p}\n{q}\nMentions légales du site")}),
        serde_json::json!({"file": "002-y.html", "variant": "default", "text": null}),
    ];
    std::fs::write(dir.join("trafilatura.jsonl"), other.iter().map(|g| g.to_string() + "\n").collect::<String>()).unwrap();
    let r = json(&bench(&["pages", "--pages", dir.to_str().unwrap(), "--json", "--by-template"]));
    assert_eq!(r["pages"], 2, "{r}");
    let rows = r["extractors"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|x| x["extractor"] == name).unwrap_or_else(|| panic!("{name}: {r}"))["scores"].clone();
    let vigie = row("vigie");
    assert_eq!(
        (vigie["tune"]["tp"].as_u64(), vigie["tune"]["fp"].as_u64(), vigie["tune"]["fn"].as_u64()),
        (Some(2), Some(0), Some(0)),
        "{r}"
    );
    // nothing on page 2: its snippet is missed, the page counts as empty
    assert_eq!((vigie["heldout"]["fn"].as_u64(), vigie["heldout"]["empty"].as_u64()), (Some(1), Some(1)), "{r}");
    let t = row("trafilatura default");
    assert_eq!((t["all"]["tp"].as_u64(), t["all"]["fp"].as_u64(), t["all"]["fn"].as_u64()), (Some(2), Some(1), Some(1)), "{r}");
    assert!((t["all"]["precision"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9, "{r}");
    assert!(vigie.get("tune/x").is_some(), "{r}");
    // vigie's texts are kept beside the gold for inspection
    assert!(std::fs::read_to_string(dir.join("vigie.jsonl")).unwrap().contains("levée de fonds"));
}
