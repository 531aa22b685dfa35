//! A small real HTTP/1.1 server on localhost for the feed, webhook and watch tests: each
//! connection on its own thread, every request logged with the status it was answered.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// how many requests this path had received before this one
    pub nth: usize,
    /// the status sent back (0 when the connection was dropped first)
    pub status: u16,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// wait before answering (a hung server)
    pub delay: Duration,
    /// a streamed body instead of `body`: sent chunked (no Content-Length), chunk `i`
    /// being `stream(i)` until it returns `None` or the client hangs up
    pub stream: Option<Arc<Stream>>,
}

type Stream = dyn Fn(usize) -> Option<Vec<u8>> + Send + Sync;

impl Response {
    pub fn status(status: u16) -> Self {
        Response { status, headers: Vec::new(), body: Vec::new(), delay: Duration::ZERO, stream: None }
    }

    pub fn body(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
            stream: None,
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Self {
        Response { headers: vec![("Location".into(), location.into())], ..Response::status(status) }
    }

    /// A chunked body that never ends: `chunk` over and over.
    pub fn endless(content_type: &str, chunk: Vec<u8>) -> Self {
        let stream: Arc<Stream> = Arc::new(move |_| Some(chunk.clone()));
        Response { stream: Some(stream), ..Response::body(200, content_type, Vec::new()) }
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

pub struct Server {
    pub base: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Serves until the test process ends.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log: Arc<Mutex<Vec<Request>>> = Arc::new(Mutex::new(Vec::new()));
        let counts: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let l = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(s) = stream else { continue };
                let (log, counts, handler) = (l.clone(), counts.clone(), handler.clone());
                std::thread::spawn(move || {
                    let _ = serve_one(s, &log, &counts, &*handler);
                });
            }
        });
        Server { base, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Requests answered so far on `path`.
    pub fn requests(&self, path: &str) -> Vec<Request> {
        self.log.lock().unwrap().iter().filter(|r| r.path == path).cloned().collect()
    }

    /// Waits until `path` has had `n` requests (answered or not).
    pub fn wait_for(&self, path: &str, n: usize, timeout: Duration) -> bool {
        let t = std::time::Instant::now();
        while t.elapsed() < timeout {
            if self.requests(path).len() >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

fn serve_one(
    s: std::net::TcpStream,
    log: &Mutex<Vec<Request>>,
    counts: &Mutex<HashMap<String, usize>>,
    handler: &Handler,
) -> std::io::Result<()> {
    let mut w = s.try_clone()?;
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut headers = HashMap::new();
    loop {
        let mut l = String::new();
        if r.read_line(&mut l)? == 0 || l == "\r\n" {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    let nth = {
        let mut c = counts.lock().unwrap();
        let n = c.entry(path.clone()).or_default();
        *n += 1;
        *n - 1
    };
    let mut req = Request { method, path, headers, body, nth, status: 0 };
    let resp = handler(&req);
    // logged before the delay, so that a test sees a hung request arrive
    let idx = {
        let mut l = log.lock().unwrap();
        l.push(req.clone());
        l.len() - 1
    };
    std::thread::sleep(resp.delay);
    let reason = match resp.status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let length = match resp.stream {
        Some(_) => "Transfer-Encoding: chunked".to_string(),
        None => format!("Content-Length: {}", resp.body.len()),
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n{length}\r\nConnection: close\r\n", resp.status);
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // logged as answered once the head is sent (a streamed body may never end)
    log.lock().unwrap()[idx].status = resp.status;
    w.write_all(head.as_bytes())?;
    match &resp.stream {
        None => w.write_all(&resp.body)?,
        Some(stream) => {
            let mut i = 0;
            while let Some(chunk) = stream(i) {
                i += 1;
                if chunk.is_empty() {
                    continue;
                }
                w.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                w.write_all(&chunk)?;
                w.write_all(b"\r\n")?;
            }
            w.write_all(b"0\r\n\r\n")?;
        }
    }
    w.flush()?;
    req.status = resp.status;
    log.lock().unwrap()[idx].status = resp.status;
    Ok(())
}
