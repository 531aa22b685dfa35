//! `vigie watch PATH|URL ... [--interval 60s]`: poll folders and feeds, ingest what is
//! new, commit, run the alert rules, and repeat until SIGINT/SIGTERM. The loop is the
//! engine's ([`Watcher::run`]); this file parses the flags and prints its events.

use super::alerts::WebhookArgs;
use super::common::{error_line, one_line, parse_duration, print_json, user_error, Ctx};
use super::ingest::{Printer, StageArgs};
use clap::Args;
use indicatif::ProgressBar;
use std::ops::ControlFlow;
use std::process::ExitCode;
use vigie_engine::alerts::{Failed, Notifier, RunSummary, Sinks};
use vigie_engine::fetch::FetchError;
use vigie_engine::signals::stop_on_signals;
use vigie_engine::watcher::{check_inputs, Poll, Schedule, WatchEvents, Watcher};
use vigie_engine::{IngestOptions, Session};
use vigie_pipeline::ingest::FormatChoice;
use vigie_pipeline::reject::Reject;
use vigie_pipeline::runner::Analyzer;
use vigie_schemas::NotifySink;

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Directories (recursive), files, and RSS/Atom URLs
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Time between polls (30s, 5m, 1h)
    #[arg(long, default_value = "60s")]
    pub interval: String,
    /// One poll, then exit
    #[arg(long)]
    pub once: bool,
    /// Input format of files: auto, jsonl, feed, digest, html, text
    #[arg(long, default_value = "auto")]
    pub format: FormatChoice,
    /// Print one JSON summary line per poll on stdout
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub stages: StageArgs,
    /// Feed request timeout
    #[arg(long, default_value = "30s")]
    pub timeout: String,
    #[command(flatten)]
    pub webhook: WebhookArgs,
    #[command(flatten)]
    pub articles: super::articles::ArticleArgs,
}

/// The problems that do not stop watching on stderr beside the batch's progress, and a
/// summary per poll (stderr, or a JSON line on stdout with --json).
impl WatchEvents for Printer {
    fn feed_failed(&mut self, url: &str, error: &FetchError, failures: u32, wait_seconds: i64) {
        eprintln!("watch: {url}: fetch failed: {error} (try {failures}; next in {wait_seconds}s)");
    }
    fn unreadable(&mut self, file: &str, error: &std::io::Error) {
        eprintln!("watch: {file}: cannot read: {error}");
    }
    fn batch_failed(&mut self, poll: u64, error: &vigie_engine::Error) {
        eprintln!("error: watch: poll {poll}: {}", error_line(error));
    }
    fn line_rejected(&mut self, r: &Reject) {
        eprintln!("warning: watch: rejected: {}", one_line(&r.to_string()));
    }
    fn alerts_ran(&mut self, run: &vigie_engine::Result<RunSummary>) {
        self.pb.suspend(|| super::alerts::report_after_ingest(self.quiet, run));
    }
    fn polled(&mut self, p: &Poll) -> ControlFlow<()> {
        if self.json {
            if let Err(e) = self.pb.suspend(|| print_json(&mut std::io::stdout().lock(), p)) {
                self.failed = Some(e);
                return ControlFlow::Break(());
            }
        } else if !self.quiet {
            self.pb.suspend(|| eprintln!(
                "watch: poll {}: feeds {} changed, {} not modified, {} failed; {} files changed; indexed {} ({} duplicates, {} already stored, {} rejected); {} notifications; {:.2} s",
                p.poll, p.feeds_changed, p.feeds_not_modified, p.feeds_failed, p.files_changed, p.indexed, p.duplicates, p.existing, p.rejected, p.notifications, p.seconds
            ));
            if let Some(a) = p.articles.filter(|a| a.summaries > 0) {
                self.pb.suspend(|| super::articles::report(false, &a));
            }
        }
        ControlFlow::Continue(())
    }
}

/// The real sinks, the progress line held while they write (stdout notifications).
struct Suspended {
    pb: ProgressBar,
    sinks: Sinks,
}

impl Notifier for Suspended {
    fn send(&mut self, sink: &NotifySink, key: &str, lines: &str) -> Result<(), Failed> {
        let Suspended { pb, sinks } = self;
        pb.suspend(|| sinks.send(sink, key, lines))
    }
}

fn duration(s: &str, flag: &str) -> anyhow::Result<chrono::Duration> {
    parse_duration(s).filter(|d| d.num_seconds() > 0).ok_or_else(|| user_error(format!("{flag} {s:?}: use 30s, 5m, 1h")))
}

pub fn run(ctx: &Ctx, a: WatchArgs) -> anyhow::Result<ExitCode> {
    let interval = duration(&a.interval, "--interval")?;
    let timeout = duration(&a.timeout, "--timeout")?.to_std()?;
    let policy = a.webhook.policy()?;
    for i in check_inputs(&a.inputs)? {
        eprintln!("watch: {i}: no such file or directory yet (polled anyway)");
    }
    let (lang, analyzer) = a.stages.load()?;
    let fetcher = a.articles.fetcher(ctx.quiet)?; // --fetch-articles
    let opts = IngestOptions {
        fetch_articles: fetcher.as_ref(),
        ..IngestOptions::new(a.format, &lang, analyzer.as_ref().map(|x| x as &dyn Analyzer))
    };
    // one session for every poll: the dedup and story state stay in memory and the
    // index writer stays open (another process's ingest into this directory is refused
    // while watch runs)
    let mut session = Session::open(ctx.dir())?;
    let stop = stop_on_signals(|| eprintln!("watch: stopping after the batch in flight (signal again to quit at once)"));
    let mut watcher = Watcher::new(ctx.dir(), &a.inputs, interval, timeout)?;
    let pb = ctx.spinner("watch");
    let mut events = Printer::new(pb.clone());
    (events.quiet, events.json) = (ctx.quiet, a.json);
    let mut sinks = Suspended { pb: pb.clone(), sinks: Sinks::new(policy) };
    let schedule = Schedule::system(a.once.then_some(1));
    let ran = watcher.run(&mut session, &opts, Some(&mut sinks), &schedule, &stop, &mut events);
    pb.finish_and_clear();
    ran?;
    let polls = watcher.polls();
    session.close()?;
    if let Some(e) = events.failed.take() {
        return Err(e);
    }
    if let Some(f) = &fetcher {
        super::articles::report(ctx.quiet, &f.stats());
    }
    if !ctx.quiet {
        eprintln!("watch: stopped cleanly after {polls} polls");
    }
    Ok(ExitCode::SUCCESS)
}
