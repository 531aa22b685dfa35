//! `vigie topics [rebuild]`: the topics with their labels, keywords, sizes, top entities
//! and first/last article, counted live from the index (within `--since/--until`).

use super::common::{fmt_date, open_index, print_json, print_table, shorten, user_error, Ctx, FilterArgs};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::Write;
use std::process::ExitCode;
use vigie_engine::reports::{topic_listing, Bounds};
use vigie_engine::topics::RebuildOptions;

#[derive(Args, Debug)]
pub struct TopicsArgs {
    #[command(subcommand)]
    pub action: Option<TopicsAction>,
    #[command(flatten)]
    pub window: FilterArgs,
    /// At most this many topics (largest first)
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum TopicsAction {
    /// Re-cluster all stories into topics from the stored embeddings (no re-encoding);
    /// topic ids survive where a topic kept most of its stories
    Rebuild(RebuildArgs),
}

#[derive(Args, Debug)]
pub struct RebuildArgs {
    /// Average centred cosine two groups of stories need to merge (higher: more,
    /// narrower topics)
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Cosine to a topic centroid a story needs to join it (higher: more outliers)
    #[arg(long)]
    pub assign_threshold: Option<f32>,
    #[arg(long)]
    pub json: bool,
}

/// The window, language and source of a listing (every topic is listed: no --topic).
fn bounds(f: &FilterArgs) -> anyhow::Result<Bounds> {
    if f.topic.is_some() {
        return Err(user_error("--topic does not apply here: `vigie topics` lists every topic"));
    }
    Ok(Bounds::new(&f.build_without_topic()?))
}

pub fn run(ctx: &Ctx, a: TopicsArgs) -> anyhow::Result<ExitCode> {
    if let Some(TopicsAction::Rebuild(r)) = a.action {
        return rebuild(ctx, r);
    }
    let index = open_index(ctx)?;
    let bounds = bounds(&a.window)?;
    let Some(listing) = topic_listing(&ctx.dir(), &index, &bounds)? else {
        return Err(user_error(format!("{}: no topics yet (ingest with the model, or run `vigie topics rebuild`)", ctx.data.display())));
    };
    let rows = listing.rows;
    let mut out = std::io::stdout().lock();
    if a.json {
        for r in rows.iter().take(a.limit) {
            print_json(&mut out, r)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .take(a.limit)
        .map(|r| {
            let langs: Vec<String> = r.languages.iter().map(|(l, n)| format!("{l} {n}")).collect();
            vec![
                r.id.clone(),
                r.size.to_string(),
                r.stories.to_string(),
                langs.join(", "),
                fmt_date(r.first),
                fmt_date(r.last),
                shorten(&r.label, 90),
            ]
        })
        .collect();
    print_table(&mut out, &["topic", "articles", "stories", "languages", "first", "last", "label"], &table)?;
    let in_topics: u32 = rows.iter().map(|r| r.size).sum();
    let all = listing.articles;
    writeln!(out, "{} topics; {} of {} articles in no topic", rows.len(), all.saturating_sub(in_topics as usize), all)?;
    Ok(ExitCode::SUCCESS)
}

fn rebuild(ctx: &Ctx, r: RebuildArgs) -> anyhow::Result<ExitCode> {
    let opts = RebuildOptions { threshold: r.threshold, assign_threshold: r.assign_threshold };
    let pb = ctx.spinner("topics");
    let report = vigie_engine::topics::rebuild(&ctx.dir(), opts, &mut |m| pb.set_message(m.to_string()));
    pb.finish_and_clear();
    let report = report.with_context(|| format!("opening {}", ctx.data.display()))?;
    let mut out = std::io::stdout().lock();
    if r.json {
        print_json(&mut out, &report)?;
    } else {
        writeln!(
            out,
            "{} stories -> {} topics ({} kept their id), {} stories in no topic, {:.1} s",
            report.stories, report.topics, report.kept_ids, report.outlier_stories, report.seconds
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
