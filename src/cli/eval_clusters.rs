//! `vigie eval clusters --gold FILE`: the arguments and the printed report of
//! [`vigie_engine::eval::clusters`].

use super::common::{print_json, Ctx};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_engine::eval::{ClustersOptions, LabelKind};

#[derive(Args, Debug)]
pub struct ClustersArgs {
    /// JSON lines with a `pair`/`story` label (stories) or a `category`/`topic` label
    /// (topics), a MasakhaNEWS TSV (category, headline, text, url), or a selection of
    /// shared-corpus articles with story labels (data/eval/stories/hard-negatives.tsv)
    #[arg(long)]
    pub gold: PathBuf,
    /// Where a selection's articles are read from
    #[arg(long, default_value = "../shared/data")]
    pub shared: PathBuf,
    /// Score only this half of a selection (tune: the half stories were tuned on; held:
    /// the other)
    #[arg(long, value_parser = ["tune", "held"])]
    pub half: Option<String>,
    /// Ingest into this data directory and keep it (default: a temporary one)
    #[arg(long)]
    pub into: Option<PathBuf>,
    #[arg(long)]
    pub models: Option<PathBuf>,
    #[arg(long)]
    pub ner_model: Option<PathBuf>,
    #[command(flatten)]
    pub model: super::common::ModelArgs,
    #[arg(long)]
    pub json: bool,
    /// (development) write each gold article's label, embedding, entities and title
    /// terms as JSON lines
    #[arg(long, hide = true)]
    pub dump: Option<PathBuf>,
}

pub fn clusters(ctx: &Ctx, a: ClustersArgs) -> anyhow::Result<ExitCode> {
    let analyzer = super::ingest::load_analyzer(a.models.as_deref(), a.ner_model.as_deref(), &a.model)?;
    let opts = ClustersOptions { into: a.into.clone(), dump: a.dump.clone(), shared: Some(a.shared.clone()), half: a.half.clone() };
    let pb = ctx.spinner("ingest");
    let report = vigie_engine::eval::clusters(&a.gold, &analyzer, &opts, &mut super::ingest::Printer::new(pb.clone()));
    pb.finish_and_clear();
    let report = report?;
    let (n, kind) = (report.articles, report.labels);
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}{}: {} articles, {} gold {}s",
        report.gold,
        report.half.as_deref().map(|h| format!(" ({h} half)")).unwrap_or_default(),
        n,
        report.gold_clusters,
        if kind == LabelKind::Story { "storie" } else { "topic" }
    )?;
    let b = &report.stories_bcubed;
    writeln!(out, "stories {}  B-cubed precision {:.4}  recall {:.4}  F1 {:.4}", report.stories, b.precision, b.recall, b.f1)?;
    writeln!(out, "topics {}  NMI {:.4}  outliers {:.1}%", report.topics, report.topics_nmi, 100.0 * report.outliers)?;
    Ok(ExitCode::SUCCESS)
}
