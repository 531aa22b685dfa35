//! One article per plain-text file: the first non-empty line is the title.

use super::{origin, RawItem};
use vigie_schemas::Article;

pub(crate) fn parse(file: &str, text: &str) -> RawItem {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let mut title = None;
    let mut consumed = 0;
    for l in lines.by_ref() {
        consumed += 1;
        if !l.trim().is_empty() {
            title = Some(l.trim().to_string());
            break;
        }
    }
    let body: Vec<&str> = lines.collect();
    let a = Article { title, body: Some(body.join("\n")), ..Default::default() };
    RawItem::ok(origin(file, Some(consumed.max(1))), a)
}
