//! Reading string fast fields of one document.

use crate::{Error, Result};
use tantivy::columnar::StrColumn;

fn corrupt(e: std::io::Error) -> Error {
    Error::Corrupt(e.to_string())
}

/// The first value of `col` for `doc`.
pub(crate) fn first_str(col: Option<&StrColumn>, doc: u32, buf: &mut String) -> Result<Option<String>> {
    let Some(c) = col else { return Ok(None) };
    let Some(o) = c.ords().first(doc) else { return Ok(None) };
    buf.clear();
    c.ord_to_str(o, buf).map_err(corrupt)?;
    Ok(Some(buf.clone()))
}

/// Every value of `col` for `doc`.
pub(crate) fn all_str(col: Option<&StrColumn>, doc: u32, buf: &mut String) -> Result<Vec<String>> {
    let Some(c) = col else { return Ok(Vec::new()) };
    let mut v = Vec::new();
    for o in c.ords().values_for_doc(doc) {
        buf.clear();
        c.ord_to_str(o, buf).map_err(corrupt)?;
        v.push(buf.clone());
    }
    Ok(v)
}

/// An `entm` value: entity id and mention count.
pub(crate) fn split_mentions(v: &str) -> (String, u32) {
    let (id, n) = v.split_once(crate::writer::MENTIONS_SEP).unwrap_or((v, "1"));
    (id.to_string(), n.parse().unwrap_or(1))
}
