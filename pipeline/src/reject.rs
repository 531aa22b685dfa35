//! Rejected inputs: one line on stderr and one JSON line in `DATA/rejects.jsonl`.

use crate::{Error, Result};
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use vigie_schemas::Origin;

/// How much of a rejected record is kept in the rejects file.
const KEEP_RECORD_CHARS: usize = 2000;

/// A rejected input record or file, with the reason.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Reject {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub reason: String,
    /// The start of the rejected record, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

impl Reject {
    pub fn new(origin: &Origin, reason: impl Into<String>, record: Option<&str>) -> Self {
        Reject {
            file: origin.file.clone(),
            line: origin.line,
            reason: reason.into(),
            record: record.map(|r| truncate_chars(r, KEEP_RECORD_CHARS).to_string()),
        }
    }

    /// `file:line: reason`, the form printed on stderr.
    pub fn location(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{}", self.file, l),
            None => self.file.clone(),
        }
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location(), self.reason)
    }
}

/// The message a panic carried, on one line, at most 300 characters.
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    let s = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    truncate_chars(&s.split_whitespace().collect::<Vec<_>>().join(" "), 300).to_string()
}

/// The first `n` characters of `s` (never splitting a character).
pub fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Append-only rejects file; each reject is one `write` of one line so that a crash
/// leaves at most one torn last line, which readers skip.
pub struct RejectLog {
    path: PathBuf,
    file: Option<File>,
}

impl RejectLog {
    /// Opens lazily: no file is created until something is rejected.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        RejectLog { path: path.into(), file: None }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write(&mut self, reject: &Reject) -> Result<()> {
        if self.file.is_none() {
            let f = OpenOptions::new().create(true).append(true).open(&self.path).map_err(|e| Error::io(&self.path, e))?;
            self.file = Some(f);
        }
        let mut line = serde_json::to_vec(&RejectLine { at: chrono::Utc::now(), reject }).expect("a reject always serializes");
        line.push(b'\n');
        let f = self.file.as_mut().expect("opened above");
        f.write_all(&line).map_err(|e| Error::io(&self.path, e))
    }
}

#[derive(Serialize)]
struct RejectLine<'a> {
    at: chrono::DateTime<chrono::Utc>,
    #[serde(flatten)]
    reject: &'a Reject,
}
