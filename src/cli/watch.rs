//! `vigie watch PATH|URL ... [--interval 60s]`: poll folders and feeds, ingest what is
//! new, commit, run the alert rules, and repeat until SIGINT/SIGTERM.

use super::alerts::WebhookArgs;
use super::common::{parse_duration, print_json, user_error, Ctx};
use super::ingest::{Printer, StageArgs};
use clap::Args;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use vigie_engine::fetch::is_url;
use vigie_engine::watcher::{WatchEvents, Watcher};
use vigie_engine::{IngestOptions, Session, SystemClock};
use vigie_pipeline::ingest::FormatChoice;
use vigie_pipeline::reject::Reject;
use vigie_pipeline::runner::Analyzer;

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
}

/// The problems that do not stop watching, on stderr beside the batch's progress.
impl WatchEvents for Printer {
    fn feed_failed(&mut self, url: &str, error: &vigie_engine::fetch::FetchError, failures: u32, wait_seconds: i64) {
        eprintln!("watch: {url}: fetch failed: {error} (try {failures}; next in {wait_seconds}s)");
    }
    fn unreadable(&mut self, file: &str, error: &std::io::Error) {
        eprintln!("watch: {file}: cannot read: {error}");
    }
    fn batch_failed(&mut self, poll: u64, error: &vigie_engine::Error) {
        // the error and its causes, as `{:#}` prints an anyhow chain
        let mut msg = error.to_string();
        let mut cause = std::error::Error::source(error);
        while let Some(c) = cause {
            msg.push_str(": ");
            msg.push_str(&c.to_string());
            cause = c.source();
        }
        eprintln!("error: watch: poll {poll}: {}", super::common::one_line(&msg));
    }
    fn line_rejected(&mut self, r: &Reject) {
        eprintln!("warning: watch: rejected: {}", super::common::one_line(&r.to_string()));
    }
}

fn duration(s: &str, flag: &str) -> anyhow::Result<chrono::Duration> {
    parse_duration(s).filter(|d| d.num_seconds() > 0).ok_or_else(|| user_error(format!("{flag} {s:?}: use 30s, 5m, 1h")))
}

pub fn run(ctx: &Ctx, a: WatchArgs) -> anyhow::Result<ExitCode> {
    let interval = duration(&a.interval, "--interval")?;
    let timeout = duration(&a.timeout, "--timeout")?.to_std()?;
    let policy = a.webhook.policy()?;
    for i in a.inputs.iter().filter(|i| !is_url(i)) {
        if i == "-" {
            return Err(user_error("watch: stdin (-) cannot be polled; use vigie ingest -"));
        }
        if !std::path::Path::new(i).exists() {
            eprintln!("watch: {i}: no such file or directory yet (polled anyway)");
        }
    }
    let (lang, analyzer) = a.stages.load()?;
    let opts = IngestOptions::new(a.format, &lang, analyzer.as_ref().map(|x| x as &dyn Analyzer));
    // one session for every poll: the dedup and story state stay in memory and the
    // index writer stays open (another process's ingest into this directory is refused
    // while watch runs)
    let mut session = Session::open(ctx.dir())?;

    // tokio for the I/O (feeds, signals); the pipeline's CPU stages keep their threads
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(tokio::sync::Notify::new());
    {
        let (stop, wake) = (stop.clone(), wake.clone());
        let signals = Arc::new(AtomicUsize::new(0));
        rt.spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else { return };
            loop {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
                if signals.fetch_add(1, Ordering::SeqCst) == 0 {
                    eprintln!("watch: stopping after the batch in flight (signal again to quit at once)");
                    stop.store(true, Ordering::SeqCst);
                    wake.notify_one();
                } else {
                    // committed data is safe at any moment; the next run resumes
                    std::process::exit(130);
                }
            }
        });
    }
    let mut watcher = Watcher::new(ctx.dir(), &a.inputs, interval, timeout)?;
    let pb = ctx.spinner("watch");
    let mut events = Printer::new(pb.clone());
    loop {
        let mut p = watcher.poll(&rt, &mut session, &opts, &SystemClock, &mut events)?;
        let alerts_started = std::time::Instant::now();
        let run = pb.suspend(|| session.run_alerts(&mut vigie_engine::alerts::Sinks::new(policy.clone()), &SystemClock));
        super::alerts::report_after_ingest(ctx.quiet, &run);
        if let Ok(s) = run {
            (p.notifications, p.delivered) = (s.notifications, s.delivered);
        }
        p.seconds += alerts_started.elapsed().as_secs_f64();
        if a.json {
            pb.suspend(|| print_json(&mut std::io::stdout().lock(), &p))?;
        } else if !ctx.quiet {
            pb.suspend(|| eprintln!(
                "watch: poll {}: feeds {} changed, {} not modified, {} failed; {} files changed; indexed {} ({} duplicates, {} already stored, {} rejected); {} notifications; {:.2} s",
                p.poll, p.feeds_changed, p.feeds_not_modified, p.feeds_failed, p.files_changed, p.indexed, p.duplicates, p.existing, p.rejected, p.notifications, p.seconds
            ));
        }
        if a.once || stop.load(Ordering::SeqCst) {
            break;
        }
        let wait = interval.to_std()?;
        rt.block_on(async {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
            }
        });
        if stop.load(Ordering::SeqCst) {
            break;
        }
    }
    pb.finish_and_clear();
    let polls = watcher.polls();
    session.close()?;
    if !ctx.quiet {
        eprintln!("watch: stopped cleanly after {polls} polls");
    }
    Ok(ExitCode::SUCCESS)
}
