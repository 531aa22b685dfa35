//! `vigie ingest PATH|URL|- ...`

use super::common::{print_json, user_error, Ctx};
use anyhow::Context;
use clap::Args;
use indicatif::ProgressBar;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use vigie_engine::alerts::Sinks;
use vigie_engine::{IngestOptions, Session, SystemClock};
use vigie_pipeline::entities::ArticleAnalyzer;
use vigie_pipeline::ingest::FormatChoice;
use vigie_pipeline::lang::{LangConfig, LangDetector};
use vigie_pipeline::reject::Reject;
use vigie_pipeline::runner::{Analyzer, Observer, Summary};

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Files, directories (recursive), http(s) URLs, or - for stdin
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Input format: auto, jsonl, feed, digest, html, text, or jsonl-tagged (each line
    /// `FILE<TAB>LINE<TAB>RECORD`: records relayed from other files, whose origin and
    /// rejects name that file and line)
    #[arg(long, default_value = "auto")]
    pub format: FormatChoice,
    /// The inputs are enriched.v1 lines (`vigie enrich`, files or directories of part
    /// files): store them with the ordered stages only, no model
    #[arg(long, conflicts_with = "format")]
    pub enriched: bool,
    /// Exit 1 when any input is rejected (accepted documents are still stored)
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub stages: StageArgs,
    /// Commit to the index every N documents
    #[arg(long, default_value_t = 5000)]
    pub commit_every: usize,
    /// CPU worker threads (default: all cores)
    #[arg(long)]
    pub workers: Option<usize>,
    /// Do not run the alert rules after the commit
    #[arg(long)]
    pub no_alerts: bool,
    #[command(flatten)]
    pub webhook: super::alerts::WebhookArgs,
    #[command(flatten)]
    pub articles: super::articles::ArticleArgs,
}

/// The language and model stages (shared by `ingest` and `watch`).
#[derive(Args, Debug)]
pub struct StageArgs {
    /// Languages to detect (comma-separated ISO 639-1 codes)
    #[arg(long, default_value = "fr,en,es,de,it,pt,nl", value_delimiter = ',')]
    pub langs: Vec<String>,
    /// Skip the model stage (entities and embeddings): storage and search only
    #[arg(long)]
    pub no_entities: bool,
    /// Model directory (default: VIGIE_MODELS, else ~/.cache/vigie/models)
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// NER head directory (default: VIGIE_NER_MODEL, else the head built into vigie)
    #[arg(long)]
    pub ner_model: Option<PathBuf>,
    #[command(flatten)]
    pub model: super::common::ModelArgs,
}

impl StageArgs {
    /// The language detector and, unless `--no-entities`, the model stage.
    pub fn load(&self) -> anyhow::Result<(LangDetector, Option<ArticleAnalyzer>)> {
        let lang = self.lang_detector()?;
        let analyzer =
            if self.no_entities { None } else { Some(load_analyzer(self.models.as_deref(), self.ner_model.as_deref(), &self.model)?) };
        Ok((lang, analyzer))
    }
}

impl StageArgs {
    /// The language detector alone.
    pub fn lang_detector(&self) -> anyhow::Result<LangDetector> {
        self.model.apply_threads();
        Ok(LangDetector::new(&LangConfig { allow: self.langs.clone() })?)
    }
}

/// Progress and rejects on stderr while a batch runs (and `watch`'s events: see there).
pub struct Printer {
    pub pb: ProgressBar,
    /// `--quiet`: no summaries on stderr
    pub quiet: bool,
    /// `--json`: the summaries as JSON lines on stdout
    pub json: bool,
    /// why stdout could take no more (a closed pipe): returned once the run is over
    pub failed: Option<anyhow::Error>,
}

impl Printer {
    pub fn new(pb: ProgressBar) -> Self {
        Printer { pb, quiet: false, json: false, failed: None }
    }
}

impl Observer for Printer {
    fn rejected(&mut self, r: &Reject) {
        self.pb.suspend(|| eprintln!("rejected: {}", super::common::one_line(&r.to_string())));
    }
    fn progress(&mut self, s: &Summary) {
        let rate = if s.seconds > 0.0 { s.read as f64 / s.seconds } else { 0.0 };
        self.pb.set_message(format!(
            "read {} · indexed {} · duplicates {} · rejected {} · {rate:.0}/s",
            s.read, s.indexed, s.duplicates, s.rejected
        ));
    }
}

pub fn run(ctx: &Ctx, a: IngestArgs) -> anyhow::Result<ExitCode> {
    let (lang, analyzer) = if a.enriched { (a.stages.lang_detector()?, None) } else { a.stages.load()? };
    let policy = a.webhook.policy()?;
    let fetcher = a.articles.fetcher(ctx.quiet)?; // --fetch-articles
    let opts = IngestOptions {
        commit_every: a.commit_every,
        workers: a.workers,
        enriched: a.enriched,
        fetch_articles: fetcher.as_ref(),
        ..IngestOptions::new(a.format, &lang, analyzer.as_ref().map(|x| x as &dyn Analyzer))
    };
    let mut session = open_session(ctx)?;
    let summary = match ingest_batch(ctx, &mut session, &a.inputs, &opts, &AtomicBool::new(false)) {
        Ok(s) => s,
        Err(e) => {
            // what was accepted is committed; the writer is released before the error
            let _ = session.close();
            return Err(e.into());
        }
    };
    // the rules run on the index the session holds, over what this batch committed
    let alerts = (!a.no_alerts).then(|| session.run_alerts(&mut Sinks::new(policy), &SystemClock));
    session.close()?;
    if let Some(run) = &alerts {
        super::alerts::report_after_ingest(ctx.quiet, run);
    }
    if let Some(f) = &fetcher {
        super::articles::report(ctx.quiet, &f.stats());
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &summary)?;
    } else {
        use std::io::Write;
        let langs: Vec<String> = summary.by_lang.iter().map(|(l, n)| format!("{l} {n}")).collect();
        writeln!(
            out,
            "read {}, indexed {} ({} duplicates), {} already stored, {} rejected in {:.1} s{}",
            summary.read,
            summary.indexed,
            summary.duplicates,
            summary.existing,
            summary.rejected,
            summary.seconds,
            if langs.is_empty() { String::new() } else { format!(" — {}", langs.join(", ")) }
        )?;
        if summary.rejected > 0 {
            writeln!(out, "rejects written to {}", ctx.rejects_path().display())?;
        }
    }
    if a.strict && summary.rejected > 0 {
        return Err(user_error(format!("{} inputs rejected (--strict)", summary.rejected)));
    }
    Ok(ExitCode::SUCCESS)
}

/// The data directory opened for writing (its index lock held until `close`).
pub fn open_session(ctx: &Ctx) -> anyhow::Result<Session> {
    Session::open(ctx.dir()).with_context(|| format!("opening {}", ctx.data.display()))
}

/// One batch of inputs (paths, `-`, URLs) through the session, its progress and rejects
/// on stderr.
fn ingest_batch(
    ctx: &Ctx,
    session: &mut Session,
    inputs: &[String],
    opts: &IngestOptions<'_>,
    stop: &AtomicBool,
) -> vigie_engine::Result<Summary> {
    let pb = ctx.spinner("ingest");
    let result = session.ingest_inputs(inputs, opts, &mut Printer::new(pb.clone()), stop);
    pb.finish_and_clear();
    result
}

/// The model stage: the encoder and the NER head, or a clear error naming what is missing.
pub fn load_analyzer(
    models: Option<&std::path::Path>,
    head: Option<&std::path::Path>,
    model: &super::common::ModelArgs,
) -> anyhow::Result<ArticleAnalyzer> {
    model.apply_threads();
    let models = vigie_engine::models::ModelDir::resolve(models)?;
    let head = vigie_engine::models::ner_head_dir(head);
    vigie_engine::models::open_analyzer(&models, head.as_deref(), &model.options(), model.model_workers.map(usize::from)).map_err(|e| {
        let e = anyhow::Error::new(e);
        if models.is_complete() {
            e.context("loading the model stage (or ingest with --no-entities)")
        } else {
            e
        }
    })
}
