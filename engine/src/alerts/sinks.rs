//! The three sinks: NDJSON on stdout, lines appended to a file, and a webhook (HTTP POST
//! of JSON with a timeout, retries with exponential backoff, and a dead-letter file
//! after the last retry).

use crate::Error;
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::time::Duration;
use vigie_schemas::NotifySink;

/// How webhooks are retried.
#[derive(Debug, Clone)]
pub struct WebhookPolicy {
    pub timeout: Duration,
    /// retries after the first attempt
    pub retries: u32,
    /// wait before the first retry; doubled for each next one
    pub backoff: Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        WebhookPolicy { timeout: Duration::from_secs(10), retries: 3, backoff: Duration::from_millis(500) }
    }
}

/// Where notifications go. The engine hands a notifier the payloads of one delivery as
/// JSON lines (one per notification or digest; one line per call for webhooks) and the
/// idempotency key of the delivery; `Ok` means the sink confirmed them all. [`Sinks`] is
/// the real one (stdout, files, webhooks); a front end or a test may bring its own.
pub trait Notifier {
    fn send(&mut self, sink: &NotifySink, key: &str, lines: &str) -> std::result::Result<(), Failed>;
}

/// The three sinks; the webhook client and its runtime are made on first use.
pub struct Sinks {
    policy: WebhookPolicy,
    http: Option<(tokio::runtime::Runtime, reqwest::Client)>,
}

/// Why a delivery failed.
#[derive(Debug)]
pub struct Failed {
    pub reason: String,
    pub attempts: u32,
}

impl Notifier for Sinks {
    /// Confirmed means flushed (stdout), fsynced (files) or HTTP 2xx (webhooks: one POST
    /// per call, `key` as its Idempotency-Key).
    fn send(&mut self, sink: &NotifySink, key: &str, lines: &str) -> std::result::Result<(), Failed> {
        match sink {
            NotifySink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(lines.as_bytes())
                    .and_then(|_| out.flush())
                    .map_err(|e| Failed { reason: format!("stdout: {e}"), attempts: 1 })
            }
            NotifySink::File { path } => append_text(Path::new(path), lines).map_err(|e| Failed { reason: e.to_string(), attempts: 1 }),
            NotifySink::Webhook { url } => self.post(url, key, lines.trim_end().to_string()),
        }
    }
}

impl Sinks {
    pub fn new(policy: WebhookPolicy) -> Self {
        Sinks { policy, http: None }
    }

    fn post(&mut self, url: &str, key: &str, body: String) -> Result<(), Failed> {
        let policy = self.policy.clone();
        if self.http.is_none() {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Failed { reason: format!("webhook {url}: cannot start the network runtime: {e}"), attempts: 0 })?;
            // a webhook never follows a redirect: a 302 would turn the POST into a GET
            // and drop the payload, so a 3xx is a failed attempt
            let client = reqwest::Client::builder()
                .user_agent(crate::fetch::USER_AGENT)
                .timeout(policy.timeout)
                .connect_timeout(policy.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Failed { reason: format!("webhook {url}: {}", crate::fetch::reason(&e)), attempts: 0 })?;
            self.http = Some((rt, client));
        }
        let Some((rt, client)) = self.http.as_ref() else {
            return Err(Failed { reason: format!("webhook {url}: no http client"), attempts: 0 });
        };
        rt.block_on(async {
            let mut wait = policy.backoff;
            let mut attempt = 0;
            loop {
                attempt += 1;
                let res = client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("idempotency-key", key)
                    .body(body.clone())
                    .send()
                    .await;
                let (reason, retry) = match res {
                    Ok(r) if r.status().is_success() => return Ok(()),
                    Ok(r) => {
                        let s = r.status();
                        // a server asking for time gets it (at most a minute)
                        if let Some(after) = crate::fetch::retry_after(r.headers()) {
                            wait = wait.max(after.min(Duration::from_secs(60)));
                        }
                        if s.is_redirection() {
                            // retried like a 5xx (a moved endpoint may come back), never followed
                            let to = r.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("?");
                            (
                                format!(
                                    "http {} redirect to {} (webhooks do not follow redirects)",
                                    s.as_u16(),
                                    vigie_pipeline::reject::truncate_chars(to, 200)
                                ),
                                true,
                            )
                        } else {
                            // client errors other than rate limits will not heal by retrying
                            (format!("http {}", s.as_u16()), s.is_server_error() || s.as_u16() == 429 || s.as_u16() == 408)
                        }
                    }
                    Err(e) => (if e.is_timeout() { "timed out".to_string() } else { crate::fetch::reason(&e) }, true),
                };
                if !retry || attempt > policy.retries {
                    return Err(Failed { reason: format!("webhook {url}: {reason}"), attempts: attempt });
                }
                tracing::warn!(url, attempt, %reason, "webhook failed; retrying in {:?}", wait);
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2).min(Duration::from_secs(3600));
            }
        })
    }
}

/// Records a payload that could not be delivered in the dead-letter file `path`.
pub fn dead_letter<T: Serialize>(
    path: &Path,
    rule: &str,
    sink: &NotifySink,
    failed: &Failed,
    payload: &T,
    at: chrono::DateTime<chrono::Utc>,
) -> crate::Result<()> {
    #[derive(Serialize)]
    struct Dead<'a, T> {
        at: chrono::DateTime<chrono::Utc>,
        rule: &'a str,
        sink: &'a NotifySink,
        error: &'a str,
        attempts: u32,
        payload: &'a T,
    }
    let rec = Dead { at, rule, sink, error: &failed.reason, attempts: failed.attempts, payload };
    let line = serde_json::to_string(&rec).map_err(|e| Error::state(path, format!("serializing a dead letter: {e}")))?;
    append_text(path, &(line + "\n"))
}

/// Appends lines (`text` ends with a newline) and syncs them to disk.
pub fn append_text(path: &Path, text: &str) -> crate::Result<()> {
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::io(path, e))?;
    f.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))?;
    f.sync_data().map_err(|e| Error::io(path, e))
}

/// Parses `stdout`, `file:PATH` or `webhook:URL`.
pub fn parse_sink(s: &str) -> crate::Result<NotifySink> {
    if s == "stdout" {
        return Ok(NotifySink::Stdout);
    }
    if let Some(p) = s.strip_prefix("file:") {
        if p.is_empty() {
            return Err(Error::Config("--notify file:PATH needs a path".into()));
        }
        let p = std::path::absolute(p).map_err(|e| Error::Config(format!("--notify {s}: {e}")))?;
        return Ok(NotifySink::File { path: p.display().to_string() });
    }
    if let Some(u) = s.strip_prefix("webhook:") {
        check_webhook_url(u).map_err(|e| Error::Config(format!("--notify {s}: {e}")))?;
        return Ok(NotifySink::Webhook { url: u.to_string() });
    }
    Err(Error::Config(format!("--notify {s:?}: use stdout, file:PATH or webhook:URL")))
}

/// A webhook URL: http:// or https://, and a URL reqwest can send to.
pub fn check_webhook_url(u: &str) -> crate::Result<()> {
    if !crate::fetch::is_url(u) {
        return Err(Error::Config("the webhook must be an http:// or https:// URL".into()));
    }
    match reqwest::Url::parse(u) {
        Ok(url) if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        Ok(_) => Err(Error::Config(format!("webhook {u:?}: no host"))),
        Err(e) => Err(Error::Config(format!("webhook {u:?}: {e}"))),
    }
}

/// How a sink reads in listings.
pub fn describe(sink: &NotifySink) -> String {
    match sink {
        NotifySink::Stdout => "stdout".into(),
        NotifySink::File { path } => format!("file:{path}"),
        NotifySink::Webhook { url } => format!("webhook:{url}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sinks_parse() {
        assert_eq!(parse_sink("stdout").unwrap(), NotifySink::Stdout);
        assert!(matches!(parse_sink("file:/tmp/x.jsonl").unwrap(), NotifySink::File { path } if path == "/tmp/x.jsonl"));
        assert!(matches!(parse_sink("webhook:http://localhost:9/h").unwrap(), NotifySink::Webhook { .. }));
        assert!(parse_sink("webhook:localhost").is_err());
        assert!(parse_sink("email:x").is_err());
        assert!(parse_sink("file:").is_err());
    }
}
