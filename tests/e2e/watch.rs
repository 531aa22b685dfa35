//! `vigie watch`: a feed that changes between polls on a real localhost server
//! (conditional GET, User-Agent, backoff of a failing feed), a folder whose JSON lines
//! file grows, alerts after each commit, a clean stop on SIGTERM, and a restart that
//! goes on where the last run stopped.

use crate::common::{wait_exit, Vigie};
use crate::server::{Response, Server};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::Duration;

fn rss(items: &[(&str, &str)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Local Wire</title><link>http://localhost/</link><description>t</description>"#,
    );
    for (i, (title, body)) in items.iter().enumerate() {
        s.push_str(&format!(
            "<item><title>{title}</title><link>http://localhost/a/{i}</link><guid>http://localhost/a/{i}</guid><pubDate>Mon, 17 Nov 2025 0{i}:00:00 +0000</pubDate><description>{body}</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

const ITEMS: [(&str, &str); 3] = [
    (
        "Nvidia opens a research lab in Grenoble",
        "Nvidia will employ 300 engineers in Grenoble to work on robotics and simulation software.",
    ),
    (
        "Mistral AI signs a cloud deal with a French bank",
        "The bank will run Mistral models on its own servers, the start-up said on Monday.",
    ),
    (
        "Nvidia and SoftBank plan an AI factory in Osaka",
        "The site will host Blackwell systems and open next year, Nvidia and SoftBank said in a statement.",
    ),
];

/// The poll summaries the watcher prints with --json, as they come.
fn polls(child: &mut std::process::Child) -> Receiver<Value> {
    let (tx, rx) = channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&l) {
                let _ = tx.send(v);
            }
        }
    });
    rx
}

/// The next poll that indexed something.
fn next_indexing(rx: &Receiver<Value>) -> Value {
    loop {
        let p = rx.recv_timeout(Duration::from_secs(90)).expect("a poll within 90 s");
        if p["indexed"].as_u64().unwrap() > 0 || p["rejected"].as_u64().unwrap() > 0 {
            return p;
        }
    }
}

#[test]
fn watch_polls_a_changing_feed_and_a_growing_folder_and_stops_cleanly() {
    let version = Arc::new(AtomicUsize::new(2));
    let ver = version.clone();
    let server = Server::start(move |r| match r.path.as_str() {
        "/feed.rss" => {
            let n = ver.load(Ordering::SeqCst);
            let etag = format!("\"v{n}\"");
            if r.header("if-none-match") == Some(etag.as_str()) {
                return Response::status(304);
            }
            let mut resp = Response::body(200, "application/rss+xml", rss(&ITEMS[..n]));
            resp.headers.push(("ETag".into(), etag));
            resp.headers.push(("Last-Modified".into(), format!("Mon, 17 Nov 2025 1{n}:00:00 GMT")));
            resp
        }
        _ => Response::status(500),
    });
    let v = Vigie::new();
    let out = v.dir.path().join("alerts.jsonl");
    v.ok(&["alerts", "add", "nvidia", "nvidia", "--notify", &format!("file:{}", out.display())]);
    let folder = v.dir.path().join("inbox");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("wire.jsonl");
    std::fs::write(&file, "{\"id\":\"f1\",\"title\":\"Nvidia ships H200 systems to Paris\",\"body\":\"Nvidia shipped the first H200 systems to a Paris cloud provider.\"}\n").unwrap();
    let args = ["watch", "--json", "--quiet", "--no-entities", "--interval", "1s", "--timeout", "5s"];
    let mut child = v
        .cmd()
        .args(args)
        .arg(server.url("/feed.rss"))
        .arg(server.url("/broken.rss"))
        .arg(&folder)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let rx = polls(&mut child);
    // poll 1: two feed items and the file
    let p = next_indexing(&rx);
    assert_eq!((p["feeds_changed"].as_u64(), p["files_changed"].as_u64(), p["indexed"].as_u64()), (Some(1), Some(1), Some(3)), "{p}");
    assert_eq!(p["feeds_failed"], 1);
    // the feed gains an item; the file gains a line (and half of another)
    version.store(3, Ordering::SeqCst);
    let p = next_indexing(&rx);
    assert_eq!((p["feeds_changed"].as_u64(), p["indexed"].as_u64(), p["existing"].as_u64()), (Some(1), Some(1), Some(2)), "{p}");
    let mut f = std::fs::OpenOptions::new().append(true).open(&file).unwrap();
    f.write_all(
        b"{\"id\":\"f2\",\"title\":\"Nvidia opens an office in Lyon\",\"body\":\"Nvidia opened an office in Lyon.\"}\n{\"id\":\"f3\",\"tit",
    )
    .unwrap();
    f.flush().unwrap();
    let p = next_indexing(&rx);
    assert_eq!((p["files_changed"].as_u64(), p["indexed"].as_u64(), p["rejected"].as_u64()), (Some(1), Some(1), Some(0)), "{p}");
    std::thread::sleep(Duration::from_millis(2500));

    // SIGTERM: the watcher finishes its poll and exits 0
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = wait_exit(&mut child, "watch after SIGTERM");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{status:?}: {err}");

    // conditional GETs with vigie's User-Agent; 304s once nothing changed
    let feed = server.requests("/feed.rss");
    assert!(feed.iter().all(|r| r.header("user-agent").is_some_and(|u| u.starts_with("vigie/"))));
    assert!(feed.iter().any(|r| r.status == 304), "no 304 in {} polls", feed.len());
    assert!(feed.iter().skip(1).all(|r| r.header("if-none-match").is_some()));
    assert!(feed.iter().skip(1).all(|r| r.header("if-modified-since").is_some_and(|d| d.ends_with("GMT"))));
    // the failing feed backs off: polled less often than the healthy one
    let broken = server.requests("/broken.rss").len();
    assert!(broken >= 2 && broken < feed.len(), "broken feed polled {broken} times, healthy {}", feed.len());

    // alerts ran after each commit: every Nvidia story once
    let notes: Vec<Value> = std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let titles: Vec<&str> = notes.iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 4, "{titles:?}");
    for t in [
        "Nvidia opens a research lab in Grenoble",
        "Nvidia and SoftBank plan an AI factory in Osaka",
        "Nvidia ships H200 systems to Paris",
        "Nvidia opens an office in Lyon",
    ] {
        assert!(titles.contains(&t), "{t} not notified: {titles:?}");
    }

    // a restart goes on from the stored marks: the half-written line, once complete
    let mut f = std::fs::OpenOptions::new().append(true).open(&file).unwrap();
    f.write_all(b"le\":\"Nvidia and Orange test AI-RAN in Rennes\",\"body\":\"Nvidia and Orange tested AI-RAN in Rennes.\"}\n").unwrap();
    drop(f);
    let o = v.ok(&["watch", "--json", "--quiet", "--no-entities", "--once", &server.url("/feed.rss"), folder.to_str().unwrap()]);
    let p: Value = serde_json::from_str(o.lines().last().unwrap()).unwrap();
    assert_eq!((p["indexed"].as_u64(), p["feeds_not_modified"].as_u64(), p["existing"].as_u64()), (Some(1), Some(1), Some(0)), "{p}");
    assert!(v.rejects().is_empty(), "{:?}", v.rejects());
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 5);
}

#[test]
fn a_json_line_over_the_record_limit_is_one_reject_and_watch_reads_on() {
    let v = Vigie::new();
    let folder = v.dir.path().join("inbox");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("wire.jsonl");
    let poll = || -> Value {
        let o = v.ok(&["watch", "--json", "--quiet", "--no-entities", "--once", folder.to_str().unwrap()]);
        serde_json::from_str(o.lines().last().unwrap()).unwrap()
    };
    std::fs::write(&file, "{\"id\":\"g1\",\"title\":\"Nvidia ships H200 systems to Paris\",\"body\":\"Nvidia shipped them.\"}\n").unwrap();
    assert_eq!(poll()["indexed"], 1);
    // a 9 MiB line (the record limit is 8 MiB), written in two goes
    let long = format!("{{\"id\":\"big\",\"title\":\"Big\",\"body\":\"{}\"}}\n", "x".repeat(9 << 20));
    let mut f = std::fs::OpenOptions::new().append(true).open(&file).unwrap();
    f.write_all(&long.as_bytes()[..5 << 20]).unwrap();
    f.flush().unwrap();
    let p = poll();
    assert_eq!((p["indexed"].as_u64(), p["rejected"].as_u64()), (Some(0), Some(0)), "{p}");
    f.write_all(&long.as_bytes()[5 << 20..]).unwrap();
    f.flush().unwrap();
    let p = poll();
    assert_eq!((p["indexed"].as_u64(), p["rejected"].as_u64()), (Some(0), Some(1)), "{p}");
    // the good line written after it is read: the long one does not block the file
    f.write_all(b"{\"id\":\"g2\",\"title\":\"Nvidia opens an office in Lyon\",\"body\":\"Nvidia opened an office.\"}\n").unwrap();
    f.flush().unwrap();
    let p = poll();
    assert_eq!((p["indexed"].as_u64(), p["rejected"].as_u64()), (Some(1), Some(0)), "{p}");
    // a line longer than what one poll reads (64 MiB) is skipped as well
    f.write_all(format!("{{\"id\":\"huge\",\"body\":\"{}\"}}\n", "y".repeat(65 << 20)).as_bytes()).unwrap();
    f.write_all(b"{\"id\":\"g3\",\"title\":\"Nvidia hires in Nice\",\"body\":\"Nvidia hired engineers in Nice.\"}\n").unwrap();
    f.flush().unwrap();
    let p = poll();
    assert_eq!((p["indexed"].as_u64(), p["rejected"].as_u64()), (Some(1), Some(1)), "{p}");
    for id in ["g1", "g2", "g3"] {
        assert!(v.run(&["show", id, "--json"]).status.success(), "{id} not stored");
    }
    assert!(!v.run(&["show", "big", "--json"]).status.success());
    let rejects = v.rejects();
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert_eq!(rejects[1]["line"], 4);
    assert_eq!(rejects[0]["file"], file.display().to_string());
    assert_eq!(rejects[0]["line"], 2);
    assert!(rejects[0]["reason"].as_str().unwrap().starts_with(&format!("record too large ({} bytes", long.len() - 1)), "{rejects:?}");
}
