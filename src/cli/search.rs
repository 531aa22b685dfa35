//! `vigie search QUERY`

use super::common::{fmt_date, open_index, print_json_lines, print_table, shorten, Ctx, FilterArgs};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::process::ExitCode;
use vigie_index::{SearchRequest, SortBy};

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// tantivy query syntax: words (all required), "phrases", OR, -exclusion,
    /// title:word, lang:fr, source:..., ent:company:nvidia; '*' matches everything
    pub query: String,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Only documents mentioning this entity id
    #[arg(long)]
    pub entity: Option<String>,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    pub sort: Sort,
    /// Leave out duplicates
    #[arg(long)]
    pub no_dups: bool,
    /// One JSON object per hit
    #[arg(long)]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Sort {
    Relevance,
    Date,
}

pub fn run(ctx: &Ctx, a: SearchArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(ctx)?;
    let mut f = a.filters.build(ctx)?;
    f.entity = a.entity.clone();
    f.originals_only = a.no_dups;
    let req = SearchRequest {
        query: a.query.clone(),
        filters: f,
        limit: a.limit.max(1),
        offset: a.offset,
        sort: match a.sort {
            Sort::Relevance => SortBy::Relevance,
            Sort::Date => SortBy::Date,
        },
    };
    let res = vigie_engine::reports::search(&ctx.dir(), &index, &req)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &res.hits);
    }
    let rows: Vec<Vec<String>> = res
        .hits
        .iter()
        .map(|h| {
            vec![
                format!("{:.2}", h.score),
                fmt_date(h.published),
                h.lang.clone(),
                shorten(h.source.as_deref().unwrap_or("-"), 18),
                shorten(&h.title, 70) + if h.dup_of.is_some() { " (dup)" } else { "" },
                h.id.clone(),
            ]
        })
        .collect();
    print_table(&mut out, &["score", "published", "lang", "source", "title", "id"], &rows)?;
    writeln!(out, "{} of {} matching documents", res.hits.len(), res.total)?;
    Ok(ExitCode::SUCCESS)
}
