//! vigie's engine: the one API the command line, the HTTP server and the enrichment
//! filter share. It owns the data directory's layout ([`DataDir`]), opens it once for
//! any number of ingest batches ([`Session`]) and wires the pipeline to the index
//! (dedup state, story state, topics), runs the alert rules and their delivery, and
//! runs the watch loop with what it remembers between polls.

pub mod alerts;
mod clock;
pub mod corpus;
mod datadir;
mod error;
pub mod fetch;
pub mod models;
pub mod process;
pub mod reports;
mod session;
pub mod signals;
pub mod store;
pub mod topics;
pub mod versioned;
pub mod watch;
pub mod watcher;

pub use clock::{Clock, SystemClock};
pub use datadir::DataDir;
pub use error::{Error, ErrorKind, Result};
pub use session::{IngestOptions, Session};
