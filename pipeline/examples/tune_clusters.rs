//! Development tool: re-runs story and topic clustering over the dumps of
//! `vigie eval clusters --gold G --dump D.jsonl` (label, language, date, embedding,
//! entities and title terms of each gold article, in ingest order) under a grid of
//! settings, without re-encoding, and prints B-cubed F1 (story labels) and NMI (topic
//! labels) per setting. This is how the story threshold, the weights and the topic
//! thresholds were chosen on the development sets; it also writes the language means
//! of the topic dumps (`--means OUT`, the `lang-means.json` format).
//!
//! ```text
//! cargo run --release -p vigie-pipeline --example tune_clusters -- \
//!     --stories wmt.jsonl --topics fra.jsonl --topics eng.jsonl [--means lang-means.json]
//! ```

use std::collections::BTreeMap;
use vigie_pipeline::cluster_scores::{bcubed, nmi};
use vigie_pipeline::stories::{add_to, default_prior, Stories, StoryConfig, StoryInput};
use vigie_pipeline::topics::{cluster, StoryPoint, TopicConfig};
use vigie_schemas::DocId;

struct Row {
    id: DocId,
    label: String,
    lang: String,
    when: i64,
    dup_of: Option<DocId>,
    emb: Option<Vec<f32>>,
    entities: Vec<String>,
    terms: Vec<String>,
    body: String,
}

fn read(path: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("dump line");
            let strs = |k: &str| -> Vec<String> {
                v[k].as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default()
            };
            Row {
                id: DocId(v["id"].as_str().expect("id").to_string()),
                label: v["label"].as_str().expect("label").to_string(),
                lang: v["lang"].as_str().unwrap_or("und").to_string(),
                when: v["when"].as_i64().unwrap_or(0),
                dup_of: v["dup_of"].as_str().map(|s| DocId(s.to_string())),
                emb: v["emb"].as_array().map(|a| a.iter().map(|x| x.as_f64().unwrap_or(0.0) as f32).collect()),
                entities: strs("entities"),
                terms: strs("terms"),
                body: v["body"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// Story ids of `rows` in order, and the story state.
fn stories(rows: &[Row], cfg: &StoryConfig, prior: &BTreeMap<String, Vec<f32>>) -> (Vec<String>, Stories) {
    let mut st = Stories::new(cfg.clone(), prior.clone());
    let ids = rows
        .iter()
        .map(|r| {
            st.assign(&StoryInput {
                id: &r.id,
                when: r.when,
                lang: &r.lang,
                embedding: r.emb.as_deref(),
                entities: r.entities.iter().map(String::as_str).collect(),
                terms: &r.terms,
                body: &r.body,
                dup_of: r.dup_of.as_ref(),
                story: None,
            })
        })
        .collect();
    (ids, st)
}

/// Topic label of each row ("-" for none) after clustering the story centroids.
fn topics(story_ids: &[String], st: &Stories, cfg: &TopicConfig) -> (Vec<String>, usize) {
    let centroids: Vec<Vec<f32>> = st.stories().iter().map(|s| if s.size > 0 { st.centred_centroid(s) } else { Vec::new() }).collect();
    let points: Vec<StoryPoint<'_>> = st.stories().iter().zip(&centroids).map(|(s, c)| StoryPoint { centroid: c, size: s.size }).collect();
    let c = cluster(&points, cfg);
    let of: BTreeMap<&str, Option<usize>> = st.stories().iter().zip(&c.assignment).map(|(s, a)| (s.id.as_str(), *a)).collect();
    let labels = story_ids.iter().map(|s| of.get(s.as_str()).copied().flatten().map_or("-".to_string(), |t| t.to_string())).collect();
    (labels, c.centroids.len())
}

fn mean(rows: &[Row]) -> Vec<f32> {
    let with: Vec<&Vec<f32>> = rows.iter().filter_map(|r| r.emb.as_ref()).collect();
    let mut m = vec![0f32; with.first().map_or(0, |e| e.len())];
    for e in &with {
        add_to(&mut m, e, 1.0 / with.len() as f32);
    }
    m
}

fn floats(s: &str) -> Vec<f32> {
    s.split(',').map(|x| x.parse().expect("a number")).collect()
}

fn main() {
    let mut story_files = Vec::new();
    let mut topic_files = Vec::new();
    let mut means_out = None;
    let mut committed_means = false;
    let mut thresholds = floats("0.5,0.55,0.6,0.62,0.65,0.7");
    let mut entity_weights = floats("0.3");
    let mut term_weights = floats("0.3");
    let mut figure_weights = floats("0");
    let mut gap_weights = floats("0");
    let mut number_weights = floats("0");
    let mut topic_thresholds = floats("0.05,0.075,0.1,0.125,0.15");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--stories" => story_files.push(val()),
            "--topics" => topic_files.push(val()),
            "--means" => means_out = Some(val()),
            "--committed-means" => committed_means = true,
            "--threshold" => thresholds = floats(&val()),
            "--entity-weight" => entity_weights = floats(&val()),
            "--term-weight" => term_weights = floats(&val()),
            "--figure-weight" => figure_weights = floats(&val()),
            "--gap-weight" => gap_weights = floats(&val()),
            "--number-weight" => number_weights = floats(&val()),
            "--topic-threshold" => topic_thresholds = floats(&val()),
            o => panic!("unknown argument {o}"),
        }
    }
    let story_sets: Vec<(String, Vec<Row>)> = story_files.iter().map(|f| (f.clone(), read(f))).collect();
    let topic_sets: Vec<(String, Vec<Row>)> = topic_files.iter().map(|f| (f.clone(), read(f))).collect();
    // language means of the topic dumps (one language per file)
    let mut prior = BTreeMap::new();
    for (_, rows) in &topic_sets {
        if let Some(r) = rows.first() {
            prior.insert(r.lang.clone(), mean(rows));
        }
    }
    if let (Some(fr), Some(en)) = (prior.get("fr"), prior.get("en")) {
        let both: Vec<f32> = fr.iter().zip(en).map(|(a, b)| (a + b) / 2.0).collect();
        prior.insert("*".into(), both);
    }
    if committed_means || prior.is_empty() {
        prior = default_prior();
    }
    if let Some(out) = &means_out {
        let json = serde_json::json!({ "means": prior });
        std::fs::write(out, serde_json::to_string(&json).expect("json")).expect("writing the means");
    }
    println!("threshold\tentity_w\tterm_w\tfigure_w\tgap_w\tnumber_w\ttopic_t\tset\tscore\tclusters");
    let mut grid = Vec::new();
    for &t in &thresholds {
        for &ew in &entity_weights {
            for &tw in &term_weights {
                for &fw in &figure_weights {
                    for &gw in &gap_weights {
                        for &nw in &number_weights {
                            grid.push((t, ew, tw, fw, gw, nw));
                        }
                    }
                }
            }
        }
    }
    for (t, ew, tw, fw, gw, nw) in grid {
        let cfg = StoryConfig {
            threshold: t,
            entity_weight: ew,
            term_weight: tw,
            figure_weight: fw,
            gap_weight: gw,
            number_weight: nw,
            ..StoryConfig::default()
        };
        let head = format!("{t}\t{ew}\t{tw}\t{fw}\t{gw}\t{nw}");
        for (name, rows) in &story_sets {
            let (ids, st) = stories(rows, &cfg, &prior);
            let gold: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
            let b = bcubed(&gold, &ids.iter().map(String::as_str).collect::<Vec<_>>());
            println!("{head}\t-\t{name}\tB3F1 {:.4} (P {:.4} R {:.4})\t{}", b.f1, b.precision, b.recall, st.len());
        }
        for (name, rows) in &topic_sets {
            let (ids, st) = stories(rows, &cfg, &prior);
            let gold: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
            for &tt in &topic_thresholds {
                let tcfg = TopicConfig { threshold: tt, assign_threshold: tt, ..TopicConfig::default() };
                let (labels, k) = topics(&ids, &st, &tcfg);
                let out = labels.iter().filter(|l| *l == "-").count() as f64 / labels.len().max(1) as f64;
                let score = nmi(&gold, &labels.iter().map(String::as_str).collect::<Vec<_>>());
                println!("{head}\t{tt}\t{name}\tNMI {score:.4} outliers {:.1}%\t{k}", 100.0 * out);
            }
        }
    }
}
