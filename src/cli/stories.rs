//! `vigie stories [QUERY]`: the stories of the documents a query (or an entity id)
//! selects, the largest or the latest first.

use super::common::{fmt_date, open_index, print_json_lines, print_table, shorten, Ctx};
use super::sources::Selection;
use clap::Args;
use std::process::ExitCode;
use vigie_index::analytics::StoryOrder;

#[derive(Args, Debug)]
pub struct StoriesArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// size (most matching documents first) or latest
    #[arg(long, default_value = "size")]
    pub order: StoryOrder,
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// One JSON object per story
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: StoriesArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(ctx)?;
    let (sel, f) = a.selection.build(ctx)?;
    let rows = index.story_table(&sel, &f, a.order, a.top)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.documents.to_string(),
                r.sources.to_string(),
                r.languages.join(","),
                fmt_date(r.last),
                shorten(r.title.as_deref().unwrap_or("-"), 70),
                r.story_id.clone(),
            ]
        })
        .collect();
    print_table(&mut out, &["documents", "sources", "langs", "last", "title", "story"], &table)?;
    Ok(ExitCode::SUCCESS)
}
