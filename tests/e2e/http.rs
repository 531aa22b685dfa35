//! Feeds fetched over real HTTP from a server on localhost.

use crate::common::{samples, Vigie};
use crate::server::{Response, Server};

#[test]
fn feed_urls_are_fetched_and_failures_rejected() {
    let feed = std::fs::read(samples().join("tech-feed.rss")).unwrap();
    let server = Server::start(move |r| match r.path.as_str() {
        "/feed.rss" if r.header("user-agent").is_some_and(|u| u.contains("vigie/")) => {
            Response::body(200, "application/rss+xml", feed.clone())
        }
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

#[test]
fn endless_bodies_and_redirect_loops_are_rejects_and_redirects_are_followed() {
    let feed = std::fs::read(samples().join("tech-feed.rss")).unwrap();
    let server = Server::start(move |r| match r.path.as_str() {
        "/feed.rss" => Response::body(200, "application/rss+xml", feed.clone()),
        "/moved" => Response::redirect(301, "/moved-again"),
        "/moved-again" => Response::redirect(302, "/feed.rss"),
        "/loop" => Response::redirect(302, "/loop"),
        p if p.starts_with("/hop") => {
            let n: u32 = p[4..].parse().unwrap_or(0);
            Response::redirect(302, &format!("/hop{}", n + 1))
        }
        // chunked, no Content-Length, never ends
        "/endless" => Response::endless("text/plain", vec![b'x'; 1 << 16]),
        _ => Response::status(404),
    });
    let v = Vigie::new();
    let o = v.run(&["ingest", "--json", &server.url("/moved"), &server.url("/loop"), &server.url("/hop0"), &server.url("/endless")]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((s["indexed"].as_u64(), s["rejected"].as_u64()), (Some(3), Some(3)), "{s} {err}");
    assert_eq!(server.requests("/feed.rss").len(), 1, "two redirects followed");
    let rejects = v.rejects();
    let reason = |path: &str| {
        rejects.iter().find(|r| r["file"] == server.url(path)).map(|r| r["reason"].as_str().unwrap().to_string()).unwrap_or_default()
    };
    // stopped at 64 MiB, not by the 30 s timeout (whose reason would say so)
    assert_eq!(reason("/endless"), "fetch failed: body larger than 64 MiB");
    assert!(reason("/loop").contains("redirect loop"), "{rejects:?}");
    assert!(reason("/hop0").contains("too many redirects (more than 5"), "{rejects:?}");
    // five redirects followed, the sixth refused
    assert_eq!(server.requests("/hop5").len(), 1);
    assert!(server.requests("/hop6").is_empty());
    assert!(err.lines().filter(|l| l.contains("rejected:")).count() == 3, "{err}");
}
