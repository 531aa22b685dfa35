//! `POST /api/ingest`: JSON lines and feeds through an engine Session, the rejects of
//! the request, the alert rules after the commit, the body limit and the index lock.

use crate::common::{Api, Fixture};
use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;
use vigie_engine::Session;
use vigie_server::{router, MAX_BODY_BYTES, MAX_INGEST_BYTES};

fn line(id: &str, title: &str, body: &str) -> String {
    json!({"id": id, "lang": "en", "source": "Agency", "published": "2025-01-29T08:00:00Z", "title": title, "body": body}).to_string()
}

const TURBINE: &str = "The harbour authority said on Tuesday that the offshore wind turbine project near the northern coast would go ahead after a long review by the regional council, with the first turbines running next year.";
const LITHIUM: &str = "A mining group said on Wednesday that it had found a large lithium deposit in the mountains, and that it would seek permits to open a mine within three years despite protests from local farmers.";

fn ingested(a: &crate::common::Answer) -> Value {
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    a.json()
}

#[test]
fn json_lines_are_ingested_with_the_summary_of_vigie_ingest_and_the_rejects() {
    let f = Fixture::new();
    let api = f.app();
    let body = [
        line("api-1", "Offshore turbines approved", TURBINE),
        "{not json".into(),
        line("api-2", "A lithium mine in the mountains", LITHIUM),
    ]
    .join("\n");
    let r = ingested(&api.post("/api/ingest", body.clone()));
    // vigie ingest --json's keys, and the request's rejects, the model stage and the alert run
    let summary = serde_json::to_value(vigie_pipeline::runner::Summary::default()).unwrap();
    let mut expected: BTreeSet<&str> = summary.as_object().unwrap().keys().map(String::as_str).collect();
    expected.extend(["rejects", "entities", "alerts"]);
    let keys: BTreeSet<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, expected, "{r}");
    assert_eq!((r["read"].as_u64(), r["indexed"].as_u64(), r["rejected"].as_u64()), (Some(3), Some(2), Some(1)), "{r}");
    assert_eq!((r["by_lang"]["en"].as_u64(), r["entities"].as_bool()), (Some(2), Some(false)));
    let rejects = r["rejects"].as_array().unwrap();
    assert_eq!(rejects.len(), 1, "{r}");
    let file = rejects[0]["file"].as_str().unwrap();
    assert!(file.starts_with("api:ingest@"), "{file}");
    assert_eq!(rejects[0]["line"], 2);
    assert!(rejects[0]["reason"].as_str().unwrap().starts_with("invalid json"), "{}", rejects[0]);
    // as written to the rejects file
    let written = std::fs::read_to_string(f.data.rejects_path()).unwrap();
    let w: Value = serde_json::from_str(written.lines().last().unwrap()).unwrap();
    assert_eq!((&w["file"], &w["line"], &w["reason"]), (&rejects[0]["file"], &rejects[0]["line"], &rejects[0]["reason"]));
    assert_eq!(r["alerts"]["rules"], 0);
    // the readers see the commit
    assert_eq!(api.ok("/api/stats")["documents"], 10);
    assert_eq!(api.ok("/api/documents/api-2")["title"], "A lithium mine in the mountains");
    // the same body again: nothing new
    let again = ingested(&api.post("/api/ingest", body));
    assert_eq!((again["indexed"].as_u64(), again["existing"].as_u64()), (Some(0), Some(2)), "{again}");
}

#[test]
fn a_feed_body_is_sniffed_or_named_and_its_bad_item_rejected() {
    let f = Fixture::new();
    let api = f.app();
    let rss = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example</link><language>en</language>
<item><title>Offshore turbines approved</title><link>https://wire.example/turbines</link><pubDate>Tue, 28 Jan 2025 14:05:00 +0000</pubDate><description>{TURBINE}</description></item>
<item><title>A title and nothing else</title><link>https://wire.example/empty</link></item>
<item><title>A lithium mine in the mountains</title><link>https://wire.example/lithium</link><description>{LITHIUM}</description></item>
</channel></rss>"#
    );
    let r = ingested(&api.post("/api/ingest", rss.clone()));
    assert_eq!((r["read"].as_u64(), r["indexed"].as_u64(), r["rejected"].as_u64()), (Some(3), Some(2), Some(1)), "{r}");
    let reject = &r["rejects"][0];
    assert!(reject["file"].as_str().unwrap().starts_with("api:ingest@") && reject["reason"].is_string(), "{reject}");
    assert_eq!(api.ok("/api/search?q=turbines")["total"], 1);
    // named: the same
    let named = ingested(&api.post("/api/ingest?format=feed", rss.clone()));
    assert_eq!((named["read"].as_u64(), named["existing"].as_u64()), (Some(3), Some(2)));
    // named wrong: the feed read as JSON lines is rejected line by line
    let wrong = ingested(&api.post("/api/ingest?format=jsonl", rss));
    assert_eq!(wrong["indexed"], 0);
    assert!(wrong["rejected"].as_u64().unwrap() > 0, "{wrong}");
    let bad = api.post("/api/ingest?format=pdf", "x");
    assert_eq!(bad.status, 400);
    assert!(bad.error().contains("format: unknown format \"pdf\""), "{}", bad.error());
    let empty = api.post("/api/ingest", " \n");
    assert_eq!(empty.status, 400);
    assert!(empty.error().contains("the body is empty"), "{}", empty.error());
    assert_eq!(api.get("/api/ingest").status, 405);
}

#[test]
fn bodies_over_the_ingest_limit_are_413_and_other_routes_keep_theirs() {
    let f = Fixture::new();
    let api = f.app();
    // over the other routes' limit, under the ingest's: accepted
    let lines: Vec<String> = (0..400)
        .map(|i| line(&format!("bulk-{i}"), &format!("Bulletin number {i} of the harbour"), &format!("{TURBINE} Bulletin {i}.")))
        .collect();
    let body = lines.join("\n");
    assert!(body.len() > MAX_BODY_BYTES);
    let r = ingested(&api.post("/api/ingest", body));
    assert_eq!(r["read"], 400);
    let big = vec![b' '; MAX_INGEST_BYTES + 1];
    let req = Request::post("/api/ingest").header("content-length", big.len()).body(Body::from(big)).unwrap();
    let a = api.call(req);
    assert_eq!(a.status, 413);
    assert_eq!(a.error(), format!("request body too large (at most {MAX_INGEST_BYTES} bytes)"));
    // without a length (streamed): refused as it is read
    let stream = futures_stream(MAX_INGEST_BYTES + 1);
    let a = api.call(Request::post("/api/ingest").body(stream).unwrap());
    assert_eq!(a.status, 413, "{}", String::from_utf8_lossy(&a.body));
    let a = api.post("/api/alerts", vec![b' '; MAX_BODY_BYTES + 1]);
    assert_eq!(a.status, 413);
    assert_eq!(a.error(), format!("request body too large (at most {MAX_BODY_BYTES} bytes)"));
}

/// A body of `n` bytes sent in chunks, with no length announced.
fn futures_stream(n: usize) -> Body {
    let chunk = vec![b' '; 1 << 20];
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> =
        (0..n.div_ceil(chunk.len())).map(|i| Ok(axum::body::Bytes::from(chunk[..chunk.len().min(n - i * chunk.len())].to_vec()))).collect();
    Body::from_stream(tokio_stream(chunks))
}

fn tokio_stream<T: Send + 'static>(items: Vec<T>) -> impl futures_core::Stream<Item = T> + Send + 'static {
    struct Iter<T>(std::vec::IntoIter<T>);
    impl<T> Unpin for Iter<T> {}
    impl<T> futures_core::Stream for Iter<T> {
        type Item = T;
        fn poll_next(mut self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<T>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    Iter(items.into_iter())
}

/// Another process's Session (here another Session of this one) holds the index
/// writer: the ingest is refused with 503 saying so, and goes through once it is closed.
#[test]
fn an_ingest_while_another_session_holds_the_lock_is_refused() {
    let f = Fixture::new();
    let api = f.app();
    let other = Session::open(f.data.clone()).unwrap();
    let a = api.post("/api/ingest", line("api-1", "Offshore turbines approved", TURBINE));
    assert_eq!(a.status, 503, "{}", String::from_utf8_lossy(&a.body));
    let e = a.error();
    assert!(e.contains("locked by another vigie process") && e.contains("try again"), "{e}");
    // the server held no writer meanwhile: the reads go on
    assert_eq!(api.ok("/api/stats")["documents"], 8);
    other.close().unwrap();
    let r = ingested(&api.post("/api/ingest", line("api-1", "Offshore turbines approved", TURBINE)));
    assert_eq!(r["indexed"], 1);
    // and it released the writer after the request
    Session::open(f.data.clone()).unwrap().close().unwrap();
}

/// With `--watch`, ingests go through the watch loop's Session, which holds the writer.
#[test]
fn an_ingest_goes_through_a_shared_session() {
    let f = Fixture::new();
    let shared: vigie_server::SharedSession = Arc::new(tokio::sync::Mutex::new(Some(Session::open(f.data.clone()).unwrap())));
    let mut config = f.config(None);
    config.session = Some(shared.clone());
    let api = Api { app: router(&config) };
    let r = ingested(&api.post("/api/ingest", line("api-1", "Offshore turbines approved", TURBINE)));
    assert_eq!(r["indexed"], 1);
    assert_eq!(api.ok("/api/documents/api-1")["id"], "api-1");
    let session = shared.blocking_lock().take().unwrap();
    assert_eq!(session.index().num_docs(), 9, "the shared session's own index has it");
    session.close().unwrap();
    let a = api.post("/api/ingest", line("api-2", "A lithium mine in the mountains", LITHIUM));
    assert_eq!(a.status, 503);
    assert_eq!(a.error(), "the server is stopping");
}

/// The alert rules run after an API ingest as after `vigie ingest`: what matches is
/// delivered to the rule's file, and the answer says so.
#[test]
fn an_ingest_fires_the_alerts_it_matches() {
    let f = Fixture::new();
    let api = f.app();
    let hits = f.tmp.path().join("out").join("wind.jsonl");
    let a = api.post(
        "/api/alerts",
        json!({"name": "wind", "query": "turbine OR turbines", "notify": format!("file:{}", hits.display())}).to_string(),
    );
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    let body = [line("api-1", "Offshore turbines approved", TURBINE), line("api-2", "A lithium mine in the mountains", LITHIUM)].join("\n");
    let r = ingested(&api.post("/api/ingest", body));
    let run = &r["alerts"];
    assert_eq!(
        (run["rules"].as_u64(), run["documents"].as_u64(), run["notifications"].as_u64(), run["delivered"].as_u64()),
        (Some(1), Some(2), Some(1), Some(1)),
        "{r}"
    );
    let delivered: Vec<Value> = std::fs::read_to_string(&hits).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(delivered.len(), 1);
    assert_eq!((delivered[0]["rule"].as_str(), delivered[0]["document_id"].as_str()), (Some("wind"), Some("api-1")));
    let listed = api.ok("/api/alerts");
    assert_eq!((listed[0]["delivered"].as_u64(), listed[0]["watermark"].as_u64()), (Some(1), Some(10)), "{listed}");
}
