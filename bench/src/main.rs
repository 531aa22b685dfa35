//! `vigie-bench`: vigie's benchmarks on the shared corpora, outside the product binary.
//! Each subcommand measures one part of the product through the engine and the crates
//! the `vigie` binary uses; parts whose peak memory must be their own run in a child
//! process of this binary (hidden subcommands).

mod alerts;
mod api;
mod cluster;
mod documents;
mod encode;
mod harness;
mod ingest;
mod lang;
mod pages;
mod queries;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "vigie-bench", version, about = "vigie's benchmarks: throughput, latency and memory on the shared corpora")]
struct Cli {
    /// No progress bars; only errors on stderr
    #[arg(long, short, global = true)]
    quiet: bool,
    /// More logs (-v info, -vv debug); VIGIE_LOG overrides
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Ingest throughput without the model stages, against raw tantivy
    Ingest(ingest::IngestBench),
    /// Encoder + NER throughput (tokens/s, articles/s) on real French and English news
    Encode(encode::EncodeBench),
    /// Story and topic clustering time and peak memory at growing sizes (up to 100,000
    /// articles of Reuters and HuffPost)
    Cluster(cluster::ClusterBench),
    /// Latency (p50/p99) of monthly timelines and trend tables on 100,000 articles
    Queries(queries::QueriesBench),
    /// Latency (p50/p99) of the HTTP API (search, timeline, trends, entities, story,
    /// sources, terms, summary) through real HTTP on 127.0.0.1 at 100,000 articles
    Api(api::ApiBench),
    /// Reverse matching of 1,000 saved rules against 1,000-article batches (Reuters)
    Alerts(alerts::AlertsBench),
    /// The language detector with and without its function-word fast path: decisions,
    /// accuracy against each corpus's language, and time
    Lang(lang::LangBench),
    /// Main-text extraction of article pages (make-pages.py's), scored beside
    /// trafilatura's output on the same pages
    Pages(pages::PagesBench),
    /// (internal) one side of the ingest benchmark
    #[command(hide = true)]
    IngestPart(ingest::IngestPart),
    /// (internal) one size of the clustering benchmark
    #[command(hide = true)]
    ClusterPart(cluster::ClusterPart),
}

impl Command {
    /// Whether the command runs the encoder (libtorch's thread pool): `encode`, and
    /// `cluster` while its embeddings are not cached yet.
    fn runs_encoder(&self) -> bool {
        match self {
            Command::Encode(_) => true,
            Command::Cluster(a) => !cluster::cache_ready(&a.cache),
            _ => false,
        }
    }
}

fn main() -> ExitCode {
    vigie_engine::process::prepare();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 1,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if cli.command.runs_encoder() {
        vigie_engine::process::short_openmp_spin();
    }
    vigie_engine::frontend::init_tracing(cli.verbose, cli.quiet);
    let result = match cli.command {
        Command::Ingest(a) => ingest::bench(a),
        Command::Encode(a) => encode::bench(a),
        Command::Cluster(a) => cluster::bench(a, cli.quiet),
        Command::Queries(a) => queries::bench(a),
        Command::Api(a) => api::bench(a),
        Command::Alerts(a) => alerts::bench(a),
        Command::Lang(a) => lang::bench(a),
        Command::Pages(a) => pages::bench(a),
        Command::IngestPart(p) => ingest::part(p),
        Command::ClusterPart(p) => cluster::part(p),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if vigie_engine::frontend::is_broken_pipe(e.as_ref()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", vigie_engine::frontend::error_line(e.as_ref()));
            ExitCode::from(vigie_engine::frontend::exit_code(e.as_ref()))
        }
    }
}
