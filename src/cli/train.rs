//! `vigie train ner`: trains the NER head on CoNLL-style data with tch autograd.

use super::common::{print_json, Ctx};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_engine::models::ModelDir;
use vigie_pipeline::encoder::{Device, Encoder};
use vigie_pipeline::ner::{read_gold, HeadConfig, TrainConfig};

#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// Train the token-classification head (FILE#train / FILE#dev select a split)
    Ner(NerArgs),
    /// Train the company/organization mention classifier by distant supervision from the
    /// knowledge bases (organization spans of CoNLL-style files; names held out by hash)
    MentionType(MentionTypeArgs),
}

#[derive(Args, Debug)]
pub struct MentionTypeArgs {
    /// CoNLL-style files (FILE#train selects vigie's split)
    #[arg(long, required = true, num_args = 1..)]
    pub gold: Vec<String>,
    #[arg(long)]
    pub out: PathBuf,
    /// The NER head whose layer mix gives the features (default: the built-in head)
    #[arg(long)]
    pub ner_model: Option<PathBuf>,
    #[arg(long, default_value_t = 300)]
    pub epochs: usize,
    /// AdamW weight decay (higher: smaller weights, less confident probabilities)
    #[arg(long, default_value_t = 1e-2)]
    pub weight_decay: f64,
    /// Model directory (default: VIGIE_MODELS, else ~/.cache/vigie/models)
    #[arg(long)]
    pub models: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct NerArgs {
    #[arg(long, required = true, num_args = 1..)]
    pub train: Vec<String>,
    #[arg(long, required = true, num_args = 1..)]
    pub dev: Vec<String>,
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 6)]
    pub epochs: usize,
    #[arg(long, default_value_t = 13)]
    pub seed: u64,
    #[arg(long, default_value_t = 2e-3)]
    pub lr: f64,
    #[arg(long, default_value_t = 192)]
    pub lstm_hidden: usize,
    /// Use at most N sentences of each training file (quick runs)
    #[arg(long)]
    pub limit: Option<usize>,
    /// Model directory (default: VIGIE_MODELS, else ~/.cache/vigie/models)
    #[arg(long)]
    pub models: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, c: TrainCommand) -> anyhow::Result<ExitCode> {
    let a = match c {
        TrainCommand::Ner(a) => a,
        TrainCommand::MentionType(a) => return mention_type(ctx, a),
    };
    let mut train = Vec::new();
    for spec in &a.train {
        let mut s = read_gold(spec)?;
        if let Some(n) = a.limit {
            s.truncate(n);
        }
        eprintln!("train: {spec}: {} sentences", s.len());
        train.extend(s);
    }
    let mut dev = Vec::new();
    for spec in &a.dev {
        let s = read_gold(spec)?;
        eprintln!("dev: {spec}: {} sentences", s.len());
        let name = std::path::Path::new(spec).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| spec.clone());
        dev.push((name, s));
    }
    let head = HeadConfig { lstm_hidden: a.lstm_hidden, ..Default::default() };
    let max_layer = head.layers.iter().copied().max();
    let models = ModelDir::resolve(a.models.as_deref())?.require_encoder()?;
    let encoder = Encoder::load_layers(&models, Device::Cpu, max_layer)?;
    let cfg = TrainConfig { epochs: a.epochs, seed: a.seed, lr: a.lr, head, ..Default::default() };
    let quiet = ctx.quiet;
    let mut progress = |m: &str| {
        if !quiet {
            eprintln!("{m}");
        }
    };
    let report = vigie_pipeline::ner::train(&encoder, &train, &dev, &cfg, &a.out, &mut progress)?;
    std::fs::write(a.out.join("train-report.json"), serde_json::to_string_pretty(&report)?)?;
    print_json(&mut std::io::stdout().lock(), &report)?;
    Ok(ExitCode::SUCCESS)
}

fn mention_type(ctx: &Ctx, a: MentionTypeArgs) -> anyhow::Result<ExitCode> {
    use vigie_pipeline::entities::{train_type_classifier, TypeTrainConfig};
    use vigie_pipeline::ner::NerHead;
    let mut sentences = Vec::new();
    for spec in &a.gold {
        let s = read_gold(spec)?;
        eprintln!("gold: {spec}: {} sentences", s.len());
        sentences.extend(s);
    }
    let head = match &a.ner_model {
        Some(dir) => NerHead::load(dir, Device::Cpu)?,
        None => NerHead::try_builtin(Device::Cpu)?,
    };
    let models = ModelDir::resolve(a.models.as_deref())?.require_encoder()?;
    let encoder = Encoder::load_layers(&models, Device::Cpu, head.cfg.layers.iter().copied().max())?;
    let quiet = ctx.quiet;
    let mut progress = |m: &str| {
        if !quiet {
            eprintln!("{m}");
        }
    };
    let cfg = TypeTrainConfig { epochs: a.epochs, weight_decay: a.weight_decay, ..Default::default() };
    let (classifier, report) = train_type_classifier(&encoder, &head.mix_weights(), &sentences, &cfg, &mut progress)?;
    classifier.save(&a.out)?;
    std::fs::write(a.out.join("train-report.json"), serde_json::to_string_pretty(&report)?)?;
    print_json(&mut std::io::stdout().lock(), &report)?;
    Ok(ExitCode::SUCCESS)
}
