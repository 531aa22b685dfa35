//! What `vigie watch` remembers between polls (`DATA/state/watch.json`, written
//! atomically after each commit): how far each file was read, and each feed's
//! validators, content hash and backoff.

use crate::fetch::{is_url, reason, FetchError};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vigie_pipeline::ingest::{sniff, Format, Input, MAX_FILE_BYTES, MAX_RECORD_BYTES};
use vigie_pipeline::reject::Reject;

/// The longest wait between two tries of a failing feed.
const MAX_BACKOFF_SECS: i64 = 3600;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileMark {
    /// the file's inode: a file replaced under the same name is read from the start
    #[serde(default)]
    pub inode: u64,
    pub len: u64,
    pub modified_ns: u128,
    /// JSON lines files: bytes consumed (always at a line end) and lines consumed
    #[serde(default)]
    pub consumed: u64,
    #[serde(default)]
    pub lines: u64,
    /// JSON lines files: bytes read so far of a line longer than the record limit whose
    /// newline has not come yet (it is skipped up to its newline, then rejected)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipping: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FeedMark {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// xxh3 of the last body ingested (servers without validators)
    #[serde(default)]
    pub hash: u64,
    #[serde(default)]
    pub failures: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_try: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WatchState {
    pub version: u32,
    pub files: BTreeMap<String, FileMark>,
    pub feeds: BTreeMap<String, FeedMark>,
}

impl Default for WatchState {
    fn default() -> Self {
        WatchState { version: WATCH_VERSION, files: BTreeMap::new(), feeds: BTreeMap::new() }
    }
}

/// The watch marks' version (0: the files written before versions, same shape).
pub const WATCH_VERSION: u32 = 1;

const WATCH_STATE: crate::versioned::Kind =
    crate::versioned::Kind { what: "watch state", version: WATCH_VERSION, migrate: |_, v| crate::versioned::add_version(WATCH_VERSION)(v) };

impl WatchState {
    pub fn load(data: &crate::DataDir) -> crate::Result<Self> {
        Ok(WATCH_STATE.load(&data.watch_path())?.unwrap_or_default())
    }

    pub fn save(&self, data: &crate::DataDir) -> crate::Result<()> {
        // a unique temporary name: two watch processes never write the same temp file
        crate::alerts::save_json(&data.watch_path(), self)
    }
}

/// Files found under the watched paths, walked as `ingest` walks them (sorted, hidden
/// entries skipped, symlink loops ended, regular files only, the data directory `skip`
/// and any vigie data directory left out).
pub fn list_files(paths: &[String], skip: &[PathBuf]) -> Vec<PathBuf> {
    let tops: Vec<PathBuf> = paths.iter().filter(|p| !is_url(p)).map(PathBuf::from).collect();
    vigie_pipeline::ingest::list_files(&tops, skip)
}

/// A file's new content since the last poll, and the mark to store once it is committed.
pub struct FileChange {
    /// what to ingest; `None` when the poll only refused or skipped over-long lines
    pub input: Option<Input>,
    /// JSON lines longer than the record limit, refused here without being read whole
    pub rejects: Vec<Reject>,
    pub mark: FileMark,
    pub key: String,
}

/// New files are read whole; a grown JSON lines file is read from where the last poll
/// stopped, complete lines only (a line still being written waits for the next poll);
/// other files are read again when their size or time changes (stored ids are skipped).
/// A JSON line longer than the record limit becomes a reject naming its line and the
/// reading resumes after its newline; at most 64 MiB of lines are read per poll.
pub fn file_change(path: &Path, old: Option<&FileMark>) -> std::io::Result<Option<FileChange>> {
    file_change_bounded(path, old, MAX_RECORD_BYTES, MAX_FILE_BYTES)
}

fn file_change_bounded(path: &Path, old: Option<&FileMark>, max_record: usize, max_read: usize) -> std::io::Result<Option<FileChange>> {
    use std::io::{BufRead, Read, Seek, SeekFrom};
    let meta = std::fs::metadata(path)?;
    let modified_ns = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    let len = meta.len();
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    let key = path.display().to_string();
    // a rotated or replaced file is a new file
    let old = old.filter(|o| o.inode == inode);
    if old.is_some_and(|o| o.len == len && o.modified_ns == modified_ns) {
        return Ok(None);
    }
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)?.read(&mut head)?;
    // only JSON lines grow line by line: a `.json` file (an array, pretty-printed
    // records) is read whole, as `ingest` reads it
    let json_document = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if json_document || sniff(Some(path), &head[..n]) != Format::Jsonl {
        let mark = FileMark { inode, len, modified_ns, consumed: len, lines: 0, skipping: None };
        return Ok(Some(FileChange { input: Some(Input::Path(path.to_path_buf())), rejects: Vec::new(), mark, key }));
    }
    // JSON lines: from the consumed offset (from the start when the file shrank)
    let (start, first_lines, skipping) = match old {
        Some(o) if o.consumed <= len => (o.consumed, o.lines, o.skipping),
        _ => (0, 0, None),
    };
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(start))?;
    let mut r = std::io::BufReader::with_capacity(256 * 1024, f.take(len - start));
    // complete lines to parse; an over-long line is replaced by an empty one so that
    // the lines after it keep their numbers
    let mut out: Vec<u8> = Vec::new();
    let mut rejects = Vec::new();
    let (mut pos, mut consumed, mut lines) = (start, start, first_lines);
    // the line being read: its bytes (while within the limit) and its length so far,
    // counting what earlier polls skipped of it
    let mut line: Vec<u8> = Vec::new();
    let mut line_len = skipping.unwrap_or(0);
    let mut over = skipping.is_some();
    let mut capped = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        line_len += take as u64;
        if !over && line.len() + take <= max_record {
            line.extend_from_slice(&chunk[..take]);
        } else {
            over = true;
            line = Vec::new();
        }
        let step = if done { take + 1 } else { take };
        r.consume(step);
        pos += step as u64;
        if !done {
            continue;
        }
        lines += 1;
        if over {
            rejects.push(Reject {
                file: key.clone(),
                line: Some(lines),
                reason: format!("record too large ({line_len} bytes, limit {} MiB); skipped to the next line", max_record >> 20),
                record: None,
            });
        } else {
            out.extend_from_slice(&line);
        }
        out.push(b'\n');
        consumed = pos;
        line.clear();
        line_len = 0;
        over = false;
        if out.len() >= max_read {
            // the rest waits for the next poll
            capped = pos < len;
            break;
        }
    }
    // an over-long line still being written: what was read of it is skipped for good
    let skipping = if over && !capped {
        consumed = pos;
        Some(line_len)
    } else {
        None
    };
    if consumed == start {
        // no complete new line yet; remember nothing so the file is looked at again
        return Ok(None);
    }
    // a poll cut short records a length that differs from the file's, so that the next
    // poll reads on even if the file does not change meanwhile
    let mark = FileMark { inode, len: if capped { consumed } else { len }, modified_ns, consumed, lines, skipping };
    let input = out.iter().any(|b| *b != b'\n').then(|| Input::Lines { name: key.clone(), bytes: out, first_line: first_lines + 1 });
    Ok(Some(FileChange { input, rejects, mark, key }))
}

/// The result of polling one feed.
pub enum FeedPoll {
    Changed {
        input: Input,
        etag: Option<String>,
        last_modified: Option<String>,
        hash: u64,
    },
    NotModified,
    Unchanged,
    /// why, and how long the server asked to wait (`Retry-After`)
    Failed(FetchError, Option<std::time::Duration>),
}

/// A conditional GET (If-None-Match / If-Modified-Since).
pub async fn poll_feed(client: &reqwest::Client, url: &str, mark: &FeedMark) -> FeedPoll {
    let mut req = client.get(url);
    if let Some(e) = &mark.etag {
        req = req.header(reqwest::header::IF_NONE_MATCH, e);
    }
    if let Some(m) = &mark.last_modified {
        req = req.header(reqwest::header::IF_MODIFIED_SINCE, m);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return FeedPoll::Failed(FetchError::Transport(reason(&e)), None),
    };
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return FeedPoll::NotModified;
    }
    if !status.is_success() {
        return FeedPoll::Failed(FetchError::Status(status.as_u16()), crate::fetch::retry_after(resp.headers()));
    }
    let header = |h: reqwest::header::HeaderName| resp.headers().get(h).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (etag, last_modified) = (header(reqwest::header::ETAG), header(reqwest::header::LAST_MODIFIED));
    let bytes = match crate::fetch::read_body(resp, MAX_FILE_BYTES).await {
        Ok(b) => b,
        Err(e) => return FeedPoll::Failed(e, None),
    };
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    if hash == mark.hash {
        return FeedPoll::Unchanged;
    }
    FeedPoll::Changed { input: Input::Bytes { name: url.to_string(), bytes }, etag, last_modified, hash }
}

/// After a failed poll: wait `interval x 2^(failures-1)`, or what the server asked
/// (`Retry-After`) when longer, at most an hour.
pub fn backoff(mark: &mut FeedMark, interval: Duration, asked: Option<std::time::Duration>, now: DateTime<Utc>) -> Duration {
    mark.failures = mark.failures.saturating_add(1);
    let factor = 1i64 << (mark.failures - 1).min(16);
    let asked = asked.map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let wait = Duration::seconds(interval.num_seconds().max(1).saturating_mul(factor).max(asked).min(MAX_BACKOFF_SECS));
    mark.next_try = Some(now.checked_add_signed(wait).unwrap_or(now));
    wait
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grown_jsonl_files_are_read_from_the_last_complete_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(&p, "{\"title\":\"a\"}\n{\"title\":\"b\"}\n{\"tit").unwrap();
        let c = file_change(&p, None).unwrap().unwrap();
        assert_eq!(c.mark.lines, 2);
        let Some(Input::Lines { bytes, first_line, .. }) = &c.input else { panic!() };
        assert_eq!((bytes.len(), *first_line), (28, 1));
        // unchanged: nothing
        assert!(file_change(&p, Some(&c.mark)).unwrap().is_none());
        std::fs::write(&p, "{\"title\":\"a\"}\n{\"title\":\"b\"}\n{\"title\":\"c\"}\n").unwrap();
        let c2 = file_change(&p, Some(&c.mark)).unwrap().unwrap();
        let Some(Input::Lines { bytes, first_line, .. }) = &c2.input else { panic!() };
        assert_eq!((std::str::from_utf8(bytes).unwrap(), *first_line), ("{\"title\":\"c\"}\n", 3));
        assert_eq!(c2.mark.lines, 3);
        // replaced by a new file (another inode) of the same size or more: read whole
        let tmp = dir.path().join("b.jsonl");
        std::fs::write(&tmp, "{\"title\":\"x\"}\n{\"title\":\"y\"}\n{\"title\":\"z\"}\n{\"title\":\"w\"}\n").unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        let c3 = file_change(&p, Some(&c2.mark)).unwrap().unwrap();
        let Some(Input::Lines { first_line, .. }) = &c3.input else { panic!() };
        assert_eq!((*first_line, c3.mark.lines), (1, 4));
    }

    fn text(c: &FileChange) -> String {
        match &c.input {
            Some(Input::Lines { bytes, .. }) => String::from_utf8(bytes.clone()).unwrap(),
            None => String::new(),
            _ => panic!("not lines"),
        }
    }

    #[test]
    fn over_long_lines_are_rejected_and_reading_resumes_after_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let long = format!("{{\"title\":\"{}\"}}", "x".repeat(100));
        std::fs::write(&p, format!("{{\"title\":\"a\"}}\n{long}\n{{\"title\":\"b\"}}\n")).unwrap();
        // a record limit of 50 bytes: the middle line is refused, its number kept
        let c = file_change_bounded(&p, None, 50, 1 << 20).unwrap().unwrap();
        assert_eq!(text(&c), "{\"title\":\"a\"}\n\n{\"title\":\"b\"}\n");
        assert_eq!(c.rejects.len(), 1);
        assert_eq!(c.rejects[0].line, Some(2));
        assert!(c.rejects[0].reason.starts_with(&format!("record too large ({} bytes", long.len())), "{}", c.rejects[0].reason);
        assert_eq!((c.mark.lines, c.mark.consumed, c.mark.skipping), (3, std::fs::metadata(&p).unwrap().len(), None));

        // a long line still being written is skipped as it grows, never held whole,
        // and rejected when its newline comes; the line after it is read
        let q = dir.path().join("b.jsonl");
        std::fs::write(&q, format!("{{\"title\":\"a\"}}\n{}", "y".repeat(80))).unwrap();
        let c = file_change_bounded(&q, None, 50, 1 << 20).unwrap().unwrap();
        assert_eq!(text(&c), "{\"title\":\"a\"}\n");
        assert!(c.rejects.is_empty());
        assert_eq!((c.mark.lines, c.mark.skipping), (1, Some(80)));
        assert_eq!(c.mark.consumed, std::fs::metadata(&q).unwrap().len());
        let mut f = std::fs::OpenOptions::new().append(true).open(&q).unwrap();
        std::io::Write::write_all(&mut f, "y".repeat(40).as_bytes()).unwrap();
        let c2 = file_change_bounded(&q, Some(&c.mark), 50, 1 << 20).unwrap().unwrap();
        assert!(c2.input.is_none() && c2.rejects.is_empty());
        assert_eq!(c2.mark.skipping, Some(120));
        std::io::Write::write_all(&mut f, b"yy\n{\"title\":\"c\"}\n").unwrap();
        let c3 = file_change_bounded(&q, Some(&c2.mark), 50, 1 << 20).unwrap().unwrap();
        assert_eq!(c3.rejects.len(), 1);
        assert_eq!(c3.rejects[0].line, Some(2));
        assert!(c3.rejects[0].reason.starts_with("record too large (122 bytes"), "{}", c3.rejects[0].reason);
        let Some(Input::Lines { first_line, .. }) = &c3.input else { panic!() };
        assert_eq!((text(&c3).as_str(), *first_line), ("\n{\"title\":\"c\"}\n", 2));
        assert_eq!((c3.mark.lines, c3.mark.skipping), (3, None));

        // a poll reads a bounded amount: the rest comes with the next one, even if the
        // file does not change meanwhile
        let r = dir.path().join("c.jsonl");
        std::fs::write(&r, "{\"title\":\"a\"}\n".repeat(10)).unwrap();
        let c = file_change_bounded(&r, None, 50, 30).unwrap().unwrap();
        assert_eq!(c.mark.lines, 3);
        let c2 = file_change_bounded(&r, Some(&c.mark), 50, 1 << 20).unwrap().unwrap();
        assert_eq!(c2.mark.lines, 10);
        assert!(file_change_bounded(&r, Some(&c2.mark), 50, 1 << 20).unwrap().is_none());
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let mut m = FeedMark::default();
        let now = Utc::now();
        let i = Duration::seconds(60);
        assert_eq!(backoff(&mut m, i, None, now).num_seconds(), 60);
        assert_eq!(backoff(&mut m, i, None, now).num_seconds(), 120);
        // a server's Retry-After wins when longer
        assert_eq!(backoff(&mut m, i, Some(std::time::Duration::from_secs(900)), now).num_seconds(), 900);
        for _ in 0..10 {
            backoff(&mut m, i, None, now);
        }
        assert_eq!(backoff(&mut m, i, None, now).num_seconds(), 3600);
        // hostile state and headers: no overflow
        m.failures = u32::MAX;
        assert_eq!(backoff(&mut m, i, Some(std::time::Duration::from_secs(u64::MAX)), now).num_seconds(), 3600);
        assert_eq!(backoff(&mut m, Duration::days(365_250), None, now).num_seconds(), 3600);
    }
}
