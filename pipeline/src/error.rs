//! The pipeline's error type.
//!
//! Each variant keeps the error it comes from as its `source()`, and its message names
//! the file (and line) where it applies. Who can fix an error (the user, or nobody but
//! a developer) is decided from the variant by `vigie_engine::ErrorKind`.

use std::path::PathBuf;

/// Any error from a library vigie loads files with (libtorch, safetensors, serde, io).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Errors that stop a pipeline operation (bad input records are not errors: they are
/// [`crate::reject::Reject`]s and the run goes on).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A setting that cannot be used as given (the message names it).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A model file (the E5S1 file, the converted encoder, its tokenizer, an NER head)
    /// that does not load: the source says why (libtorch, safetensors, JSON, or a
    /// [`ModelError`] of vigie's own checks).
    #[error("{}: {source}", path.display())]
    Model { path: PathBuf, source: BoxError },
    /// An encoder directory without one of its files.
    #[error("{}: {file} missing (run `vigie model setup`)", dir.display())]
    ModelMissing { dir: PathBuf, file: &'static str, source: std::io::Error },
    /// A malformed line of a tab-separated knowledge file (entities, GPU catalogue).
    #[error("{file}:{line}: {message}")]
    Data { file: String, line: usize, message: String },
    /// A pattern (a boilerplate line, the catalogue's aliases) that does not compile.
    #[error("{file}{}: {source}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Pattern { file: String, line: Option<usize>, source: regex::Error },
    /// A malformed line of a gold data file (NER training and evaluation).
    #[error("{file}:{line}: {message}")]
    Gold { file: String, line: usize, message: String },
    /// A state file that does not read back as what it should hold (vigie writes them
    /// atomically: a bug or a damaged disk).
    #[error("{}: unreadable {what}: {source}", path.display())]
    State { path: PathBuf, what: &'static str, source: serde_json::Error },
    /// A state file of a version this vigie does not read.
    #[error("{}: {what} version {found} (this vigie reads {supported}); {fix}", path.display())]
    StateVersion { path: PathBuf, what: &'static str, found: u32, supported: u32, fix: &'static str },
    /// A resource built into vigie (knowledge base, GPU catalogue, NER head) that does
    /// not load: a broken build, never the user's doing.
    #[error("built-in {what}: {source}")]
    Builtin { what: &'static str, source: BoxError },
    /// libtorch failed on tensors vigie built itself (training).
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    /// The sink (the index writer) refused a document; the source is the sink's error.
    #[error("{0}")]
    Sink(#[source] BoxError),
    /// A pipeline stage's thread ended before the batch did.
    #[error("{0}")]
    Stage(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn model(path: impl Into<PathBuf>, source: impl Into<BoxError>) -> Self {
        Error::Model { path: path.into(), source: source.into() }
    }

    pub fn builtin(what: &'static str, source: Error) -> Self {
        Error::Builtin { what, source: Box::new(source) }
    }
}

/// What vigie's own checks find wrong inside a model file (the source of an
/// [`Error::Model`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("not an E5S1 file")]
    NotE5,
    #[error("unsupported E5S1 version {0}")]
    Version(u32),
    #[error("truncated at byte {0}")]
    Truncated(usize),
    #[error("negative size {value} at byte {at}")]
    NegativeSize { value: i32, at: usize },
    #[error("piece offsets out of range")]
    PieceOffsets,
    #[error("piece {0} is not utf-8")]
    PieceUtf8(usize),
    #[error("bad codepoint in normalizer output")]
    Codepoint,
    #[error("tensor name is not utf-8")]
    TensorName,
    #[error("tensor {0} lies past the end of the file")]
    PastEnd(String),
    #[error("tensor {name}: unknown dtype {dtype}")]
    Dtype { name: String, dtype: u8 },
    #[error("tensor {0} missing")]
    MissingTensor(String),
    /// The stored bytes do not hold the values the directory announces.
    #[error("tensor {name}: {bytes} bytes for {count} {dtype} values")]
    Bytes { name: String, bytes: usize, count: usize, dtype: &'static str },
    /// A tensor of another shape (or element type) than the model needs.
    #[error("tensor {name} is {found}, not {expected}")]
    Shape { name: String, found: String, expected: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn sources_are_kept() {
        let e = Error::model("m.bin", ModelError::Version(3));
        assert_eq!(e.to_string(), "m.bin: unsupported E5S1 version 3");
        assert_eq!(e.source().and_then(|s| s.downcast_ref::<ModelError>()), Some(&ModelError::Version(3)));
        let e = Error::builtin("knowledge base", Error::Data { file: "entities.tsv".into(), line: 3, message: "x".into() });
        assert_eq!(e.to_string(), "built-in knowledge base: entities.tsv:3: x");
        assert!(matches!(e.source().and_then(|s| s.downcast_ref::<Error>()), Some(Error::Data { line: 3, .. })));
        let unclosed = String::from("(");
        let bad = regex::Regex::new(&unclosed).unwrap_err();
        let e = Error::Pattern { file: "boilerplate".into(), line: Some(4), source: bad };
        assert!(e.to_string().starts_with("boilerplate:4: regex parse error"), "{e}");
        assert!(e.source().is_some_and(|s| s.is::<regex::Error>()));
    }
}
