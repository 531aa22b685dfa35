//! `vigie-bench lang`: the language detector with and without its function-word fast
//! path on the same articles: how often each decides, where they disagree, accuracy
//! against the corpus's own language, and the time each takes.

use crate::harness::{print_json, usage_error};
use clap::Args;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Instant;
use vigie_engine::corpus;
use vigie_pipeline::lang::{LangConfig, LangDecision, LangDetector};

#[derive(Args, Debug)]
pub struct LangBench {
    /// MasakhaNEWS TSV files (`fra_*` are French, `eng_*` English)
    #[arg(long, num_args = 1..)]
    pub tsv: Vec<PathBuf>,
    /// WMT newstest JSON lines (each line carries its `lang`)
    #[arg(long)]
    pub wmt: Option<PathBuf>,
    /// Reuters-21578 directory (English)
    #[arg(long)]
    pub reuters: Option<PathBuf>,
    /// HuffPost news-category JSON lines (English)
    #[arg(long)]
    pub huffpost: Option<PathBuf>,
    /// Passes over each corpus per side (the fastest is kept)
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// The report as one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
}

/// One article: title, body and the language its corpus says it is in.
struct Doc {
    title: String,
    body: String,
    gold: String,
}

#[derive(Serialize)]
struct Row {
    corpus: String,
    articles: usize,
    /// decided by the function-word count
    function_words: usize,
    /// articles whose language differs between the two detectors
    disagree: usize,
    accuracy_with: f64,
    accuracy_without: f64,
    ms_with: f64,
    ms_without: f64,
    /// a few disagreements: (gold, with, without, start of the text)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    examples: Vec<(String, String, String, String)>,
}

#[derive(Deserialize)]
struct WmtLine {
    lang: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

fn corpora(a: &LangBench) -> anyhow::Result<Vec<(String, Vec<Doc>)>> {
    let mut out = Vec::new();
    for p in &a.tsv {
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let gold = match name.get(..3) {
            Some("fra") => "fr",
            Some("eng") => "en",
            _ => return Err(usage_error(format!("{}: a MasakhaNEWS file is named fra_* or eng_*", p.display()))),
        };
        let docs = corpus::masakhanews(p)?.into_iter().map(|r| Doc { title: r.headline, body: r.text, gold: gold.into() }).collect();
        out.push((name, docs));
    }
    if let Some(p) = &a.wmt {
        let f = std::io::BufReader::new(std::fs::File::open(p)?);
        let mut docs = Vec::new();
        for (i, line) in f.lines().enumerate() {
            let l: WmtLine = serde_json::from_str(&line?).map_err(|e| anyhow::anyhow!("{}:{}: {e}", p.display(), i + 1))?;
            docs.push(Doc { title: l.title, body: l.body, gold: l.lang });
        }
        out.push(("wmt".into(), docs));
    }
    let english = |arts: Vec<vigie_schemas::Article>| -> Vec<Doc> {
        arts.into_iter().map(|x| Doc { title: x.title.unwrap_or_default(), body: x.body.unwrap_or_default(), gold: "en".into() }).collect()
    };
    if let Some(r) = &a.reuters {
        out.push(("reuters21578".into(), english(corpus::reuters(r)?)));
    }
    if let Some(h) = &a.huffpost {
        out.push(("huffpost".into(), english(corpus::huffpost(h)?)));
    }
    Ok(out)
}

/// The decisions of one side over a corpus, and the fastest of `runs` passes in ms.
fn side(det: &LangDetector, docs: &[Doc], runs: usize) -> (Vec<LangDecision>, f64) {
    let mut best = f64::INFINITY;
    let mut out = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        out = docs.iter().map(|d| det.detect(&d.title, &d.body, None)).collect();
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    (out, best)
}

pub fn bench(a: LangBench) -> anyhow::Result<()> {
    let corpora = corpora(&a)?;
    if corpora.is_empty() {
        return Err(usage_error("give --tsv FILE..., --wmt FILE, --reuters DIR and/or --huffpost FILE"));
    }
    let with = LangDetector::new(&LangConfig::default())?;
    let mut without = LangDetector::new(&LangConfig::default())?;
    without.set_function_words(false);
    with.warm();
    without.warm();
    let mut rows = Vec::new();
    for (name, docs) in &corpora {
        let (w, ms_with) = side(&with, docs, a.runs);
        let (wo, ms_without) = side(&without, docs, a.runs);
        let correct = |ds: &[LangDecision]| ds.iter().zip(docs).filter(|(d, doc)| d.lang.as_str() == doc.gold).count();
        let mut examples = Vec::new();
        let mut disagree = 0;
        for ((x, y), doc) in w.iter().zip(&wo).zip(docs) {
            if x.lang != y.lang {
                disagree += 1;
                if examples.len() < 5 {
                    let start: String = format!("{} | {}", doc.title, doc.body).chars().take(120).collect();
                    examples.push((doc.gold.clone(), x.lang.as_str().to_string(), y.lang.as_str().to_string(), start));
                }
            }
        }
        let n = docs.len().max(1) as f64;
        rows.push(Row {
            corpus: name.clone(),
            articles: docs.len(),
            function_words: w.iter().filter(|d| d.method == "function-words").count(),
            disagree,
            accuracy_with: correct(&w) as f64 / n,
            accuracy_without: correct(&wo) as f64 / n,
            ms_with,
            ms_without,
            examples,
        });
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json(&mut out, &rows);
    }
    writeln!(
        out,
        "{:<14} {:>8} {:>10} {:>9} {:>9} {:>9} {:>10} {:>10}",
        "corpus", "articles", "fn-words", "disagree", "acc with", "acc w/o", "ms with", "ms w/o"
    )?;
    for r in &rows {
        writeln!(
            out,
            "{:<14} {:>8} {:>10} {:>9} {:>9.4} {:>9.4} {:>10.1} {:>10.1}",
            r.corpus, r.articles, r.function_words, r.disagree, r.accuracy_with, r.accuracy_without, r.ms_with, r.ms_without
        )?;
        for (gold, x, y, start) in &r.examples {
            writeln!(out, "    gold {gold}, with {x}, without {y}: {start}")?;
        }
    }
    Ok(())
}
