//! For tests: inputs from outside the repository (the converted encoder, the shared data
//! sets beside the checkout).

use std::path::Path;

/// A test input that is not there: the test skips with a message, except under CI (`CI`
/// set, as `.ci/run` does), where it fails: a quality floor that skips passes silently.
pub fn absent(path: &Path, hint: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{} is absent ({hint}) and CI is set: tests that need it must run", path.display());
    }
    eprintln!("skipped: {} is absent ({hint})", path.display());
}
