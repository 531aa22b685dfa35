//! `vigie searches add|list|rm`: saved searches (name, query, filters) kept in the data
//! directory, which the dashboard lists and alerts can start from.

use super::common::{open_index, print_json_lines, print_table, shorten, Ctx, FilterArgs};
use clap::{Args, Subcommand};
use std::process::ExitCode;
use vigie_engine::searches::{self, SavedSearch};

#[derive(Subcommand, Debug)]
pub enum SearchesCommand {
    /// Save a search: a name, a query in the search syntax and filters
    Add(AddArgs),
    /// The saved searches
    List {
        /// One JSON object per search
        #[arg(long)]
        json: bool,
    },
    /// Remove a saved search
    Rm { name: String },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// letters, digits, _ . - (at most 64)
    pub name: String,
    /// tantivy query syntax, as for `vigie search` (`*`: everything)
    pub query: String,
    /// Only documents mentioning this entity id
    #[arg(long)]
    pub entity: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Replace a saved search of the same name
    #[arg(long)]
    pub replace: bool,
}

pub fn run(ctx: &Ctx, c: SearchesCommand) -> anyhow::Result<ExitCode> {
    let data = ctx.dir();
    match c {
        SearchesCommand::Add(a) => {
            let f = a.filters;
            let s = SavedSearch {
                name: a.name,
                query: a.query,
                lang: f.lang,
                since: f.since,
                until: f.until,
                source: f.source,
                entity: a.entity,
                topic: f.topic,
            };
            s.check()?;
            // the query against the index too, when there is one
            if s.query.trim() != "*" {
                if let Ok(index) = open_index(ctx) {
                    index.validate_query(&s.query)?;
                }
            }
            searches::add(&data, s.clone(), a.replace)?;
            eprintln!("search {} saved: {}", s.name, s.query);
        }
        SearchesCommand::List { json } => {
            let all = searches::list(&data)?;
            let mut out = std::io::stdout().lock();
            if json {
                return print_json_lines(&mut out, &all);
            }
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|s| {
                    let filters: Vec<String> = [
                        ("lang", &s.lang),
                        ("since", &s.since),
                        ("until", &s.until),
                        ("source", &s.source),
                        ("entity", &s.entity),
                        ("topic", &s.topic),
                    ]
                    .iter()
                    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
                    .collect();
                    vec![s.name.clone(), shorten(&s.query, 50), filters.join(" ")]
                })
                .collect();
            print_table(&mut out, &["name", "query", "filters"], &rows)?;
        }
        SearchesCommand::Rm { name } => match searches::remove(&data, &name)? {
            Some(_) => eprintln!("search {name} removed"),
            None => return Err(super::common::user_error(format!("no saved search named {name:?}"))),
        },
    }
    Ok(ExitCode::SUCCESS)
}
