//! The knowledge files' shared layout: `#` comments, an `id<TAB>...` header, then rows
//! of a fixed number of tab-separated columns.

use crate::{Error, Result};

/// `(1-based line, columns)` of every data row of `text`, or the first malformed row's
/// error, named `file:line`.
pub fn rows<'a>(text: &'a str, file: &str, columns: usize) -> Result<Vec<(usize, Vec<&'a str>)>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("id\t") || line.trim().is_empty() {
            continue;
        }
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() != columns {
            let message = format!("expected {columns} columns, found {}", c.len());
            return Err(Error::Data { file: file.to_string(), line: n + 1, message });
        }
        out.push((n + 1, c));
    }
    Ok(out)
}
