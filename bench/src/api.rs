//! `vigie-bench api`: latency of the HTTP API (`vigie serve`) through real HTTP on
//! 127.0.0.1, on the index of the queries benchmark (100,000 articles): search,
//! timeline, trends, entities, story and the monitoring tables, p50 and p99 over
//! repeated requests on one kept-alive connection, the server in this process (the
//! vigie-server crate, as `vigie serve` runs it).

use crate::harness::{print_json, timed, usage_error, Latency};
use crate::queries::build;
use anyhow::{bail, Context};
use serde::Serialize;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;
use vigie_engine::DataDir;
use vigie_index::VigieIndex;

/// The corpus, size, runs and output of the queries benchmark, whose index the API
/// serves (`--runs`: timed requests of each kind).
pub type ApiBench = crate::queries::QueriesBench;

#[derive(Serialize)]
struct RouteLatency {
    request: String,
    bytes: usize,
    p50_ms: f64,
    p99_ms: f64,
}

#[derive(Serialize)]
struct Report {
    articles: usize,
    build_seconds: f64,
    requests: Vec<RouteLatency>,
}

/// One HTTP/1.1 connection, kept alive between requests.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> anyhow::Result<Client> {
        let s = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
        s.set_nodelay(true)?;
        Ok(Client { reader: BufReader::new(s) })
    }

    /// GET `path`: the body of a 200 answer (anything else is an error).
    fn get(&mut self, path: &str) -> anyhow::Result<Vec<u8>> {
        write!(self.reader.get_mut(), "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n")?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut length = None;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                bail!("{path}: connection closed");
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = Some(v.trim().parse::<usize>()?);
                }
            }
        }
        let length = length.with_context(|| format!("{path}: no content-length"))?;
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        if status != "200" {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&body));
        }
        Ok(body)
    }
}

/// A query string value, percent-encoded.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn bench(a: ApiBench) -> anyhow::Result<()> {
    if !a.reuters.is_dir() || !a.huffpost.is_file() {
        return Err(usage_error(format!("{} or {}: not found", a.reuters.display(), a.huffpost.display())));
    }
    let tmp = tempfile::tempdir()?;
    let data = DataDir::new(a.into.clone().unwrap_or_else(|| tmp.path().join("data")));
    let t = Instant::now();
    let n = {
        let index = VigieIndex::open_or_create(&data.index_dir())?;
        build(&a.reuters, &a.huffpost, a.articles, &index)?
    };
    let build_seconds = t.elapsed().as_secs_f64();

    // the server, as `vigie serve` runs it, on a free loopback port
    let config = vigie_server::ServeConfig::new(data.clone(), "127.0.0.1:0".parse()?, None)?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("bench-serve").build()?;
    let server = rt.block_on(vigie_server::Server::bind(&config))?;
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = rt.spawn(server.run(async {
        let _ = stopped.await;
    }));

    let mut client = Client::connect(addr)?;
    // a story of the index: that of the first hit for "oil"
    let hits: serde_json::Value = serde_json::from_slice(&client.get("/api/search?q=oil&limit=1")?)?;
    let story = hits["hits"][0]["story_id"].as_str().context("a story for oil")?.to_string();
    let requests = [
        "/api/search?q=oil".to_string(),
        format!("/api/search?q={}&sort=date", enc("crude OR opec")),
        "/api/search?q=*&sort=date".to_string(),
        "/api/timeline?series=location:usa&by=month&tz=Europe/Paris".to_string(),
        format!("/api/timeline?series={}&series=organization:opec&by=month&normalize=true", enc("oil OR crude")),
        "/api/trends".to_string(),
        "/api/trends?type=person".to_string(),
        "/api/entities".to_string(),
        "/api/entities?type=location&since=2007-01-01&until=2008-01-01".to_string(),
        format!("/api/stories/{story}"),
        "/api/sources?q=oil".to_string(),
        "/api/stories?q=oil&order=size&top=8".to_string(),
        "/api/stories?q=*&order=latest&top=8".to_string(),
        "/api/terms?q=oil".to_string(),
        "/api/summary?q=oil&since=2007-03-01&until=2007-04-01".to_string(),
    ];
    let mut rows = Vec::new();
    for path in &requests {
        let (bytes, l): (usize, Latency) = timed(a.runs, || Ok(client.get(path)?.len()))?;
        rows.push(RouteLatency { request: format!("GET {path}"), bytes, p50_ms: l.p50_ms, p99_ms: l.p99_ms });
    }
    let _ = stop.send(());
    rt.block_on(serving)??;

    let report = Report { articles: n, build_seconds, requests: rows };
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json(&mut out, &report);
    }
    writeln!(out, "{} articles indexed in {:.1} s; the API on http://{addr}", report.articles, report.build_seconds)?;
    for r in &report.requests {
        writeln!(out, "{:<96} {:>8} B  p50 {:>8.1} ms  p99 {:>8.1} ms", r.request, r.bytes, r.p50_ms, r.p99_ms)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(super::enc("oil OR crude"), "oil%20OR%20crude");
        assert_eq!(super::enc("a:b&c"), "a%3Ab%26c");
    }
}
