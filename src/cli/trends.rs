//! `vigie trends`: entities whose count in the last window is unusual against the
//! baseline period before it (Poisson surprise; see the README), and `vigie cooccur`.

use super::common::{fmt_date, open_index, parse_when, print_json, print_json_lines, print_table, Ctx};
use clap::Args;
use std::process::ExitCode;
use vigie_index::analytics::TrendRequest;
use vigie_schemas::EntityType;

#[derive(Args, Debug)]
pub struct TrendsArgs {
    /// The recent window (7d, 24h, 2w)
    #[arg(long, default_value = "7d")]
    pub window: String,
    /// The baseline period just before the window
    #[arg(long, default_value = "28d")]
    pub baseline: String,
    /// End of the window (default: the latest publication date in the index)
    #[arg(long)]
    pub at: Option<String>,
    /// person, company, gpu, organization, location or other
    #[arg(long = "type")]
    pub kind: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Least documents in the window to be ranked
    #[arg(long, default_value_t = 2)]
    pub min_count: u64,
    #[arg(long)]
    pub lang: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn kind(k: Option<&str>) -> anyhow::Result<Option<EntityType>> {
    Ok(k.map(|k| vigie_engine::params::entity_type(k, "--type")).transpose()?)
}

pub fn run(ctx: &Ctx, a: TrendsArgs) -> anyhow::Result<ExitCode> {
    let window = vigie_engine::params::window(&a.window, "--window")?;
    let baseline = vigie_engine::params::window(&a.baseline, "--baseline")?;
    let index = open_index(ctx)?;
    let at = match a.at.as_deref() {
        Some(s) => parse_when(s, "--at")?,
        None => vigie_engine::reports::trend_end(&index)?,
    };
    let req = TrendRequest {
        at,
        window,
        baseline,
        kind: kind(a.kind.as_deref())?,
        filters: vigie_index::Filters { lang: a.lang.clone(), source: a.source.clone(), ..Default::default() },
        top: a.top,
        min_count: a.min_count,
    };
    let vigie_engine::reports::Trends { entities: rows, topics } = vigie_engine::reports::trends(&ctx.dir(), &index, &req)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        for r in &rows {
            print_json(&mut out, r)?;
        }
        for t in &topics {
            print_json(&mut out, t)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    use std::io::Write;
    writeln!(
        out,
        "window {} .. {}, baseline the {} before",
        (at - window).format("%Y-%m-%d %H:%M"),
        at.format("%Y-%m-%d %H:%M"),
        a.baseline
    )?;
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!("{:.1}", r.score),
                r.window_count.to_string(),
                format!("{:.2}", r.baseline_rate),
                format!("{:.1}x", r.ratio),
                if r.new { "new".into() } else { String::new() },
                r.kind.to_string(),
                r.name.clone(),
                r.id.clone(),
                fmt_date(r.first_seen),
            ]
        })
        .collect();
    print_table(&mut out, &["score", "window", "expected", "ratio", "", "type", "name", "id", "first seen"], &table)?;
    if !topics.is_empty() {
        writeln!(out)?;
        let table: Vec<Vec<String>> = topics
            .iter()
            .map(|t| {
                vec![
                    format!("{:.1}", t.score),
                    t.window_count.to_string(),
                    format!("{:.2}", t.baseline_rate),
                    format!("{:.1}x", t.ratio),
                    if t.new { "new".into() } else { String::new() },
                    t.id.clone(),
                    super::common::shorten(&t.name, 80),
                ]
            })
            .collect();
        print_table(&mut out, &["score", "window", "expected", "ratio", "", "topic", "label"], &table)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct CooccurArgs {
    /// An entity id (company:nvidia)
    pub entity: String,
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Least shared stories to be listed
    #[arg(long, default_value_t = 1)]
    pub min_stories: u64,
    #[command(flatten)]
    pub filters: super::common::FilterArgs,
    #[arg(long)]
    pub json: bool,
}

pub fn cooccur(ctx: &Ctx, a: CooccurArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(ctx)?;
    let rows = index.cooccur(&a.entity, &a.filters.build(ctx)?, a.top, a.min_stories)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.stories.to_string(),
                r.documents.to_string(),
                format!("{:.2}", r.lift),
                format!("{:.2}", r.pmi),
                r.kind.to_string(),
                r.name.clone(),
                r.id.clone(),
            ]
        })
        .collect();
    print_table(&mut out, &["stories", "documents", "lift", "pmi", "type", "name", "id"], &table)?;
    if rows.is_empty() {
        use std::io::Write;
        writeln!(out, "no entity shares a story with {}", a.entity)?;
    }
    Ok(ExitCode::SUCCESS)
}
