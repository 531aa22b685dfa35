//! What `vigie watch` remembers between polls (`DATA/state/watch.json`, written
//! atomically after each commit): how far each file was read, and each feed's
//! validators, content hash and backoff.

use crate::fetch::{is_url, reason};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vigie_pipeline::ingest::{sniff, Format, Input, MAX_FILE_BYTES};

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

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WatchState {
    pub files: BTreeMap<String, FileMark>,
    pub feeds: BTreeMap<String, FeedMark>,
}

impl WatchState {
    pub fn path(data: &Path) -> PathBuf {
        data.join("state").join("watch.json")
    }

    pub fn load(data: &Path) -> anyhow::Result<Self> {
        let state = vigie_pipeline::atomic::load_json(&Self::path(data), "watch state").map_err(anyhow::Error::msg)?;
        Ok(state.unwrap_or_default())
    }

    pub fn save(&self, data: &Path) -> anyhow::Result<()> {
        vigie_pipeline::atomic::save_json(&Self::path(data), self).map_err(anyhow::Error::msg)
    }
}

/// Files found under the watched paths (directories walked recursively, hidden entries
/// skipped), sorted.
pub fn list_files(paths: &[String]) -> Vec<PathBuf> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        let Ok(meta) = std::fs::metadata(p) else { return };
        if meta.is_file() {
            out.push(p.to_path_buf());
        } else if meta.is_dir() {
            let Ok(rd) = std::fs::read_dir(p) else { return };
            let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            entries.sort();
            for e in entries {
                if !e.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
                    walk(&e, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    for p in paths.iter().filter(|p| !is_url(p)) {
        walk(Path::new(p), &mut out);
    }
    out
}

/// A file's new content since the last poll, and the mark to store once it is committed.
pub struct FileChange {
    pub input: Input,
    pub mark: FileMark,
    pub key: String,
}

/// New files are read whole; a grown JSON lines file is read from where the last poll
/// stopped, complete lines only (a line still being written waits for the next poll);
/// other files are read again when their size or time changes (stored ids are skipped).
pub fn file_change(path: &Path, old: Option<&FileMark>) -> std::io::Result<Option<FileChange>> {
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
    let n = {
        use std::io::Read;
        std::fs::File::open(path)?.read(&mut head)?
    };
    if sniff(Some(path), &head[..n]) != Format::Jsonl {
        let mark = FileMark { inode, len, modified_ns, consumed: len, lines: 0 };
        return Ok(Some(FileChange { input: Input::Path(path.to_path_buf()), mark, key }));
    }
    // JSON lines: from the consumed offset (from the start when the file shrank)
    let (start, lines) = match old {
        Some(o) if o.consumed <= len => (o.consumed, o.lines),
        _ => (0, 0),
    };
    let bytes = {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std::fs::File::open(path)?;
        f.seek(SeekFrom::Start(start))?;
        let mut b = Vec::new();
        f.take((len - start).min(MAX_FILE_BYTES as u64)).read_to_end(&mut b)?;
        b
    };
    let Some(end) = memchr_last_newline(&bytes) else {
        // no complete new line yet; remember nothing so the file is looked at again
        return Ok(None);
    };
    let complete = bytes[..=end].to_vec();
    let new_lines = complete.iter().filter(|b| **b == b'\n').count() as u64;
    let mark = FileMark { inode, len, modified_ns, consumed: start + complete.len() as u64, lines: lines + new_lines };
    Ok(Some(FileChange { input: Input::Lines { name: key.clone(), bytes: complete, first_line: lines + 1 }, mark, key }))
}

fn memchr_last_newline(b: &[u8]) -> Option<usize> {
    b.iter().rposition(|c| *c == b'\n')
}

/// The result of polling one feed.
pub enum FeedPoll {
    Changed { input: Input, etag: Option<String>, last_modified: Option<String>, hash: u64 },
    NotModified,
    Unchanged,
    /// why, and how long the server asked to wait (`Retry-After`)
    Failed(String, Option<std::time::Duration>),
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
        Err(e) => return FeedPoll::Failed(reason(&e), None),
    };
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return FeedPoll::NotModified;
    }
    if !status.is_success() {
        return FeedPoll::Failed(format!("http {}", status.as_u16()), crate::fetch::retry_after(resp.headers()));
    }
    let header = |h: reqwest::header::HeaderName| resp.headers().get(h).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (etag, last_modified) = (header(reqwest::header::ETAG), header(reqwest::header::LAST_MODIFIED));
    let bytes = match resp.bytes().await {
        Ok(b) if b.len() > MAX_FILE_BYTES => return FeedPoll::Failed(format!("larger than {} MiB", MAX_FILE_BYTES >> 20), None),
        Ok(b) => b,
        Err(e) => return FeedPoll::Failed(reason(&e), None),
    };
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    if hash == mark.hash {
        return FeedPoll::Unchanged;
    }
    FeedPoll::Changed { input: Input::Bytes { name: url.to_string(), bytes: bytes.to_vec() }, etag, last_modified, hash }
}

/// After a failed poll: wait `interval x 2^(failures-1)`, or what the server asked
/// (`Retry-After`) when longer, at most an hour.
pub fn backoff(mark: &mut FeedMark, interval: Duration, asked: Option<std::time::Duration>, now: DateTime<Utc>) -> Duration {
    mark.failures += 1;
    let factor = 1i64 << (mark.failures - 1).min(16);
    let asked = asked.map_or(0, |d| d.as_secs() as i64);
    let wait = Duration::seconds((interval.num_seconds().max(1) * factor).max(asked).min(MAX_BACKOFF_SECS));
    mark.next_try = Some(now + wait);
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
        let Input::Lines { bytes, first_line, .. } = &c.input else { panic!() };
        assert_eq!((bytes.len(), *first_line), (28, 1));
        // unchanged: nothing
        assert!(file_change(&p, Some(&c.mark)).unwrap().is_none());
        std::fs::write(&p, "{\"title\":\"a\"}\n{\"title\":\"b\"}\n{\"title\":\"c\"}\n").unwrap();
        let c2 = file_change(&p, Some(&c.mark)).unwrap().unwrap();
        let Input::Lines { bytes, first_line, .. } = &c2.input else { panic!() };
        assert_eq!((std::str::from_utf8(bytes).unwrap(), *first_line), ("{\"title\":\"c\"}\n", 3));
        assert_eq!(c2.mark.lines, 3);
        // replaced by a new file (another inode) of the same size or more: read whole
        let tmp = dir.path().join("b.jsonl");
        std::fs::write(&tmp, "{\"title\":\"x\"}\n{\"title\":\"y\"}\n{\"title\":\"z\"}\n{\"title\":\"w\"}\n").unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        let c3 = file_change(&p, Some(&c2.mark)).unwrap().unwrap();
        let Input::Lines { first_line, .. } = &c3.input else { panic!() };
        assert_eq!((*first_line, c3.mark.lines), (1, 4));
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
    }
}
