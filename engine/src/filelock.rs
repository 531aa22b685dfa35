//! An exclusive advisory lock on a file (`flock`), shared by the stores that several
//! vigie processes may change at once (alert rules and their state, saved searches).
//! The kernel releases it when the holder's descriptor closes, also when the process
//! dies, so a crash never leaves a stale lock behind.

use crate::{Error, Result};
use std::path::Path;
use std::time::Duration;

/// Opens (creating it) and locks `path`, waiting at most `timeout` for another holder;
/// the lock lasts as long as the returned file. `what` and `hint` word the
/// [`Error::Busy`] given after the timeout.
pub fn lock_file(path: &Path, timeout: Duration, what: &'static str, hint: &'static str) -> Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).map_err(|e| Error::io(path, e))?;
    let start = std::time::Instant::now();
    let mut wait = Duration::from_millis(10);
    loop {
        // SAFETY: flock on a descriptor this function owns
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(file);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EWOULDBLOCK) | Some(libc::EINTR) => {}
            _ => return Err(Error::io(path, e)),
        }
        let spent = start.elapsed();
        if spent >= timeout {
            return Err(Error::Busy { what, path: path.to_path_buf(), seconds: timeout.as_secs(), hint });
        }
        std::thread::sleep(wait.min(timeout - spent));
        wait = (wait * 2).min(Duration::from_millis(250));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// flock locks belong to an open file description: a second open of the same file,
    /// in this process or another, waits for the first to close.
    #[test]
    fn a_held_lock_makes_the_next_taker_wait_then_fail_and_closing_releases_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let held = lock_file(&path, Duration::ZERO, "the test lock", "").unwrap();
        let err = lock_file(&path, Duration::from_millis(50), "the test lock", " (hint)").unwrap_err();
        assert!(matches!(err, Error::Busy { what: "the test lock", .. }), "{err}");
        assert!(err.to_string().contains("(hint)"), "{err}");
        drop(held);
        lock_file(&path, Duration::ZERO, "the test lock", "").unwrap();
    }
}
