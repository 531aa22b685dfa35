//! `vigie eval lang|dedup|ner` (`clusters`, `companies` and `gpus` have their own files):
//! quality on gold data.

use super::common::{print_json, print_table, Ctx};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Companies typed `company` (recall, precision) in real articles annotated by hand
    Companies(super::eval_companies::CompaniesArgs),
    /// GPU and accelerator ids found in written sentences, and false ones on negatives
    Gpus(super::eval_companies::GpusArgs),
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
        EvalCommand::Companies(a) => super::eval_companies::companies(ctx, a),
        EvalCommand::Gpus(a) => super::eval_companies::gpus(ctx, a),
        EvalCommand::Lang(a) => lang(a),
        EvalCommand::Dedup(a) => dedup(a),
        EvalCommand::Ner(a) => ner(a),
    }
}

fn lang(a: LangArgs) -> anyhow::Result<ExitCode> {
    let report = vigie_engine::eval::lang(&a.gold, &a.langs, a.errors)?;
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

fn dedup(a: DedupArgs) -> anyhow::Result<ExitCode> {
    let report = vigie_engine::eval::dedup(&a.corpus, a.originals)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (copies, found, wrong) = (report.copies, report.copies_found, report.copies_wrong_original);
    writeln!(out, "originals {}  copies {}  found {}  wrong original {}", report.originals, copies, found, wrong)?;
    writeln!(out, "recall {:.4}  precision {:.4}", report.recall, report.precision)?;
    for (k, n, f) in &report.by_kind {
        writeln!(out, "  {k:<11} {f}/{n}")?;
    }
    writeln!(out, "originals linked to an earlier original: {} (e.g. {:?})", report.originals_flagged, report.examples_flagged.first())?;
    Ok(ExitCode::SUCCESS)
}

fn ner(a: NerArgs) -> anyhow::Result<ExitCode> {
    let head = vigie_engine::models::ner_head_dir(a.model.as_deref());
    let models = vigie_engine::models::ModelDir::resolve(a.models.as_deref())?;
    let report = vigie_engine::eval::ner(&a.gold, head.as_deref(), &models, &a.encoder.options())?;
    let s = &report.scores;
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, s)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}: {} sentences in {:.1} s ({} engine, {})",
        a.gold,
        s.sentences,
        report.seconds,
        match report.engine {
            vigie_pipeline::encoder::Engine::Native => "native",
            vigie_pipeline::encoder::Engine::RustBert => "rust-bert",
        },
        report.precision
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
