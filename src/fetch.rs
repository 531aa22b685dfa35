//! Fetching feed and page URLs over HTTP (async, on tokio), with a timeout, a size
//! bound and a User-Agent.

use std::time::Duration;
use vigie_pipeline::ingest::{Input, MAX_FILE_BYTES};

pub const USER_AGENT: &str = concat!("vigie/", env!("CARGO_PKG_VERSION"), " (media monitoring; offline-first)");

pub fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("static client configuration")
}

/// Fetches one URL; the error is a one-line reason for the rejects file.
pub async fn fetch(client: &reqwest::Client, url: &str) -> Result<Input, String> {
    let resp = client.get(url).send().await.map_err(|e| format!("fetch failed: {}", reason(&e)))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("fetch failed: http {}", status.as_u16()));
    }
    if resp.content_length().is_some_and(|n| n as usize > MAX_FILE_BYTES) {
        return Err(format!("fetch failed: larger than {} MiB", MAX_FILE_BYTES >> 20));
    }
    let bytes = resp.bytes().await.map_err(|e| format!("fetch failed: {}", reason(&e)))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!("fetch failed: larger than {} MiB", MAX_FILE_BYTES >> 20));
    }
    Ok(Input::Bytes { name: url.to_string(), bytes: bytes.to_vec() })
}

pub fn reason(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        s = format!("{s}: {c}");
        src = c.source();
    }
    s.to_lowercase()
}

/// A `Retry-After` header in seconds (the HTTP-date form is read as absent).
pub fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Fetches every URL concurrently, keeping their order.
pub fn fetch_all(urls: &[String]) -> Vec<Result<Input, String>> {
    if urls.is_empty() {
        return Vec::new();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    rt.block_on(async {
        let client = client();
        let mut set = tokio::task::JoinSet::new();
        for (i, u) in urls.iter().enumerate() {
            let (c, u) = (client.clone(), u.clone());
            set.spawn(async move { (i, fetch(&c, &u).await) });
        }
        let mut out: Vec<Option<Result<Input, String>>> = (0..urls.len()).map(|_| None).collect();
        while let Some(r) = set.join_next().await {
            let (i, res) = r.expect("fetch task does not panic");
            out[i] = Some(res);
        }
        out.into_iter().map(|r| r.expect("every url answered")).collect()
    })
}
