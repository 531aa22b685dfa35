//! `vigie serve` over the samples ingested with the model: every endpoint over real
//! HTTP answers what the matching command prints with `--json`, an ingest by another
//! process is seen without a restart, and the token rules hold.

use crate::common::{samples, wait_exit, write, Vigie, HANG_LIMIT};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A running `vigie serve`, stopped with SIGTERM when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Serve {
    /// Starts `vigie serve ARGS --addr 127.0.0.1:0` and reads the port from its first line.
    fn start(v: &Vigie, args: &[&str]) -> Serve {
        let mut child = v.cmd().arg("serve").args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("vigie serve runs");
        let (tx, stderr) = std::sync::mpsc::channel();
        let lines = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for l in lines.lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        let first = stderr.recv_timeout(Duration::from_secs(60)).expect("a first line on stderr");
        let addr = first
            .strip_prefix("vigie: serving http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .parse()
            .expect("an address");
        Serve { child, addr, stderr }
    }

    fn get(&self, path: &str, token: Option<&str>) -> Reply {
        http_get(self.addr, path, token)
    }

    /// GET that must answer 200 with JSON.
    fn json(&self, path: &str) -> Value {
        let r = self.get(path, None);
        assert_eq!(r.status, 200, "{path}: {}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.header("content-type"), Some("application/json"), "{path}");
        serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// SIGTERM; the exit status and what it printed on stderr.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = wait_exit(&mut self.child, "vigie serve after SIGTERM");
        let err: Vec<String> = self.stderr.try_iter().collect();
        (status, err.join("\n"))
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 GET on a fresh connection (chunked bodies decoded).
fn http_get(addr: SocketAddr, path: &str, token: Option<&str>) -> Reply {
    http(addr, "GET", path, token, None)
}

/// One HTTP/1.1 request on a fresh connection.
fn http(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let length = body.map(|b| format!("Content-Length: {}\r\n", b.len())).unwrap_or_default();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}{length}Connection: close\r\n\r\n").unwrap();
    if let Some(b) = body {
        s.write_all(b).unwrap();
    }
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of the header");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        let (mut out, mut rest) = (Vec::new(), &body[..]);
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + n]);
            rest = &rest[eol + 2 + n + 2..];
        }
        body = out;
    }
    Reply { status, headers, body }
}

fn array(v: Vec<Value>) -> Value {
    Value::Array(v)
}

#[test]
fn serve_answers_the_json_of_the_commands_and_sees_a_later_ingest() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    let server = Serve::start(&v, &["--addr", "127.0.0.1:0"]);
    assert!(server.addr.ip().is_loopback() && server.addr.port() != 0);

    // each endpoint answers what the command prints
    let hits = v.json_lines(&["search", "stargate OR nvidia", "--limit", "100", "--json"]);
    let search = server.json("/api/search?q=stargate%20OR%20nvidia&limit=100");
    assert_eq!(search["hits"], array(hits.clone()));
    assert_eq!(search["total"].as_u64(), Some(hits.len() as u64));
    assert_eq!(
        server.json("/api/search?q=*&lang=fr&no_dups=true&sort=date")["hits"],
        array(v.json_lines(&["search", "*", "--lang", "fr", "--no-dups", "--sort", "date", "--json"]))
    );
    assert_eq!(server.json("/api/documents/sample-stargate-fr"), v.json(&["show", "sample-stargate-fr", "--json"]));
    assert_eq!(server.json("/api/stats"), v.json(&["stats", "--json"]));
    let entities = server.json("/api/entities?top=50");
    assert_eq!(entities, array(v.json_lines(&["entities", "--top", "50", "--json"])));
    let ids: Vec<&str> = entities.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"company:nvidia") && ids.contains(&"company:openai"), "{ids:?}");
    assert_eq!(server.json("/api/entities?type=gpu"), array(v.json_lines(&["entities", "--type", "gpu", "--json"])));
    assert_eq!(
        server.json("/api/timeline?series=company:nvidia&series=stargate&by=month&tz=Europe/Paris"),
        array(v.json_lines(&["timeline", "company:nvidia", "stargate", "--by", "month", "--tz", "Europe/Paris", "--json"]))
    );
    let trends = server.json("/api/trends?window=60d&baseline=365d&min_count=1");
    let mut lines = trends["entities"].as_array().unwrap().clone();
    lines.extend(trends["topics"].as_array().unwrap().iter().cloned());
    assert_eq!(lines, v.json_lines(&["trends", "--window", "60d", "--baseline", "365d", "--min-count", "1", "--json"]));
    assert!(!trends["topics"].as_array().unwrap().is_empty(), "topics are ranked too: {trends}");
    let cooccur = server.json("/api/cooccur?entity=company:openai");
    assert_eq!(cooccur, array(v.json_lines(&["cooccur", "company:openai", "--json"])));
    assert!(!cooccur.as_array().unwrap().is_empty());
    let topics = server.json("/api/topics");
    assert_eq!(topics, array(v.json_lines(&["topics", "--json"])));
    assert!(!topics.as_array().unwrap().is_empty());
    let topic = topics[0]["id"].as_str().unwrap();
    assert_eq!(
        server.json(&format!("/api/search?q=*&topic={topic}&limit=100"))["hits"],
        array(v.json_lines(&["search", "*", "--topic", topic, "--limit", "100", "--json"]))
    );
    let story = server.json("/api/stories/sample-stargate-fr");
    assert_eq!(story, v.json(&["story", "sample-stargate-fr", "--json"]));
    assert!(story["languages"]["fr"].as_u64() >= Some(1) && story["languages"]["en"].as_u64() >= Some(1), "{story}");
    // the monitoring tables: the JSON of their commands
    assert_eq!(
        server.json("/api/timeline?series=company:nvidia&series=stargate&by=month&normalize=true"),
        array(v.json_lines(&["timeline", "company:nvidia", "stargate", "--by", "month", "--normalize", "--json"]))
    );
    let sources = server.json("/api/sources?q=nvidia&top=5");
    assert_eq!(sources, array(v.json_lines(&["sources", "nvidia", "--top", "5", "--json"])));
    assert!(!sources.as_array().unwrap().is_empty());
    for order in ["size", "latest"] {
        let stories = server.json(&format!("/api/stories?q=stargate&order={order}&top=5"));
        assert_eq!(stories, array(v.json_lines(&["stories", "stargate", "--order", order, "--top", "5", "--json"])), "{order}");
        let first = &stories.as_array().unwrap()[0];
        assert!(first["title"].is_string() && first["documents"].as_u64() > Some(0), "{first}");
    }
    assert_eq!(server.json("/api/terms?q=stargate&lang=fr"), array(v.json_lines(&["terms", "stargate", "--lang", "fr", "--json"])));
    assert_eq!(
        server.json("/api/summary?q=company:openai&since=2025-01-01&until=2025-07-01"),
        v.json(&["summary", "company:openai", "--since", "2025-01-01", "--until", "2025-07-01", "--json"])
    );
    v.ok(&["searches", "add", "chips", "nvidia OR amd", "--lang", "en"]);
    assert_eq!(server.json("/api/searches"), array(v.json_lines(&["searches", "list", "--json"])));

    // a download: the bytes `vigie export` writes
    let csv = server.get("/api/export/entities?format=csv", None);
    assert_eq!((csv.status, csv.header("content-type")), (200, Some("text/csv; charset=utf-8")));
    assert_eq!(csv.header("content-disposition"), Some("attachment; filename=\"vigie-entities.csv\""));
    let out = v.dir.path().join("entities.csv");
    v.ok(&["export", "entities", "--format", "csv", "--out", out.to_str().unwrap()]);
    assert_eq!(csv.body, std::fs::read(&out).unwrap());
    let parquet = server.get("/api/export/documents?format=parquet", None);
    assert!(parquet.body.starts_with(b"PAR1"), "{}", parquet.status);

    // the OpenAPI document and the error shapes
    let doc = server.json("/api/openapi.json");
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/stories/{id}"]["get"].is_object());
    for (path, status) in [("/api/documents/nope", 404), ("/api/search?q=nosuchfield:x", 400), ("/api/nope", 404)] {
        let r = server.get(path, None);
        assert_eq!(r.status, status, "{path}");
        let e: Value = serde_json::from_slice(&r.body).unwrap();
        assert!(e["error"].is_string(), "{path}: {e}");
    }

    // another process ingests: the running server sees it
    let before = server.json("/api/stats")["documents"].as_u64().unwrap();
    let later = write(
        v.dir.path(),
        "later.jsonl",
        br#"{"id":"later-1","title":"Nvidia opens a research centre in Grenoble","body":"Nvidia said on Thursday that it would open a research centre in Grenoble, its first in France outside Paris, to work on chips for data centers with local universities.","published":"2025-02-06T10:00:00Z","source":"Le Dauphine"}"#,
    );
    v.ingest(&[&later]);
    assert_eq!(server.json("/api/stats")["documents"].as_u64(), Some(before + 1));
    assert_eq!(server.json("/api/documents/later-1"), v.json(&["show", "later-1", "--json"]));
    assert_eq!(server.json("/api/topics"), array(v.json_lines(&["topics", "--json"])));

    let (status, err) = server.stop();
    assert!(status.success(), "{status:?}: {err}");
}

#[test]
fn serve_with_a_token_and_the_addresses_it_refuses() {
    let v = Vigie::new();
    let open = v.run(&["serve", "--addr", "0.0.0.0:0"]);
    assert_eq!(open.status.code(), Some(1));
    let err = String::from_utf8_lossy(&open.stderr);
    assert!(err.starts_with("error: refusing to serve on 0.0.0.0:0 without a token") && err.trim().lines().count() == 1, "{err}");
    let token = write(v.dir.path(), "token", b"s3cret-token\n");
    let server = Serve::start(&v, &["--addr", "127.0.0.1:0", "--token-file", token.to_str().unwrap()]);
    let denied = server.get("/api/stats", None);
    assert_eq!((denied.status, denied.header("www-authenticate")), (401, Some("Bearer")));
    assert_eq!(server.get("/api/stats", Some("wrong")).status, 401);
    // no ingest yet: the token is right, the index is not there
    let r = server.get("/api/stats", Some("s3cret-token"));
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert!(String::from_utf8_lossy(&r.body).contains("run `vigie ingest` first"));
    v.ingest(&[&samples().join("news-fr-en.jsonl")]);
    assert_eq!(server.get("/api/stats", Some("s3cret-token")).status, 200);
    let (status, err) = server.stop();
    assert!(status.success(), "{status:?}: {err}");
}

/// `vigie serve --watch DIR`: the watch loop in the server's process ingests what lands
/// in the folder, `POST /api/ingest` goes through the same session (with the model
/// stage, loaded for the watch), alerts are added over the API, another process's
/// ingest is refused meanwhile, and SIGTERM stops both cleanly (the session closed, the
/// marks saved).
#[test]
fn serve_watch_ingests_a_folder_and_shares_its_session_with_the_api() {
    let v = Vigie::new();
    let inbox = v.dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let server = Serve::start(&v, &["--addr", "127.0.0.1:0", "--watch", inbox.to_str().unwrap(), "--interval", "1s", "--quiet"]);
    let post = |path: &str, body: &[u8]| {
        let r = http(server.addr, "POST", path, None, Some(body));
        let v: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&r.body)));
        (r.status, v)
    };
    write(
        &inbox,
        "wire.jsonl",
        br#"{"id":"watched-1","title":"Nvidia opens a research centre in Grenoble","body":"Nvidia said on Thursday that it would open a research centre in Grenoble, its first in France outside Paris, to work on chips for data centers with local universities.","published":"2025-02-06T10:00:00Z","source":"Le Dauphine"}
"#,
    );
    let t = Instant::now();
    loop {
        let r = server.get("/api/search?q=grenoble", None);
        if r.status == 200 && serde_json::from_slice::<Value>(&r.body).unwrap()["total"] == 1 {
            break;
        }
        assert!(t.elapsed() < HANG_LIMIT, "the watched file never showed up: {}", String::from_utf8_lossy(&r.body));
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(server.json("/api/documents/watched-1")["source"], "Le Dauphine");

    // the API's ingest goes through the watch's session, with its model stage
    let (status, r) = post(
        "/api/ingest",
        br#"{"id":"posted-1","title":"OpenAI signs a cloud deal with Microsoft","body":"OpenAI and Microsoft signed a new agreement on Tuesday under which the maker of ChatGPT will buy cloud services for several years, the companies said in a joint statement."}"#,
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!((r["indexed"].as_u64(), r["entities"].as_bool()), (Some(1), Some(true)), "{r}");
    let doc = server.json("/api/documents/posted-1");
    let ids: Vec<&str> = doc["entities"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"company:openai"), "{doc}");

    // an alert over the API, listed
    let (status, added) = post("/api/alerts", br#"{"name":"grenoble","query":"grenoble OR chatgpt"}"#);
    assert_eq!(status, 201, "{added}");
    let listed = server.json("/api/alerts");
    assert_eq!(listed.as_array().map(|a| a.len()), Some(1));
    assert_eq!(listed[0]["name"], "grenoble");
    assert_eq!(listed, array(v.json_lines(&["alerts", "list", "--json"])));
    assert_eq!(server.json("/api/alerts/grenoble/test")["total"], 2);

    // the writer is the server's while it watches
    let other = write(v.dir.path(), "other.jsonl", br#"{"id":"other-1","title":"x","body":"y"}"#);
    let refused = v.run(&["ingest", "--no-entities", other.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("locked by another vigie process"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let (status, err) = server.stop();
    assert!(status.success(), "{status:?}: {err}");
    assert!(!err.contains("error"), "{err}");
    // the session was closed and the marks saved: a watch of the folder reads nothing again
    let o = v.json(&["watch", "--json", "--quiet", "--no-entities", "--once", inbox.to_str().unwrap()]);
    assert_eq!((o["files_changed"].as_u64(), o["read"].as_u64()), (Some(0), Some(0)), "{o}");
    assert_eq!(v.json(&["stats", "--json"])["documents"], 2);
}
