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
    /// A state file that does not parse as what it should hold (vigie writes them
    /// atomically: a bug or a damaged disk).
    #[error("{}: unreadable {what}: {source}", path.display())]
    Corrupt { path: PathBuf, what: &'static str, source: serde_json::Error },
    /// A state file of an older version that cannot be brought to the current one.
    #[error("{}: {what} version {found}: {source}", path.display())]
    Migrate { path: PathBuf, what: &'static str, found: u32, source: crate::versioned::MigrateError },
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

impl ErrorKind {
    /// The kind of an error of any vigie library crate (engine, index, pipeline), `None`
    /// for another error: for a front end that finds one in a chain of causes.
    pub fn of(e: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
        if let Some(e) = e.downcast_ref::<Error>() {
            Some(e.kind())
        } else if let Some(e) = e.downcast_ref::<vigie_pipeline::Error>() {
            Some(Self::of_pipeline(e))
        } else {
            e.downcast_ref::<vigie_index::Error>().map(Self::of_index)
        }
    }

    /// What the user gave (a file, a model or head directory, a setting, an index of an
    /// earlier vigie, a state file of another version) is the user's to fix; a state file
    /// vigie wrote that does not read back, a resource built into vigie, a libtorch
    /// failure on vigie's own tensors, a stage that died are not.
    pub fn of_pipeline(e: &vigie_pipeline::Error) -> ErrorKind {
        use vigie_pipeline::Error as P;
        match e {
            P::Io { .. }
            | P::Config(_)
            | P::Model { .. }
            | P::ModelMissing { .. }
            | P::Data { .. }
            | P::Pattern { .. }
            | P::Gold { .. }
            | P::StateVersion { .. } => ErrorKind::Usage,
            // the sink's own error decides (the index locked by another process, ...)
            P::Sink(source) => ErrorKind::of(&**source).unwrap_or(ErrorKind::Internal),
            P::State { .. } | P::Builtin { .. } | P::Torch(_) | P::Stage(_) => ErrorKind::Internal,
        }
    }

    /// A query, a missing or locked index, an index of an earlier vigie, a directory that
    /// cannot be written are the user's to fix; the rest is a fault of the index.
    pub fn of_index(e: &vigie_index::Error) -> ErrorKind {
        use vigie_index::Error as I;
        match e {
            I::Query(_) | I::Missing(_) | I::Locked(_) | I::Outdated { .. } | I::Io { .. } => ErrorKind::Usage,
            I::Tantivy(_) | I::Corrupt(_) | I::Schema(_) | I::Frame(_) => ErrorKind::Internal,
        }
    }
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn state(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::State { path: path.into(), message: message.into() }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Index(e) => ErrorKind::of_index(e),
            Error::Pipeline(e) => ErrorKind::of_pipeline(e),
            // a data directory the user pointed at that cannot be created or read
            Error::Io { .. } => ErrorKind::Usage,
            Error::Busy { .. } | Error::Config(_) | Error::StateVersion { .. } => ErrorKind::Usage,
            Error::Ingest(e) | Error::Rule { source: e, .. } => e.kind(),
            Error::State { .. } | Error::Corrupt { .. } | Error::Migrate { .. } | Error::Http(_) => ErrorKind::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;
    use vigie_pipeline::Error as P;

    fn io() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::NotFound, "gone")
    }

    /// What the user pointed at or gave is a usage error (exit 1), whichever crate finds
    /// it; what vigie built or wrote itself is internal (exit 2).
    #[test]
    fn kinds_follow_who_can_fix_the_error() {
        let usage = [
            P::io("gold.conll", io()),
            P::Config("lang.allow: at least two languages are needed".into()),
            P::model("head/ner-head.safetensors", vigie_pipeline::ModelError::MissingTensor("w".into())),
            P::ModelMissing { dir: "models/e5-small".into(), file: "config.json", source: io() },
            P::Data { file: "entities.tsv".into(), line: 3, message: "expected 6 columns, found 5".into() },
            P::Gold { file: "gold.conll".into(), line: 7, message: "expected idx<TAB>token<TAB>tag".into() },
            P::StateVersion { path: "topics.json".into(), what: "topic state", found: 2, supported: 1, fix: "rebuild" },
        ];
        for e in usage {
            assert_eq!(ErrorKind::of_pipeline(&e), ErrorKind::Usage, "{e}");
            assert_eq!(Error::from(e).kind(), ErrorKind::Usage);
        }
        let json = serde_json::from_str::<u32>("x").unwrap_err();
        let internal = [
            P::State { path: "topics.json".into(), what: "topic state", source: json },
            P::builtin("knowledge base", P::Data { file: "entities.tsv".into(), line: 1, message: "x".into() }),
            P::Torch(vigie_pipeline::encoder::tch::TchError::Kind("bad".into())),
            P::Stage("the model stage stopped".into()),
        ];
        for e in internal {
            assert_eq!(ErrorKind::of_pipeline(&e), ErrorKind::Internal, "{e}");
        }
        // a sink's error is classified as what it is
        let locked = P::Sink(Box::new(vigie_index::Error::Locked("data/index".into())));
        assert_eq!(ErrorKind::of_pipeline(&locked), ErrorKind::Usage);
        assert!(locked.source().is_some_and(|s| s.is::<vigie_index::Error>()));
        let outdated = vigie_index::Error::Outdated { dir: "data/index".into(), source: vigie_index::MissingField("url".into()) };
        assert_eq!(ErrorKind::of_index(&outdated), ErrorKind::Usage);
        assert_eq!(ErrorKind::of_index(&vigie_index::Error::Schema(vigie_index::MissingField("url".into()))), ErrorKind::Internal);
        // nested engine errors take their cause's kind
        let ingest = Error::Ingest(Box::new(Error::from(P::io("in.jsonl", io()))));
        assert_eq!(ingest.kind(), ErrorKind::Usage);
        // a front end finds the kind of any vigie error in a chain, and none in others
        assert_eq!(ErrorKind::of(&P::Stage("x".into())), Some(ErrorKind::Internal));
        assert_eq!(ErrorKind::of(&vigie_index::Error::Missing("d".into())), Some(ErrorKind::Usage));
        assert_eq!(ErrorKind::of(&ingest), Some(ErrorKind::Usage));
        assert_eq!(ErrorKind::of(&io()), None);
    }

    /// A head directory the user names that is not there: a usage error whose causes go
    /// down to the io error.
    #[test]
    fn a_missing_head_directory_is_a_usage_error_with_its_io_cause() {
        let dir = tempfile::tempdir().unwrap();
        let e = vigie_pipeline::entities::EntityExtractor::load(Some(&dir.path().join("no-such-head"))).err().expect("no head");
        let e = Error::from(e);
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(e.to_string().contains("no-such-head"), "{e}");
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        let mut found = false;
        while let Some(c) = cause {
            found |= c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound);
            cause = c.source();
        }
        assert!(found, "no io error among the causes of {e}");
    }
}
