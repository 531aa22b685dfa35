//! Feeds fetched over real HTTP from a server on localhost.

use crate::common::{samples, Vigie};
use crate::server::{Response, Server};

#[test]
fn feed_urls_are_fetched_and_failures_rejected() {
    let feed = std::fs::read(samples().join("tech-feed.rss")).unwrap();
    let server = Server::start(move |r| match r.path.as_str() {
        "/feed.rss" if r.header("user-agent").is_some_and(|u| u.contains("vigie/")) => Response::body(200, "application/rss+xml", feed.clone()),
        _ => Response::status(404),
    });
    let v = Vigie::new();
    let o = v.run(&["ingest", "--json", &server.url("/feed.rss"), &server.url("/missing.rss")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["indexed"], 3, "{s}");
    assert_eq!(s["rejected"], 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("missing.rss: fetch failed: http 404"), "{err}");
    assert_eq!((server.requests("/feed.rss").len(), server.requests("/missing.rss").len()), (1, 1));
    let h = v.json_lines(&["search", "ironwood", "--json"]);
    assert_eq!(h[0]["source"], "Exemple Tech");
}
