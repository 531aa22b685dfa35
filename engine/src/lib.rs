//! vigie's engine: the one API the command line, the HTTP server and the enrichment
//! filter share. It owns the data directory's layout ([`DataDir`]), opens it once for
//! any number of ingest batches ([`Session`]) and wires the pipeline to the index
//! (dedup state, story state, topics), runs the alert rules and their delivery, and
//! runs the watch loop with what it remembers between polls.
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use vigie_engine::{reports, DataDir, IngestOptions, Session};
//! use vigie_pipeline::ingest::{FormatChoice, Input};
//! use vigie_pipeline::lang::{LangConfig, LangDetector};
//! use vigie_pipeline::runner::Observer;
//!
//! let tmp = tempfile::tempdir().unwrap();
//! let input = tmp.path().join("news.jsonl");
//! std::fs::write(&input, r#"{"id":"a1","title":"Nvidia ships the H200","body":"Nvidia said on Monday that its H200 accelerators ship to cloud providers this quarter."}"#).unwrap();
//! let data = DataDir::new(tmp.path().join("data"));
//! let lang = LangDetector::new(&LangConfig::default()).unwrap();
//! // no analyzer: the model stage is off (no entities, stories or topics)
//! let opts = IngestOptions::new(FormatChoice::Auto, &lang, None);
//! struct Quiet;
//! impl Observer for Quiet {}
//! let mut session = Session::open(data.clone()).unwrap();
//! let summary = session.ingest(&[Input::Path(input)], &opts, &mut Quiet, &AtomicBool::new(false)).unwrap();
//! assert_eq!(summary.indexed, 1);
//! let hits = reports::search(&data, session.index(), &vigie_index::SearchRequest::new("h200")).unwrap();
//! assert_eq!(hits.hits[0].id, "a1");
//! session.close().unwrap();
//! ```

pub mod alerts;
pub mod articles;
mod clock;
pub mod corpus;
mod datadir;
pub mod enrich;
mod error;
pub mod eval;
pub mod fetch;
pub mod filelock;
pub mod frontend;
pub mod models;
pub mod params;
pub mod process;
pub mod reports;
pub mod searches;
mod session;
pub mod signals;
pub mod store;
mod topic_source;
pub mod topics;
pub mod versioned;
pub mod watch;
pub mod watcher;

pub use clock::{Clock, SystemClock};
pub use datadir::DataDir;
pub use error::{Error, ErrorKind, Result};
pub use session::{IngestOptions, Session};
pub use topic_source::{TopicCache, TopicSource};
