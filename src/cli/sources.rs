//! `vigie sources [QUERY]`: the sources of the documents a query (or an entity id)
//! selects, with documents, copies, stories, share and first/last publication.

use super::common::{fmt_date, open_index, print_json_lines, print_table, Ctx, FilterArgs};
use clap::Args;
use std::process::ExitCode;
use vigie_index::analytics::Selector;

/// What the monitoring commands select: a query or an entity id, and filters.
#[derive(Args, Debug, Clone)]
pub struct Selection {
    /// An entity id (company:nvidia) or a query in the search syntax; `*` (the default)
    /// matches everything
    #[arg(default_value = "*")]
    pub query: String,
    /// Only documents mentioning this entity id
    #[arg(long)]
    pub entity: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
}

impl Selection {
    pub fn build(&self, ctx: &Ctx) -> anyhow::Result<(Selector, vigie_index::Filters)> {
        let mut f = self.filters.build(ctx)?;
        f.entity = self.entity.clone();
        Ok((Selector::parse(&self.query), f))
    }
}

#[derive(Args, Debug)]
pub struct SourcesArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// One JSON object per source
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: SourcesArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(ctx)?;
    let (sel, f) = a.selection.build(ctx)?;
    let rows = index.sources(&sel, &f, a.top)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.source.clone().unwrap_or_else(|| "-".into()),
                r.documents.to_string(),
                r.copies.to_string(),
                r.stories.to_string(),
                format!("{:.1}%", r.share * 100.0),
                fmt_date(r.first),
                fmt_date(r.last),
            ]
        })
        .collect();
    print_table(&mut out, &["source", "documents", "copies", "stories", "share", "first", "last"], &table)?;
    Ok(ExitCode::SUCCESS)
}
