//! `vigie story ID`: one story's articles, languages, sources, first/last seen, top
//! entities and topic. ID may also be the id of one of its articles.

use super::common::{fmt_date, open_index, parse_when, print_json, print_table, shorten, user_error, Ctx};
use clap::Args;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct StoryArgs {
    /// A story id (from `search --json` or `show`), or the id of one of its articles
    pub id: String,
    /// Only articles published at or after (2025-01-29, RFC 3339, or 7d ago)
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: StoryArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(ctx)?;
    let since = a.since.as_deref().map(|s| parse_when(s, "--since")).transpose()?;
    let Some(report) = vigie_engine::reports::story(&ctx.dir(), &index, &a.id, since)? else {
        return Err(user_error(format!("no story or article with id {:?}", a.id)));
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "story      {}", report.id)?;
    if let (Some(id), Some(l)) = (&report.topic_id, &report.topic_label) {
        writeln!(out, "topic      {id}  {l}")?;
    }
    let join = |m: &BTreeMap<String, usize>| m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
    writeln!(out, "articles   {} ({} copies)", report.documents, report.documents - report.originals)?;
    writeln!(out, "languages  {}", join(&report.languages))?;
    writeln!(out, "sources    {}", join(&report.sources))?;
    writeln!(out, "seen       {} .. {}", fmt_date(report.first), fmt_date(report.last))?;
    let ents: Vec<String> = report.top_entities.iter().map(|e| format!("{} ({})", e.name, e.documents)).collect();
    writeln!(out, "entities   {}\n", ents.join(", "))?;
    let rows: Vec<Vec<String>> = report
        .articles
        .iter()
        .map(|x| {
            vec![
                fmt_date(x.published),
                x.lang.clone(),
                shorten(x.source.as_deref().unwrap_or("-"), 18),
                shorten(&x.title, 70) + if x.dup_of.is_some() { " (dup)" } else { "" },
                x.id.clone(),
            ]
        })
        .collect();
    print_table(&mut out, &["published", "lang", "source", "title", "id"], &rows)?;
    Ok(ExitCode::SUCCESS)
}
