//! Stopping cleanly on SIGINT and SIGTERM, for the front ends that run until told to
//! stop (`vigie watch`, the server): the first signal sets a flag that the loops look
//! at between batches, so that the batch in flight finishes and commits; a second one
//! ends the process at once (committed data is safe at any moment, and the next run
//! goes on from the last commit).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Exit status after a second signal (128 + SIGINT, as shells report an interrupt).
pub const EXIT_ON_SECOND_SIGNAL: i32 = 130;

/// Listens for SIGINT and SIGTERM on a thread of its own; returns the flag the first
/// signal sets, after `on_first` ran (a front end says that it is stopping). A second
/// signal exits the process with [`EXIT_ON_SECOND_SIGNAL`]. The handlers are in place
/// when this returns; when they cannot be installed, a warning is logged and the flag
/// is never set (the default handling of the signals stays).
pub fn stop_on_signals(on_first: impl FnOnce() + Send + 'static) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let (ready, installed) = std::sync::mpsc::channel::<std::result::Result<(), String>>();
    let spawned = std::thread::Builder::new().name("vigie-signals".into()).spawn(move || {
        let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                let _ = ready.send(Err(format!("cannot start the signal runtime: {e}")));
                return;
            }
        };
        rt.block_on(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let (mut int, mut term) = match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
                (Ok(i), Ok(t)) => (i, t),
                (Err(e), _) | (_, Err(e)) => {
                    let _ = ready.send(Err(e.to_string()));
                    return;
                }
            };
            let _ = ready.send(Ok(()));
            let mut on_first = Some(on_first);
            loop {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
                match on_first.take() {
                    Some(f) => {
                        f();
                        flag.store(true, Ordering::SeqCst);
                    }
                    None => std::process::exit(EXIT_ON_SECOND_SIGNAL),
                }
            }
        });
    });
    let outcome = match spawned {
        Ok(_) => installed.recv().unwrap_or_else(|_| Err("the signal thread ended".into())),
        Err(e) => Err(format!("cannot start the signal thread: {e}")),
    };
    if let Err(why) = outcome {
        tracing::warn!(%why, "SIGINT and SIGTERM keep their default handling");
    }
    stop
}
