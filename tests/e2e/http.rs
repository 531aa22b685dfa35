//! Feeds fetched over real HTTP from a server on localhost.

use crate::common::{samples, Vigie};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A tiny HTTP/1.1 server: `/feed.rss` serves the sample RSS, anything else is 404.
/// It stops by itself after `max` requests or when the test process ends.
fn serve(max: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let feed = std::fs::read(samples().join("tech-feed.rss")).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut s) = stream else { continue };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut request = String::new();
            r.read_line(&mut request).unwrap();
            let mut ua = String::new();
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).unwrap() == 0 || l == "\r\n" {
                    break;
                }
                if l.to_ascii_lowercase().starts_with("user-agent:") {
                    ua = l;
                }
            }
            h.fetch_add(1, Ordering::SeqCst);
            let (status, body): (&str, &[u8]) =
                if request.starts_with("GET /feed.rss ") && ua.contains("vigie/") { ("200 OK", &feed) } else { ("404 Not Found", b"no") };
            let _ = write!(s, "HTTP/1.1 {status}\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = s.write_all(body);
        }
    });
    (format!("http://{addr}"), hits)
}

#[test]
fn feed_urls_are_fetched_and_failures_rejected() {
    let (base, hits) = serve(10);
    let v = Vigie::new();
    let o = v.run(&["ingest", "--json", &format!("{base}/feed.rss"), &format!("{base}/missing.rss")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["indexed"], 3, "{s}");
    assert_eq!(s["rejected"], 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("missing.rss: fetch failed: http 404"), "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    let h = v.json_lines(&["search", "ironwood", "--json"]);
    assert_eq!(h[0]["source"], "Exemple Tech");
}
