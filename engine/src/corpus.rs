//! Readers for the public gold corpora that `vigie eval` scores and the benchmarks run
//! on, Reuters-21578 SGML, MasakhaNEWS TSV and the HuffPost news-category JSON lines. One
//! reader per format, shared by `eval`, `vigie-bench` and the tests.

use crate::{Error, Result};
use std::collections::HashMap;
use std::path::Path;
use vigie_schemas::Article;

/// The `reut2-*.sgm` files of `dir` in name order, decoded (the collection is mostly
/// ASCII with a few Latin-1 bytes).
fn reuters_files(dir: &Path) -> Result<Vec<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sgm"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::Config(format!("{}: no reut2-*.sgm files", dir.display())));
    }
    files.iter().map(|f| Ok(encoding_rs::WINDOWS_1252.decode(&std::fs::read(f).map_err(|e| Error::io(f, e))?).0.into_owned())).collect()
}

/// The text between `<name>` and `</name>` in one story.
fn element<'s>(story: &'s str, name: &str) -> Option<&'s str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let s = story.find(&open)? + open.len();
    let e = story[s..].find(&close)? + s;
    Some(&story[s..e])
}

/// Each `<REUTERS>` story of the collection: its `NEWID` and its SGML text.
fn reuters_stories(dir: &Path, mut each: impl FnMut(&str, &str)) -> Result<()> {
    for text in reuters_files(dir)? {
        for story in text.split("<REUTERS").skip(1) {
            let newid = story.split("NEWID=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("0");
            each(newid, story);
        }
    }
    Ok(())
}

/// Every `<REUTERS>` story with a body in the `reut2-*.sgm` files of `dir`, in file
/// order, with id `reuters-NEWID`.
pub fn reuters(dir: &Path) -> Result<Vec<Article>> {
    let mut out = Vec::new();
    reuters_stories(dir, |newid, story| {
        let tag = |name: &str| element(story, name).map(clean);
        let Some(body) = tag("BODY").filter(|b| !b.is_empty()) else { return };
        out.push(Article {
            id: Some(format!("reuters-{newid}")),
            title: tag("TITLE"),
            body: Some(body),
            source: Some("Reuters".into()),
            published: tag("DATE"),
            ..Default::default()
        });
    })?;
    Ok(out)
}

/// Entity ids from the Reuters `<PLACES>`, `<PEOPLE>` and `<ORGS>` tags of each story,
/// by article id (`reuters-NEWID`): `location:usa`, `person:reagan`, `organization:opec`.
pub fn reuters_tags(dir: &Path) -> Result<HashMap<String, Vec<String>>> {
    let mut out = HashMap::new();
    reuters_stories(dir, |newid, story| {
        let mut ids = Vec::new();
        for (tag, kind) in [("PLACES", "location"), ("PEOPLE", "person"), ("ORGS", "organization")] {
            for d in element(story, tag).unwrap_or("").split("<D>").skip(1) {
                let v = d.split("</D>").next().unwrap_or("").trim();
                if !v.is_empty() {
                    ids.push(format!("{kind}:{v}"));
                }
            }
        }
        out.insert(format!("reuters-{newid}"), ids);
    })?;
    Ok(out)
}

/// The HuffPost news-category JSON lines as articles (`headline`, `short_description`,
/// `date`, `authors` read through article.v1's aliases), ids `huffpost-LINE` (0-based).
pub fn huffpost(path: &Path) -> Result<Vec<Article>> {
    use std::io::BufRead;
    let f = std::io::BufReader::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?);
    let mut out = Vec::new();
    for (i, line) in f.lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        let mut a: Article = serde_json::from_str(&line).map_err(|e| Error::Config(format!("{}:{}: {e}", path.display(), i + 1)))?;
        a.id.get_or_insert_with(|| format!("huffpost-{i}"));
        out.push(a);
    }
    Ok(out)
}

fn clean(s: &str) -> String {
    let s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&#3;", "");
    s.trim_end_matches(" Reuter").trim().trim_end_matches("Reuter").trim().to_string()
}

/// One MasakhaNEWS record: category, headline, text, url.
pub struct NewsRecord {
    pub category: String,
    pub headline: String,
    pub text: String,
    pub url: String,
}

/// A MasakhaNEWS TSV (header line, tab-separated, CSV-style quoting: fields in double
/// quotes may hold tabs and line breaks, `""` is a quote).
pub fn masakhanews(path: &Path) -> Result<Vec<NewsRecord>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '\t' => {
                fields.push(std::mem::take(&mut cur));
                at_field_start = true;
            }
            '\n' => {
                fields.push(std::mem::take(&mut cur));
                records.push(std::mem::take(&mut fields));
                at_field_start = true;
            }
            '\r' => {}
            c => {
                cur.push(c);
                at_field_start = false;
            }
        }
    }
    if !cur.is_empty() || !fields.is_empty() {
        fields.push(cur);
        records.push(fields);
    }
    Ok(records
        .into_iter()
        .skip(1)
        .filter(|r| r.len() >= 3)
        .map(|mut r| {
            r.resize(4, String::new());
            let mut it = r.into_iter();
            NewsRecord {
                category: it.next().unwrap_or_default(),
                headline: it.next().unwrap_or_default(),
                text: it.next().unwrap_or_default(),
                url: it.next().unwrap_or_default(),
            }
        })
        .collect())
}
