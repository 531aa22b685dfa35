//! `vigie show ID`

use super::common::{fmt_date, open_index, user_error, Ctx};
use clap::Args;
use std::io::Write;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ShowArgs {
    pub id: String,
    /// The stored document (schemas/document.v1) as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: ShowArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(ctx)?;
    let Some(d) = vigie_engine::reports::document(&ctx.dir(), &index, &a.id)? else {
        return Err(user_error(format!("no document with id {:?}", a.id)));
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        super::common::print_json(&mut out, &d)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{}", d.title)?;
    writeln!(out, "id         {}", d.id)?;
    for (k, v) in [("url", d.url.clone()), ("source", d.source.clone()), ("author", d.author.clone())] {
        if let Some(v) = v {
            writeln!(out, "{k:<10} {v}")?;
        }
    }
    writeln!(out, "published  {}", d.published.map(|p| p.to_rfc3339()).or(d.published_raw.clone()).unwrap_or_else(|| fmt_date(None)))?;
    writeln!(out, "lang       {} ({:.2})", d.lang, d.lang_confidence)?;
    if let Some(x) = &d.dup_of {
        writeln!(out, "dup_of     {x}")?;
    }
    if let Some(x) = &d.story_id {
        writeln!(out, "story      {x}")?;
    }
    if let Some(x) = &d.topic_id {
        writeln!(out, "topic      {x}")?;
    }
    if !d.entities.is_empty() {
        let e: Vec<String> = d.entities.iter().map(|e| format!("{} ({}, {}×)", e.name, e.kind, e.mentions)).collect();
        writeln!(out, "entities   {}", e.join(", "))?;
    }
    writeln!(out, "\n{}", d.body)?;
    Ok(ExitCode::SUCCESS)
}
