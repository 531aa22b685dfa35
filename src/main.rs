//! `vigie`: media-monitoring text analytics for French and English news.

mod cli;
mod corpus;

use clap::Parser;
use std::process::ExitCode;

/// The encoder allocates and frees tensors of tens of MB for every batch; glibc's
/// defaults hand them back to the kernel each time, and the page faults cost a fifth of
/// the encoder's time. Keep freed memory for reuse instead (measured: 1,372 -> 1,702
/// tokens/s, `vigie bench encode`).
fn tune_malloc() {
    // SAFETY: mallopt only changes allocator parameters; called before any thread starts
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}

/// oneDNN keeps up to 1,024 compiled kernels, one per operation shape; the encoder's
/// batches and the NER head's sentence groups come in many shapes, and the cache alone
/// grew a 10,000-article ingest by hundreds of MB (3,000 Reuters articles: peak RSS
/// 1.34 GB, 1.15 GB with 64 kernels, same speed). oneDNN reads the variable when it
/// first compiles a kernel, so it is set before anything runs.
fn bound_onednn_cache() {
    const VAR: &str = "ONEDNN_PRIMITIVE_CACHE_CAPACITY";
    if std::env::var_os(VAR).is_none() {
        std::env::set_var(VAR, "64");
    }
}

/// libtorch's thread pool is OpenMP (libgomp), whose threads spin after each parallel
/// region waiting for the next one. With any other job on the cores (another ingest, a
/// build, vigie's own tagging thread beside the encoder) the spinning threads take the
/// time the others need: the encoder ran 8-9x slower (518-624 against 4,663-4,975
/// tokens/s, `vigie bench encode` on French dev articles with a build running beside it).
/// libgomp reads `OMP_WAIT_POLICY` once, when it is loaded, before `main` runs, so a
/// command that runs the encoder re-executes itself once with the passive policy,
/// unless the caller chose a policy or a spin count.
fn passive_openmp(cli: &cli::Cli) {
    const VAR: &str = "OMP_WAIT_POLICY";
    if !cli.command.runs_encoder() || std::env::var_os(VAR).is_some() || std::env::var_os("GOMP_SPINCOUNT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    std::env::set_var(VAR, "PASSIVE");
    let mut args = std::env::args_os();
    let mut cmd = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        std::os::unix::process::CommandExt::arg0(&mut cmd, arg0);
    }
    // only returns on failure: the command then runs here with spinning threads
    let err = std::os::unix::process::CommandExt::exec(cmd.args(args));
    tracing::debug!(%err, "re-executing with {VAR}=PASSIVE failed");
}

/// A panic is a bug, never the input's fault: one line on stderr naming where it
/// happened (the full report with `RUST_BACKTRACE=1`). The pipeline catches panics per
/// input and per article and turns them into rejects, so this line comes before one.
fn one_line_panics() {
    if std::env::var_os("RUST_BACKTRACE").is_some() {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let msg = vigie_pipeline::reject::panic_message(info.payload());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("vigie: internal error{at}: {msg}");
    }));
}

fn main() -> ExitCode {
    tune_malloc();
    bound_onednn_cache();
    one_line_panics();
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 1,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    passive_openmp(&cli);
    init_tracing(cli.verbose, cli.quiet);
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) if cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", cli::one_line(&format!("{e:#}")));
            ExitCode::from(cli::exit_code(&e))
        }
    }
}

fn init_tracing(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("VIGIE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).without_time().compact().init();
}
