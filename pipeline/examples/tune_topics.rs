//! Development tool: re-runs topic clustering over `vigie eval clusters --dump` files
//! (stories first, with the committed language means, as an ingest does) under a grid of
//! topic settings and prints the NMI and topic count of every set per setting. Used with
//! the tuning halves of the MasakhaNEWS dev sets (`scripts/eval-topic-halves.sh --split`
//! writes them) and small focused corpora; the held-back halves are scored by the script.
//!
//! ```text
//! cargo run --release -p vigie-pipeline --example tune_topics -- \
//!     --set fra-a=fra_a.dump.jsonl --set eng-a=eng_a.dump.jsonl \
//!     [--threshold 0.05,0.1] [--assign 0.1] [--recentre 0,0.5,1] [--min-articles 3]
//! ```

use std::collections::BTreeMap;
use vigie_pipeline::cluster_scores::nmi;
use vigie_pipeline::stories::{default_prior, Stories, StoryConfig, StoryInput};
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
            }
        })
        .collect()
}

fn floats(s: &str) -> Vec<f32> {
    s.split(',').map(|x| x.parse().expect("a number")).collect()
}

fn main() {
    let mut sets: Vec<(String, String)> = Vec::new();
    let mut thresholds = floats("0.1");
    let mut assigns: Option<Vec<f32>> = None;
    let mut recentres = floats("0");
    let mut mins = vec![3u32];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--set" => {
                let v = val();
                let (n, p) = v.split_once('=').expect("--set NAME=PATH");
                sets.push((n.to_string(), p.to_string()));
            }
            "--threshold" => thresholds = floats(&val()),
            "--assign" => assigns = Some(floats(&val())),
            "--recentre" => recentres = floats(&val()),
            "--min-articles" => mins = val().split(',').map(|x| x.parse().expect("a count")).collect(),
            o => panic!("unknown argument {o}"),
        }
    }
    let prior = default_prior();
    let cfg = StoryConfig::default();
    // stories once per set: they do not depend on the topic settings
    let prepared: Vec<(String, Vec<Row>, Vec<String>, Stories)> = sets
        .iter()
        .map(|(name, path)| {
            let rows = read(path);
            let mut st = Stories::new(cfg.clone(), prior.clone());
            let ids: Vec<String> = rows
                .iter()
                .map(|r| {
                    st.assign(&StoryInput {
                        id: &r.id,
                        when: r.when,
                        lang: &r.lang,
                        embedding: r.emb.as_deref(),
                        entities: r.entities.iter().map(String::as_str).collect(),
                        terms: &r.terms,
                        dup_of: r.dup_of.as_ref(),
                        story: None,
                        body: "",
                    })
                })
                .collect();
            (name.clone(), rows, ids, st)
        })
        .collect();
    print!("threshold\tassign\trecentre\tmin");
    for (n, ..) in &prepared {
        print!("\t{n}");
    }
    println!();
    for &t in &thresholds {
        for &at in assigns.clone().unwrap_or_else(|| vec![t]).iter() {
            for &r in &recentres {
                for &m in &mins {
                    let tcfg = TopicConfig { threshold: t, assign_threshold: at, recentre: r, min_articles: m, ..TopicConfig::default() };
                    print!("{t}\t{at}\t{r}\t{m}");
                    for (_, rows, ids, st) in &prepared {
                        let centroids: Vec<Vec<f32>> =
                            st.stories().iter().map(|s| if s.size > 0 { st.centred_centroid(s) } else { Vec::new() }).collect();
                        let points: Vec<StoryPoint<'_>> =
                            st.stories().iter().zip(&centroids).map(|(s, c)| StoryPoint { centroid: c, size: s.size }).collect();
                        let c = cluster(&points, &tcfg);
                        let of: BTreeMap<&str, Option<usize>> =
                            st.stories().iter().zip(&c.assignment).map(|(s, a)| (s.id.as_str(), *a)).collect();
                        let labels: Vec<String> =
                            ids.iter().map(|s| of.get(s.as_str()).copied().flatten().map_or("-".to_string(), |t| t.to_string())).collect();
                        let gold: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
                        let score = nmi(&gold, &labels.iter().map(String::as_str).collect::<Vec<_>>());
                        let out = labels.iter().filter(|l| *l == "-").count();
                        print!("\t{score:.4} k{} o{out}", c.centroids.len());
                    }
                    println!();
                }
            }
        }
    }
}
