//! `vigie eval lang|dedup|ner` (`clusters` has its own file): quality on gold data.

use super::common::{print_json, print_table, user_error, Ctx};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_engine::corpus;
use vigie_pipeline::dedup::{Dedup, DedupConfig, Signature};
use vigie_pipeline::lang::{eval_langid, LangConfig, LangDetector};
use vigie_pipeline::normalize::Normalizer;
use vigie_schemas::{Article, DocId, Origin};

#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Language identification accuracy per language and kind (dir of <lang>/<kind>.txt)
    Lang(LangArgs),
    /// Near-duplicate precision/recall on copies built from real articles
    Dedup(DedupArgs),
    /// NER precision/recall/F1 (exact span and type) on CoNLL-style or HIPE gold
    Ner(NerArgs),
    /// Story B-cubed and topic NMI of the full pipeline on a labelled set
    Clusters(super::eval_clusters::ClustersArgs),
}

#[derive(Args, Debug)]
pub struct NerArgs {
    /// FILE.conllu or FILE.tsv (HIPE); FILE#dev / FILE#train select vigie's split
    #[arg(long)]
    pub gold: String,
    /// The NER head directory (default: VIGIE_NER_MODEL, else the head built into vigie)
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Model directory (default: VIGIE_MODELS, else ~/.cache/vigie/models)
    #[arg(long)]
    pub models: Option<PathBuf>,
    #[command(flatten)]
    pub encoder: super::common::ModelArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct LangArgs {
    #[arg(long)]
    pub gold: PathBuf,
    #[arg(long, default_value = "fr,en,es,de,it,pt,nl", value_delimiter = ',')]
    pub langs: Vec<String>,
    /// Also list the misclassified samples
    #[arg(long)]
    pub errors: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct DedupArgs {
    /// Reuters-21578 directory (reut2-*.sgm)
    #[arg(long)]
    pub corpus: PathBuf,
    /// How many originals to use
    #[arg(long, default_value_t = 6000)]
    pub originals: usize,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, c: EvalCommand) -> anyhow::Result<ExitCode> {
    match c {
        EvalCommand::Clusters(a) => super::eval_clusters::clusters(ctx, a),
        EvalCommand::Lang(a) => lang(a),
        EvalCommand::Dedup(a) => dedup(a),
        EvalCommand::Ner(a) => ner(a),
    }
}

fn lang(a: LangArgs) -> anyhow::Result<ExitCode> {
    if !a.gold.is_dir() {
        return Err(user_error(format!("{}: not a directory", a.gold.display())));
    }
    let det = LangDetector::new(&LangConfig { allow: a.langs.clone() })?;
    let report = eval_langid(&a.gold, &det, &a.langs, a.errors)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.lang.clone() + if r.in_allowlist { "" } else { " (not allowed)" },
                r.kind.clone(),
                r.samples.to_string(),
                format!("{:.2}%", 100.0 * r.accuracy),
                r.undetermined.to_string(),
            ]
        })
        .collect();
    print_table(&mut out, &["lang", "kind", "samples", "accuracy", "und"], &rows)?;
    for (lang, kind, text, got, method) in &report.errors {
        writeln!(out, "error {lang} {kind}: got {got} by {method}: {text}")?;
    }
    writeln!(out, "{:.1} s", report.seconds)?;
    Ok(ExitCode::SUCCESS)
}

/// A small deterministic generator, so the copies are the same on every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WIRE_HEADERS: &[&str] = &["NEW YORK (Wire Service) -", "LONDON, March 3 (WS) -", "By a Staff Reporter\n", "UPDATE 1-"];
const WIRE_FOOTERS: &[&str] = &[
    "Copyright 1987 The Wire Service. Redistribution prohibited.",
    "Reporting by the markets desk; editing by the night team.",
    "For more business news visit our website and sign up for alerts.",
    "Related coverage: markets wrap, currencies, commodities.",
];

/// One copy of `body`, of kind `kind`: a syndicated copy with another header and
/// footer, a cut ending, or an edited copy with a sentence dropped and case changed.
fn make_copy(body: &str, kind: usize, rng: &mut Lcg) -> String {
    let words: Vec<&str> = body.split_whitespace().collect();
    match kind {
        0 => format!("{} {}\n\n{}", WIRE_HEADERS[rng.below(WIRE_HEADERS.len())], body, WIRE_FOOTERS[rng.below(WIRE_FOOTERS.len())]),
        1 => {
            let keep = words.len() * (55 + rng.below(31)) / 100;
            words[..keep.max(1)].join(" ")
        }
        _ => {
            let sentences: Vec<&str> = body.split_inclusive(". ").collect();
            let drop = if sentences.len() > 2 { 1 + rng.below(sentences.len() - 2) } else { usize::MAX };
            let kept: String = sentences.iter().enumerate().filter(|(i, _)| *i != drop).map(|(_, s)| *s).collect();
            kept.replace("  ", " ").to_uppercase()
        }
    }
}

#[derive(Serialize)]
struct DedupReport {
    originals: usize,
    copies: usize,
    copies_found: usize,
    copies_wrong_original: usize,
    recall: f64,
    precision: f64,
    /// originals the detector linked to an earlier original (the corpus's own repeats)
    originals_flagged: usize,
    examples_flagged: Vec<(String, String)>,
    by_kind: Vec<(String, usize, usize)>,
    seconds: f64,
}

fn dedup(a: DedupArgs) -> anyhow::Result<ExitCode> {
    if !a.corpus.is_dir() {
        return Err(user_error(format!("{}: not a directory", a.corpus.display())));
    }
    let t = std::time::Instant::now();
    let normalizer = Normalizer::default();
    let prep = |art: Article| -> Option<(DocId, String)> {
        let n = normalizer.normalize(&art, Origin { file: "eval".into(), line: None }).ok()?;
        Some((n.id, n.body))
    };
    let originals: Vec<(DocId, String)> = corpus::reuters(&a.corpus)?
        .into_iter()
        .filter(|x| x.body.as_deref().is_some_and(|b| b.split_whitespace().count() >= 60))
        .take(a.originals)
        .filter_map(prep)
        .collect();
    let mut d = Dedup::new(DedupConfig::default());
    let mut flagged = Vec::new();
    for (id, body) in &originals {
        let sig = Signature::of(body);
        let m = d.check(&sig);
        if let Some(m) = &m {
            flagged.push((id.0.clone(), m.of.0.clone()));
        }
        d.insert(id.clone(), m.as_ref().map(|m| &m.of), sig);
    }
    let flagged_set: std::collections::HashSet<&str> = flagged.iter().map(|(a, _)| a.as_str()).collect();
    let kinds = ["syndicated", "cut", "edited"];
    let mut by_kind = vec![(0usize, 0usize); 3];
    let (mut copies, mut found, mut wrong) = (0, 0, 0);
    let mut rng = Lcg(42);
    for (i, (id, body)) in originals.iter().enumerate() {
        // every other original gets a copy; copies of originals that are themselves
        // repeats are left out (their right answer is ambiguous)
        if i % 2 == 1 || flagged_set.contains(id.0.as_str()) {
            continue;
        }
        let kind = (i / 2) % 3;
        let copy = make_copy(body, kind, &mut rng);
        let copy = normalizer
            .normalize(
                &Article { title: Some("t".into()), body: Some(copy), ..Default::default() },
                Origin { file: "eval".into(), line: None },
            )
            .map(|n| n.body)
            .unwrap_or_default();
        copies += 1;
        by_kind[kind].0 += 1;
        match d.check(&Signature::of(&copy)) {
            Some(m) if m.of == *id => {
                found += 1;
                by_kind[kind].1 += 1;
            }
            Some(_) => wrong += 1,
            None => {}
        }
    }
    let report = DedupReport {
        originals: originals.len(),
        copies,
        copies_found: found,
        copies_wrong_original: wrong,
        recall: found as f64 / copies.max(1) as f64,
        precision: found as f64 / (found + wrong).max(1) as f64,
        originals_flagged: flagged.len(),
        examples_flagged: flagged.clone(),
        by_kind: kinds.iter().zip(&by_kind).map(|(k, (n, f))| (k.to_string(), *n, *f)).collect(),
        seconds: t.elapsed().as_secs_f64(),
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "originals {}  copies {}  found {}  wrong original {}", report.originals, copies, found, wrong)?;
    writeln!(out, "recall {:.4}  precision {:.4}", report.recall, report.precision)?;
    for (k, n, f) in &report.by_kind {
        writeln!(out, "  {k:<11} {f}/{n}")?;
    }
    writeln!(out, "originals linked to an earlier original: {} (e.g. {:?})", flagged.len(), report.examples_flagged.first())?;
    Ok(ExitCode::SUCCESS)
}

fn ner(a: NerArgs) -> anyhow::Result<ExitCode> {
    use vigie_pipeline::encoder::{Device, Encoder, EncoderOptions};
    use vigie_pipeline::ner::{predict, read_gold, score, sentence_features, NerHead};
    let gold = read_gold(&a.gold)?;
    let head = match vigie_engine::models::ner_head_dir(a.model.as_deref()) {
        Some(dir) => NerHead::load(&dir, Device::Cpu).map_err(|e| anyhow::anyhow!(e))?,
        None => NerHead::builtin(Device::Cpu),
    };
    let max_layer = head.cfg.layers.iter().copied().max();
    let opts = EncoderOptions { max_layers: max_layer, ..a.encoder.options() };
    let models = vigie_engine::models::ModelDir::resolve(a.models.as_deref())?.require_encoder()?;
    let encoder = Encoder::open(&models, &opts).map_err(|e| anyhow::anyhow!(e))?;
    tracing::info!(precision = %encoder.precision, engine = ?encoder.engine, "encoder");
    let t = std::time::Instant::now();
    let mut feats = Vec::with_capacity(gold.len());
    for chunk in gold.chunks(512) {
        let words: Vec<Vec<String>> = chunk.iter().map(|s| s.words.clone()).collect();
        feats.extend(sentence_features(&encoder, &words, &head.cfg.layers));
    }
    let pred = predict(&head, &feats);
    let tags: Vec<Vec<String>> = gold.iter().map(|s| s.tags.clone()).collect();
    let s = score(&tags, &pred);
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &s)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}: {} sentences in {:.1} s ({} engine, {})",
        a.gold,
        s.sentences,
        t.elapsed().as_secs_f64(),
        match encoder.engine {
            vigie_pipeline::encoder::Engine::Native => "native",
            vigie_pipeline::encoder::Engine::RustBert => "rust-bert",
        },
        encoder.precision
    )?;
    writeln!(out, "precision {:.4}  recall {:.4}  F1 {:.4}  F1(PER,ORG,LOC) {:.4}", s.precision, s.recall, s.f1, s.f1_per_org_loc)?;
    let rows: Vec<Vec<String>> = s
        .by_type
        .iter()
        .map(|(k, v)| {
            vec![k.clone(), format!("{:.4}", v.precision), format!("{:.4}", v.recall), format!("{:.4}", v.f1), v.gold.to_string()]
        })
        .collect();
    print_table(&mut out, &["type", "precision", "recall", "f1", "gold"], &rows)?;
    Ok(ExitCode::SUCCESS)
}
