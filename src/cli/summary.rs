//! `vigie summary [QUERY] --since 7d`: documents, stories, copies and copy rate of a
//! query, each against the previous period of equal length.

use super::common::{print_json, Ctx};
use super::sources::Selection;
use clap::Args;
use std::io::Write;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// One JSON object
    #[arg(long)]
    pub json: bool,
}

fn change(c: Option<f64>) -> String {
    c.map_or_else(|| "-".into(), |c| format!("{:+.1}%", c * 100.0))
}

pub fn run(ctx: &Ctx, a: SummaryArgs) -> anyhow::Result<ExitCode> {
    let index = super::common::open_index(ctx)?;
    let (sel, f) = a.selection.build(ctx)?;
    let s = vigie_engine::reports::summary(&index, &sel, &f, chrono::Utc::now())?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &s)?;
        return Ok(ExitCode::SUCCESS);
    }
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    match (s.period, s.previous) {
        (Some(p), Some(b)) => {
            writeln!(out, "period     {} to {}, against {} to {}\n", fmt(p.since), fmt(p.until), fmt(b.since), fmt(b.until))?
        }
        _ => writeln!(out, "period     all (give --since to compare with the period before)\n")?,
    }
    let n = |v: Option<u64>| v.map_or_else(|| "-".into(), |v| v.to_string());
    let rows = vec![
        vec!["documents".into(), s.documents.value.to_string(), n(s.documents.previous), change(s.documents.change)],
        vec!["stories".into(), s.stories.value.to_string(), n(s.stories.previous), change(s.stories.change)],
        vec!["copies".into(), s.duplicates.value.to_string(), n(s.duplicates.previous), change(s.duplicates.change)],
        vec![
            "copy rate".into(),
            format!("{:.1}%", s.copy_rate.value * 100.0),
            s.copy_rate.previous.map_or_else(|| "-".into(), |v| format!("{:.1}%", v * 100.0)),
            change(s.copy_rate.change),
        ],
    ];
    super::common::print_table(&mut out, &["", "value", "previous", "change"], &rows)?;
    Ok(ExitCode::SUCCESS)
}
