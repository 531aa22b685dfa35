//! Readers for the shared evaluation corpora that are not in an input format vigie
//! ingests (Reuters-21578 SGML), used by `eval` and `bench`.

use std::path::Path;
use vigie_schemas::Article;

/// Every `<REUTERS>` story with a body in the `reut2-*.sgm` files of `dir`, in file order.
pub fn reuters(dir: &Path) -> anyhow::Result<Vec<Article>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sgm"))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("{}: no reut2-*.sgm files", dir.display());
    }
    let mut out = Vec::new();
    for f in files {
        // the collection is mostly ASCII with a few Latin-1 bytes
        let bytes = std::fs::read(&f)?;
        let text = encoding_rs::WINDOWS_1252.decode(&bytes).0;
        for story in text.split("<REUTERS").skip(1) {
            let tag = |name: &str| -> Option<String> {
                let open = format!("<{name}>");
                let close = format!("</{name}>");
                let s = story.find(&open)? + open.len();
                let e = story[s..].find(&close)? + s;
                Some(clean(&story[s..e]))
            };
            let Some(body) = tag("BODY").filter(|b| !b.is_empty()) else { continue };
            let newid = story.split("NEWID=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("0").to_string();
            out.push(Article {
                id: Some(format!("reuters-{newid}")),
                title: tag("TITLE"),
                body: Some(body),
                source: Some("Reuters".into()),
                published: tag("DATE"),
                ..Default::default()
            });
        }
    }
    Ok(out)
}

fn clean(s: &str) -> String {
    let s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&#3;", "");
    s.trim_end_matches(" Reuter").trim().trim_end_matches("Reuter").trim().to_string()
}
