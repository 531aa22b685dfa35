//! `vigie-bench alerts`: reverse matching of many saved rules against new batches of
//! real articles (Reuters-21578, its place/people/organization tags as entities).
//! Rules are drawn from the corpus' own title words (those in 2 to 1% of the titles) so
//! that a realistic share of them match: single words, AND pairs, OR triples, phrases,
//! exclusions and entity filters. Each timed run indexes one batch in memory and runs
//! every rule on it; for comparison the same rules also run over an index of the whole
//! archive with the batch as a sequence filter (forward search).

use crate::documents::{bench_document, bench_origin};
use crate::harness::{elapsed_ms, percentile, print_json, timed, usage_error, Latency, Rng};
use clap::Args;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;
use vigie_engine::corpus;
use vigie_index::alerts::{BatchDoc, BatchIndex, RuleQuery};
use vigie_index::Filters;

#[derive(Args, Debug)]
pub struct AlertsBench {
    /// Reuters-21578 directory (reut2-*.sgm)
    #[arg(long)]
    pub reuters: PathBuf,
    #[arg(long, default_value_t = 1000)]
    pub rules: usize,
    /// Articles per batch
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Timed batches (each a different slice of the corpus)
    #[arg(long, default_value_t = 15)]
    pub runs: usize,
    /// The report as one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Report {
    rules: usize,
    batch: usize,
    runs: usize,
    /// rule/document matches per batch (mean)
    matches_per_batch: f64,
    /// rules with at least one match per batch (mean)
    rules_matching_per_batch: f64,
    index_batch_p50_ms: f64,
    match_rules_p50_ms: f64,
    total_p50_ms: f64,
    total_p99_ms: f64,
    archive_documents: usize,
    archive_total_p50_ms: f64,
    archive_total_p99_ms: f64,
    /// `vigie alerts run` end to end on a data directory: read the new batch from the
    /// on-disk index, match, queue, write states, deliver to files
    end_to_end: Vec<EndToEnd>,
}

#[derive(Serialize)]
struct EndToEnd {
    ms: f64,
    documents: usize,
    matches: usize,
    notifications: usize,
    delivered: usize,
}

/// The seed of the rules: the same corpus always gives the same rules.
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

fn title_words(t: &str) -> Vec<String> {
    t.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "said" | "says" | "from" | "with" | "that" | "this" | "will" | "have" | "year"))
        .collect()
}

fn make_rules(docs: &[BatchDoc], n: usize) -> anyhow::Result<Vec<RuleQuery>> {
    let mut rng = Rng::new(SEED);
    // analysts watch specific words: those in at most 1% of the titles (and at least 2)
    let mut df: HashMap<String, usize> = HashMap::new();
    for d in docs {
        let mut w = title_words(&d.doc.title);
        w.sort();
        w.dedup();
        for x in w {
            *df.entry(x).or_default() += 1;
        }
    }
    let max_df = (docs.len() / 100).max(2);
    let titles: Vec<Vec<String>> = docs
        .iter()
        .map(|d| title_words(&d.doc.title).into_iter().filter(|w| (2..=max_df).contains(&df[w])).collect::<Vec<_>>())
        .filter(|w| w.len() >= 2)
        .collect();
    let ents: Vec<String> = docs.iter().flat_map(|d| d.doc.entities.iter().map(|e| e.id.0.clone())).collect();
    if titles.is_empty() || ents.is_empty() {
        return Err(usage_error("the corpus is too small to draw rules from (no title words shared by two titles, or no tags)"));
    }
    let mut rules = Vec::with_capacity(n);
    while rules.len() < n {
        let t = &titles[rng.below(titles.len())];
        let w = |rng: &mut Rng| t[rng.below(t.len())].clone();
        let other = |rng: &mut Rng| {
            let o = &titles[rng.below(titles.len())];
            o[rng.below(o.len())].clone()
        };
        let mut filters = Filters::default();
        let query = match rng.below(20) {
            0..=6 => w(&mut rng),
            7..=10 => format!("{} AND {}", w(&mut rng), w(&mut rng)),
            11..=13 => format!("{} OR {} OR {}", w(&mut rng), other(&mut rng), other(&mut rng)),
            14..=16 => {
                let i = rng.below(t.len() - 1);
                format!("\"{} {}\"", t[i], t[i + 1])
            }
            17..=18 => format!("{} -{}", w(&mut rng), other(&mut rng)),
            _ => {
                filters.entity = Some(ents[rng.below(ents.len())].clone());
                w(&mut rng)
            }
        };
        rules.push(RuleQuery { query, filters });
    }
    Ok(rules)
}

/// A real data directory: the archive indexed on disk, the rules saved with file sinks,
/// then batches committed one at a time, each followed by a timed `alerts run`.
fn end_to_end(docs: &[BatchDoc], rules: &[RuleQuery], batch: usize, runs: usize) -> anyhow::Result<Vec<EndToEnd>> {
    use vigie_engine::alerts::{self, AlertStore, WebhookPolicy};
    let tmp = tempfile::tempdir()?;
    let data = vigie_engine::DataDir::new(tmp.path().join("data"));
    let index = vigie_index::VigieIndex::open_or_create(&data.index_dir())?;
    let archive = docs.len() - runs * batch;
    let extras = vigie_index::Extras::default();
    let mut w = index.writer()?;
    w.set_commit_every(usize::MAX);
    for d in &docs[..archive] {
        w.add(&d.doc, &extras)?;
    }
    w.commit()?;
    index.reload()?;
    let store = AlertStore::new(&data);
    let next = index.next_seq()?;
    for (i, r) in rules.iter().enumerate() {
        let rule = vigie_schemas::AlertRule {
            version: alerts::RULE_VERSION,
            name: format!("rule-{i:04}"),
            query: r.query.clone(),
            lang: None,
            entity: r.filters.entity.clone().map(vigie_schemas::EntityId),
            source: None,
            notify: vigie_schemas::NotifySink::File {
                path: tmp.path().join("out").join(format!("rule-{i:04}.jsonl")).display().to_string(),
            },
            digest_seconds: None,
            digest_offset_seconds: None,
            per: Default::default(),
            created: chrono::Utc::now(),
        };
        store.add(&rule, next)?;
    }
    let mut out = Vec::new();
    for r in 0..runs {
        for d in &docs[archive + r * batch..archive + (r + 1) * batch] {
            w.add(&d.doc, &extras)?;
        }
        w.commit()?;
        index.reload()?;
        let t = Instant::now();
        let s = alerts::run(&data, &index, &mut alerts::Sinks::new(WebhookPolicy::default()), &vigie_engine::SystemClock)?;
        out.push(EndToEnd {
            ms: elapsed_ms(t),
            documents: s.documents,
            matches: s.matches,
            notifications: s.notifications,
            delivered: s.delivered,
        });
    }
    w.finish()?;
    Ok(out)
}

/// The corpus as batch documents in file order, Reuters' tags as entities.
fn documents(a: &AlertsBench) -> anyhow::Result<Vec<BatchDoc>> {
    let tags = corpus::reuters_tags(&a.reuters)?;
    let normalizer = vigie_pipeline::normalize::Normalizer::default();
    let mut docs: Vec<BatchDoc> = Vec::new();
    for art in corpus::reuters(&a.reuters)? {
        let ents = tags.get(art.id.as_deref().unwrap_or("")).cloned().unwrap_or_default();
        let Ok(x) = normalizer.normalize(&art, bench_origin()) else { continue };
        let id = x.id.0.clone();
        docs.push(BatchDoc { seq: docs.len() as u64, doc: bench_document(x, id, chrono::Duration::zero(), &ents) });
    }
    Ok(docs)
}

pub fn bench(a: AlertsBench) -> anyhow::Result<()> {
    if !a.reuters.is_dir() {
        return Err(usage_error(format!("{}: not a directory", a.reuters.display())));
    }
    let docs = documents(&a)?;
    let batch = a.batch.max(1);
    let runs = a.runs.max(1).min(docs.len() / batch);
    if runs == 0 {
        return Err(usage_error(format!("the corpus has {} articles, fewer than one batch", docs.len())));
    }
    let rules = make_rules(&docs, a.rules)?;

    // reverse search: index the batch, run every rule
    let (mut build_ms, mut match_ms, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let (mut matches, mut matching_rules) = (0usize, 0usize);
    for r in 0..=runs {
        // run 0 warms up (allocator, analyzers) and is not counted
        let slice = docs[(r % runs) * batch..(r % runs + 1) * batch].to_vec();
        let t = Instant::now();
        let index = BatchIndex::build(slice)?;
        let built = elapsed_ms(t);
        let (mut m, mut mr) = (0, 0);
        for rule in &rules {
            let n = index.run(rule, 0)?.len();
            m += n;
            mr += usize::from(n > 0);
        }
        let total = elapsed_ms(t);
        if r > 0 {
            build_ms.push(built);
            match_ms.push(total - built);
            totals.push(total);
            matches += m;
            matching_rules += mr;
        }
    }
    let median = |v: &[f64]| percentile(v, 0.5).expect("at least one timed batch");
    let total = Latency::of(&totals);

    let end_to_end = end_to_end(&docs, &rules, batch, runs.min(5))?;

    // forward search for comparison: the rules over the whole archive, batch = the last slice
    let archive_documents = docs.len();
    let from = (docs.len() - batch) as u64;
    let archive = BatchIndex::build(docs)?;
    let (_, forward) = timed(runs.min(5), || {
        let mut m = 0;
        for rule in &rules {
            m += archive.run(rule, from)?.len();
        }
        Ok(m)
    })?;

    let report = Report {
        rules: rules.len(),
        batch,
        runs,
        matches_per_batch: matches as f64 / runs as f64,
        rules_matching_per_batch: matching_rules as f64 / runs as f64,
        index_batch_p50_ms: median(&build_ms),
        match_rules_p50_ms: median(&match_ms),
        total_p50_ms: total.p50_ms,
        total_p99_ms: total.p99_ms,
        archive_documents,
        archive_total_p50_ms: forward.p50_ms,
        archive_total_p99_ms: forward.p99_ms,
        end_to_end,
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json(&mut out, &report);
    }
    writeln!(
        out,
        "{} rules x {}-article batches ({} runs): p50 {:.0} ms (index the batch {:.0} ms + match {:.0} ms), p99 {:.0} ms; {:.0} matches and {:.0} matching rules per batch",
        report.rules,
        report.batch,
        report.runs,
        report.total_p50_ms,
        report.index_batch_p50_ms,
        report.match_rules_p50_ms,
        report.total_p99_ms,
        report.matches_per_batch,
        report.rules_matching_per_batch
    )?;
    writeln!(
        out,
        "forward search over the {}-article archive, same rules and batch: p50 {:.0} ms, p99 {:.0} ms",
        report.archive_documents, report.archive_total_p50_ms, report.archive_total_p99_ms
    )?;
    for (i, e) in report.end_to_end.iter().enumerate() {
        writeln!(
            out,
            "vigie alerts run, batch {}: {:.0} ms for {} new documents on disk, {} matches, {} notifications delivered to {} rule files",
            i + 1,
            e.ms,
            e.documents,
            e.matches,
            e.delivered,
            report.rules
        )?;
    }
    Ok(())
}
