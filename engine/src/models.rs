//! Where the models come from, so that a binary runs outside the checkout it was built
//! in: the encoder from a per-user model directory that `vigie model setup` fills, the
//! NER head built into the binary unless a head directory is given; and the model stage
//! opened from them.

use crate::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use vigie_pipeline::encoder::EncoderOptions;
use vigie_pipeline::entities::ArticleAnalyzer;

/// The environment variable naming the model directory (the Makefile points it at the
/// checkout's `models/`).
const MODELS_ENV: &str = "VIGIE_MODELS";
/// The environment variable naming a NER head directory (what `vigie train ner` writes).
const NER_ENV: &str = "VIGIE_NER_MODEL";
/// The files `vigie model setup` converts the encoder into, under `DIR/e5-small`.
pub const ENCODER_FILES: [&str; 3] = ["config.json", "model.safetensors", "tokenizer.json"];

/// What chose the model directory (`vigie model info` says it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `--models DIR`
    Flag,
    /// `VIGIE_MODELS`
    Env,
    /// the platform cache directory (`$XDG_CACHE_HOME/vigie/models`, `~/.cache/vigie/models`)
    Cache,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Origin::Flag => "--models",
            Origin::Env => MODELS_ENV,
            Origin::Cache => "the user cache directory",
        })
    }
}

/// The model directory: the converted encoder lives in `DIR/e5-small`.
#[derive(Debug, Clone)]
pub struct ModelDir {
    pub path: PathBuf,
    pub origin: Origin,
}

impl ModelDir {
    /// `--models DIR`, else `VIGIE_MODELS`, else `vigie/models` in the platform cache
    /// directory; never the checkout, so that a copied or installed binary behaves as the
    /// one in `target/`.
    pub fn resolve(given: Option<&Path>) -> Result<Self> {
        if let Some(p) = given {
            return Ok(ModelDir { path: p.to_path_buf(), origin: Origin::Flag });
        }
        if let Some(p) = std::env::var_os(MODELS_ENV).filter(|p| !p.is_empty()) {
            return Ok(ModelDir { path: PathBuf::from(p), origin: Origin::Env });
        }
        let cache = dirs::cache_dir()
            .ok_or_else(|| Error::Config(format!("no user cache directory for the models here: set {MODELS_ENV} or pass --models DIR")))?;
        Ok(ModelDir { path: cache.join("vigie").join("models"), origin: Origin::Cache })
    }

    /// Where the converted encoder is (or goes).
    pub fn encoder(&self) -> PathBuf {
        self.path.join("e5-small")
    }

    /// Whether `vigie model setup` has filled the directory.
    pub fn is_complete(&self) -> bool {
        let enc = self.encoder();
        ENCODER_FILES.iter().all(|f| enc.join(f).is_file())
    }

    /// The encoder directory, or a one-line usage error that says how to fill it.
    pub fn require_encoder(&self) -> Result<PathBuf> {
        if self.is_complete() {
            return Ok(self.encoder());
        }
        Err(Error::Config(format!(
            "no encoder in {} (from {}): run `vigie model setup` to install it there, or point --models or {MODELS_ENV} at a model directory",
            self.path.display(),
            self.origin
        )))
    }
}

/// The model stage (the encoder and the NER head) from `models` and the head directory
/// `head` (`None`: the head built into the binary), or a usage error naming what is
/// missing or unreadable.
pub fn open_analyzer(models: &ModelDir, head: Option<&Path>, opts: &EncoderOptions, workers: Option<usize>) -> Result<ArticleAnalyzer> {
    models.require_encoder()?;
    let mut an = ArticleAnalyzer::open(&models.path, head, opts)?;
    an.workers = workers;
    tracing::info!(
        engine = ?an.encoder.engine,
        precision = %an.encoder.precision,
        asked = %opts.precision,
        layers = an.encoder.layers,
        embedding = ?an.encoder.embedding_from,
        cpu = ?an.encoder.cpu.names(),
        threads = vigie_pipeline::encoder::tch::get_num_threads(),
        omp_wait_policy = std::env::var("OMP_WAIT_POLICY").unwrap_or_default(),
        "model stage"
    );
    Ok(an)
}

/// The NER head directory: `--ner-model DIR`, else `VIGIE_NER_MODEL`, else `None` for the
/// head built into the binary.
pub fn ner_head_dir(given: Option<&Path>) -> Option<PathBuf> {
    given.map(Path::to_path_buf).or_else(|| std::env::var_os(NER_ENV).filter(|p| !p.is_empty()).map(PathBuf::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_wins_and_an_incomplete_directory_says_what_to_run() {
        let d = tempfile::tempdir().unwrap();
        let m = ModelDir::resolve(Some(d.path())).unwrap();
        assert_eq!((m.path.as_path(), m.origin), (d.path(), Origin::Flag));
        assert!(!m.is_complete());
        let err = format!("{:#}", m.require_encoder().unwrap_err());
        assert!(err.contains("vigie model setup") && err.contains(&d.path().display().to_string()), "{err}");
        assert_eq!(m.require_encoder().unwrap_err().kind(), crate::ErrorKind::Usage);
        let enc = m.encoder();
        std::fs::create_dir_all(&enc).unwrap();
        for f in ENCODER_FILES {
            std::fs::write(enc.join(f), b"x").unwrap();
        }
        assert!(m.is_complete());
        assert_eq!(m.require_encoder().unwrap(), enc);
    }
}
