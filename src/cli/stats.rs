//! `vigie stats`

use super::common::{fmt_date, open_index, print_json, print_table, Ctx};
use clap::Args;
use std::io::Write;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: StatsArgs) -> anyhow::Result<ExitCode> {
    let s = open_index(ctx)?.stats()?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &s)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "documents   {} ({} duplicates)", s.documents, s.duplicates)?;
    writeln!(out, "published   {} to {}", fmt_date(s.first), fmt_date(s.last))?;
    let langs: Vec<String> = s.by_lang.iter().map(|(l, n)| format!("{l} {n}")).collect();
    writeln!(out, "languages   {}\n", langs.join(", "))?;
    let mut sources: Vec<(&String, &u64)> = s.sources.iter().collect();
    sources.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let rows: Vec<Vec<String>> = sources.iter().take(20).map(|(k, v)| vec![k.to_string(), v.to_string()]).collect();
    print_table(&mut out, &["source", "documents"], &rows)?;
    if sources.len() > 20 {
        writeln!(out, "… and {} more sources", sources.len() - 20)?;
    }
    Ok(ExitCode::SUCCESS)
}
