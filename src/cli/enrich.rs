//! `vigie enrich [INPUT ... | -] [--out FILE | -]`: the stateless half of an ingest,
//! as `enriched.v1` JSON lines (one per input record, in input order) for
//! `vigie ingest --enriched` to store, here or after a Spark job fanned it out.

use super::common::{print_json, user_error, Ctx};
use super::ingest::{Printer, StageArgs};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use vigie_engine::enrich::{enrich, EnrichOptions};
use vigie_pipeline::ingest::FormatChoice;
use vigie_pipeline::runner::Analyzer;

#[derive(Args, Debug)]
pub struct EnrichArgs {
    /// Files, directories (recursive), http(s) URLs, or - for stdin (the default)
    pub inputs: Vec<String>,
    /// Where the lines go: a file, or - for stdout (the default)
    #[arg(long, short, default_value = "-")]
    pub out: String,
    /// Input format: auto, jsonl, feed, digest, html, text, or jsonl-tagged (each line
    /// `FILE<TAB>LINE<TAB>RECORD`: records relayed from other files, whose origin and
    /// rejects name that file and line)
    #[arg(long, default_value = "auto")]
    pub format: FormatChoice,
    /// Write rejects to this file (JSON lines, as in DATA/rejects.jsonl) instead of
    /// as reject lines among the documents
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// Exit 1 when any input is rejected
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as JSON on stderr
    #[arg(long)]
    pub json: bool,
    /// CPU worker threads (default: all cores)
    #[arg(long)]
    pub workers: Option<usize>,
    #[command(flatten)]
    pub stages: StageArgs,
}

pub fn run(ctx: &Ctx, a: EnrichArgs) -> anyhow::Result<ExitCode> {
    let (lang, analyzer) = a.stages.load()?;
    let opts = EnrichOptions {
        format: a.format,
        lang: &lang,
        analyzer: analyzer.as_ref().map(|x| x as &dyn Analyzer),
        rejects: a.rejects.clone(),
        workers: a.workers,
    };
    let inputs = if a.inputs.is_empty() { vec!["-".to_string()] } else { a.inputs.clone() };
    let pb = ctx.spinner("enrich");
    let mut printer = Printer::new(pb.clone());
    let stop = AtomicBool::new(false);
    let summary = if a.out == "-" {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
        enrich(&inputs, &opts, &mut out, std::path::Path::new("stdout"), &mut printer, &stop)
    } else {
        // written beside the target and renamed when complete: a crash never leaves a
        // half file under the name a job waits for
        let path = PathBuf::from(&a.out);
        let tmp = path.with_extension(format!("{}.partial", path.extension().and_then(|e| e.to_str()).unwrap_or("jsonl")));
        let file = std::fs::File::create(&tmp).map_err(|e| user_error(format!("{}: {e}", tmp.display())))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let r = enrich(&inputs, &opts, &mut out, &path, &mut printer, &stop);
        drop(out);
        match &r {
            Ok(_) => std::fs::rename(&tmp, &path).map_err(|e| user_error(format!("{}: {e}", path.display())))?,
            Err(_) => {
                let _ = std::fs::remove_file(&tmp);
            }
        }
        r
    };
    pb.finish_and_clear();
    let summary = summary?;
    if a.json {
        print_json(&mut std::io::stderr().lock(), &summary)?;
    } else if !ctx.quiet {
        let rate = if summary.seconds > 0.0 { summary.read as f64 / summary.seconds } else { 0.0 };
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "read {}, enriched {}, {} rejected in {:.1} s ({rate:.1} records/s)",
            summary.read, summary.indexed, summary.rejected, summary.seconds
        )?;
    }
    if a.strict && summary.rejected > 0 {
        return Err(user_error(format!("{} inputs rejected (--strict)", summary.rejected)));
    }
    Ok(ExitCode::SUCCESS)
}
