//! What every front-end binary (vigie, vigie-bench) does the same way around the engine:
//! its logs on stderr, the one line a failure prints, and the exit code that line comes
//! with (0 ok, 1 usage or input, 2 internal), decided from the errors' kinds.

use crate::ErrorKind;
use std::error::Error as StdError;

/// An error in what the user gave that a front end finds itself (a flag that does not
/// parse, a file that is not there): exit code 1.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for UsageError {}

/// The causes of `e`, `e` first.
fn chain<'e>(e: &'e (dyn StdError + 'static)) -> impl Iterator<Item = &'e (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |c: &&'e (dyn StdError + 'static)| (*c).source())
}

/// The exit code of a failed command: 1 for a usage or input error, 2 for an internal
/// one, as the first [`UsageError`] or error of a vigie crate in the chain of causes
/// says ([`ErrorKind`]); 2 when there is none (a bug, or a failure of the system under
/// vigie).
pub fn exit_code(e: &(dyn StdError + 'static)) -> u8 {
    for cause in chain(e) {
        if cause.is::<UsageError>() {
            return 1;
        }
        if let Some(kind) = ErrorKind::of(cause) {
            return match kind {
                ErrorKind::Usage => 1,
                ErrorKind::Internal => 2,
            };
        }
    }
    2
}

/// The line printed for a failed command or for an error reported while the command goes
/// on: the context and each cause after it, on one line. A cause whose text the line
/// already holds is left out: vigie's errors say their source's message themselves, and
/// `{:#}` would print it twice.
pub fn error_line(e: &(dyn StdError + 'static)) -> String {
    let mut line = String::new();
    for cause in chain(e) {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    one_line(&line)
}

/// Error messages are one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the failure is a closed stdout (`vigie search ... | head`): a success.
pub fn is_broken_pipe(e: &(dyn StdError + 'static)) -> bool {
    chain(e).any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// Logs on stderr: errors only with `quiet`, else warnings, `-v` info, `-vv` debug;
/// `VIGIE_LOG` (an env-filter) overrides.
pub fn init_tracing(verbose: u8, quiet: bool) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn io() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory")
    }

    /// An error with a context above it, as anyhow's `.context()` makes one.
    #[derive(Debug)]
    struct Context(&'static str, Box<dyn StdError + 'static>);

    impl std::fmt::Display for Context {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Context {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&*self.1)
        }
    }

    /// The exit code comes from the kind of the typed error in the chain, wherever the
    /// context put it, not from the message.
    #[test]
    fn exit_codes_follow_the_error_kinds_in_the_chain() {
        let gold = Context("reading the gold data", Box::new(vigie_pipeline::Error::io("gold.conll", io())));
        assert_eq!(exit_code(&gold), 1);
        let state = vigie_pipeline::Error::State {
            path: "topics.json".into(),
            what: "topic state",
            source: serde_json::from_str::<u32>("x").unwrap_err(),
        };
        assert_eq!(exit_code(&state), 2);
        let builtin = vigie_pipeline::Error::builtin("knowledge base", vigie_pipeline::Error::Config("x".into()));
        assert_eq!(exit_code(&Context("loading", Box::new(builtin))), 2, "the outer kind decides");
        assert_eq!(exit_code(&crate::Error::from(vigie_index::Error::Locked("d".into()))), 1);
        assert_eq!(exit_code(&UsageError("--since: cannot read".into())), 1);
        assert_eq!(exit_code(&io()), 2, "an error of no vigie crate is internal");
    }

    /// A cause already said by the error above it is printed once.
    #[test]
    fn the_error_line_says_each_cause_once() {
        let e = Context("loading the model stage", Box::new(vigie_pipeline::Error::io("no-such-head/head.json", io())));
        assert_eq!(error_line(&e), "loading the model stage: no-such-head/head.json: No such file or directory");
        let e = crate::Error::Ingest(Box::new(crate::Error::Config("bad\nflag".into())));
        assert_eq!(error_line(&e), "ingest failed: bad flag");
        assert!(is_broken_pipe(&Context("writing", Box::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe)))));
        assert!(!is_broken_pipe(&io()));
    }
}
