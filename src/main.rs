//! `vigie`: media-monitoring text analytics for French and English news.

mod cli;

use clap::Parser;
use std::process::ExitCode;

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
    vigie_engine::process::prepare();
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
    if cli.command.runs_encoder() {
        vigie_engine::process::short_openmp_spin();
    }
    vigie_engine::frontend::init_tracing(cli.verbose, cli.quiet);
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) if cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", cli::error_line(e.as_ref()));
            ExitCode::from(cli::exit_code(&e))
        }
    }
}
