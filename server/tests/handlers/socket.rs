//! The server on a real socket: a free port, requests over TCP, a graceful stop.

use crate::common::shared;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use vigie_server::Server;

/// One HTTP/1.1 request; the status line and the body.
fn http_get(addr: SocketAddr, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").expect("a header and a body");
    (head.lines().next().unwrap().to_string(), body.to_string())
}

#[test]
fn the_server_listens_on_a_free_port_and_stops_gracefully() {
    let config = shared().config(None);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let server = rt.block_on(Server::bind(&config)).unwrap();
    let addr = server.local_addr();
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = rt.spawn(server.run(async {
        let _ = stopped.await;
    }));
    let (status, body) = http_get(addr, "/api/stats");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let stats: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stats["documents"], 8);
    let (status, body) = http_get(addr, "/api/documents/nope");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    assert_eq!(body, r#"{"error":"no document with id \"nope\""}"#);
    stop.send(()).unwrap();
    rt.block_on(running).unwrap().unwrap();
    assert!(TcpStream::connect(addr).is_err(), "no longer listening");
}
