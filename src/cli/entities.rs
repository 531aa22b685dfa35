//! `vigie entities`: the most mentioned entities, with stories, mentions and first/last seen.

use super::common::{open_index, print_json_lines, print_table, Ctx, FilterArgs};
use clap::Args;
use std::process::ExitCode;
use vigie_schemas::EntityType;

#[derive(Args, Debug)]
pub struct EntitiesArgs {
    /// person, company, gpu, organization, location or other
    #[arg(long = "type")]
    pub kind: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: EntitiesArgs) -> anyhow::Result<ExitCode> {
    let kind: Option<EntityType> = a.kind.as_deref().map(|k| vigie_engine::params::entity_type(k, "--type")).transpose()?;
    let index = open_index(ctx)?;
    let f = a.filters.build(ctx)?;
    let rows = vigie_engine::reports::entity_table(&index, kind, &f, a.top)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.documents.to_string(),
                r.stories.to_string(),
                r.mentions.to_string(),
                r.kind.to_string(),
                r.name.clone(),
                r.id.clone(),
                super::common::fmt_date(r.first_seen),
                super::common::fmt_date(r.last_seen),
            ]
        })
        .collect();
    print_table(&mut out, &["documents", "stories", "mentions", "type", "name", "id", "first seen", "last seen"], &table)?;
    Ok(ExitCode::SUCCESS)
}
