//! `vigie timeline ENTITY_ID|QUERY ...`: documents and distinct stories per day, ISO week
//! or month in a time zone; several ids or queries give one series each (share of voice).

use super::common::{print_json_lines, print_table, user_error, Ctx, FilterArgs};
use clap::Args;
use std::io::Write;
use std::process::ExitCode;
use vigie_index::analytics::{Bucket, Selector, TimelineRequest};

#[derive(Args, Debug)]
pub struct TimelineArgs {
    /// Entity ids (company:nvidia) or search queries ("stargate OR openai"), one series each
    #[arg(required = true)]
    pub series: Vec<String>,
    /// Bucket: day, week (ISO, Monday first) or month
    #[arg(long, default_value = "week")]
    pub by: Bucket,
    /// Time zone the buckets are cut in (IANA name)
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Also each series' share of all the stories (and documents) of its bucket within
    /// the filters: share of attention
    #[arg(long)]
    pub normalize: bool,
    /// One JSON object per bucket and series
    #[arg(long)]
    pub json: bool,
    /// Also draw the series as an SVG line chart
    #[arg(long)]
    pub plot: Option<std::path::PathBuf>,
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A bar of `width` cells for `v` out of `max`.
fn bar(v: u64, max: u64, width: usize) -> String {
    if max == 0 || v == 0 {
        return String::new();
    }
    let eighths = (v as f64 / max as f64 * (width * 8) as f64).round().max(1.0) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(BARS[eighths % 8 - 1]);
    }
    s
}

pub fn run(ctx: &Ctx, a: TimelineArgs) -> anyhow::Result<ExitCode> {
    let tz = vigie_engine::params::time_zone(&a.tz, "--tz")?;
    let index = super::common::open_index(ctx)?;
    let req = TimelineRequest {
        series: a.series.iter().map(|s| Selector::parse(s)).collect(),
        by: a.by,
        tz,
        filters: a.filters.build(ctx)?,
        normalize: a.normalize,
    };
    let t = index.timeline(&req)?;
    if let Some(p) = &a.plot {
        let by = match a.by {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        };
        let title = format!("{}: documents per {by} ({})", t.series.join(", "), a.tz);
        std::fs::write(p, super::plot::svg(&t, &title)).map_err(|e| user_error(format!("{}: {e}", p.display())))?;
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &vigie_engine::reports::timeline_rows(&t));
    }
    let max = t.rows.iter().flat_map(|(_, c)| c.iter().map(|x| x.documents)).max().unwrap_or(0);
    let mut header = vec!["period".to_string()];
    for s in &t.series {
        header.push(format!("{s} docs"));
        header.push("stories".to_string());
        if t.totals.is_some() {
            header.push("share".to_string());
        }
    }
    if t.series.len() == 1 {
        header.push(String::new());
    }
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, (p, counts))| {
            let mut r = vec![p.to_string()];
            let total = t.totals.as_ref().and_then(|v| v.get(i));
            for c in counts {
                r.push(c.documents.to_string());
                r.push(c.stories.to_string());
                if let Some(total) = total {
                    r.push(format!("{:.1}%", c.share_of(total).0 * 100.0));
                }
            }
            if counts.len() == 1 {
                r.push(bar(counts[0].documents, max, 30));
            }
            r
        })
        .collect();
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    print_table(&mut out, &h, &rows)?;
    if t.rows.is_empty() {
        writeln!(out, "no matching documents")?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn bars_scale_to_the_maximum() {
        assert_eq!(super::bar(10, 10, 2), "██");
        assert_eq!(super::bar(0, 10, 2), "");
        assert_eq!(super::bar(1, 1000, 2), "▁");
    }
}
