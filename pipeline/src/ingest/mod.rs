//! Reading inputs into [`Article`]s: JSON lines, RSS/Atom feeds, feed-reader digests,
//! HTML pages and plain text, from files, directories, stdin or fetched bytes.
//!
//! Parsers are streaming where the format allows it (JSON lines, digests): a record is
//! read at most [`MAX_RECORD_BYTES`] at a time, so a huge file never sits in memory.

mod digest;
mod extract;
mod feed;
mod format;
pub mod html;
mod jsonl;
pub(crate) mod lines;
mod source;
mod text;

pub use format::{binary_reason, decode_wide, detect_encoding, sniff, DecodeError, Format, FormatChoice, TextEncoding};
pub use html::html_to_text;
pub(crate) use source::io_reason;
pub use source::{list_files, parse_bytes, read_input, read_input_skipping, Input};

use vigie_schemas::{Article, Origin};

/// The largest single record (a JSON line, a digest item) read into memory.
pub const MAX_RECORD_BYTES: usize = 8 * 1024 * 1024;
/// The largest whole file parsed at once (feeds, HTML pages, text files).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// One record read from an input: an article, or the reason it could not be read.
#[derive(Debug, Clone)]
pub struct RawItem {
    pub origin: Origin,
    pub article: std::result::Result<Article, String>,
    /// The raw record text (for the rejects file), when the parse failed.
    pub raw: Option<String>,
}

impl RawItem {
    pub fn ok(origin: Origin, article: Article) -> Self {
        RawItem { origin, article: Ok(article), raw: None }
    }

    pub fn err(origin: Origin, reason: impl Into<String>, raw: Option<String>) -> Self {
        RawItem { origin, article: Err(reason.into()), raw }
    }
}

/// Receives parsed items; returns `false` to stop reading (the consumer went away).
pub type Emit<'a> = dyn FnMut(RawItem) -> bool + 'a;

/// Line numbers of increasing byte offsets of one text, the newlines counted once
/// over the whole text (not again from the start for each offset).
pub(crate) struct LineCounter<'t> {
    text: &'t [u8],
    counted: usize,
    line: u64,
}

impl<'t> LineCounter<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        LineCounter { text: text.as_bytes(), counted: 0, line: 1 }
    }

    /// The line (from 1) holding byte `pos`; `pos` never decreases from call to call.
    pub(crate) fn line_at(&mut self, pos: usize) -> u64 {
        self.line += memchr::memchr_iter(b'\n', &self.text[self.counted..pos]).count() as u64;
        self.counted = pos;
        self.line
    }
}

pub(crate) fn origin(file: &str, line: Option<u64>) -> Origin {
    Origin { file: file.to_string(), line }
}
