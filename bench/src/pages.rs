//! `vigie-bench pages`: main-text extraction of article pages, scored the way
//! trafilatura scores its own benchmark: per page, the snippets that must be in the
//! main text (a true positive each when found, a false negative when not) and the
//! boilerplate snippets that must not (a false positive each when found); precision,
//! recall and F1 over all pages. A page that gives nothing counts every snippet it
//! should have held as missed.
//!
//! The pages and their gold come from `scripts/make-pages.py` (real article texts of the
//! shared corpora in generated page templates, half of the templates held out from
//! tuning); trafilatura's output on the same pages, when `scripts/trafilatura-pages.py`
//! wrote it, is scored beside vigie's with the same scorer. `scripts/bench-pages.sh`
//! runs the three.

use crate::harness::print_json;
use anyhow::Context;
use clap::Args;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use vigie_pipeline::ingest::{parse_bytes, Format};

#[derive(Args, Debug)]
pub struct PagesBench {
    /// The folder make-pages.py wrote: gold.jsonl, pages/, and trafilatura.jsonl when
    /// trafilatura-pages.py ran
    #[arg(long)]
    pub pages: PathBuf,
    /// Also score each template alone
    #[arg(long)]
    pub by_template: bool,
    /// The report as one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
}

/// One page's gold: snippets of the article, and of the boilerplate around it.
#[derive(Deserialize)]
struct Gold {
    file: String,
    template: String,
    split: String,
    #[serde(rename = "with")]
    with_: Vec<String>,
    without: Vec<String>,
}

#[derive(Deserialize)]
struct Extracted {
    file: String,
    variant: String,
    text: Option<String>,
}

/// Snippet counts over a set of pages.
#[derive(Default, Clone, Copy, Serialize)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub pages: u64,
    /// pages that gave no text at all
    pub empty: u64,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: &Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.pages += o.pages;
        self.empty += o.empty;
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Whitespace runs as one space (the snippets come from within one paragraph; line
/// breaks between blocks differ from one extractor to the next).
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One page's counts: each snippet looked up as a plain substring of the text.
pub fn score(with_: &[String], without: &[String], text: Option<&str>) -> Counts {
    let mut c = Counts { pages: 1, ..Default::default() };
    match text.map(squash).filter(|t| !t.is_empty()) {
        None => {
            c.fn_ = with_.len() as u64;
            c.empty = 1;
        }
        Some(t) => {
            for s in with_ {
                if t.contains(&squash(s)) {
                    c.tp += 1;
                } else {
                    c.fn_ += 1;
                }
            }
            c.fp = without.iter().filter(|s| t.contains(&squash(s))).count() as u64;
        }
    }
    c
}

#[derive(Serialize)]
struct Row {
    extractor: String,
    /// by split ("tune", "heldout", "all") and, with --by-template, by template
    scores: BTreeMap<String, Score>,
}

#[derive(Serialize)]
struct Score {
    precision: f64,
    recall: f64,
    f1: f64,
    #[serde(flatten)]
    counts: Counts,
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(&line).with_context(|| format!("{}:{}: invalid record", path.display(), i + 1))?);
    }
    Ok(out)
}

/// vigie's main text of one page: the body of the article `vigie ingest` would store.
pub fn vigie_text(name: &str, html: &[u8]) -> Option<String> {
    parse_bytes(name, html, Format::Html).into_iter().next().and_then(|i| i.article.ok()).and_then(|a| a.body)
}

pub fn bench(a: PagesBench) -> anyhow::Result<()> {
    let gold: Vec<Gold> = read_jsonl(&a.pages.join("gold.jsonl"))
        .with_context(|| "no pages here: write them with scripts/make-pages.py --out DIR (or scripts/bench-pages.sh)")?;
    // extractor -> file -> text
    let mut texts: BTreeMap<String, BTreeMap<String, Option<String>>> = BTreeMap::new();
    let started = std::time::Instant::now();
    let mut dump = std::io::BufWriter::new(
        std::fs::File::create(a.pages.join("vigie.jsonl")).with_context(|| format!("writing {}", a.pages.join("vigie.jsonl").display()))?,
    );
    for g in &gold {
        let path = a.pages.join("pages").join(&g.file);
        let html = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let text = vigie_text(&g.file, &html);
        writeln!(dump, "{}", serde_json::json!({"file": g.file, "variant": "vigie", "text": text}))?;
        texts.entry("vigie".into()).or_default().insert(g.file.clone(), text);
    }
    dump.flush()?;
    let vigie_seconds = started.elapsed().as_secs_f64();
    let traf = a.pages.join("trafilatura.jsonl");
    if traf.exists() {
        for e in read_jsonl::<Extracted>(&traf)? {
            texts.entry(format!("trafilatura {}", e.variant)).or_default().insert(e.file, e.text);
        }
    } else if !a.json {
        eprintln!("pages: no {} (run scripts/trafilatura-pages.py): vigie alone", traf.display());
    }
    let mut rows = Vec::new();
    for (name, by_file) in &texts {
        let mut scores: BTreeMap<String, Counts> = BTreeMap::new();
        for g in &gold {
            let c = score(&g.with_, &g.without, by_file.get(&g.file).cloned().flatten().as_deref());
            let mut keys = vec![g.split.clone(), "all".to_string()];
            if a.by_template {
                keys.push(format!("{}/{}", g.split, g.template));
            }
            for k in keys {
                scores.entry(k).or_default().add(&c);
            }
        }
        let scores =
            scores.into_iter().map(|(k, c)| (k, Score { precision: c.precision(), recall: c.recall(), f1: c.f1(), counts: c })).collect();
        rows.push(Row { extractor: name.clone(), scores });
    }
    // vigie first, then the yardsticks
    rows.sort_by_key(|r| (r.extractor != "vigie", r.extractor.clone()));
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json(&mut out, &serde_json::json!({"pages": gold.len(), "vigie_seconds": vigie_seconds, "extractors": rows}));
    }
    writeln!(out, "{} pages ({}); snippets scored as trafilatura scores its benchmark", gold.len(), a.pages.display())?;
    let keys: Vec<String> = rows.first().map(|r| r.scores.keys().cloned().collect()).unwrap_or_default();
    let mut keys: Vec<String> = keys;
    // tune, heldout, all first; templates after
    keys.sort_by_key(|k| (k.contains('/'), k != "tune", k != "heldout", k.clone()));
    writeln!(out, "{:<34} {:<28} {:>6} {:>6} {:>6} {:>6}", "pages", "extractor", "P", "R", "F1", "empty")?;
    for k in &keys {
        for r in &rows {
            if let Some(s) = r.scores.get(k) {
                writeln!(
                    out,
                    "{:<34} {:<28} {:>6.3} {:>6.3} {:>6.3} {:>6}",
                    format!("{k} ({} pages)", s.counts.pages),
                    r.extractor,
                    s.precision,
                    s.recall,
                    s.f1,
                    s.counts.empty
                )?;
            }
        }
    }
    writeln!(out, "vigie: {} pages in {:.2} s", gold.len(), vigie_seconds)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_count_as_trafilatura_counts_them() {
        let with_ = vec!["le texte  de l'article".to_string(), "une phrase absente".to_string()];
        let without = vec!["Mentions légales".to_string(), "Partager sur X".to_string()];
        let c = score(&with_, &without, Some("Titre\n\nle texte\nde l'article\n\nMentions légales"));
        assert_eq!((c.tp, c.fn_, c.fp, c.empty), (1, 1, 1, 0));
        // nothing extracted: every wanted snippet missed, no false positive
        let c = score(&with_, &without, None);
        assert_eq!((c.tp, c.fn_, c.fp, c.empty), (0, 2, 0, 1));
        let mut all = Counts::default();
        all.add(&score(&with_, &without, Some("le texte de l'article une phrase absente")));
        all.add(&c);
        assert_eq!((all.tp, all.fn_, all.fp, all.pages), (2, 2, 0, 2));
        assert!((all.precision() - 1.0).abs() < 1e-9 && (all.recall() - 0.5).abs() < 1e-9);
        assert!((all.f1() - 2.0 / 3.0).abs() < 1e-9);
    }
}
