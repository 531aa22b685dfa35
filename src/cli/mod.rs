//! The command line: one file per command.

mod alerts;
mod articles;
mod common;
mod enrich;
mod entities;
mod eval;
mod eval_clusters;
mod eval_companies;
mod export;
mod ingest;
mod model;
mod plot;
mod search;
mod searches;
mod serve;
mod show;
mod sources;
mod stats;
mod stories;
mod story;
mod summary;
mod terms;
mod timeline;
mod topics;
mod train;
mod trends;
mod watch;

pub use common::{error_line, exit_code, is_broken_pipe};

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "vigie", version, about = "media-monitoring text analytics for French and English news")]
pub struct Cli {
    /// Data directory (index, state, alerts, rejects)
    #[arg(long, global = true, env = "VIGIE_DATA", default_value = "./vigie-data")]
    pub data: PathBuf,
    /// No progress bars; only errors on stderr
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// More logs (-v info, -vv debug); VIGIE_LOG overrides
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Ingest files, directories, feed URLs or stdin (-); --enriched stores the lines
    /// of `vigie enrich`
    Ingest(ingest::IngestArgs),
    /// The stateless stages (language, signature, entities, embedding) as enriched.v1
    /// JSON lines, one per input record, for `ingest --enriched` (and Spark)
    Enrich(enrich::EnrichArgs),
    /// Search the index (tantivy query syntax; '*' matches all)
    Search(search::SearchArgs),
    /// Show one stored document
    Show(show::ShowArgs),
    /// Corpus statistics
    Stats(stats::StatsArgs),
    /// The most mentioned entities (documents, duplicates counted once)
    Entities(entities::EntitiesArgs),
    /// Documents and stories per day, week or month for entities or queries
    Timeline(timeline::TimelineArgs),
    /// Entities whose recent count is unusual against their baseline rate
    Trends(trends::TrendsArgs),
    /// Entities most often in the same stories as an entity (counts, lift, PMI)
    Cooccur(trends::CooccurArgs),
    /// The sources of the documents a query selects: documents, copies, stories, share
    Sources(sources::SourcesArgs),
    /// The stories of the documents a query selects, the largest or the latest first
    Stories(stories::StoriesArgs),
    /// The title terms that set a query's articles apart from the corpus (c-TF-IDF)
    Terms(terms::TermsArgs),
    /// Documents, stories and copy rate of a query against the previous period
    Summary(summary::SummaryArgs),
    /// Saved searches (name, query, filters) for the dashboard and alerts
    #[command(subcommand)]
    Searches(searches::SearchesCommand),
    /// Topics (labelled groups of stories) with sizes and top entities; `rebuild`
    /// re-clusters them
    Topics(topics::TopicsArgs),
    /// One story: its articles, languages, sources and entities
    Story(story::StoryArgs),
    /// Write documents, entities, mentions, timeline, trends, stories or topics as
    /// Parquet, CSV, NDJSON or Arrow IPC (polars DataFrames), or documents for OpenSearch / Elasticsearch (_bulk) or Quickwit
    Export(export::ExportArgs),
    /// Saved keyword queries matched against every new batch and delivered once per
    /// story (stdout, file, webhook; at once or in digests)
    #[command(subcommand)]
    Alerts(alerts::AlertsCommand),
    /// Poll folders and RSS/Atom URLs, ingest what is new, run the alerts, repeat until
    /// SIGINT/SIGTERM
    Watch(watch::WatchArgs),
    /// The HTTP API (/api/..., the --json shapes; /api/openapi.json describes it) until
    /// SIGINT/SIGTERM
    Serve(serve::ServeArgs),
    /// Measure quality on gold data
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Train models (the NER head)
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// Fetch and convert the encoder model (run by `make`)
    #[command(subcommand)]
    Model(model::ModelCommand),
}

impl Command {
    /// Whether the command may run the encoder (libtorch's thread pool).
    pub fn runs_encoder(&self) -> bool {
        match self {
            Command::Ingest(a) => !a.stages.no_entities && !a.enriched,
            Command::Enrich(a) => !a.stages.no_entities,
            Command::Watch(_) | Command::Eval(_) | Command::Train(_) => true,
            _ => false,
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = common::Ctx { data: cli.data, quiet: cli.quiet };
    match cli.command {
        Command::Ingest(a) => ingest::run(&ctx, a),
        Command::Enrich(a) => enrich::run(&ctx, a),
        Command::Search(a) => search::run(&ctx, a),
        Command::Show(a) => show::run(&ctx, a),
        Command::Stats(a) => stats::run(&ctx, a),
        Command::Entities(a) => entities::run(&ctx, a),
        Command::Timeline(a) => timeline::run(&ctx, a),
        Command::Trends(a) => trends::run(&ctx, a),
        Command::Cooccur(a) => trends::cooccur(&ctx, a),
        Command::Sources(a) => sources::run(&ctx, a),
        Command::Stories(a) => stories::run(&ctx, a),
        Command::Terms(a) => terms::run(&ctx, a),
        Command::Summary(a) => summary::run(&ctx, a),
        Command::Searches(c) => searches::run(&ctx, c),
        Command::Topics(a) => topics::run(&ctx, a),
        Command::Story(a) => story::run(&ctx, a),
        Command::Export(a) => export::run(&ctx, a),
        Command::Watch(a) => watch::run(&ctx, a),
        Command::Serve(a) => serve::run(&ctx, a),
        Command::Alerts(c) => alerts::run(&ctx, c),
        Command::Eval(c) => eval::run(&ctx, c),
        Command::Model(c) => model::run(c),
        Command::Train(c) => train::run(&ctx, c),
    }
}
