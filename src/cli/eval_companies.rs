//! `vigie eval companies --gold FILE` and `vigie eval gpus --gold FILE`: the arguments
//! and printed reports of [`vigie_engine::eval::companies`] and [`vigie_engine::eval::gpus`].

use super::common::{print_json, print_table, Ctx};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_engine::eval::companies::CompanyScores;
use vigie_engine::eval::gpus::GpuScores;

#[derive(Args, Debug)]
pub struct CompaniesArgs {
    /// Annotated articles (data/eval/companies/{dev,test}.jsonl); the texts are read from
    /// the shared corpora
    #[arg(long)]
    pub gold: PathBuf,
    /// The shared data directory (default: ../shared/data, from here or beside the
    /// checkout that holds the gold)
    #[arg(long)]
    pub shared: Option<PathBuf>,
    /// Also list each article's missed companies and wrong `company:` entities (to check
    /// the model, and the annotations); `--verbose` is taken by the log level
    #[arg(long)]
    pub errors: bool,
    #[arg(long)]
    pub models: Option<PathBuf>,
    #[arg(long)]
    pub ner_model: Option<PathBuf>,
    #[command(flatten)]
    pub model: super::common::ModelArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct GpusArgs {
    /// Sentences with the GPU ids they mention (data/eval/gpus/test.jsonl)
    #[arg(long)]
    pub gold: PathBuf,
    #[arg(long)]
    pub models: Option<PathBuf>,
    #[arg(long)]
    pub ner_model: Option<PathBuf>,
    #[command(flatten)]
    pub model: super::common::ModelArgs,
    #[arg(long)]
    pub json: bool,
}

fn row(what: &str, s: &CompanyScores) -> Vec<String> {
    vec![
        what.to_string(),
        s.articles.to_string(),
        s.gold_companies.to_string(),
        format!("{:.3}", s.extraction_recall),
        format!("{:.3}", s.recall),
        format!("{:.3}", s.precision),
        format!("{:.3}", s.f1),
        format!("{}/{}/{}", s.fp_organization, s.fp_span, s.fp_other),
        format!("{}/{}", s.organizations_as_company, s.gold_organizations),
        format!("{:.3}", s.organization_recall),
    ]
}

pub fn companies(ctx: &Ctx, a: CompaniesArgs) -> anyhow::Result<ExitCode> {
    let shared = vigie_engine::eval::companies::shared_dir(a.shared.as_deref(), &a.gold)?;
    // the gold and the texts are checked before the model loads
    let gold = vigie_engine::eval::companies::read_gold(&a.gold)?;
    vigie_engine::eval::companies::resolve(&a.gold, &gold, &shared)?;
    let analyzer = super::ingest::load_analyzer(a.models.as_deref(), a.ner_model.as_deref(), &a.model)?;
    let pb = ctx.spinner("ingest");
    let report = vigie_engine::eval::companies(&a.gold, &shared, &analyzer, a.errors, &mut super::ingest::Printer::new(pb.clone()));
    pb.finish_and_clear();
    let report = report?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}: {} articles, {} gold companies, {} gold organizations",
        report.gold, report.all.articles, report.all.gold_companies, report.all.gold_organizations
    )?;
    let mut rows: Vec<Vec<String>> = report.by_lang.iter().map(|(l, s)| row(l, s)).collect();
    rows.push(row("all", &report.all));
    print_table(
        &mut out,
        &["lang", "articles", "companies", "extracted", "recall", "precision", "f1", "fp org/span/other", "org→company", "org recall"],
        &rows,
    )?;
    let missed: Vec<String> = report.all.missed_as.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(out, "missed companies typed: {}", if missed.is_empty() { "-".to_string() } else { missed.join(", ") })?;
    if let Some(r) = report.all.gpu_recall {
        writeln!(
            out,
            "gpus in the articles: recall {r:.3} ({}/{}), {} false positives",
            report.all.gpus_found, report.all.gold_gpus, report.all.gpu_false_positives
        )?;
    }
    for r in &report.articles {
        if r.missed.is_empty()
            && r.false_positives.is_empty()
            && r.missed_gpus.is_empty()
            && r.gpu_false_positives.is_empty()
            && r.unmatched_organizations.is_empty()
        {
            continue;
        }
        writeln!(out, "{} ({} {}){}", r.id, r.lang, r.key, if r.not_stored { " not stored" } else { "" })?;
        for m in &r.missed {
            writeln!(out, "  missed {:?}: {}", m.name, m.got.as_deref().unwrap_or("not extracted"))?;
        }
        for f in &r.false_positives {
            writeln!(out, "  wrong  {} {:?}: {}", f.id, f.surface, serde_json::to_value(f.reason)?.as_str().unwrap_or(""))?;
        }
        for g in &r.missed_gpus {
            writeln!(out, "  missed {g}")?;
        }
        for g in &r.gpu_false_positives {
            writeln!(out, "  wrong  {g}")?;
        }
        for o in &r.unmatched_organizations {
            writeln!(out, "  org?   {o:?}: an organization entity the gold does not name")?;
        }
    }
    writeln!(out, "{:.1} s", report.ingest_seconds)?;
    Ok(ExitCode::SUCCESS)
}

fn gpu_row(what: &str, s: &GpuScores) -> Vec<String> {
    vec![
        what.to_string(),
        s.sentences.to_string(),
        format!("{}/{}", s.found, s.expected),
        if s.expected > 0 { format!("{:.3}", s.recall) } else { "-".into() },
        s.false_positives.to_string(),
        if s.negatives > 0 { format!("{}/{}", s.negatives_with_gpu, s.negatives) } else { "-".into() },
    ]
}

pub fn gpus(ctx: &Ctx, a: GpusArgs) -> anyhow::Result<ExitCode> {
    vigie_engine::eval::gpus::read_gold(&a.gold)?;
    let analyzer = super::ingest::load_analyzer(a.models.as_deref(), a.ner_model.as_deref(), &a.model)?;
    let pb = ctx.spinner("ingest");
    let report = vigie_engine::eval::gpus(&a.gold, &analyzer, &mut super::ingest::Printer::new(pb.clone()));
    pb.finish_and_clear();
    let report = report?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{}: {} sentences", report.gold, report.all.sentences)?;
    let mut rows: Vec<Vec<String>> = report
        .by_case
        .iter()
        .map(|(k, s)| gpu_row(serde_json::to_value(k).ok().and_then(|v| v.as_str().map(String::from)).as_deref().unwrap_or("?"), s))
        .collect();
    rows.extend(report.by_lang.iter().map(|(l, s)| gpu_row(l, s)));
    rows.push(gpu_row("all", &report.all));
    print_table(&mut out, &["set", "sentences", "found", "recall", "false ids", "negatives with a gpu"], &rows)?;
    for e in &report.errors {
        let fps: Vec<String> = e.false_positives.iter().map(|(id, s)| format!("{id} ({s:?})")).collect();
        writeln!(out, "{}: missed [{}] wrong [{}]", e.id, e.missed.join(", "), fps.join(", "))?;
    }
    Ok(ExitCode::SUCCESS)
}
