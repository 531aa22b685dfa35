//! Fetching feed and page URLs over HTTP (async, on tokio), with a timeout, a size
//! bound on the decompressed body, at most five redirects and a User-Agent.

use std::time::Duration;
use vigie_pipeline::ingest::{Input, MAX_FILE_BYTES};
use vigie_pipeline::reject::Reject;

pub const USER_AGENT: &str = concat!("vigie/", env!("CARGO_PKG_VERSION"), " (media monitoring; offline-first)");

/// Redirects a feed or page may take before it is rejected.
pub const MAX_REDIRECTS: usize = 5;

pub fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// Feeds and pages: at most [`MAX_REDIRECTS`] redirects, each logged; a loop (a URL
/// seen before in the chain) or one redirect too many is an error with its reason.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let from = attempt.previous().last().map(|u| u.to_string()).unwrap_or_default();
        let to = attempt.url().to_string();
        if attempt.previous().iter().any(|u| u.as_str() == to) {
            let e = format!("redirect loop: {from} redirects back to {to}");
            return attempt.error(e);
        }
        if attempt.previous().len() > MAX_REDIRECTS {
            let e = format!("too many redirects (more than {MAX_REDIRECTS}, the last to {to})");
            return attempt.error(e);
        }
        tracing::info!("redirected from {from} to {to}");
        attempt.follow()
    })
}

/// The client for feeds and pages (gzip decompressed, redirects bounded).
pub fn client_with(timeout: Duration) -> crate::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .gzip(true)
        .redirect(redirect_policy())
        .build()
        .map_err(|e| crate::Error::Http(format!("http client: {}", reason(&e))))
}

pub fn client() -> crate::Result<reqwest::Client> {
    client_with(Duration::from_secs(30))
}

/// Why a URL could not be fetched. Its text is the one-line reason of the reject
/// (after "fetch failed: ", see [`FetchError::reason`]) and of watch's feed messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The request or the body failed on the way: connection, TLS, timeout, redirects.
    #[error("{0}")]
    Transport(String),
    /// The server answered with a status other than 2xx.
    #[error("http {0}")]
    Status(u16),
    /// The (decompressed) body passed the size bound.
    #[error("body larger than {} MiB", .limit >> 20)]
    TooLarge { limit: usize },
    /// Nothing to fetch with: the HTTP client or the network runtime could not be made.
    #[error("{0}")]
    Setup(String),
    /// The fetch task ended without an answer (it panicked or was cancelled).
    #[error("the fetch task failed: {0}")]
    Task(String),
    /// The fetch task never reported back.
    #[error("no answer")]
    NoAnswer,
}

impl FetchError {
    /// The reject's one-line reason: `fetch failed: ` and what failed.
    pub fn reason(&self) -> String {
        format!("fetch failed: {self}")
    }
}

/// Reads a response body chunk by chunk (decompressed when the server sent gzip) and
/// stops as soon as it passes `limit` bytes, whether or not a Content-Length was sent:
/// a gzip bomb or an endless chunked body costs at most `limit` bytes of memory.
pub async fn read_body(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, FetchError> {
    let too_large = || FetchError::TooLarge { limit };
    // the announced length of what is read (absent when reqwest decompresses)
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut out: Vec<u8> = Vec::with_capacity(resp.content_length().map_or(64 * 1024, |n| n as usize).min(limit));
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if out.len().saturating_add(chunk.len()) > limit {
                    return Err(too_large());
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(FetchError::Transport(reason(&e))),
        }
    }
}

/// Fetches one URL (its [`FetchError::reason`] is the line for the rejects file).
pub async fn fetch(client: &reqwest::Client, url: &str) -> Result<Input, FetchError> {
    let resp = client.get(url).send().await.map_err(|e| FetchError::Transport(reason(&e)))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let bytes = read_body(resp, MAX_FILE_BYTES).await?;
    Ok(Input::Bytes { name: url.to_string(), bytes })
}

pub fn reason(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        let c_text = c.to_string();
        // reqwest repeats its source's text in its own message at times
        if !s.contains(&c_text) {
            s = format!("{s}: {c_text}");
        }
        src = c.source();
    }
    s.to_lowercase()
}

/// A `Retry-After` header in seconds (the HTTP-date form is read as absent).
pub fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Fetches every URL concurrently, keeping their order; one result per URL, a fetch
/// that could not run (no runtime, a task that failed) being a reject like any other.
pub fn fetch_all(urls: &[String]) -> Vec<Result<Input, FetchError>> {
    if urls.is_empty() {
        return Vec::new();
    }
    let all_failed = |why: String| urls.iter().map(|_| Err(FetchError::Setup(why.clone()))).collect();
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return all_failed(format!("cannot start the network runtime: {e}")),
    };
    rt.block_on(async {
        let client = match client() {
            Ok(c) => c,
            Err(e) => return all_failed(e.to_string()),
        };
        let mut set = tokio::task::JoinSet::new();
        let mut ids = std::collections::HashMap::new();
        for (i, u) in urls.iter().enumerate() {
            let (c, u) = (client.clone(), u.clone());
            let h = set.spawn(async move { fetch(&c, &u).await });
            ids.insert(h.id(), i);
        }
        let mut out: Vec<Option<Result<Input, FetchError>>> = (0..urls.len()).map(|_| None).collect();
        while let Some(r) = set.join_next_with_id().await {
            match r {
                Ok((id, res)) => {
                    if let Some(&i) = ids.get(&id) {
                        out[i] = Some(res);
                    }
                }
                Err(e) => {
                    if let Some(&i) = ids.get(&e.id()) {
                        out[i] = Some(Err(FetchError::Task(e.to_string())));
                    }
                }
            }
        }
        out.into_iter().map(|r| r.unwrap_or(Err(FetchError::NoAnswer))).collect()
    })
}

/// Inputs as the user names them, resolved to sources in their order: `-` is stdin, an
/// http(s) URL is fetched (all of them concurrently), anything else is a path. A URL
/// that could not be fetched is a reject like any other: its file is the URL, its
/// reason [`FetchError::reason`].
pub fn resolve(inputs: &[String]) -> (Vec<Input>, Vec<Reject>) {
    let urls: Vec<String> = inputs.iter().filter(|i| is_url(i)).cloned().collect();
    let mut fetched = fetch_all(&urls).into_iter();
    let (mut sources, mut rejects) = (Vec::with_capacity(inputs.len()), Vec::new());
    for i in inputs {
        if is_url(i) {
            match fetched.next().unwrap_or(Err(FetchError::NoAnswer)) {
                Ok(input) => sources.push(input),
                Err(e) => rejects.push(Reject { file: i.clone(), line: None, reason: e.reason(), record: None }),
            }
        } else if i == "-" {
            sources.push(Input::Stdin);
        } else {
            sources.push(Input::Path(i.into()));
        }
    }
    (sources, rejects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A one-shot HTTP server on localhost: answers every connection with `head`, then
    /// writes `body` chunks from the generator until it returns `None` or the peer
    /// hangs up. Returns the base URL and a counter of body bytes written.
    fn serve(
        head: &'static str,
        mut body: impl FnMut() -> Option<Vec<u8>> + Send + 'static,
    ) -> (String, std::sync::Arc<std::sync::atomic::AtomicU64>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let s2 = sent.clone();
        std::thread::spawn(move || {
            let Ok((mut s, _)) = l.accept() else { return };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            if s.write_all(head.as_bytes()).is_err() {
                return;
            }
            while let Some(b) = body() {
                // chunked framing
                let frame = [format!("{:x}\r\n", b.len()).into_bytes(), b, b"\r\n".to_vec()].concat();
                if s.write_all(&frame).is_err() {
                    return;
                }
                s2.fetch_add(frame.len() as u64, std::sync::atomic::Ordering::SeqCst);
            }
            let _ = s.write_all(b"0\r\n\r\n");
        });
        (base, sent)
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    #[test]
    fn an_endless_chunked_body_stops_at_the_limit() {
        // no Content-Length, never ends: the old read-it-all waited for the timeout
        let (base, sent) =
            serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n", || Some(vec![b'x'; 1 << 16]));
        let res = rt().block_on(async {
            let c = client_with(Duration::from_secs(20)).unwrap();
            let resp = c.get(format!("{base}/x")).send().await.unwrap();
            read_body(resp, 1 << 20).await
        });
        // stopped by the limit, not by the timeout (which would be the error then), and
        // without reading much more than the limit
        assert_eq!(res.unwrap_err().to_string(), "body larger than 1 MiB");
        assert!(sent.load(std::sync::atomic::Ordering::SeqCst) < 64 << 20);
    }

    #[test]
    fn a_gzip_bomb_is_stopped_at_the_limit_of_its_output() {
        // a gzip stream of zeros: each 64 KiB deflate block of zeros is a few bytes on
        // the wire; the generator keeps making them so the output is endless
        let mut enc = flate_zeros();
        let (base, _sent) = serve(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\nContent-Type: text/plain\r\n\r\n",
            move || enc.next(),
        );
        let res = rt().block_on(async {
            let c = client_with(Duration::from_secs(20)).unwrap();
            let resp = c.get(format!("{base}/bomb")).send().await.unwrap();
            read_body(resp, 4 << 20).await
        });
        assert_eq!(res.unwrap_err(), FetchError::TooLarge { limit: 4 << 20 });
    }

    /// An endless gzip member of zeros, as stored (uncompressed) deflate blocks would be
    /// too large: this writes fixed-Huffman blocks by hand instead. Simpler: a gzip
    /// header, then stored-free repetitions via a precomputed compressed chunk.
    fn flate_zeros() -> impl Iterator<Item = Vec<u8>> {
        // a gzip header; then a sequence of non-final fixed-Huffman deflate blocks, each
        // a literal 0 followed by runs of (length 258, distance 1) copies
        let mut first = true;
        std::iter::from_fn(move || {
            let mut out = Vec::new();
            if first {
                first = false;
                out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
            }
            out.extend_from_slice(&zero_block(2000));
            Some(out)
        })
    }

    /// One non-final fixed-Huffman deflate block that inflates to 1 + 258 x `runs`
    /// zero bytes, byte-aligned at its end by an empty stored block.
    fn zero_block(runs: usize) -> Vec<u8> {
        struct Bits {
            out: Vec<u8>,
            acc: u32,
            n: u32,
        }
        impl Bits {
            fn put(&mut self, v: u32, len: u32) {
                // LSB-first
                self.acc |= v << self.n;
                self.n += len;
                while self.n >= 8 {
                    self.out.push(self.acc as u8);
                    self.acc >>= 8;
                    self.n -= 8;
                }
            }
            fn huff(&mut self, code: u32, len: u32) {
                // Huffman codes go MSB-first
                let mut r = 0;
                for i in 0..len {
                    r |= ((code >> i) & 1) << (len - 1 - i);
                }
                self.put(r, len);
            }
        }
        let mut b = Bits { out: Vec::new(), acc: 0, n: 0 };
        b.put(0, 1); // BFINAL = 0
        b.put(1, 2); // BTYPE = fixed
        b.huff(0x30, 8); // literal 0 (codes 0-143: 0x30 + lit, 8 bits)
        for _ in 0..runs {
            b.huff(0b1100_0101, 8); // length 258 = code 285 (280-287: 0xc0 + (285-280), 8 bits)
            b.huff(0, 5); // distance code 0 = distance 1
        }
        b.huff(0, 7); // end of block (256: 7 zero bits)
                      // an empty stored block to end on a byte boundary
        b.put(0, 1);
        b.put(0, 2);
        if b.n > 0 {
            b.put(0, 8 - b.n);
        }
        b.out.extend_from_slice(&[0, 0, 0xff, 0xff]);
        b.out
    }

    #[test]
    fn redirect_loops_and_chains_are_rejects() {
        // a server answering /N with a redirect to /N+1, and /loop with itself
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { continue };
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                let to = match path.as_str() {
                    "/loop" => "/loop".to_string(),
                    p => match p.trim_start_matches('/').parse::<u32>() {
                        Ok(8) | Err(_) => {
                            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                            continue;
                        }
                        Ok(n) => format!("/{}", n + 1),
                    },
                };
                let _ = s.write_all(
                    format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
                );
            }
        });
        let rt = rt();
        let c = client().unwrap();
        let get = |p: &str| rt.block_on(fetch(&c, &format!("{base}{p}")));
        // five redirects are followed
        assert!(matches!(get("/3"), Ok(Input::Bytes { bytes, .. }) if bytes == b"ok"));
        let e = get("/0").unwrap_err().reason();
        assert!(e.starts_with("fetch failed:") && e.contains("too many redirects (more than 5"), "{e}");
        let e = get("/loop").unwrap_err().reason();
        assert!(e.contains("redirect loop"), "{e}");
    }
}
