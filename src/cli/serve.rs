//! `vigie serve`: the HTTP API over the data directory until SIGINT/SIGTERM, with the
//! watch loop of `vigie watch` beside it when given `--watch PATH|URL ...`.

use super::alerts::WebhookArgs;
use super::common::{parse_duration, user_error, Ctx};
use super::ingest::{Printer, StageArgs};
use clap::Args;
use indicatif::ProgressBar;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use vigie_engine::alerts::Sinks;
use vigie_engine::watcher::{check_inputs, Watcher};
use vigie_pipeline::ingest::FormatChoice;
use vigie_server::{ServeConfig, Stages, Token, Watch};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0: a free port); an address other than loopback needs
    /// a token
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Every /api request must send `Authorization: Bearer TOKEN`
    #[arg(long, env = "VIGIE_TOKEN", hide_env_values = true, conflicts_with = "token_file")]
    pub token: Option<String>,
    /// Read the token from the first line of a file (kept off the command line)
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Also watch these directories, files and RSS/Atom URLs as `vigie watch` does, in
    /// this process (POST /api/ingest then shares the watch's session)
    #[arg(long, num_args = 1.., value_name = "PATH|URL")]
    pub watch: Vec<String>,
    /// Time between polls of --watch (30s, 5m, 1h)
    #[arg(long, default_value = "60s")]
    pub interval: String,
    /// Feed request timeout of --watch
    #[arg(long, default_value = "30s")]
    pub timeout: String,
    /// Input format of the watched files: auto, jsonl, feed, digest, html, text
    #[arg(long, default_value = "auto")]
    pub format: FormatChoice,
    /// Load the model stage (entities, stories, topics) for POST /api/ingest; it is
    /// loaded by default with --watch only (as vigie watch), --no-entities never
    #[arg(long, conflicts_with = "no_entities")]
    pub entities: bool,
    #[command(flatten)]
    pub stages: StageArgs,
    #[command(flatten)]
    pub webhook: WebhookArgs,
}

/// A server error the user can fix (a setting, an address in use) exits 1.
fn setting(e: vigie_server::Error) -> anyhow::Error {
    match e.kind() {
        vigie_engine::ErrorKind::Usage => user_error(e.to_string()),
        vigie_engine::ErrorKind::Internal => e.into(),
    }
}

pub fn run(ctx: &Ctx, a: ServeArgs) -> anyhow::Result<ExitCode> {
    let token = match (&a.token, &a.token_file) {
        (Some(t), _) => Some(Token::new(t).map_err(setting)?),
        (None, Some(f)) => Some(Token::from_file(f).map_err(setting)?),
        (None, None) => None,
    };
    let mut config = ServeConfig::new(ctx.dir(), a.addr, token).map_err(setting)?;
    let interval = duration(&a.interval, "--interval")?;
    let timeout = duration(&a.timeout, "--timeout")?.to_std()?;
    let policy = a.webhook.policy()?;
    // the model stage takes seconds and a gigabyte to load: only when asked, or for a
    // watch (which loads it as vigie watch does)
    let mut stage_args = a.stages;
    let wanted = a.entities || !a.watch.is_empty();
    stage_args.no_entities |= !wanted;
    let (lang, analyzer) = stage_args.load()?;
    let analyzer = analyzer.map(|x| Box::new(x) as Box<dyn vigie_pipeline::runner::Analyzer + Send + Sync>);
    config.stages = Some(Arc::new(Stages { lang, analyzer, webhook: policy.clone() }));
    let watch = if a.watch.is_empty() {
        None
    } else {
        for i in check_inputs(&a.watch)? {
            eprintln!("watch: {i}: no such file or directory yet (polled anyway)");
        }
        let mut events = Printer::new(ProgressBar::hidden());
        events.quiet = ctx.quiet;
        Some(Watch {
            watcher: Watcher::new(ctx.dir(), &a.watch, interval, timeout)?,
            format: a.format,
            events: Box::new(events),
            notifier: Box::new(Sinks::new(policy)),
        })
    };
    vigie_server::serve(&config, watch, |addr| eprintln!("vigie: serving http://{addr}/")).map_err(setting)?;
    Ok(ExitCode::SUCCESS)
}

fn duration(s: &str, flag: &str) -> anyhow::Result<chrono::Duration> {
    parse_duration(s).filter(|d| d.num_seconds() > 0).ok_or_else(|| user_error(format!("{flag} {s:?}: use 30s, 5m, 1h")))
}
