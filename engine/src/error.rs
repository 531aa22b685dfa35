//! The engine's error type: what stops an engine operation, with the source kept, and
//! the kind of fault it is (what the user can fix, or a bug/broken installation).

use std::path::PathBuf;

/// Errors of engine operations. Bad input records are not errors: they are rejects and
/// the run goes on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Index(#[from] vigie_index::Error),
    #[error(transparent)]
    Pipeline(#[from] vigie_pipeline::Error),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A state file that cannot be read or written.
    #[error("{}: {message}", path.display())]
    State { path: PathBuf, message: String },
    /// A state file written by a later vigie.
    #[error("{}: {what} version {found}, but this vigie reads up to version {supported}: upgrade vigie (or restore the file from the vigie that wrote it)", path.display())]
    StateVersion { path: PathBuf, what: &'static str, found: u32, supported: u32 },
    /// Another process holds a lock for longer than this one waits.
    #[error("another vigie process holds {what} ({}) for more than {seconds} s{hint}", path.display())]
    Busy { what: &'static str, path: PathBuf, seconds: u64, hint: &'static str },
    /// A setting (flag, environment variable, file) that cannot be used as given.
    #[error("{0}")]
    Config(String),
    /// The HTTP client could not be built (TLS, resolver).
    #[error("{0}")]
    Http(String),
    /// One alert rule failed (its query against the batch, its delivery state).
    #[error("alert {name}")]
    Rule { name: String, source: Box<Error> },
    /// The ingest stopped on a fault of the pipeline (what was accepted is committed).
    #[error("ingest failed")]
    Ingest(#[source] Box<Error>),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Who can fix an error: the user (a usage or input problem, exit code 1) or nobody
/// but a developer or a re-installation (an internal fault, exit code 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Usage,
    Internal,
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn state(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::State { path: path.into(), message: message.into() }
    }

    pub fn kind(&self) -> ErrorKind {
        use vigie_index::Error as I;
        use vigie_pipeline::Error as P;
        match self {
            Error::Index(I::Query(_) | I::Missing(_) | I::Locked(_) | I::Outdated { .. }) => ErrorKind::Usage,
            Error::Pipeline(P::Config(_) | P::Io { .. }) => ErrorKind::Usage,
            // a data directory the user pointed at that cannot be created or read
            Error::Io { .. } => ErrorKind::Usage,
            Error::Busy { .. } | Error::Config(_) | Error::StateVersion { .. } => ErrorKind::Usage,
            Error::Ingest(e) | Error::Rule { source: e, .. } => e.kind(),
            _ => ErrorKind::Internal,
        }
    }
}
