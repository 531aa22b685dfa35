//! `vigie watch PATH|URL ... [--interval 60s]`: poll folders and feeds, ingest what is
//! new, commit, run the alert rules, and repeat until SIGINT/SIGTERM.

use super::alerts::WebhookArgs;
use super::common::{parse_duration, print_json, user_error, Ctx};
use super::ingest::{run_alerts, Printer, StageArgs};
use clap::Args;
use serde::Serialize;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use vigie_engine::fetch::is_url;
use vigie_engine::watch::{backoff, file_change, list_files, poll_feed, FeedPoll, WatchState};
use vigie_engine::{IngestOptions, Session};
use vigie_pipeline::ingest::{FormatChoice, Input};
use vigie_pipeline::reject::{Reject, RejectLog};
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

/// One poll, as printed with --json.
#[derive(Debug, Default, Serialize)]
struct Poll {
    poll: u64,
    feeds_changed: usize,
    feeds_not_modified: usize,
    feeds_failed: usize,
    files_changed: usize,
    read: u64,
    indexed: u64,
    duplicates: u64,
    existing: u64,
    rejected: u64,
    notifications: usize,
    delivered: usize,
    /// the poll's time: fetching, ingesting, committing, alerts
    seconds: f64,
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
    let urls: Vec<String> = a.inputs.iter().filter(|i| is_url(i)).cloned().collect();

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
    let client = vigie_engine::fetch::client_with(timeout)?;

    let mut state = WatchState::load(&ctx.data)?;
    let mut poll_no = 0u64;
    let never = AtomicBool::new(false);
    loop {
        poll_no += 1;
        let started = std::time::Instant::now();
        let mut p = Poll { poll: poll_no, ..Default::default() };
        let now = chrono::Utc::now();
        let mut sources: Vec<Input> = Vec::new();
        let mut new_state = state.clone();

        // feeds that are due, fetched concurrently
        let due: Vec<String> =
            urls.iter().filter(|u| state.feeds.get(*u).and_then(|m| m.next_try).is_none_or(|t| t <= now)).cloned().collect();
        let polled = rt.block_on(async {
            let mut set = tokio::task::JoinSet::new();
            let mut ids = std::collections::HashMap::new();
            for (i, u) in due.iter().enumerate() {
                let (c, u, m) = (client.clone(), u.clone(), state.feeds.get(u).cloned().unwrap_or_default());
                let h = set.spawn(async move { poll_feed(&c, &u, &m).await });
                ids.insert(h.id(), i);
            }
            let mut out: Vec<(usize, FeedPoll)> = Vec::new();
            while let Some(r) = set.join_next_with_id().await {
                // a task that failed is a failed poll of its feed, never a crash of watch
                let (id, res) = match r {
                    Ok((id, res)) => (id, res),
                    Err(e) => (e.id(), FeedPoll::Failed(format!("the poll task failed: {e}"), None)),
                };
                if let Some(&i) = ids.get(&id) {
                    out.push((i, res));
                }
            }
            out.sort_by_key(|(i, _)| *i);
            out
        });
        for (i, res) in polled {
            let url = &due[i];
            let mark = new_state.feeds.entry(url.clone()).or_default();
            match res {
                FeedPoll::Changed { input, etag, last_modified, hash } => {
                    p.feeds_changed += 1;
                    sources.push(input);
                    (mark.etag, mark.last_modified, mark.hash) = (etag, last_modified, hash);
                    (mark.failures, mark.next_try) = (0, None);
                }
                FeedPoll::NotModified | FeedPoll::Unchanged => {
                    p.feeds_not_modified += 1;
                    (mark.failures, mark.next_try) = (0, None);
                }
                FeedPoll::Failed(reason, asked) => {
                    p.feeds_failed += 1;
                    let wait = backoff(mark, interval, asked, now);
                    eprintln!("watch: {url}: fetch failed: {reason} (try {}; next in {}s)", mark.failures, wait.num_seconds());
                }
            }
        }

        // files: new ones, and what grew; JSON lines over the record limit are refused
        // here (written to the rejects once the poll's batch is committed)
        let mut line_rejects: Vec<Reject> = Vec::new();
        for f in list_files(&a.inputs, std::slice::from_ref(&ctx.data)) {
            let key = f.display().to_string();
            match file_change(&f, state.files.get(&key)) {
                Ok(Some(c)) => {
                    p.files_changed += 1;
                    sources.extend(c.input);
                    line_rejects.extend(c.rejects);
                    new_state.files.insert(c.key, c.mark);
                }
                Ok(None) => {}
                Err(e) => eprintln!("watch: {key}: cannot read: {e}"),
            }
        }

        let mut ingested = true;
        if !sources.is_empty() {
            // the batch in flight is finished even when a signal arrives meanwhile
            let pb = ctx.spinner("ingest");
            let result = session.ingest(&sources, &opts, &mut Printer::new(pb.clone()), &never);
            pb.finish_and_clear();
            match result {
                Ok(s) => {
                    (p.read, p.indexed, p.duplicates, p.existing, p.rejected) = (s.read, s.indexed, s.duplicates, s.existing, s.rejected)
                }
                Err(e) => {
                    // nothing is marked as read: the next poll tries the same input again
                    eprintln!("error: watch: poll {poll_no}: {}", super::common::one_line(&format!("{e:#}")));
                    new_state = state.clone();
                    ingested = false;
                }
            }
        }
        if ingested && !line_rejects.is_empty() {
            let mut log = RejectLog::new(ctx.rejects_path());
            for r in &line_rejects {
                eprintln!("warning: watch: rejected: {}", super::common::one_line(&r.to_string()));
                log.write(r)?;
            }
            p.read += line_rejects.len() as u64;
            p.rejected += line_rejects.len() as u64;
        }
        // the marks follow the commit: a crash in between re-reads input already stored,
        // whose ids are then skipped
        new_state.save(&ctx.data)?;
        state = new_state;
        if let Some(s) = run_alerts(ctx, session.index(), &policy) {
            (p.notifications, p.delivered) = (s.notifications, s.delivered);
        }
        p.seconds = started.elapsed().as_secs_f64();
        if a.json {
            print_json(&mut std::io::stdout().lock(), &p)?;
        } else if !ctx.quiet {
            eprintln!(
                "watch: poll {}: feeds {} changed, {} not modified, {} failed; {} files changed; indexed {} ({} duplicates, {} already stored, {} rejected); {} notifications; {:.2} s",
                p.poll, p.feeds_changed, p.feeds_not_modified, p.feeds_failed, p.files_changed, p.indexed, p.duplicates, p.existing, p.rejected, p.notifications, p.seconds
            );
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
    session.close()?;
    if !ctx.quiet {
        eprintln!("watch: stopped cleanly after {poll_no} polls");
    }
    Ok(ExitCode::SUCCESS)
}
