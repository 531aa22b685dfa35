//! `--fetch-articles`: most news feeds carry a lead paragraph, not the article. For a
//! feed item whose text is only a summary (short, or cut with "…" / "Lire la suite")
//! and that links to a page, the page is fetched and its main text replaces the summary;
//! the feed's title, date and source are kept. A page that cannot be fetched, that
//! robots.txt keeps closed, or whose text is not a fuller version of the item leaves the
//! summary in place: a warning and a count, never a lost item.
//!
//! Politeness: one request at a time per host and at least [`ArticleOptions::host_interval`]
//! between two, at most [`ArticleOptions::concurrency`] pages at once in all, robots.txt
//! read once per site and honoured (cached for the run, read again after a day), a
//! User-Agent naming vigie, bounded redirects, size and time.

use crate::fetch::{read_body, reason, redirect_policy};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vigie_pipeline::ingest::{list_files, parse_bytes, sniff, Format, FormatChoice, Input, RawItem, MAX_FILE_BYTES};
use vigie_pipeline::reject::Reject;
use vigie_schemas::Article;

/// The product token robots.txt groups are matched against.
pub const ROBOTS_TOKEN: &str = "vigie";

/// How long a site's robots.txt is trusted before it is read again.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// The most of a robots.txt that is read (RFC 9309 asks for at least 500 KiB).
const ROBOTS_MAX_BYTES: usize = 512 * 1024;

/// Limits and manners of the article fetcher.
#[derive(Debug, Clone)]
pub struct ArticleOptions {
    /// the whole request, body included
    pub timeout: Duration,
    /// the largest page read (decompressed)
    pub max_bytes: usize,
    /// the least time between two requests to one host
    pub host_interval: Duration,
    /// pages fetched at once, all hosts together
    pub concurrency: usize,
    /// who runs this vigie (a URL or an e-mail address), sent in the User-Agent so that
    /// site owners can reach them
    pub contact: Option<String>,
    /// an item whose text has fewer words than this is a summary
    pub summary_words: usize,
}

impl Default for ArticleOptions {
    fn default() -> Self {
        ArticleOptions {
            timeout: Duration::from_secs(20),
            max_bytes: 5 << 20,
            host_interval: Duration::from_secs(1),
            concurrency: 8,
            contact: None,
            summary_words: 150,
        }
    }
}

impl ArticleOptions {
    /// `vigie/VERSION (media monitoring; honours robots.txt; +CONTACT)`.
    pub fn user_agent(&self) -> String {
        let mut ua =
            format!("vigie/{} (media monitoring; fetches the articles of feed items; honours robots.txt", env!("CARGO_PKG_VERSION"));
        if let Some(c) = self.contact.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            ua.push_str("; +");
            ua.push_str(c);
        }
        ua.push(')');
        ua
    }
}

/// What the fetcher did, summed over its life (a run of `ingest`, every poll of `watch`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ArticleStats {
    /// feed items whose text was a summary with a link
    pub summaries: u64,
    /// of which the page's text replaced the summary
    pub fetched: u64,
    /// the page was read but held no fuller text of the item: the summary is kept
    pub kept_summary: u64,
    /// the page could not be fetched (network, status, size, type): the summary is kept
    pub failed: u64,
    /// robots.txt keeps the page closed to vigie: not fetched, the summary is kept
    pub disallowed: u64,
}

impl ArticleStats {
    /// The counts gained since `before`.
    pub fn since(&self, before: &ArticleStats) -> ArticleStats {
        ArticleStats {
            summaries: self.summaries - before.summaries,
            fetched: self.fetched - before.fetched,
            kept_summary: self.kept_summary - before.kept_summary,
            failed: self.failed - before.failed,
            disallowed: self.disallowed - before.disallowed,
        }
    }
}

/// The inputs of a batch with their feeds' summaries replaced, and the feed records
/// that could not be read (rejects, as the batch would have written them).
pub struct Enriched {
    pub sources: Vec<Input>,
    pub rejects: Vec<Reject>,
}

/// One robots.txt group: its user agents, its (allow, pattern) rules.
type Group = (Vec<String>, Vec<(bool, String)>);
/// A site's robots.txt, read once (and when it was read).
type RobotsCell = Arc<tokio::sync::OnceCell<(Instant, Arc<Robots>)>>;

/// A site's robots.txt rules for vigie.
#[derive(Debug, Clone, Default)]
pub struct Robots {
    /// (allow, pattern)
    rules: Vec<(bool, String)>,
    /// the file could not be read for a reason that closes the site (RFC 9309: a server
    /// error or an unreachable server means complete disallow)
    closed: bool,
}

impl Robots {
    /// The rules of the groups for `agent` (else of the `*` groups) in a robots.txt.
    pub fn parse(text: &str, agent: &str) -> Robots {
        let agent = agent.to_ascii_lowercase();
        // (user agents, rules) per group
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else { continue };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if !in_agents || groups.is_empty() {
                        groups.push((Vec::new(), Vec::new()));
                    }
                    in_agents = true;
                    if let Some(g) = groups.last_mut() {
                        g.0.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(g) = groups.last_mut() {
                        // an empty Disallow allows everything: no rule
                        if !value.is_empty() {
                            g.1.push((key == "allow", value.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
        let mine: Vec<(bool, String)> = groups.iter().filter(|(agents, _)| agents.contains(&agent)).flat_map(|(_, r)| r.clone()).collect();
        let rules = if groups.iter().any(|(agents, _)| agents.contains(&agent)) {
            mine
        } else {
            groups.iter().filter(|(agents, _)| agents.iter().any(|a| a == "*")).flat_map(|(_, r)| r.clone()).collect()
        };
        Robots { rules, closed: false }
    }

    /// A site closed to vigie (its robots.txt failed with a server error, or could not
    /// be reached).
    pub fn closed() -> Robots {
        Robots { rules: Vec::new(), closed: true }
    }

    /// Whether `path` (with its query) may be fetched: the longest matching rule wins,
    /// an allow wins a tie, no rule allows.
    pub fn allows(&self, path: &str) -> bool {
        if self.closed {
            return false;
        }
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if robots_match(pattern, path) {
                let len = pattern.chars().count();
                if best.is_none_or(|(l, a)| len > l || (len == l && *allow && !a)) {
                    best = Some((len, *allow));
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// A robots.txt path pattern (`*` any run of characters, `$` the end) against a path.
fn robots_match(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    // iterative wildcard matching with one backtrack point
    let (mut i, mut j) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if i == p.len() {
            if !anchored || j == s.len() {
                return true;
            }
        } else if p[i] == '*' {
            star = Some((i, j));
            i += 1;
            continue;
        } else if j < s.len() && p[i] == s[j] {
            i += 1;
            j += 1;
            continue;
        }
        match star {
            Some((si, sj)) if sj < s.len() => {
                star = Some((si, sj + 1));
                i = si + 1;
                j = sj + 1;
            }
            _ => return false,
        }
    }
}

/// An item's text that is only a summary: cut with an ellipsis or a "read more", or
/// shorter than `words`.
pub fn is_summary(body: &str, words: usize) -> bool {
    const CUT: &[&str] = &[
        "…",
        "...",
        "[…]",
        "[...]",
        "(…)",
        "read more",
        "continue reading",
        "keep reading",
        "lire la suite",
        "la suite",
        "(suite)",
        "suite de l'article",
    ];
    let body = body.trim();
    if body.split_whitespace().count() < words {
        return true;
    }
    let end = body.to_lowercase();
    let end = end.trim_end_matches(|c: char| !(c.is_alphanumeric() || matches!(c, '…' | '.' | ']' | ')')));
    CUT.iter().any(|c| end.ends_with(c))
}

/// Words of four letters or more, lowercase.
fn words(t: &str) -> HashSet<String> {
    t.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 4).map(str::to_lowercase).collect()
}

/// Whether a page's text is a fuller version of the item: longer than its summary, and
/// about it (most words of the summary, or of the title when the summary is too short
/// to tell, are on the page: a consent wall or a home page is not the article).
pub fn fuller(summary: &str, title: Option<&str>, page: &str) -> bool {
    let (sw, pw) = (summary.split_whitespace().count(), page.split_whitespace().count());
    if pw <= sw + sw / 5 || pw < 30 {
        return false;
    }
    let mut reference = words(summary);
    if reference.len() < 5 {
        reference.extend(words(title.unwrap_or("")));
    }
    if reference.is_empty() {
        return true;
    }
    let on_page = words(page);
    reference.iter().filter(|w| on_page.contains(*w)).count() * 2 >= reference.len()
}

/// What became of one page.
enum Outcome {
    Text(Article),
    Disallowed,
    Failed(String),
}

/// The shared state of the fetch tasks.
struct Inner {
    opts: ArticleOptions,
    client: reqwest::Client,
    /// per site (scheme://host:port): its robots.txt, read once
    robots: Mutex<HashMap<String, RobotsCell>>,
    /// per host: when its last request went out (held while waiting its turn)
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Instant>>>>>,
    slots: tokio::sync::Semaphore,
}

impl Inner {
    /// Waits for the host's turn, then for a free slot; returns the slot.
    async fn turn(&self, host: &str) -> Option<tokio::sync::SemaphorePermit<'_>> {
        let slot = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            hosts.entry(host.to_string()).or_default().clone()
        };
        let mut last = slot.lock().await;
        if let Some(t) = *last {
            tokio::time::sleep_until((t + self.opts.host_interval).into()).await;
        }
        let permit = self.slots.acquire().await.ok();
        *last = Some(Instant::now());
        permit
    }

    async fn robots(&self, url: &reqwest::Url) -> Arc<Robots> {
        let site = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
        let site = match url.port() {
            Some(p) => format!("{site}:{p}"),
            None => site,
        };
        let cell = {
            let mut all = self.robots.lock().unwrap_or_else(|e| e.into_inner());
            let cell = all.entry(site.clone()).or_default();
            if cell.get().is_some_and(|(at, _)| at.elapsed() > ROBOTS_TTL) {
                *cell = Arc::default();
            }
            cell.clone()
        };
        let (_, robots) = cell
            .get_or_init(|| async {
                let r = self.read_robots(&site, url.host_str().unwrap_or("")).await;
                (Instant::now(), Arc::new(r))
            })
            .await;
        robots.clone()
    }

    async fn read_robots(&self, site: &str, host: &str) -> Robots {
        let _permit = self.turn(host).await;
        let resp = match self.client.get(format!("{site}/robots.txt")).send().await {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(site, "robots.txt unreachable ({}): the site is closed for this run", reason(&e));
                return Robots::closed();
            }
        };
        let status = resp.status();
        if status.is_client_error() {
            // no robots.txt (or a forbidden one): RFC 9309 allows everything
            return Robots::default();
        }
        if !status.is_success() {
            tracing::info!(site, "robots.txt answered {status}: the site is closed for this run");
            return Robots::closed();
        }
        let bytes = match read_body(resp, 4 * ROBOTS_MAX_BYTES).await {
            Ok(b) => b,
            Err(e) => {
                tracing::info!(site, "robots.txt could not be read ({e}): the site is closed for this run");
                return Robots::closed();
            }
        };
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(ROBOTS_MAX_BYTES)]);
        Robots::parse(&text, ROBOTS_TOKEN)
    }

    async fn page(&self, url: &str) -> Outcome {
        let Ok(parsed) = reqwest::Url::parse(url) else { return Outcome::Failed("not a valid url".into()) };
        let robots = self.robots(&parsed).await;
        let path = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        };
        if !robots.allows(&path) {
            return Outcome::Disallowed;
        }
        let _permit = self.turn(parsed.host_str().unwrap_or("")).await;
        let resp = match self.client.get(parsed).send().await {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(reason(&e)),
        };
        let status = resp.status();
        if !status.is_success() {
            return Outcome::Failed(format!("http {}", status.as_u16()));
        }
        let ctype = resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
        if !ctype.is_empty() && !ctype.contains("html") {
            return Outcome::Failed(format!("not an html page ({})", ctype.split(';').next().unwrap_or("").trim()));
        }
        let bytes = match read_body(resp, self.opts.max_bytes).await {
            Ok(b) => b,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        // a charset the header names (and the page does not) is decoded here
        let bytes =
            match ctype.split("charset=").nth(1).and_then(|c| encoding_rs::Encoding::for_label(c.trim().trim_matches('"').as_bytes())) {
                Some(enc) if enc != encoding_rs::UTF_8 && std::str::from_utf8(&bytes).is_err() => {
                    enc.decode(&bytes).0.into_owned().into_bytes()
                }
                _ => bytes,
            };
        match parse_bytes(url, &bytes, Format::Html).into_iter().next().map(|i| i.article) {
            Some(Ok(a)) => Outcome::Text(a),
            Some(Err(e)) => Outcome::Failed(e),
            None => Outcome::Failed("no text".into()),
        }
    }
}

/// Fetches the pages behind feed items that are summaries. One per run of `ingest` or
/// `watch`: robots.txt and the hosts' pacing are remembered from one batch to the next.
pub struct ArticleFetcher {
    inner: Arc<Inner>,
    rt: tokio::runtime::Runtime,
    stats: Mutex<ArticleStats>,
    warn: Box<dyn Fn(&str) + Send + Sync>,
}

impl ArticleFetcher {
    pub fn new(opts: ArticleOptions) -> crate::Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(opts.user_agent())
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout.min(Duration::from_secs(10)))
            .gzip(true)
            .redirect(redirect_policy())
            .build()
            .map_err(|e| crate::Error::Http(format!("http client: {}", reason(&e))))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| crate::Error::Http(format!("cannot start the network runtime: {e}")))?;
        let slots = tokio::sync::Semaphore::new(opts.concurrency.max(1));
        let inner = Arc::new(Inner { opts, client, robots: Mutex::default(), hosts: Mutex::default(), slots });
        Ok(ArticleFetcher { inner, rt, stats: Mutex::default(), warn: Box::new(|w| tracing::warn!("{w}")) })
    }

    /// Where warnings go (a page that could not be fetched); the log by default.
    pub fn on_warning(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.warn = Box::new(f);
        self
    }

    pub fn stats(&self) -> ArticleStats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The batch's inputs with the feeds' summaries replaced by their pages' text.
    /// Feeds (files, fetched bytes, the feeds of a folder) are read here and handed on
    /// as JSON lines under their own name, each item on the line of its origin; other
    /// inputs pass unchanged; `skip` are folders never read (the data directory).
    pub fn enrich(&self, sources: &[Input], choice: FormatChoice, skip: &[PathBuf]) -> Enriched {
        // (name, items) of each feed, and where it goes among the sources
        let mut feeds: Vec<(String, Vec<RawItem>)> = Vec::new();
        let mut out: Vec<Result<Input, usize>> = Vec::new();
        let mut feed_or_keep = |input: Input, out: &mut Vec<Result<Input, usize>>| match read_feed(&input, choice) {
            Some((name, items)) => {
                out.push(Err(feeds.len()));
                feeds.push((name, items));
            }
            None => out.push(Ok(input)),
        };
        for s in sources {
            match s {
                Input::Path(p) if p.is_dir() => {
                    for f in list_files(std::slice::from_ref(p), skip) {
                        feed_or_keep(Input::Path(f), &mut out);
                    }
                }
                other => feed_or_keep(other.clone(), &mut out),
            }
        }
        // the items to fetch: (feed, item, url)
        let mut wanted: Vec<(usize, usize, String)> = Vec::new();
        for (f, (_, items)) in feeds.iter().enumerate() {
            for (i, item) in items.iter().enumerate() {
                let Ok(a) = &item.article else { continue };
                let Some(url) = a.url.as_deref().filter(|u| crate::fetch::is_url(u)) else { continue };
                if is_summary(a.body.as_deref().unwrap_or(""), self.inner.opts.summary_words) {
                    wanted.push((f, i, url.to_string()));
                }
            }
        }
        let outcomes = self.fetch_all(&wanted);
        let mut stats = ArticleStats { summaries: wanted.len() as u64, ..Default::default() };
        for ((f, i, url), outcome) in wanted.iter().zip(outcomes) {
            let Ok(a) = &mut feeds[*f].1[*i].article else { continue };
            match outcome {
                Outcome::Text(page) => {
                    let body = page.body.unwrap_or_default();
                    if fuller(a.body.as_deref().unwrap_or(""), a.title.as_deref(), &body) {
                        a.body = Some(body);
                        if a.lang.is_none() {
                            a.lang = page.lang;
                        }
                        stats.fetched += 1;
                    } else {
                        tracing::info!(url, "the page holds no fuller text of the item: its summary is kept");
                        stats.kept_summary += 1;
                    }
                }
                Outcome::Disallowed => {
                    stats.disallowed += 1;
                    (self.warn)(&format!("{url}: robots.txt disallows it: the summary is kept"));
                }
                Outcome::Failed(why) => {
                    stats.failed += 1;
                    (self.warn)(&format!("{url}: fetch failed: {why}: the summary is kept"));
                }
            }
        }
        {
            let mut total = self.stats.lock().unwrap_or_else(|e| e.into_inner());
            let t = &mut *total;
            t.summaries += stats.summaries;
            t.fetched += stats.fetched;
            t.kept_summary += stats.kept_summary;
            t.failed += stats.failed;
            t.disallowed += stats.disallowed;
        }
        let mut rejects = Vec::new();
        let mut lines: Vec<Option<Input>> = feeds.into_iter().map(|(name, items)| Some(as_lines(name, items, &mut rejects))).collect();
        let sources = out.into_iter().filter_map(|s| s.map_or_else(|f| lines[f].take(), Some)).collect();
        Enriched { sources, rejects }
    }

    /// Every wanted page, concurrently within the fetcher's limits, in order.
    fn fetch_all(&self, wanted: &[(usize, usize, String)]) -> Vec<Outcome> {
        if wanted.is_empty() {
            return Vec::new();
        }
        let run = || {
            self.rt.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                let mut ids = HashMap::new();
                for (k, (_, _, url)) in wanted.iter().enumerate() {
                    let (inner, url) = (self.inner.clone(), url.clone());
                    let h = set.spawn(async move { inner.page(&url).await });
                    ids.insert(h.id(), k);
                }
                let mut out: Vec<Option<Outcome>> = (0..wanted.len()).map(|_| None).collect();
                while let Some(r) = set.join_next_with_id().await {
                    let (id, outcome) = match r {
                        Ok((id, o)) => (id, o),
                        Err(e) => (e.id(), Outcome::Failed(format!("the fetch task failed: {e}"))),
                    };
                    if let Some(&k) = ids.get(&id) {
                        out[k] = Some(outcome);
                    }
                }
                out.into_iter().map(|o| o.unwrap_or(Outcome::Failed("no answer".into()))).collect::<Vec<_>>()
            })
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            // called from async code (a server): the fetcher's runtime runs on its own thread
            std::thread::scope(|s| {
                s.spawn(run).join().unwrap_or_else(|_| wanted.iter().map(|_| Outcome::Failed("internal error".into())).collect())
            })
        } else {
            run()
        }
    }
}

/// A feed input read whole: its name and items; `None` for anything else (left to the
/// batch as it is).
fn read_feed(input: &Input, choice: FormatChoice) -> Option<(String, Vec<RawItem>)> {
    let (name, bytes): (String, std::borrow::Cow<'_, [u8]>) = match input {
        Input::Bytes { name, bytes } => (name.clone(), bytes.into()),
        Input::Path(p) => {
            let meta = std::fs::metadata(p).ok()?;
            if !meta.is_file() || meta.len() > MAX_FILE_BYTES as u64 {
                return None;
            }
            (p.display().to_string(), std::fs::read(p).ok()?.into())
        }
        Input::Stdin | Input::Lines { .. } => return None,
    };
    let format = match choice {
        FormatChoice::Fixed(f) => f,
        FormatChoice::Auto => sniff(Some(Path::new(&name)), &bytes),
    };
    (format == Format::Feed).then(|| {
        let items = parse_bytes(&name, &bytes, Format::Feed);
        (name, items)
    })
}

/// A feed's items as JSON lines under the feed's name: each item on the line of its
/// origin (its rank in the feed, or the line of a salvaged item), so that rejects and
/// documents name the same place as without fetching. Items that could not be read are
/// left as blank lines and returned as rejects.
fn as_lines(name: String, items: Vec<RawItem>, rejects: &mut Vec<Reject>) -> Input {
    let increasing =
        items.iter().zip(items.iter().skip(1)).all(|(a, b)| matches!((a.origin.line, b.origin.line), (Some(x), Some(y)) if x < y))
            && items.first().is_none_or(|i| i.origin.line.is_some_and(|l| l >= 1));
    let mut out = String::new();
    let mut line = 1u64;
    for (k, item) in items.into_iter().enumerate() {
        let at = if increasing { item.origin.line.unwrap_or(k as u64 + 1) } else { k as u64 + 1 };
        while line < at {
            out.push('\n');
            line += 1;
        }
        match &item.article {
            Ok(a) => out.push_str(&serde_json::to_string(a).unwrap_or_default()),
            Err(why) => rejects.push(Reject::new(&item.origin, why.clone(), item.raw.as_deref())),
        }
        out.push('\n');
        line += 1;
    }
    Input::Lines { name, bytes: out.into_bytes(), first_line: 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::{DataDir, IngestOptions, Session};
    use std::io::{Read, Write};
    use std::sync::atomic::AtomicBool;
    use vigie_pipeline::lang::{LangConfig, LangDetector};

    /// A real HTTP server on 127.0.0.1: a feed whose items link to its pages, a
    /// robots.txt closing /private/, a page slower than the fetcher's timeout, a page
    /// that is not there, a consent wall. Counts the requests per path.
    fn site() -> (String, Arc<Mutex<HashMap<String, usize>>>) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let (b, h) = (base.clone(), hits.clone());
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { continue };
                let (base, hits) = (b.clone(), h.clone());
                std::thread::spawn(move || {
                    let mut req = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => req.extend_from_slice(&buf[..n]),
                        }
                    }
                    let req = String::from_utf8_lossy(&req).to_string();
                    let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                    // the feed comes through vigie's feed client, pages through the fetcher's
                    let ua = req
                        .lines()
                        .find_map(|l| l.to_ascii_lowercase().strip_prefix("user-agent: ").map(str::to_string))
                        .unwrap_or_default();
                    assert!(ua.starts_with("vigie/") && (path == "/feed.rss" || ua.contains("honours robots.txt")), "{req}");
                    *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
                    let (status, ctype, body) = page(&base, &path);
                    if path == "/slow.html" {
                        // far longer than the fetcher's timeout, so that waiting for the
                        // server shows however busy the machine is
                        std::thread::sleep(SLOW_PAGE);
                    }
                    let head = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = s.write_all(head.as_bytes());
                    let _ = s.write_all(body.as_bytes());
                });
            }
        });
        (base, hits)
    }

    /// How long the slow page takes to answer.
    const SLOW_PAGE: Duration = Duration::from_secs(60);

    const FULL: &str = "Nvidia a présenté lundi à San José ses nouvelles puces Blackwell destinées aux centres de données.";

    fn article_page(title: &str, paragraphs: &[&str]) -> String {
        let ps: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
        format!(
            "<html lang=\"fr\"><head><title>{title}</title></head><body><nav><a href=\"/\">Accueil</a></nav>\
             <article><h1>{title}</h1>{ps}</article><footer>Mentions légales</footer></body></html>"
        )
    }

    fn page(base: &str, path: &str) -> (&'static str, &'static str, String) {
        let more = [
            FULL,
            "Les premières livraisons commenceront au printemps, a précisé le groupe californien, qui promet des performances doublées.",
            "Microsoft et OpenAI installeront ces puces dans les centres de données du projet Stargate au Texas, selon les dirigeants.",
            "Le coût des premiers sites dépasse plusieurs milliards de dollars, et la consommation électrique inquiète les élus locaux.",
        ];
        let item = |n: u32, link: &str, desc: &str| {
            format!("<item><title>Article {n}</title><link>{base}{link}</link><description>{desc}</description><pubDate>Mon, 03 Mar 2025 10:0{n}:00 +0100</pubDate></item>")
        };
        let long = "Ce texte complet de flux compte largement plus de cent cinquante mots pour ne pas passer pour un résumé. ".repeat(10);
        match path {
            "/feed.rss" => {
                let items = [
                    item(1, "/a1.html", "Nvidia a présenté lundi ses nouvelles puces Blackwell…"),
                    item(2, "/private/a2.html", "Un article que robots.txt garde fermé, dont seul le résumé sera indexé."),
                    item(3, "/slow.html", "Une page trop lente : son résumé reste le texte de l'article."),
                    item(4, "/missing.html", "Une page disparue : le résumé reste le texte."),
                    item(5, "/long.html", &long),
                    item(6, "/consent.html", "Les éleveurs bretons manifestent contre la baisse des prix du lait devant la préfecture."),
                ];
                ("200 OK", "application/rss+xml", format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Le Flux</title>{}</channel></rss>", items.concat()))
            }
            "/robots.txt" => ("200 OK", "text/plain", "User-agent: *\nDisallow: /private/\n".into()),
            "/a1.html" => ("200 OK", "text/html; charset=utf-8", article_page("Nvidia présente Blackwell", &more)),
            "/private/a2.html" | "/long.html" | "/slow.html" => ("200 OK", "text/html", article_page("Page", &more)),
            "/consent.html" => (
                "200 OK",
                "text/html",
                article_page("Consentement", &["Nous utilisons des cookies et des traceurs pour mesurer l'audience et personnaliser les contenus; acceptez-vous leur dépôt sur votre appareil pour continuer votre lecture?"; 3]),
            ),
            _ => ("404 Not Found", "text/html", "<html><body>introuvable</body></html>".into()),
        }
    }

    /// The batch of a feed with --fetch-articles: the full text where the page could be
    /// read and robots.txt allows it, the summary everywhere else, no item lost; the
    /// warnings name each failure; robots.txt is read once for the run.
    #[test]
    fn feed_items_get_their_pages_text_where_allowed_and_keep_their_summary_elsewhere() {
        let (base, hits) = site();
        let tmp = tempfile::tempdir().unwrap();
        let warnings: Arc<Mutex<Vec<String>>> = Arc::default();
        let w = warnings.clone();
        let opts = ArticleOptions { timeout: Duration::from_secs(2), host_interval: Duration::from_millis(20), ..Default::default() };
        let fetcher = ArticleFetcher::new(opts).unwrap().on_warning(move |m| w.lock().unwrap().push(m.to_string()));
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let opts = IngestOptions { fetch_articles: Some(&fetcher), ..IngestOptions::new(FormatChoice::Auto, &lang, None) };
        let mut session = Session::open(DataDir::new(tmp.path().join("data"))).unwrap();
        let started = Instant::now();
        let sum = session.ingest_inputs(&[format!("{base}/feed.rss")], &opts, &mut (), &AtomicBool::new(false)).unwrap();
        assert_eq!((sum.read, sum.indexed, sum.rejected), (6, 6, 0), "{sum:?}");
        // the slow page waited for its timeout, not for the server: a bound far above
        // the timeout and below the server's delay
        assert!(started.elapsed() < SLOW_PAGE / 2, "{:?}", started.elapsed());
        let res = session.index().search(&vigie_index::SearchRequest { limit: 50, ..vigie_index::SearchRequest::new("*") }).unwrap();
        let mut bodies: HashMap<String, String> = HashMap::new();
        for h in &res.hits {
            let d = session.index().get(&h.id).unwrap().unwrap();
            bodies.insert(d.url.clone().unwrap().rsplit('/').next().unwrap().to_string(), d.body.clone());
        }
        assert!(bodies["a1.html"].contains("Stargate") && bodies["a1.html"].contains(FULL), "{}", bodies["a1.html"]);
        assert!(!bodies["a1.html"].contains("Accueil") && !bodies["a1.html"].contains("Mentions"), "{}", bodies["a1.html"]);
        assert!(bodies["a2.html"].starts_with("Un article que robots.txt garde fermé"), "{}", bodies["a2.html"]);
        assert!(bodies["slow.html"].starts_with("Une page trop lente"), "{}", bodies["slow.html"]);
        assert!(bodies["missing.html"].starts_with("Une page disparue"), "{}", bodies["missing.html"]);
        assert!(bodies["long.html"].starts_with("Ce texte complet de flux"), "{}", bodies["long.html"]);
        assert!(bodies["consent.html"].starts_with("Les éleveurs bretons"), "{}", bodies["consent.html"]);
        let st = fetcher.stats();
        assert_eq!(st, ArticleStats { summaries: 5, fetched: 1, kept_summary: 1, failed: 2, disallowed: 1 });
        let w = warnings.lock().unwrap().clone();
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(
            w.iter().any(|m| m.contains("/slow.html: fetch failed") && m.contains("timed out") && m.contains("summary is kept")),
            "{w:?}"
        );
        assert!(w.iter().any(|m| m.contains("/missing.html: fetch failed: http 404")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("/private/a2.html: robots.txt disallows it")), "{w:?}");
        {
            let hits = hits.lock().unwrap();
            assert_eq!(hits.get("/private/a2.html"), None, "a disallowed page is never requested");
            assert_eq!(hits.get("/long.html"), None, "a full item is not fetched");
            assert_eq!(hits["/robots.txt"], 1);
        }
        // the next batch of the run: robots.txt is not read again
        let feed = Input::Bytes { name: format!("{base}/feed.rss"), bytes: page(&base, "/feed.rss").2.into_bytes() };
        let again = fetcher.enrich(&[feed], FormatChoice::Auto, &[]);
        assert_eq!(again.sources.len(), 1);
        assert_eq!(hits.lock().unwrap()["/robots.txt"], 1);
        assert_eq!(hits.lock().unwrap()["/a1.html"], 2);
        session.close().unwrap();
    }

    /// `watch` polls with the fetcher: the poll's counts name the pages fetched, and a
    /// feed that did not change fetches nothing.
    #[test]
    fn watch_polls_fetch_the_pages_of_new_items_once() {
        let (base, hits) = site();
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path().join("data"));
        let opts = ArticleOptions { timeout: Duration::from_secs(2), host_interval: Duration::from_millis(20), ..Default::default() };
        let fetcher = ArticleFetcher::new(opts).unwrap().on_warning(|_| {});
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let opts = IngestOptions { fetch_articles: Some(&fetcher), ..IngestOptions::new(FormatChoice::Auto, &lang, None) };
        let mut session = Session::open(data.clone()).unwrap();
        let mut w =
            crate::watcher::Watcher::new(data, &[format!("{base}/feed.rss")], chrono::Duration::seconds(60), Duration::from_secs(5))
                .unwrap();
        let p = w.poll(&mut session, &opts, &crate::SystemClock, &mut ()).unwrap();
        assert_eq!((p.indexed, p.rejected), (6, 0), "{p:?}");
        assert_eq!(p.articles, Some(ArticleStats { summaries: 5, fetched: 1, kept_summary: 1, failed: 2, disallowed: 1 }));
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["articles"]["fetched"], 1, "{json}");
        let p = w.poll(&mut session, &opts, &crate::SystemClock, &mut ()).unwrap();
        assert_eq!((p.indexed, p.articles), (0, Some(ArticleStats::default())), "{p:?}");
        assert_eq!(hits.lock().unwrap()["/a1.html"], 1);
        session.close().unwrap();
    }

    #[test]
    fn a_broken_feed_item_is_a_reject_on_its_line_and_the_others_keep_theirs() {
        let items = vec![
            RawItem::ok(
                vigie_schemas::Origin { file: "f.rss".into(), line: Some(3) },
                Article { title: Some("a".into()), ..Default::default() },
            ),
            RawItem::err(vigie_schemas::Origin { file: "f.rss".into(), line: Some(7) }, "broken item", Some("<item>".into())),
            RawItem::ok(
                vigie_schemas::Origin { file: "f.rss".into(), line: Some(9) },
                Article { title: Some("b".into()), ..Default::default() },
            ),
        ];
        let mut rejects = Vec::new();
        let Input::Lines { bytes, first_line, .. } = as_lines("f.rss".into(), items, &mut rejects) else { panic!() };
        assert_eq!(first_line, 1);
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(lines[2].contains("\"title\":\"a\"") && lines[6].is_empty() && lines[8].contains("\"title\":\"b\""), "{lines:?}");
        assert_eq!((rejects.len(), rejects[0].line, rejects[0].reason.as_str()), (1, Some(7), "broken item"));
    }

    #[test]
    fn robots_rules_follow_rfc_9309() {
        let txt = "User-agent: *\nDisallow: /private/\nAllow: /private/open*.html$\n\nUser-agent: otherbot\nDisallow: /\n";
        let r = Robots::parse(txt, "vigie");
        assert!(r.allows("/news/a.html"));
        assert!(!r.allows("/private/a.html"));
        assert!(r.allows("/private/open-1.html"));
        assert!(!r.allows("/private/open-1.html?x=1"), "$ anchors the end");
        // a group for vigie replaces the * group; user-agent lines stack into one group
        let txt = "User-agent: *\nDisallow: /\n\nUser-agent: googlebot\nUser-agent: Vigie\nDisallow: /tmp\nDisallow:\n";
        let r = Robots::parse(txt, "vigie");
        assert!(r.allows("/news/a.html") && !r.allows("/tmp/x"));
        // longest match wins, allow wins a tie
        let r = Robots::parse("User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /c\nAllow: /c\n", "vigie");
        assert!(!r.allows("/a/x") && r.allows("/a/b/c") && r.allows("/c/d"));
        assert!(Robots::parse("", "vigie").allows("/x"));
        assert!(!Robots::closed().allows("/"));
    }

    #[test]
    fn summaries_and_fuller_pages_are_told_apart() {
        assert!(is_summary("Nvidia présente ses puces.", 150));
        let long = "mot ".repeat(300);
        assert!(!is_summary(&long, 150));
        assert!(is_summary(&format!("{long} Lire la suite"), 150));
        assert!(is_summary(&format!("{long}[…]"), 150));
        let summary = "Nvidia a présenté lundi ses nouvelles puces Blackwell destinées aux centres de données.";
        let page = format!("{summary} {}", "Les livraisons commenceront au printemps selon le groupe californien. ".repeat(10));
        assert!(fuller(summary, None, &page));
        let consent = "Nous utilisons des cookies pour améliorer votre expérience. ".repeat(20);
        assert!(!fuller(summary, None, &consent), "a consent wall is not the article");
        assert!(!fuller(&page, None, summary), "a shorter page is not fuller");
    }
}
