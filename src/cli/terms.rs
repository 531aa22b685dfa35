//! `vigie terms [QUERY]`: the title terms that set the articles a query selects apart
//! from the whole corpus (c-TF-IDF, French and English each against their own language).

use super::common::{open_index, print_json_lines, print_table, Ctx};
use super::sources::Selection;
use clap::Args;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct TermsArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Least matching articles holding a term
    #[arg(long, default_value_t = 2)]
    pub min_docs: u64,
    /// One JSON object per term
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: TermsArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(ctx)?;
    let (sel, f) = a.selection.build(ctx)?;
    let rows = index.terms(&sel, &f, a.top, a.min_docs)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![r.term.clone(), r.lang.clone(), format!("{:.2}", r.score), r.documents.to_string(), r.corpus_documents.to_string()])
        .collect();
    print_table(&mut out, &["term", "lang", "score", "documents", "in corpus"], &table)?;
    Ok(ExitCode::SUCCESS)
}
