//! `vigie alerts add|list|rm|test|run`

use super::common::{fmt_date, parse_duration, print_json, print_json_lines, print_table, shorten, user_error, Ctx};
use clap::{Args, Subcommand};
use std::io::Write;
use std::process::ExitCode;
use vigie_engine::alerts::{self, describe, parse_sink, NewRule, WebhookPolicy};
use vigie_engine::SystemClock;
use vigie_schemas::{EntityId, NotifyPer};

#[derive(Subcommand, Debug)]
pub enum AlertsCommand {
    /// Save a rule: a query in the search syntax, with optional filters, a sink and a
    /// digest period
    Add(AddArgs),
    /// The saved rules with their delivery state
    List(ListArgs),
    /// Delete a rule and its delivery state
    Rm(RmArgs),
    /// What the rule matches in the existing index (delivers nothing)
    Test(TestArgs),
    /// Match every rule against the documents added since its watermark and deliver
    Run(RunArgs),
}

#[derive(Args, Debug)]
pub struct AddArgs {
    pub name: String,
    /// tantivy query syntax, as for `vigie search`
    #[arg(required_unless_present = "from_search")]
    pub query: Option<String>,
    /// Start from a saved search (vigie searches): its query, language, entity and
    /// source, unless given here; its dates do not apply
    #[arg(long, value_name = "SAVED")]
    pub from_search: Option<String>,
    #[arg(long)]
    pub lang: Option<String>,
    /// Only documents mentioning this entity id (company:nvidia)
    #[arg(long)]
    pub entity: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    /// stdout, file:PATH or webhook:URL
    #[arg(long, default_value = "stdout")]
    pub notify: String,
    /// Deliver one digest per period (90s, 30m, 1h, 1d, 7d) instead of each match at once;
    /// periods end on the UTC calendar (a daily digest at midnight, a weekly one on Monday)
    #[arg(long)]
    pub digest: Option<String>,
    /// Shift where the digest period ends (less than the period): `--digest 1d
    /// --digest-offset 8h` delivers every day at 08:00 UTC
    #[arg(long, requires = "digest")]
    pub digest_offset: Option<String>,
    /// What is notified once: each story (an event and its rewrites), or each copy group
    /// (every new article that matches, its copies not again: every development)
    #[arg(long, value_enum, default_value_t = Per::Story)]
    pub per: Per,
}

/// `--per`: what a rule notifies once.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Per {
    Story,
    CopyGroup,
}

impl From<Per> for NotifyPer {
    fn from(p: Per) -> Self {
        match p {
            Per::Story => NotifyPer::Story,
            Per::CopyGroup => NotifyPer::CopyGroup,
        }
    }
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// One JSON object per rule
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    pub name: String,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    pub name: String,
    /// Stories shown (newest first)
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Print the run's summary as JSON (after any stdout notifications)
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub webhook: WebhookArgs,
}

/// Webhook delivery settings (also on `ingest` and `watch`).
#[derive(Args, Debug, Clone)]
pub struct WebhookArgs {
    /// Webhook request timeout
    #[arg(long, default_value = "10s")]
    pub webhook_timeout: String,
    /// Webhook retries after the first attempt (exponential backoff from 500 ms), 0-100
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub webhook_retries: u32,
}

impl WebhookArgs {
    pub fn policy(&self) -> anyhow::Result<WebhookPolicy> {
        let timeout = parse_duration(&self.webhook_timeout)
            .and_then(|d| d.to_std().ok())
            .ok_or_else(|| user_error(format!("--webhook-timeout {:?}: use 10s, 1m", self.webhook_timeout)))?;
        Ok(WebhookPolicy { timeout, retries: self.webhook_retries, ..Default::default() })
    }
}

pub fn run(ctx: &Ctx, c: AlertsCommand) -> anyhow::Result<ExitCode> {
    match c {
        AlertsCommand::Add(a) => add(ctx, a),
        AlertsCommand::List(a) => list(ctx, a),
        AlertsCommand::Rm(a) => rm(ctx, a),
        AlertsCommand::Test(a) => test(ctx, a),
        AlertsCommand::Run(a) => run_now(ctx, a),
    }
}

fn add(ctx: &Ctx, a: AddArgs) -> anyhow::Result<ExitCode> {
    let notify = parse_sink(&a.notify)?;
    let (digest_seconds, digest_offset_seconds) =
        alerts::digest_schedule(a.digest.as_deref(), a.digest_offset.as_deref(), ("--digest", "--digest-offset")).map_err(user_error)?;
    if let Some(e) = &a.entity {
        if !e.contains(':') {
            return Err(user_error(format!("--entity {e:?}: an entity id looks like company:nvidia")));
        }
    }
    let saved = match &a.from_search {
        Some(name) => Some(
            vigie_engine::searches::get(&ctx.dir(), name)?
                .ok_or_else(|| user_error(format!("--from-search: no saved search named {name:?} (vigie searches list)")))?
                .alert_filters()?,
        ),
        None => None,
    };
    let (query, lang, entity, source) = match saved {
        Some(s) => (a.query.unwrap_or(s.query), a.lang.or(s.lang), a.entity.or(s.entity), a.source.or(s.source)),
        None => (a.query.expect("clap requires a query without --from-search"), a.lang, a.entity, a.source),
    };
    let new = NewRule {
        name: a.name,
        query,
        lang,
        entity: entity.map(EntityId),
        source,
        notify,
        digest_seconds,
        digest_offset_seconds,
        per: a.per.into(),
    };
    let rule = alerts::add_rule(&ctx.dir(), new, &SystemClock)?;
    if !ctx.quiet {
        eprintln!("alert {} saved: {} -> {} (once per {})", rule.name, rule.query, describe(&rule.notify), rule.per.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

fn list(ctx: &Ctx, a: ListArgs) -> anyhow::Result<ExitCode> {
    let listed = alerts::list_rules(&ctx.dir())?;
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &listed);
    }
    let rows: Vec<Vec<String>> = listed
        .iter()
        .map(|l| {
            let r = &l.rule;
            let mut filters = Vec::new();
            for (k, v) in [("lang", &r.lang), ("source", &r.source), ("entity", &r.entity.as_ref().map(|e| e.0.clone()))] {
                if let Some(v) = v {
                    filters.push(format!("{k}={v}"));
                }
            }
            vec![
                r.name.clone(),
                shorten(&r.query, 40),
                filters.join(" "),
                describe(&r.notify),
                match (r.digest_seconds, l.next_digest) {
                    (Some(s), Some(next)) => format!("{s}s, next {}", next.format("%Y-%m-%d %H:%M UTC")),
                    (Some(s), None) => format!("{s}s"),
                    (None, _) => "-".into(),
                },
                r.per.as_str().to_string(),
                l.delivered.to_string(),
                l.pending.to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        writeln!(out, "no alerts (vigie alerts add NAME QUERY)")?;
    } else {
        print_table(&mut out, &["name", "query", "filters", "notify", "digest", "per", "delivered", "pending"], &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn rm(ctx: &Ctx, a: RmArgs) -> anyhow::Result<ExitCode> {
    let discarded = alerts::remove_rule(&ctx.dir(), &a.name)?;
    if discarded > 0 {
        eprintln!("alert {}: {discarded} undelivered notifications discarded", a.name);
    }
    Ok(ExitCode::SUCCESS)
}

fn test(ctx: &Ctx, a: TestArgs) -> anyhow::Result<ExitCode> {
    let rule = alerts::get_rule(&ctx.dir(), &a.name)?;
    let index = super::common::open_index(ctx)?;
    let t = alerts::test_rule(&index, &rule, a.limit)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &t.notifications);
    }
    let rows: Vec<Vec<String>> = t
        .notifications
        .iter()
        .map(|n| {
            vec![
                fmt_date(n.published),
                n.lang.clone(),
                shorten(n.source.as_deref().unwrap_or("-"), 18),
                shorten(&n.title, 60),
                shorten(&n.matched_terms.join(" "), 24),
                n.document_id.0.clone(),
            ]
        })
        .collect();
    print_table(&mut out, &["published", "lang", "source", "title", "matched", "id"], &rows)?;
    writeln!(
        out,
        "{} documents in the index match {}; {} {} shown, newest first (nothing delivered)",
        t.total,
        rule.name,
        t.notifications.len(),
        if rule.per == NotifyPer::CopyGroup { "copy groups" } else { "stories" }
    )?;
    Ok(ExitCode::SUCCESS)
}

fn run_now(ctx: &Ctx, a: RunArgs) -> anyhow::Result<ExitCode> {
    let index = super::common::open_index(ctx)?;
    let s = alerts::run(&ctx.dir(), &index, &mut alerts::Sinks::new(a.webhook.policy()?), &SystemClock)?;
    print_failures(&s);
    if a.json {
        print_json(&mut std::io::stdout().lock(), &s)?;
    } else if !ctx.quiet {
        eprintln!("{}", summary_line(&s));
    }
    Ok(ExitCode::SUCCESS)
}

/// The alert run that follows an ingest or a watch poll, on stderr: its summary when it
/// did something (unless `--quiet`), or its error, once. A failure does not stop the
/// command: the documents are committed, and the next run picks them up again.
pub fn report_after_ingest(quiet: bool, run: &vigie_engine::Result<alerts::RunSummary>) {
    if let Ok(s) = run {
        print_failures(s);
    }
    match run {
        Ok(s) if (s.documents > 0 || s.delivered > 0 || s.dead_lettered > 0) && !quiet => eprintln!("{}", summary_line(s)),
        Ok(_) => {}
        Err(e) => eprintln!("error: alerts: {}", super::common::error_line(e)),
    }
}

/// The deliveries given up on, one line each on stderr, whatever the output mode.
fn print_failures(s: &alerts::RunSummary) {
    for f in &s.failures {
        eprintln!("{}", super::common::one_line(&f.to_string()));
    }
}

/// One line for humans (on stderr: stdout carries the stdout sink's notifications).
pub fn summary_line(s: &alerts::RunSummary) -> String {
    format!(
        "alerts: {} rules over {} new documents: {} matches, {} new notifications, {} delivered ({} digests), {} dead-lettered, {} pending",
        s.rules, s.documents, s.matches, s.notifications, s.delivered, s.digests, s.dead_lettered, s.pending
    )
}
